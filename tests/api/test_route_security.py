"""Every route of the app, enumerated from its OpenAPI document (routes added later
included, never a hand-kept list):

- anything not tagged ``public`` refuses a request without a token (401 problem) and
  declares bearer security; a public route answers without one;
- a second tenant can neither read nor change the first tenant's data: a route naming the
  first tenant's object answers 404 exactly as for an object that does not exist, a route
  naming none shows none of the first tenant's data, and after the second tenant has called
  every route with every method the first tenant sees all its data as it was;
- each role, with each scope its tokens may hold, can do only what the table below says,
  checked on every route (a route whose rule differs must be listed in ``EXCEPTIONS``).
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import httpx
import pytest

from ossmeta.service.accounts import ROLES, allowed_scopes
from tests.api.conftest import ApiServer
from tests.api.world import (
    MISSING,
    WRITES,
    Route,
    Tenant,
    concrete,
    populate,
    query,
    request_body,
    routes,
    seed_public,
    without_varying,
)

PROBLEM = "application/problem+json"

#: The rule for tenant routes: what a token may do, by the user's role and by the token's
#: scope (a route is allowed when both allow its method).
ROLE_METHODS = {
    "admin": {"GET", *WRITES},
    "curator": {"GET", *WRITES},
    "member": {"GET", *WRITES},
    "viewer": {"GET"},
}
SCOPE_METHODS = {"read": {"GET"}, "write": {"GET", *WRITES}, "admin": {"GET", *WRITES}}
#: Routes whose rule is not the one above: (method, path) -> (roles, least scope).
EXCEPTIONS: dict[tuple[str, str], tuple[frozenset[str], str]] = {
    ("GET", "/api/v1/audit"): (frozenset({"admin"}), "admin"),
    # A tenant's own advisories, packages and curations change its matching: curators' work.
    **{
        (method, f"/api/v1/private/{path}"): (frozenset({"admin", "curator"}), "write")
        for method, path in (
            ("POST", "advisories"),
            ("DELETE", "advisories/{private_id}"),
            ("POST", "packages"),
            ("DELETE", "packages"),
            ("POST", "curations"),
            ("DELETE", "curations/{curation_id}"),
        )
    },
}
SCOPE_RANK = ("read", "write", "admin")


def _expected(route: Route, role: str, scope: str) -> bool:
    rule = EXCEPTIONS.get((route.method, route.path))
    if rule is not None:
        roles, least = rule
        return role in roles and SCOPE_RANK.index(scope) >= SCOPE_RANK.index(least)
    return route.method in ROLE_METHODS[role] and route.method in SCOPE_METHODS[scope]


def test_routes_outside_public_need_a_token(api: ApiServer) -> None:
    found = routes(api)
    private = [r for r in found if not r.public]
    assert any(r.public for r in found)
    with api.client() as http:
        for route in private:
            values = dict.fromkeys(route.params, "1")
            response = http.request(route.method, concrete(route.path, values), json={})
            assert response.status_code == 401, (str(route), response.text)
            assert response.headers["content-type"] == PROBLEM


def test_openapi_declares_bearer_security_on_every_private_route(api: ApiServer) -> None:
    with api.client() as http:
        spec = http.get("/openapi.json").json()
    assert spec["openapi"].startswith("3.1")
    for route in routes(api):
        operation = spec["paths"][route.path][route.method.lower()]
        secured = any("HTTPBearer" in entry for entry in operation.get("security", []))
        assert secured != route.public, str(route)


@pytest.mark.parametrize("path", ["/api/v1/packages/pkg:pypi/none", "/api/v1/advisories/X-1"])
def test_public_routes_answer_without_a_token(api: ApiServer, path: str) -> None:
    response = httpx.get(api.base + path)
    assert response.status_code == 404  # answered (nothing stored), not refused


# ------------------------------------------------------------------ two tenants


def _unknown_parameter(route: Route, values: dict[str, str]) -> str | None:
    missing = [p for p in route.params if p not in values]
    if not missing:
        return None
    return (
        f"{route}: the tenant-isolation test does not know how to name the first tenant's "
        f"object for {missing}; create one in tests/api/world.populate and add its value "
        "(and one naming nothing to MISSING)"
    )


def _snapshot(api: ApiServer, owner: Tenant, found: list[Route]) -> dict[str, Any]:
    """What the owner's GET routes answer it (times a token was last used left out)."""
    seen: dict[str, Any] = {}
    with api.client(owner.token) as http:
        for route in found:
            if route.method != "GET" or route.public:
                continue
            params = {**query(route), "limit": 1000}
            answer = http.get(concrete(route.path, owner.values), params=params)
            assert answer.status_code == 200, (str(route), answer.text[:200])
            if "json" in answer.headers["content-type"]:
                seen[str(route)] = without_varying(answer.json())
            else:  # a document (a certificate's PDF): its bytes
                seen[str(route)] = hashlib.sha256(answer.content).hexdigest()
    return seen


