"""The route-walking security test, for the pages: every workspace route of the app (taken
from the web routers, routes added later included, never a hand-kept list) is walked

- by an anonymous visitor: sent to the login page, whatever the method;
- by a second tenant's administrator: a page naming the first tenant's object answers 404
  exactly as for one that does not exist, a page naming none shows none of the first
  tenant's data, and afterwards the first tenant's data is as it was;
- by each role of the first tenant: a viewer reads every page and changes nothing (403),
  the other roles read and change.

The API's routes are walked by ``test_route_security``; the rule here is the same one.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from fastapi.routing import APIRoute

from ossmeta.service import accounts, inventories
from ossmeta.service import webhooks as hooks
from ossmeta.service.accounts import ROLES
from ossmeta.store.curation_store import Curations
from ossmeta.surfaces.web.routes import ROUTERS
from ossmeta.surfaces.web.routes.curation import CURATORS
from tests.api.conftest import ApiServer
from tests.service.inventories_data import JINJA, REQUIREMENTS, load_advisories

OPERATOR = accounts.Actor("cli:test-operator")
PASSWORD = "correct horse battery"
_CSRF = re.compile(r'name="csrf" value="([0-9a-f]{64})"')
_NONCE = re.compile(r'name="nonce" value="([^"]+)"')
LICENCES = ("MIT", "Apache-2.0", "ISC", "0BSD", "BSD-2-Clause", "Zlib", "MPL-2.0", "Unlicense")
HOOK = "https://hooks.example/acme-secret-path"  # the first tenant's webhooks


@dataclass(frozen=True)
class PageRoute:
    method: str
    path: str


def page_routes() -> list[PageRoute]:
    """Every route of the signed-in area: the workspace, the curation queue, logging out."""
    found = [
        PageRoute(method, route.path)
        for router in ROUTERS
        for route in router.routes
        if isinstance(route, APIRoute)
        and (route.path.startswith(("/workspace", "/curation")) or route.path == "/logout")
        for method in sorted(route.methods - {"HEAD"})
    ]
    assert len(found) >= 10, found
    return found


@dataclass(frozen=True)
class Owned:
    """One user's own objects the route parameters name."""

    token_id: int
    webhook_id: int
    curation_id: int  # a proposal by someone else, for this user to review


def _person(api: ApiServer, tenant: str, login: str, role: str) -> Owned:
    found = api.tenant(tenant)
    accounts.create_user(api.store, login, tenant, role, PASSWORD, OPERATOR)
    token = accounts.create_token(api.store, login, actor=OPERATOR, tenant_id=found.id)
    hook = hooks.create_webhook(
        api.store, found.id, HOOK.replace("acme", tenant), ("finding.new",), OPERATOR
    )
    curations = Curations(api.store)
    proposal = curations.propose(
        "pkg:pypi/jinja2",
        "license",
        LICENCES[len(curations.find())],  # the same value twice is refused
        reason="the wheel says MIT",
        author=f"author-of-{login}",
        evidence="https://example.org/jinja2/LICENSE",
    )
    return Owned(token.record.id, hook.webhook.id, proposal)


def _path(route: PageRoute, owned: Owned) -> str:
    values = {
        "project": "shop",
        "version": "1.0",
        "token_id": str(owned.token_id),
        "webhook_id": str(owned.webhook_id),
        "curation_id": str(owned.curation_id),
    }
    return re.sub(r"\{(\w+)\}", lambda m: values[m.group(1)], route.path)


def _form(route: PageRoute, tag: str) -> tuple[dict[str, object], dict[str, object] | None]:
    """A form each route would accept from a user allowed to send it."""
    data: dict[str, object] = {
        "name": f"p-{tag}",
        "version": f"v-{tag}",
        "purl": "pkg:pypi/jinja2@2.10",
        "advisory": JINJA,
        "state": "in_triage",
        "url": f"https://hooks.example/{tag}",
        "event": ["finding.new"],
        "scope": ["read"],
        "decision": "approve",
        "field": "license",
        "value": "BSD-3-Clause",
        "reason": "the repository's LICENSE file",
        "evidence": "https://example.org/LICENSE",
    }
    if route.path == "/curation/propose":  # a package, without a version; a new value
        value = LICENCES[ROLES.index(tag) if tag in ROLES else 0]
        data.update(purl="pkg:pypi/markupsafe", value=value)
    files = (
        {"file": ("requirements.txt", REQUIREMENTS, "text/plain")}
        if "upload" in route.path
        else None
    )
    return data, files


@contextmanager
def _signed_in(api: ApiServer, login: str) -> Iterator[tuple[httpx.Client, str]]:
    with api.client() as http:
        page = http.get("/login")
        nonce = _NONCE.search(page.text)
        assert nonce is not None
        done = http.post(
            "/login", data={"login": login, "password": PASSWORD, "nonce": nonce.group(1)}
        )
        assert done.status_code == 303, done.text
        token = _CSRF.search(http.get("/workspace").text)
        assert token is not None
        yield http, token.group(1)


