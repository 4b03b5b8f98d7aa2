"""``GET /api/v1/health/{purl}`` and ``GET /api/v1/compare`` over real HTTP (uvicorn on
loopback), on SQLite and PostgreSQL: the ``ossmeta.health/1`` documents the CLI prints,
ETags, and problems (404, 400, 422) for what the caller got wrong."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from ossmeta.analyses.health import default_config, health
from ossmeta.surfaces.formats.health import health_document
from tests.analyses.health.world import fill
from tests.api.conftest import ApiServer

PARTS = ["security", "license", "maintenance", "community", "adoption"]


@pytest.fixture
def filled(api: ApiServer, tmp_path: Path) -> ApiServer:
    fill(api.store, tmp_path / "osv")
    return api


def test_a_package_health_is_the_cli_document(filled: ApiServer) -> None:
    with filled.client() as http:  # public: no token
        answer = http.get("/api/v1/health/pkg:pypi/demo")
    assert answer.status_code == 200, answer.text
    document = answer.json()
    assert document["schema"] == "ossmeta.health/1"
    assert (document["purl"], document["version"]) == ("pkg:pypi/demo", "2.0")
    assert [p["name"] for p in document["parts"]] == PARTS
    assert document["as_of"].endswith("T00:00:00Z")  # the start of the UTC day
    # the same document the CLI's formatter makes from the same scoring
    as_of = datetime.fromisoformat(document["as_of"].replace("Z", "+00:00"))
    expected = health_document(health(filled.store, "pkg:pypi/demo", default_config(), as_of=as_of))
    assert document == expected


def test_a_version_and_the_etag(filled: ApiServer) -> None:
    with filled.client() as http:
        first = http.get("/api/v1/health/pkg:pypi/demo@1.1")
        assert first.status_code == 200
        assert first.json()["version"] == "1.1"
        tag = first.headers["ETag"]
        again = http.get("/api/v1/health/pkg:pypi/demo@1.1", headers={"If-None-Match": tag})
        # 304 unless the UTC day turned between the two requests (a new as_of, a new body)
        if again.status_code != 304:
            assert again.json()["as_of"] != first.json()["as_of"]


def test_compare_side_by_side(filled: ApiServer) -> None:
    with filled.client() as http:
        answer = http.get(
            "/api/v1/compare", params=[("purl", "pkg:pypi/demo"), ("purl", "pkg:pypi/bare")]
        )
    assert answer.status_code == 200, answer.text
    document = answer.json()
    assert document["schema"] == "ossmeta.health/1"
    assert [c["purl"] for c in document["compare"]] == ["pkg:pypi/demo", "pkg:pypi/bare"]
    bare = document["compare"][1]
    community = next(p for p in bare["parts"] if p["name"] == "community")
    assert community["score"] is None  # unknown, not 0


@pytest.mark.parametrize(
    ("path", "params", "status", "words"),
    [
        ("/api/v1/health/pkg:pypi/nothing", None, 404, "no package pkg:pypi/nothing"),
        ("/api/v1/health/pkg:pypi/demo@9.9", None, 404, "no version 9.9 of pkg:pypi/demo"),
        ("/api/v1/health/not-a-purl", None, 400, "not-a-purl"),
        ("/api/v1/compare", [("purl", "pkg:pypi/demo")], 422, "purl"),
        ("/api/v1/compare", [("purl", f"pkg:pypi/p{i}") for i in range(6)], 422, "purl"),
        (
            "/api/v1/compare",
            [("purl", "pkg:pypi/demo"), ("purl", "pkg:pypi/nothing")],
            404,
            "no package pkg:pypi/nothing",
        ),
    ],
)
def test_caller_mistakes_are_problems(
    filled: ApiServer,
    path: str,
    params: list[tuple[str, str]] | None,
    status: int,
    words: str,
) -> None:
    with filled.client() as http:
        answer = http.get(path, params=params)
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    problem = answer.json()
    assert problem["status"] == status
    assert words in problem["detail"]


def test_the_contract_is_in_the_openapi_document(filled: ApiServer) -> None:
    with filled.client() as http:
        spec = http.get("/openapi.json").json()
    assert "/api/v1/health/{purl}" in spec["paths"]
    assert "/api/v1/compare" in spec["paths"]
    schemas = spec["components"]["schemas"]
    assert "schema" in schemas["HealthDocument"]["properties"]
    assert set(schemas["Signal"]["properties"]) >= {"normalized", "contribution", "missing"}
