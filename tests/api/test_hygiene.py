"""API hygiene on every route, enumerated from the app: every list is a cursor-paginated
page (``items`` and ``next``) whose pages, followed to the end, give the whole list once; every
public resource carries an ETag and answers ``If-None-Match`` with 304; every large answer is
gzip-compressed when the client accepts it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.api.conftest import ApiServer
from tests.api.world import (
    Route,
    Tenant,
    concrete,
    populate,
    query,
    routes,
    seed_public,
    without_varying,
)

PROBLEM = "application/problem+json"


@pytest.fixture
def world(api: ApiServer, tmp_path: Path) -> tuple[ApiServer, Tenant, dict[str, str]]:
    values = seed_public(api, tmp_path)
    acme = populate(api, "acme")
    populate(api, "globex")  # another tenant's rows must not show in acme's pages
    return api, acme, {**values, **acme.values}


def _get(http: httpx.Client, route: Route, values: dict[str, str], **params: Any) -> httpx.Response:
    return http.get(concrete(route.path, values), params={**query(route), **params})


def test_every_list_route_pages_with_a_cursor(
    world: tuple[ApiServer, Tenant, dict[str, str]],
) -> None:
    api, acme, values = world
    lists = [r for r in routes(api) if r.is_list]
    assert len(lists) >= 10
    wrong: list[str] = []
    with api.client(acme.token) as http:
        for route in lists:
            names = {p["name"] for p in route.operation.get("parameters", ()) if p["in"] == "query"}
            if not {"cursor", "limit"} <= names:
                wrong.append(f"{route}: a list without cursor and limit parameters")
                continue
            whole = _get(http, route, values, limit=1000)
            assert whole.status_code == 200, (str(route), whole.text)
            body = whole.json()
            if not isinstance(body, dict) or set(body) != {"items", "next"}:
                wrong.append(f"{route}: answers {type(body).__name__}, not a page")
                continue
            everything = without_varying(body["items"])
            if len(everything) < 2:
                wrong.append(
                    f"{route}: {len(everything)} item(s) in the test world, too few to "
                    "follow a cursor; give it data in tests/api/world.populate"
                )
                continue
            walked: list[Any] = []
            cursor = None
            for _ in range(len(everything) + 1):
                extra = {"cursor": cursor} if cursor else {}
                page = _get(http, route, values, limit=1, **extra).json()
                assert len(page["items"]) == 1, (str(route), page)
                walked += without_varying(page["items"])
                cursor = page["next"]
                if cursor is None:
                    break
            if walked != everything:
                wrong.append(f"{route}: pages of one, followed, give {walked} not {everything}")
            bad = _get(http, route, values, cursor="not a cursor!")
            if bad.status_code != 400 or bad.headers["content-type"] != PROBLEM:
                wrong.append(f"{route}: a damaged cursor answered {bad.status_code}, not 400")
            if _get(http, route, values, limit=0).status_code != 422:
                wrong.append(f"{route}: limit=0 was not refused")
    assert not wrong, "\n".join(wrong)


def test_public_resources_carry_etags_and_answer_304(
    world: tuple[ApiServer, Tenant, dict[str, str]],
) -> None:
    api, _, values = world
    public = [r for r in routes(api) if r.public and r.method == "GET" and "{" in r.path]
    assert len(public) >= 5
    with api.client() as http:
        for route in public:
            first = _get(http, route, values)
            assert first.status_code == 200, (str(route), first.text)
            tag = first.headers.get("etag")
            assert tag and tag.startswith('"'), f"{route}: no strong ETag"
            again = http.get(first.request.url, headers={"If-None-Match": f'W/"other", {tag}'})
            assert again.status_code == 304, f"{route}: If-None-Match did not give 304"
            assert again.content == b"" and again.headers["etag"] == tag
            changed = http.get(first.request.url, headers={"If-None-Match": '"other"'})
            assert changed.status_code == 200 and changed.content == first.content


def test_large_answers_are_gzipped_when_accepted(
    world: tuple[ApiServer, Tenant, dict[str, str]],
) -> None:
    api, acme, values = world
    large = 0
    with api.client(acme.token) as http:
        for route in routes(api):
            if route.method != "GET":
                continue
            plain = _get_encoded(http, route, values, "identity")
            packed = _get_encoded(http, route, values, "gzip")
            assert plain.status_code == packed.status_code == 200, (str(route), plain.text)
            assert "content-encoding" not in plain.headers
            if len(plain.content) >= 1024:
                large += 1
                assert packed.headers.get("content-encoding") == "gzip", str(route)
                if plain.headers["content-type"] != "application/json":  # a PDF, say
                    assert packed.content == plain.content, str(route)
                    continue
                assert without_varying(packed.json()) == without_varying(plain.json())
    assert large >= 3  # the world is big enough for the check to mean something


def _get_encoded(
    http: httpx.Client, route: Route, values: dict[str, str], encoding: str
) -> httpx.Response:
    return http.get(
        concrete(route.path, values),
        params={**query(route), "limit": 1000} if route.is_list else query(route),
        headers={"Accept-Encoding": encoding},
    )
