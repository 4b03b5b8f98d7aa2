"""Projects over real HTTP: inventory upload answers the scan document, the same bytes
again are a no-op, new bytes replace; where-used; 422 for a bad file, 413 for a big one."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from ossmeta.analyses.scan import scan
from ossmeta.normalizers.components import normalize_components
from ossmeta.sources.collect import collect
from ossmeta.store.lookup import AdvisoryLookup
from ossmeta.surfaces.api.settings import ApiSettings
from ossmeta.surfaces.formats.jsonfmt import to_dict
from tests.api.conftest import ApiServer
from tests.service.inventories_data import (
    JINJA,
    JINJA_ALIASES,
    REQUESTS_ALIASES,
    REQUIREMENTS,
    UV_LOCK,
    cyclonedx,
    load_advisories,
)

INVENTORY = "/api/v1/projects/shop/versions/{}/inventory"


@pytest.fixture
def writer(api: ApiServer, tmp_path: Path) -> str:
    load_advisories(api.store, tmp_path)
    token = api.account("acme", "alice", role="member", scopes=("read", "write"))
    with api.client(token) as http:
        assert http.post("/api/v1/projects", json={"name": "shop"}).status_code == 201
    return token


def _without_analysis(document: dict[str, Any]) -> dict[str, Any]:
    for component in document["components"]:
        for key in ("vulnerabilities", "unknown"):
            for item in component[key]:
                assert "analysis" in item
                del item["analysis"]
    return document


def _cli_document(
    api: ApiServer, folder: Path, monkeypatch: pytest.MonkeyPatch, name: str, body: bytes
) -> dict[str, Any]:
    """What ``ossmeta scan NAME --format json`` makes of the same file over the same store,
    run in the file's folder."""
    folder.mkdir()
    (folder / name).write_bytes(body)
    monkeypatch.chdir(folder)
    collected = collect([name])
    components = normalize_components(collected.packages)
    report = scan(components, AdvisoryLookup(api.store), inputs=collected.inputs)
    return to_dict(replace(report, notes=(*collected.notes, *report.notes)))


@pytest.mark.parametrize(
    ("name", "body", "expected"),
    [
        ("requirements.txt", REQUIREMENTS, {"jinja2": [JINJA], "requests": ["PYSEC-2018-28"]}),
        ("uv.lock", UV_LOCK, {"django": ["PYSEC-2021-98"], "jinja2": [JINJA]}),
        (
            "bom.json",
            cyclonedx("pkg:pypi/jinja2@2.10", "pkg:pypi/requests@2.25.0"),
            {"jinja2": [JINJA]},
        ),
    ],
)
def test_upload_answers_the_scan_document(
    api: ApiServer,
    writer: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    name: str,
    body: bytes,
    expected: dict[str, list[str]],
) -> None:
    with api.client(writer) as http:
        answer = http.put(INVENTORY.format("1.0"), params={"filename": name}, content=body)
        assert answer.status_code == 201, answer.text
        document = answer.json()
        assert document["schema"] == "ossmeta.scan/1"
        found = {
            c["name"]: [v["id"] for v in c["vulnerabilities"]]
            for c in document["components"]
            if c["vulnerabilities"]
        }
        assert found == expected
        stored = http.get("/api/v1/projects/shop/versions/1.0/findings")
        assert stored.status_code == 200
        assert stored.json() == document
    cli = _cli_document(api, tmp_path / "cli", monkeypatch, name, body)
    assert _without_analysis(document) == cli


def test_same_bytes_again_change_nothing_and_new_bytes_replace(api: ApiServer, writer: str) -> None:
    with api.client(writer) as http:
        first = http.put(INVENTORY.format("1.0"), params={"filename": "uv.lock"}, content=UV_LOCK)
        assert first.status_code == 201
        again = http.put(INVENTORY.format("1.0"), params={"filename": "uv.lock"}, content=UV_LOCK)
        assert again.status_code == 200
        assert again.json() == first.json()
        fixed = UV_LOCK.replace(b'version = "2.10"', b'version = "2.11.3"')
        replaced = http.put(INVENTORY.format("1.0"), params={"filename": "uv.lock"}, content=fixed)
        assert replaced.status_code == 200
        names = {c["name"] for c in replaced.json()["components"] if c["vulnerabilities"]}
        assert names == {"django"}
        versions = http.get("/api/v1/projects/shop/versions").json()
        assert [v["name"] for v in versions["items"]] == ["1.0"]
        assert versions["next"] is None


