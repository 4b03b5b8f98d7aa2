"""Every error path of the API answers an RFC 9457 problem with the right status: unknown
routes, wrong methods, invalid requests, bodies over the limit (declared or streamed), a
store that cannot be reached, and bugs (500, logged with the request id, no traceback in the
body)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator

import httpx
import pytest
from fastapi import FastAPI

from ossmeta.errors import UsageError
from ossmeta.store import Store, open_store
from ossmeta.surfaces.api.app import create_app
from ossmeta.surfaces.api.settings import ApiSettings
from tests.api.conftest import ApiServer

PROBLEM = "application/problem+json"


def _problem(response: httpx.Response, status: int) -> dict[str, object]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM
    body = dict(response.json())
    assert body["status"] == status
    assert str(body["type"]).startswith("urn:ossmeta:problem:")
    assert body["instance"] == response.request.url.path
    assert body["title"] and body["detail"]
    assert "Traceback" not in response.text
    return body


def test_unknown_routes_and_methods(api: ApiServer) -> None:
    with api.client() as http:
        assert _problem(http.get("/api/v1/nothing-here"), 404)["detail"] == "no such resource"
        _problem(http.get("/nothing-here"), 404)  # "/" is the web home page
        _problem(http.put("/api/v1/me"), 405)
        _problem(http.get("/api/v1/packages:batch"), 405)


def test_invalid_requests_are_422_with_each_error(api: ApiServer) -> None:
    token = api.account("acme", "alice")
    with api.client(token) as http:
        broken = http.post(
            "/api/v1/tokens", content=b"{not json", headers={"content-type": "application/json"}
        )
        wrong = http.post("/api/v1/tokens", json={"scopes": ["root"], "expires_at": "soon"})
        bad_id = http.delete("/api/v1/tokens/abc")
    _problem(broken, 422)
    body = _problem(wrong, 422)
    locations = {tuple(error["location"]) for error in body["errors"]}  # type: ignore[attr-defined]
    assert locations == {("body", "scopes", "0"), ("body", "expires_at")}
    assert body["type"] == "urn:ossmeta:problem:invalid-request"
    assert _problem(bad_id, 422)["detail"].startswith("path.token_id")  # type: ignore[union-attr]


def test_bodies_over_the_limit_are_413_declared_or_streamed(
    api_factory: Callable[[ApiSettings], ApiServer],
) -> None:
    api = api_factory(ApiSettings(max_body_bytes=1000))
    purls = [f"pkg:pypi/p{n}" for n in range(200)]
    with api.client() as http:
        declared = http.post("/api/v1/packages:batch", json={"purls": purls})

        def chunks() -> Iterator[bytes]:
            yield b'{"purls": ['
            for n in range(200):
                yield b'"pkg:pypi/p%d",' % n
            yield b'"pkg:pypi/last"]}'

        streamed = http.post(
            "/api/v1/packages:batch",
            content=chunks(),
            headers={"content-type": "application/json"},
        )
        small = http.post("/api/v1/packages:batch", json={"purls": purls[:3]})
    assert "limit of 1000 bytes" in str(_problem(declared, 413)["detail"])
    assert "transfer-encoding" in streamed.request.headers  # no Content-Length was sent
    assert "limit of 1000 bytes" in str(_problem(streamed, 413)["detail"])
    assert small.status_code == 200


@pytest.fixture
def failing_app(store: Store) -> FastAPI:
    app = create_app(ApiSettings(database_url=store.url), store=store)

    def bug() -> None:
        raise ZeroDivisionError("a secret internal detail")

    def user_mistake() -> None:
        raise UsageError("you asked for something odd")

    app.add_api_route("/api/v1/test-bug", bug)
    app.add_api_route("/api/v1/test-input", user_mistake)
    return app


def test_a_bug_is_500_logged_with_the_request_id(
    failing_app: FastAPI,
    serve_app: Callable[[FastAPI], str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)
    base = serve_app(failing_app)
    with httpx.Client(base_url=base) as http:
        response = http.get("/api/v1/test-bug")
        mistake = http.get("/api/v1/test-input")
    body = _problem(response, 500)
    request_id = response.headers["x-request-id"]
    assert body["request_id"] == request_id
    assert request_id in str(body["detail"])
    assert "secret internal detail" not in response.text
    logged = [r for r in caplog.records if r.name == "ossmeta.api" and request_id in r.getMessage()]
    assert len(logged) == 1 and logged[0].exc_info is not None
    assert "ZeroDivisionError" in caplog.text
    assert _problem(mistake, 400)["detail"] == "you asked for something odd"


def test_an_unreachable_store_is_503(serve_app: Callable[[FastAPI], str]) -> None:
    # A PostgreSQL URL nobody listens on: every query fails to connect.
    gone = open_store("postgresql+psycopg://ossmeta@127.0.0.1:9/none?connect_timeout=2")
    try:
        base = serve_app(create_app(ApiSettings(), store=gone))
        with httpx.Client(base_url=base) as http:
            response = http.get("/api/v1/packages/pkg:pypi/requests")
        assert _problem(response, 503)["type"] == "urn:ossmeta:problem:unavailable"
    finally:
        gone.dispose()


def test_every_response_has_a_request_id_and_gzip_when_asked(api: ApiServer) -> None:
    with api.client() as http:
        spec = http.get("/openapi.json", headers={"accept-encoding": "gzip"})
        other = http.get("/openapi.json", headers={"accept-encoding": "identity"})
    assert spec.status_code == 200
    assert spec.json()["openapi"].startswith("3.1")
    assert spec.headers["content-encoding"] == "gzip"
    assert "content-encoding" not in other.headers
    assert spec.headers["x-request-id"] != other.headers["x-request-id"]
