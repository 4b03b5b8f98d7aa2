"""The public API over real HTTP: the same documents as the CLI's JSON contracts, pages,
ETags, batch lookups, and one-line problems for what the store does not know."""

from __future__ import annotations

import json
from collections.abc import Iterator

import httpx
import pytest

from ossmeta.sources import osv
from ossmeta.store.advisories import AdvisoryImporter
from ossmeta.store.metrics import Metrics
from ossmeta.surfaces.cli.app import main
from tests.api.conftest import ApiServer
from tests.api.world import T0, save_public_packages
from tests.helpers import DATA


@pytest.fixture
def seeded(api: ApiServer) -> ApiServer:
    """``web`` (three versions) depends on ``core``; so do ``cli`` and ``tool``."""
    save_public_packages(api)
    files = osv.expand([str(DATA / "osv")])
    AdvisoryImporter(api.store).run(osv.iter_records(files, "CC-BY-4.0"))
    Metrics(api.store).replace(
        [
            ("github.com/example/core", "activity", "2024-01", 12.5, None),
            ("github.com/example/core", "activity", "2024", 40.0, None),
            ("github.com/example/core", "openrank", "2024-01", 3.0, None),
        ],
        engine="duckdb",
        computed_at=T0,
        since=None,
    )
    return api


def _cli_json(capsys: pytest.CaptureFixture[str], *args: str) -> object:
    capsys.readouterr()
    assert main(list(args)) == 0
    return json.loads(capsys.readouterr().out)


def test_package_is_the_cli_contract(seeded: ApiServer, capsys: pytest.CaptureFixture[str]) -> None:
    with seeded.client() as http:
        response = http.get("/api/v1/packages/pkg:pypi/core")
    assert response.status_code == 200
    expected = _cli_json(
        capsys, "packages", "show", "pkg:pypi/core", "--format", "json", "--db", seeded.store.url
    )
    assert response.json() == expected
    assert response.json()["dependents"] == 3
    assert [v["version"] for v in response.json()["versions"]] == ["1.0", "1.1", "2.0"]


def test_etag_and_304(seeded: ApiServer) -> None:
    with seeded.client() as http:
        first = http.get("/api/v1/packages/pkg:pypi/core")
        tag = first.headers["etag"]
        again = http.get("/api/v1/packages/pkg:pypi/core", headers={"if-none-match": tag})
        weak = http.get("/api/v1/packages/pkg:pypi/core", headers={"if-none-match": f"W/{tag}"})
        other = http.get("/api/v1/packages/pkg:pypi/core", headers={"if-none-match": '"nope"'})
        web = http.get("/api/v1/packages/pkg:pypi/web")
    assert tag.startswith('"') and not tag.startswith("W/")
    assert (again.status_code, again.content, again.headers["etag"]) == (304, b"", tag)
    assert weak.status_code == 304
    assert other.status_code == 200 and other.json() == first.json()
    assert web.headers["etag"] != tag


def _walk(http: httpx.Client, url: str) -> Iterator[list[object]]:
    next_url: str | None = url
    while next_url:
        page = http.get(next_url)
        assert page.status_code == 200, page.text
        yield page.json()["items"]
        cursor = page.json()["next"]
        joiner = "&" if "?" in url else "?"
        next_url = f"{url}{joiner}cursor={cursor}" if cursor else None


def test_versions_dependencies_dependents_by_pages(seeded: ApiServer) -> None:
    with seeded.client() as http:
        versions = list(_walk(http, "/api/v1/packages/pkg:pypi/web:versions?limit=2"))
        deps = list(_walk(http, "/api/v1/packages/pkg:pypi/web@0.3:dependencies?limit=1"))
        dependents = list(_walk(http, "/api/v1/packages/pkg:pypi/core:dependents?limit=2"))
        everything = http.get("/api/v1/packages/pkg:pypi/core:dependents").json()
    assert [[v["version"] for v in page] for page in versions] == [["0.1", "0.2"], ["0.3"]]  # type: ignore[index]
    assert [[d["purl"] for d in page] for page in deps] == [["pkg:pypi/core"], ["pkg:pypi/six"]]  # type: ignore[index]
    assert dependents == [
        [{"purl": "pkg:pypi/cli"}, {"purl": "pkg:pypi/tool"}],
        [{"purl": "pkg:pypi/web"}],
    ]
    assert everything == {
        "items": [{"purl": f"pkg:pypi/{n}"} for n in ("cli", "tool", "web")],
        "next": None,
    }