def test_where_used_by_package_version_and_any_alias(api: ApiServer, writer: str) -> None:
    with api.client(writer) as http:
        http.put(INVENTORY.format("1.0"), params={"filename": "uv.lock"}, content=UV_LOCK)
        fixed = UV_LOCK.replace(b'version = "2.10"', b'version = "2.11.3"')
        http.put(INVENTORY.format("2.0"), params={"filename": "uv.lock"}, content=fixed)

        def used(**params: str) -> Any:
            answer = http.get("/api/v1/where-used", params=params)
            assert answer.status_code == 200, answer.text
            return answer.json()

        assert used(purl="pkg:pypi/jinja2@2.10") == {
            "items": [{"project": "shop", "version": "1.0"}],
            "next": None,
        }
        both = [{"project": "shop", "version": "1.0"}, {"project": "shop", "version": "2.0"}]
        assert used(purl="pkg:pypi/jinja2")["items"] == both
        for alias in (JINJA, *JINJA_ALIASES):
            assert used(advisory=alias)["items"] == [{"project": "shop", "version": "1.0"}]
        assert used(advisory="PYSEC-2021-98")["items"] == both
        assert used(advisory=REQUESTS_ALIASES[0])["items"] == []
        first = used(purl="pkg:pypi/jinja2", limit="1")
        assert first["items"] == both[:1] and first["next"]
        rest = used(purl="pkg:pypi/jinja2", limit="1", cursor=first["next"])
        assert rest == {"items": both[1:], "next": None}
        assert http.get("/api/v1/where-used").status_code == 400
        assert http.get("/api/v1/where-used", params={"purl": "jinja2"}).status_code == 400


def test_a_bad_file_is_a_422_naming_the_file_and_line(api: ApiServer, writer: str) -> None:
    with api.client(writer) as http:
        answer = http.put(
            INVENTORY.format("1.0"),
            params={"filename": "package-lock.json"},
            content=b'{"lockfileVersion": 3,\n "packages": [}',
        )
        assert answer.status_code == 422
        assert answer.headers["content-type"] == "application/problem+json"
        assert answer.json()["detail"].startswith("package-lock.json:2")
        assert http.get("/api/v1/projects/shop/versions").json()["items"] == []
        unknown = http.put(
            INVENTORY.format("1.0"), params={"filename": "notes.txt"}, content=b"hello"
        )
        assert unknown.status_code == 422
        assert unknown.json()["detail"].startswith("notes.txt: unknown input format")
        escape = http.put(
            INVENTORY.format("1.0"), params={"filename": "../uv.lock"}, content=UV_LOCK
        )
        assert escape.status_code == 400
        assert "bare file name" in escape.json()["detail"]


def test_an_upload_over_the_limit_is_a_413(
    api_factory: Callable[[ApiSettings], ApiServer], tmp_path: Path
) -> None:
    small = api_factory(ApiSettings(max_body_bytes=4096))
    load_advisories(small.store, tmp_path)
    token = small.account("acme", "alice", role="member", scopes=("read", "write"))
    big = REQUIREMENTS + b"".join(b"pkg%d==1.0\n" % i for i in range(1000))
    with small.client(token) as http:
        http.post("/api/v1/projects", json={"name": "shop"})
        answer = http.put(
            INVENTORY.format("1.0"), params={"filename": "requirements.txt"}, content=big
        )
        assert answer.status_code == 413
        assert answer.headers["content-type"] == "application/problem+json"
        assert http.get("/api/v1/projects/shop/versions").json()["items"] == []


def test_projects_are_listed_by_name_and_a_second_one_of_a_name_is_409(
    api: ApiServer, writer: str
) -> None:
    with api.client(writer) as http:
        assert http.post("/api/v1/projects", json={"name": "api"}).status_code == 201
        again = http.post("/api/v1/projects", json={"name": "shop"})
        assert again.status_code == 409
        assert again.json()["detail"] == "a project named 'shop' exists already"
        bad = http.post("/api/v1/projects", json={"name": "../x"})
        assert bad.status_code == 400
        listed = http.get("/api/v1/projects", params={"limit": 1}).json()
        assert [p["name"] for p in listed["items"]] == ["api"]
        rest = http.get("/api/v1/projects", params={"limit": 1, "cursor": listed["next"]})
        assert [p["name"] for p in rest.json()["items"]] == ["shop"]
        assert http.get("/api/v1/projects/shop").json()["name"] == "shop"
