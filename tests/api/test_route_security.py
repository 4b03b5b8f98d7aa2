"""Every route of the app, enumerated (routes added later included): anything not tagged
``public`` refuses a request without a token (401 problem) and declares bearer security in
the OpenAPI document; a public route answers without one. A tenant-owned route that forgot
its ``require(...)`` dependency fails here."""

from __future__ import annotations

import re

import httpx
import pytest

from ossmeta.surfaces.api.app import create_app
from ossmeta.surfaces.api.settings import ApiSettings
from tests.api.conftest import ApiServer


def _routes(api: ApiServer) -> list[tuple[str, str, bool]]:
    """(method, path template, public?) of every API route, as the app's OpenAPI document
    lists them (every route FastAPI knows, however routers are nested)."""
    app = create_app(ApiSettings(database_url=api.store.url), store=api.store)
    found = []
    for path, operations in app.openapi()["paths"].items():
        for method, operation in operations.items():
            found.append((method.upper(), path, "public" in operation.get("tags", ())))
    return found


def _concrete(path: str) -> str:
    """A request path for a template: any value fits, the request never gets that far."""
    return re.sub(r"\{[^}:]+(:path)?\}", "1", path)


def test_routes_outside_public_need_a_token(api: ApiServer) -> None:
    routes = _routes(api)
    private = [(m, p) for m, p, public in routes if not public]
    assert ("GET", "/api/v1/me") in private  # the enumeration is real
    assert any(public for _, _, public in routes)
    with api.client() as http:
        for method, path in private:
            response = http.request(method, _concrete(path), json={})
            assert response.status_code == 401, (method, path, response.text)
            assert response.headers["content-type"] == "application/problem+json"


def test_openapi_declares_bearer_security_on_every_private_route(api: ApiServer) -> None:
    with api.client() as http:
        spec = http.get("/openapi.json").json()
    assert spec["openapi"].startswith("3.1")
    for method, path, public in _routes(api):
        operation = spec["paths"][path][method.lower()]
        secured = any("HTTPBearer" in entry for entry in operation.get("security", []))
        assert secured != public, (method, path)


@pytest.mark.parametrize("path", ["/api/v1/packages/pkg:pypi/none", "/api/v1/advisories/X-1"])
def test_public_routes_answer_without_a_token(api: ApiServer, path: str) -> None:
    response = httpx.get(api.base + path)
    assert response.status_code == 404  # answered (nothing stored), not refused