def _call(http: httpx.Client, route: PageRoute, path: str, csrf: str, tag: str) -> httpx.Response:
    if route.method == "GET":
        return http.get(path)
    data, files = _form(route, tag)
    return http.post(path, data={**data, "csrf": csrf}, files=files)  # type: ignore[arg-type]


@pytest.fixture
def acme(api: ApiServer, tmp_path: Path) -> dict[str, Owned]:
    """The first tenant: one user of each role, a project with an uploaded version."""
    load_advisories(api.store, tmp_path)
    owned = {role: _person(api, "acme", f"{role}@acme", role) for role in ROLES}
    tenant = api.tenant("acme").id
    inventories.create_project(api.store, tenant, "shop", OPERATOR)
    inventories.upload(api.store, tenant, "shop", "1.0", "requirements.txt", REQUIREMENTS, OPERATOR)
    return owned


def test_anonymous_visitors_are_sent_to_login(api: ApiServer, acme: dict[str, Owned]) -> None:
    with api.client() as http:
        for route in page_routes():
            answer = _call(http, route, _path(route, acme["admin"]), "", "anon")
            if route.path == "/logout":
                assert answer.headers["location"] == "/login", route
            else:
                assert answer.status_code == 303, route
                assert answer.headers["location"].startswith("/login?next=%2F"), route


def _snapshot(api: ApiServer, acme: dict[str, Owned]) -> tuple[object, ...]:
    tenant = api.tenant("acme").id
    return (
        inventories.list_projects(api.store, tenant, after="", limit=100),
        inventories.list_versions(api.store, tenant, "shop", after=0, limit=100),
        accounts.tokens_of(api.store, tenant, user_id=None, after=0, limit=100),
        hooks.webhooks(api.store, tenant, after=0, limit=100),
    )


def _main(page: str) -> str:
    """The page's own content (the header echoes the address in its language links)."""
    found = re.search(r"<main.*?</main>", page, re.S)
    assert found is not None
    return found.group(0)


def test_a_second_tenant_sees_and_changes_nothing(api: ApiServer, acme: dict[str, Owned]) -> None:
    before = _snapshot(api, acme)
    _person(api, "globex", "admin@globex", "admin")
    nothing = Owned(2**31 - 1, 2**31 - 1, 2**31 - 1)
    with _signed_in(api, "admin@globex") as (http, csrf):
        for route in page_routes():
            if route.path == "/logout" or route.path.startswith("/curation"):
                # Logging out ends only the caller's own session (test_sessions); curations
                # are the center's public knowledge, the same for every tenant's curators.
                continue
            answer = _call(http, route, _path(route, acme["admin"]), csrf, "globex")
            if "{" in route.path:
                assert answer.status_code == 404, (route, answer.status_code)
                # Exactly as for an object that does not exist.
                missing_path = _path(route, nothing).replace("/shop", "/nope")
                missing = _call(http, route, missing_path, csrf, "globex-2")
                assert missing.status_code == 404, route
                assert _main(missing.text) == _main(answer.text), route
            else:
                assert answer.status_code in (200, 201, 303), (route, answer.status_code)
            shown = _main(answer.text) if answer.status_code != 303 else ""
            used = _main(http.get("/workspace/where-used?purl=pkg:pypi/jinja2").text)
            for page in (shown, used):
                assert "shop" not in page and HOOK not in page, route
    assert _snapshot(api, acme) == before


@pytest.mark.parametrize("role", ROLES)
def test_each_role_does_only_what_it_should(
    api: ApiServer, acme: dict[str, Owned], role: str
) -> None:
    writes = accounts.has_scope(accounts.allowed_scopes(role), "write")
    curates = writes and role in CURATORS
    with _signed_in(api, f"{role}@acme") as (http, csrf):
        for route in page_routes():
            if route.path == "/logout":
                continue
            answer = _call(http, route, _path(route, acme[role]), csrf, role)
            if route.path.startswith("/curation"):
                # The API's rule for curations: administrators and curators only.
                assert (answer.status_code in (200, 201, 303)) == curates, (
                    route,
                    answer.status_code,
                )
                assert curates or answer.status_code == 403, route
            elif route.method == "GET":
                assert answer.status_code == 200, (route, answer.status_code)
            elif writes:
                assert answer.status_code in (201, 303), (
                    route,
                    answer.status_code,
                    answer.text[-400:],
                )
            else:
                assert answer.status_code == 403, (route, answer.status_code)
        assert http.post("/logout", data={"csrf": csrf}).status_code == 303
