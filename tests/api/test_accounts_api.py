"""Accounts over real HTTP: authentication, roles and scopes, tokens shown once and never
logged, the audit log, and another tenant's tokens out of reach."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from ossmeta.service import accounts
from ossmeta.store.accounts import insert_token
from ossmeta.store.tenancy import tenant_transaction
from tests.api.conftest import OPERATOR, ApiServer

PROBLEM = "application/problem+json"


def _problem(response: httpx.Response, status: int) -> dict[str, object]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM
    body = response.json()
    assert body["status"] == status
    assert set(body) >= {"type", "title", "status", "detail", "instance"}
    assert "Traceback" not in response.text
    return dict(body)


def test_me_names_the_caller(api: ApiServer) -> None:
    token = api.account("acme", "alice", role="member")
    with api.client(token) as http:
        me = http.get("/api/v1/me")
    assert me.status_code == 200
    assert me.json() == {
        "tenant": "acme",
        "login": "alice",
        "role": "member",
        "scopes": ["read", "write"],
        "token_id": me.json()["token_id"],
    }


@pytest.mark.parametrize(
    ("authorization", "detail"),
    [
        (None, "needs an API token"),
        ("Basic YWxpY2U6c2VjcmV0", "must be 'Bearer <token>'"),
        ("Bearer", "must be 'Bearer <token>'"),
        ("Bearer not-a-token", "not an ossmeta API token"),
        ("Bearer osm_1_" + "A" * 43, "unknown API token"),
    ],
)
def test_missing_or_bad_credentials_are_401(
    api: ApiServer, authorization: str | None, detail: str
) -> None:
    api.account("acme", "alice")
    headers = {"Authorization": authorization} if authorization else {}
    with api.client() as http:
        response = http.get("/api/v1/me", headers=headers)
    body = _problem(response, 401)
    assert detail in str(body["detail"])
    assert body["type"] == "urn:ossmeta:problem:unauthenticated"
    assert response.headers["www-authenticate"] == "Bearer"


def test_expired_and_revoked_tokens_are_401(api: ApiServer) -> None:
    token = api.account("acme", "alice", role="admin", scopes=("admin",))
    tenant = api.tenant("acme")
    expired = f"osm_{tenant.id}_{'E' * 43}"
    past = datetime.now(UTC) - timedelta(days=1)
    with tenant_transaction(api.store, tenant.id) as tx:
        user_id = accounts.authenticate(api.store, token).user_id
        insert_token(
            tx,
            tenant_id=tenant.id,
            user_id=user_id,
            name="old",
            prefix=expired[:12],
            secret_sha256=accounts._token_hash(expired),
            scopes=("read",),
            now=past - timedelta(days=30),
            expires_at=past,
        )
    with api.client(expired) as http:
        assert "expired" in str(_problem(http.get("/api/v1/me"), 401)["detail"])
    with api.client(token) as http:
        created = http.post("/api/v1/tokens", json={"name": "short-lived"})
        assert created.status_code == 201, created.text
        other = created.json()
        with api.client(other["token"]) as second:
            assert second.get("/api/v1/me").status_code == 200
            assert http.delete(f"/api/v1/tokens/{other['id']}").status_code == 204
            assert "revoked" in str(_problem(second.get("/api/v1/me"), 401)["detail"])


def test_scopes_and_roles_are_403(api: ApiServer) -> None:
    reader = api.account("acme", "rita", role="admin", scopes=("read",))
    writer = api.account("acme", "walt", role="member", scopes=("read", "write"))
    admin_without_admin_scope = api.account("acme", "ada", role="admin", scopes=("write",))
    with api.client(reader) as http:
        assert "'write' scope" in str(_problem(http.post("/api/v1/tokens", json={}), 403)["detail"])
        assert http.get("/api/v1/tokens").status_code == 200
    readers_token = accounts.authenticate(api.store, reader).token_id
    with api.client(writer) as http:
        assert http.post("/api/v1/tokens", json={}).status_code == 201
        # A member's write scope reaches their own tokens only: another's is not found.
        assert http.delete(f"/api/v1/tokens/{readers_token}").status_code == 404
        _problem(http.post("/api/v1/tokens", json={"scopes": ["admin"]}), 403)
        _problem(http.get("/api/v1/audit"), 403)
    with api.client(admin_without_admin_scope) as http:
        _problem(http.get("/api/v1/audit"), 403)
        _problem(http.post("/api/v1/tokens", json={"scopes": ["admin"]}), 403)


def test_a_viewer_gets_no_write_token(api: ApiServer) -> None:
    viewer = api.account("acme", "vic", role="viewer", scopes=("read",))
    with api.client(viewer) as http:
        _problem(http.post("/api/v1/tokens", json={"scopes": ["read"]}), 403)


def test_the_secret_is_shown_once_and_never_logged(
    api: ApiServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    admin = api.account("acme", "alice", role="admin", scopes=("admin",))
    with api.client(admin) as http:
        created = http.post("/api/v1/tokens", json={"name": "ci", "scopes": ["read", "write"]})
        assert created.status_code == 201
        secret = created.json()["token"]
        prefix = created.json()["prefix"]
        assert secret.startswith(f"osm_{api.tenant('acme').id}_") and secret.startswith(prefix)
        listed = http.get("/api/v1/tokens").text
        audit = http.get("/api/v1/audit").text
        http.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}x"})
        http.get("/no/such/route", headers={"Authorization": f"Bearer {secret}"})
    assert "ci" in listed and prefix in listed
    for text in (listed, audit, caplog.text):
        assert secret not in text
        assert admin not in text
        assert secret[len(prefix) :] not in text


def test_tokens_are_listed_by_pages_and_members_see_their_own(api: ApiServer) -> None:
    admin = api.account("acme", "alice", role="admin", scopes=("admin",))
    member = api.account("acme", "mo", role="member")
    for n in range(3):
        accounts.create_token(api.store, "mo", actor=OPERATOR, name=f"mo-{n}")
    seen: list[str] = []
    with api.client(admin) as http:
        url: str | None = "/api/v1/tokens?limit=2"
        while url:
            page = http.get(url)
            assert page.status_code == 200
            assert len(page.json()["items"]) <= 2
            seen.extend(item["name"] for item in page.json()["items"])
            cursor = page.json()["next"]
            url = f"/api/v1/tokens?limit=2&cursor={cursor}" if cursor else None
    assert seen == ["alice token", "mo token", "mo-0", "mo-1", "mo-2"]
    with api.client(member) as http:
        mine = [item["login"] for item in http.get("/api/v1/tokens").json()["items"]]
        _problem(http.get("/api/v1/tokens?cursor=%%%"), 400)
        _problem(http.get("/api/v1/tokens?limit=0"), 422)
        _problem(http.get("/api/v1/tokens?limit=1001"), 422)
    assert mine == ["mo"] * 4


def test_another_tenants_token_is_not_found_like_a_missing_one(api: ApiServer) -> None:
    alice = api.account("acme", "alice", role="admin", scopes=("admin",))
    bob = api.account("globex", "bob", role="admin", scopes=("admin",))
    alices_id = accounts.authenticate(api.store, alice).token_id
    with api.client(bob) as http:
        theirs = http.delete(f"/api/v1/tokens/{alices_id}")
        missing = http.delete("/api/v1/tokens/987654")
        listed = http.get("/api/v1/tokens").json()["items"]
        audit = http.get("/api/v1/audit").json()["items"]
    assert _problem(theirs, 404)["detail"] == f"no token {alices_id}"
    assert _problem(missing, 404)["detail"] == "no token 987654"
    assert [t["login"] for t in listed] == ["bob"]
    assert {a["target"] for a in audit} == {"tenant:globex", "user:bob", f"token:{alices_id + 1}"}
    with api.client(alice) as http:
        assert http.get("/api/v1/me").status_code == 200  # still valid


def test_changes_over_the_api_are_audited_with_the_caller(api: ApiServer) -> None:
    admin = api.account("acme", "alice", role="admin", scopes=("admin",))
    with api.client(admin) as http:
        new = http.post("/api/v1/tokens", json={"name": "ci"}).json()
        http.delete(f"/api/v1/tokens/{new['id']}")
        entries = http.get("/api/v1/audit").json()["items"]
    me = accounts.authenticate(api.store, admin)
    actions = [(e["action"], e["actor"], e["remote_addr"]) for e in entries[-2:]]
    assert actions == [
        ("token.create", f"token:{me.token_id}:alice", "127.0.0.1"),
        ("token.revoke", f"token:{me.token_id}:alice", "127.0.0.1"),
    ]