def test_a_second_tenant_can_neither_read_nor_change_the_first_tenants_data(
    api: ApiServer, tmp_path: Path
) -> None:
    seed_public(api, tmp_path)
    acme = populate(api, "acme")
    globex = populate(api, "globex")  # a tenant with data of its own, named differently
    found = [r for r in routes(api) if not r.public]
    problems = [p for r in found if (p := _unknown_parameter(r, acme.values))]
    problems += [p for r in found if (p := _unknown_parameter(r, MISSING))]
    assert not problems, "\n".join(problems)
    before = _snapshot(api, acme, found)
    assert any(acme.markers[0] in str(v) for v in before.values())  # the owner sees its data
    with api.client(globex.token) as http:
        for route in found:
            kwargs = request_body(route)
            theirs = http.request(route.method, concrete(route.path, acme.values), **kwargs)
            text = theirs.text
            if route.params:
                absent = http.request(route.method, concrete(route.path, MISSING), **kwargs)
                assert theirs.status_code == 404, (str(route), theirs.text)
                assert absent.status_code == 404, (str(route), absent.text)
                same = theirs.json()
                for param in route.params:
                    same["detail"] = same["detail"].replace(acme.values[param], MISSING[param])
                    same["instance"] = same["instance"].replace(acme.values[param], MISSING[param])
                assert same == absent.json(), f"{route}: not answered as a missing object"
                for param in route.params:  # the caller's own words echoed are no leak
                    text = text.replace(acme.values[param], "")
                leaked = [m for m in acme.markers if m in text]
            else:
                assert theirs.status_code < 500, (str(route), text)
                leaked = [m for m in acme.markers if m in text]
            assert not leaked, f"{route} shows the first tenant's {leaked} to another tenant"
    assert _snapshot(api, acme, found) == before, "another tenant changed the first's data"


# ------------------------------------------------------------------ roles and scopes


def test_each_role_and_scope_does_only_what_it_should(api: ApiServer) -> None:
    found = [r for r in routes(api) if not r.public]
    principals = [
        (role, scope, api.account("acme", f"who-{role}", role=role, scopes=(scope,)))
        for role in ROLES
        for scope in allowed_scopes(role)
    ]
    assert len(principals) == 8
    wrong: list[str] = []
    for role, scope, token in principals:
        with api.client(token) as http:
            for route in found:
                # Objects that do not exist: only the token decides before the lookup.
                nothing = {**dict.fromkeys(route.params, "no-such-object"), **MISSING}
                answer = http.request(
                    route.method, concrete(route.path, nothing), **request_body(route)
                )
                assert answer.status_code != 401, (str(route), role, scope, answer.text)
                allowed = answer.status_code != 403
                if allowed != _expected(route, role, scope):
                    wrong.append(
                        f"{route}: a token of a {role} with the {scope!r} scope was "
                        f"{'let through' if allowed else 'refused'} ({answer.status_code}), "
                        f"the table says {'refuse' if allowed else 'allow'}; if the route "
                        "is meant to differ from ROLE_METHODS/SCOPE_METHODS, classify it "
                        "in EXCEPTIONS"
                    )
    assert not wrong, "\n".join(wrong)