def test_unknown_and_malformed_are_problems(seeded: ApiServer) -> None:
    with seeded.client() as http:
        cases = {
            "/api/v1/packages/pkg:pypi/nothing": 404,
            "/api/v1/packages/pkg:pypi/nothing:versions": 404,
            "/api/v1/packages/pkg:pypi/web@9.9:dependencies": 404,
            "/api/v1/packages/pkg:pypi/web:dependencies": 400,
            "/api/v1/packages/not-a-purl": 400,
            "/api/v1/packages/pkg:nosuchtype/x": 400,
            "/api/v1/packages/pkg:pypi/web:versions?cursor=bm9wZQ": 400,
            "/api/v1/packages/pkg:pypi/web:versions?cursor=Ii0xIg": 400,
            "/api/v1/advisories/GHSA-none-none-none": 404,
            "/api/v1/repositories/github.com/example/none/metrics": 404,
        }
        for url, status in cases.items():
            response = http.get(url)
            assert response.status_code == status, (url, response.text)
            assert response.headers["content-type"] == "application/problem+json"
        assert (
            http.get("/api/v1/packages/pkg:pypi/nothing").json()["detail"]
            == "no package pkg:pypi/nothing"
        )


def test_advisory_by_any_alias_is_the_cli_contract(
    seeded: ApiServer, capsys: pytest.CaptureFixture[str]
) -> None:
    with seeded.client() as http:
        by_id = http.get("/api/v1/advisories/PYSEC-2018-28")
        by_alias = http.get("/api/v1/advisories/CVE-2018-18074")
    assert by_id.status_code == by_alias.status_code == 200
    assert by_alias.json()["record"]["id"] == "PYSEC-2018-28"
    assert by_alias.json() == by_id.json()
    expected = _cli_json(
        capsys, "advisories", "show", "PYSEC-2018-28", "--format", "json", "--db", seeded.store.url
    )
    assert by_id.json() == expected


def test_repository_metrics_are_the_cli_contract(
    seeded: ApiServer, capsys: pytest.CaptureFixture[str]
) -> None:
    with seeded.client() as http:
        all_metrics = http.get("/api/v1/repositories/github.com/example/core/metrics")
        one = http.get("/api/v1/repositories/github.com/Example/core/metrics?metric=openrank")
    expected = _cli_json(
        capsys,
        "metrics",
        "show",
        "github.com/example/core",
        "--format",
        "json",
        "--db",
        seeded.store.url,
    )
    assert all_metrics.json() == expected
    assert all_metrics.json()["metrics"]["activity"] == {"2024": 40, "2024-01": 12.5}
    assert one.json() == {
        "repo": "github.com/example/core",
        "metrics": {"openrank": {"2024-01": 3}},
    }


def test_batch_answers_each_purl(seeded: ApiServer) -> None:
    purls = ["pkg:pypi/core", "pkg:pypi/Web@0.2", "pkg:pypi/nothing", "nonsense"]
    with seeded.client() as http:
        answer = http.post("/api/v1/packages:batch", json={"purls": purls})
        too_many = http.post("/api/v1/packages:batch", json={"purls": ["pkg:pypi/x"] * 1001})
        empty = http.post("/api/v1/packages:batch", json={"purls": []})
        spec = http.get("/openapi.json").json()
    assert answer.status_code == 200
    items = answer.json()["items"]
    assert [item["purl"] for item in items] == purls
    assert items[0]["package"] == http_get_json(seeded, "/api/v1/packages/pkg:pypi/core")
    assert items[1]["package"]["purl"] == "pkg:pypi/web"
    assert items[2] == {"purl": "pkg:pypi/nothing", "package": None, "error": "not in the store"}
    assert items[3]["package"] is None and "nonsense" in items[3]["error"]
    assert (
        too_many.status_code == 422
        and too_many.headers["content-type"] == "application/problem+json"
    )
    assert empty.status_code == 422
    assert "1000" in spec["paths"]["/api/v1/packages:batch"]["post"]["description"]


def http_get_json(api: ApiServer, path: str) -> object:
    with api.client() as http:
        return http.get(path).json()


def test_big_answers_are_gzipped(seeded: ApiServer) -> None:
    purls = ["pkg:pypi/core"] * 20
    with seeded.client() as http:
        answer = http.post(
            "/api/v1/packages:batch", json={"purls": purls}, headers={"accept-encoding": "gzip"}
        )
    assert answer.headers["content-encoding"] == "gzip"
    assert len(answer.json()["items"]) == 20
