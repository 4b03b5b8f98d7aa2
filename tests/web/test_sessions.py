"""Logging in to the pages: sessions in the store, their cookie, CSRF on every form, the
throttle and the audit log; over the real app on loopback, on SQLite and PostgreSQL."""

from __future__ import annotations

import hashlib

import httpx
import pytest

from ossmeta.service import accounts
from ossmeta.service.login_throttle import LoginThrottle
from ossmeta.store import Store
from ossmeta.surfaces.web.session import SESSION_COOKIE
from tests.web.accounts import PASSWORD, client, csrf, log_in, login_form, user


@pytest.fixture
def alice(store: Store) -> str:
    user(store, "acme", "alice", "member")
    return "alice"


def _set_cookie(answer: httpx.Response, name: str) -> str:
    found = [h for h in answer.headers.get_list("set-cookie") if h.startswith(f"{name}=")]
    assert len(found) == 1, answer.headers.get_list("set-cookie")
    return found[0]


def test_login_sets_a_fresh_httponly_lax_session_cookie(site: str, alice: str) -> None:
    with httpx.Client(base_url=site, timeout=30) as http:
        # A session id planted before the login is never the one the login gives.
        http.cookies.set(SESSION_COOKIE, "1." + "A" * 43)
        answer = log_in(http, alice)
        assert answer.status_code == 303 and answer.headers["location"] == "/workspace"
        header = _set_cookie(answer, SESSION_COOKIE)
        secret = header.split(";")[0].split("=", 1)[1]
        assert secret != "1." + "A" * 43
        attributes = {part.strip().split("=")[0].lower() for part in header.split(";")[1:]}
        assert {"httponly", "path", "max-age"} <= attributes
        assert "samesite=lax" in header.lower()
        # Served over plain http (loopback), so not Secure: the browser would never send it.
        assert "secure" not in attributes
    with httpx.Client(base_url=site, timeout=30) as other:
        again = log_in(other, alice)
        assert _set_cookie(again, SESSION_COOKIE).split(";")[0] != header.split(";")[0]


def test_anonymous_is_sent_to_login_and_comes_back(site: str, alice: str) -> None:
    with httpx.Client(base_url=site, timeout=30) as http:
        answer = http.get("/workspace/portfolio")
        assert answer.status_code == 303
        assert answer.headers["location"] == "/login?next=%2Fworkspace%2Fportfolio"
        nonce = login_form(http)
        done = http.post(
            "/login",
            data={
                "login": alice,
                "password": PASSWORD,
                "nonce": nonce,
                "next": "/workspace/portfolio",
            },
        )
        assert done.headers["location"] == "/workspace/portfolio"
        assert http.get("/workspace/portfolio").status_code == 200


def test_a_login_elsewhere_is_never_a_redirect_target(site: str, alice: str) -> None:
    with httpx.Client(base_url=site, timeout=30) as http:
        nonce = login_form(http)
        done = http.post(
            "/login",
            data={"login": alice, "password": PASSWORD, "nonce": nonce, "next": "//evil.example/"},
        )
        assert done.status_code == 303 and done.headers["location"] == "/workspace"


def test_wrong_password_and_unknown_login_fail_alike(site: str, alice: str) -> None:
    with httpx.Client(base_url=site, timeout=30) as http:
        wrong = log_in(http, alice, "not the password")
        unknown = log_in(http, "nobody", PASSWORD)
        assert wrong.status_code == unknown.status_code == 401
        assert (
            "Wrong login or password." in wrong.text and "Wrong login or password." in unknown.text
        )
        assert SESSION_COOKIE not in http.cookies


def test_the_login_form_needs_its_own_cookie(site: str, alice: str) -> None:
    """A form posted from another site has no login cookie: refused (login CSRF)."""
    with httpx.Client(base_url=site, timeout=30) as http:
        answer = http.post("/login", data={"login": alice, "password": PASSWORD, "nonce": "x" * 32})
        assert answer.status_code == 403
        assert SESSION_COOKIE not in http.cookies


def test_the_throttle_refuses_a_login_after_repeated_failures(site: str, alice: str) -> None:
    with httpx.Client(base_url=site, timeout=30) as http:
        for _ in range(LoginThrottle.LIMIT):
            assert log_in(http, alice, "wrong password!").status_code == 401
        # Even the right password is not checked while the login is throttled.
        assert log_in(http, alice).status_code == 429
        assert SESSION_COOKIE not in http.cookies


def test_the_throttle_is_bounded_and_forgets() -> None:
    throttle = LoginThrottle()
    throttle.MAX_KEYS = 3
    for name in ("a", "b", "c", "d"):
        throttle.failed(name)
    assert "a" not in throttle._failures and len(throttle._failures) == 3
    from datetime import UTC, datetime

    start = datetime.now(UTC)
    later = start + LoginThrottle.WINDOW
    for _ in range(LoginThrottle.LIMIT):
        throttle.failed("e", start)
    assert throttle.blocked("e", start) and not throttle.blocked("e", later)


@pytest.mark.parametrize("token", [None, "0" * 64])
def test_a_form_without_the_session_token_is_refused(
    site: str, alice: str, store: Store, token: str | None
) -> None:
    with client(site, alice) as http:
        data = {"name": "shop"} if token is None else {"name": "shop", "csrf": token}
        answer = http.post("/workspace/projects", data=data)
        assert answer.status_code == 403
        assert "shop" not in http.get("/workspace").text
        good = http.post("/workspace/projects", data={"name": "shop", "csrf": csrf(http)})
        assert good.status_code == 303
        assert "shop" in http.get("/workspace").text


def test_another_sessions_token_is_refused(site: str, alice: str, store: Store) -> None:
    user(store, "acme", "bob", "member")
    with client(site, alice) as a, client(site, "bob") as b:
        assert a.post("/workspace/projects", data={"name": "x", "csrf": csrf(b)}).status_code == 403


def test_logout_revokes_the_session_and_both_are_audited(
    site: str, alice: str, store: Store
) -> None:
    with client(site, alice) as http:
        secret = http.cookies[SESSION_COOKIE]
        token = csrf(http)
        assert http.post("/logout", data={"csrf": "f" * 64}).status_code == 403
        answer = http.post("/logout", data={"csrf": token})
        assert answer.status_code == 303
        assert SESSION_COOKIE not in http.cookies
    with httpx.Client(base_url=site, timeout=30, cookies={SESSION_COOKIE: secret}) as replay:
        assert replay.get("/workspace").status_code == 303  # the old cookie is worth nothing
    tenant = accounts.tenant_named(store, "acme")
    actions = [(e.action, e.target) for e in accounts.audit_entries(store, tenant.id)]
    assert ("session.login", "user:alice") in actions
    assert ("session.logout", "user:alice") in actions
    assert all(secret not in str(e.detail) for e in accounts.audit_entries(store, tenant.id))


def test_an_expired_session_is_refused(store: Store, alice: str) -> None:
    from datetime import UTC, datetime, timedelta

    from ossmeta.service import web_sessions

    issued = web_sessions.log_in(store, alice, PASSWORD)
    assert web_sessions.session_user(store, issued.secret) == issued.user
    later = issued.expires_at + timedelta(seconds=1)
    assert web_sessions.session_user(store, issued.secret, now=later) is None
    assert web_sessions.session_user(store, issued.secret, now=datetime.now(UTC)) is not None
    # The tenant id in the cookie is not a key: another tenant's id finds nothing.
    forged = "9" + issued.secret
    assert web_sessions.session_user(store, forged) is None


def test_a_failed_login_is_audited_and_ended_sessions_are_forgotten(
    store: Store, alice: str
) -> None:
    from ossmeta.errors import AuthenticationError
    from ossmeta.service import web_sessions
    from ossmeta.store.tenancy import tenant_transaction
    from ossmeta.store.web_sessions import find_session

    first = web_sessions.log_in(store, alice, PASSWORD, remote_addr="192.0.2.7")
    web_sessions.log_out(store, first.user)
    with pytest.raises(AuthenticationError):
        web_sessions.log_in(store, alice, "not the password", remote_addr="192.0.2.7")
    tenant = accounts.tenant_named(store, "acme")
    failed = [
        e for e in accounts.audit_entries(store, tenant.id) if e.action == "session.login_failed"
    ]
    assert [(e.target, e.remote_addr) for e in failed] == [("user:alice", "192.0.2.7")]
    assert "not the password" not in str(accounts.audit_entries(store, tenant.id))
    second = web_sessions.log_in(store, alice, PASSWORD)
    # The revoked session's row went with the next login: the table does not grow forever.
    assert web_sessions.session_user(store, first.secret) is None
    with tenant_transaction(store, tenant.id) as tx:
        assert (
            find_session(tx, tenant.id, hashlib.sha256(first.secret.encode()).hexdigest()) is None
        )
    assert web_sessions.session_user(store, second.secret) == second.user


def test_public_pages_show_who_is_logged_in_and_are_not_cached(site: str, alice: str) -> None:
    with httpx.Client(base_url=site, timeout=30) as http:
        anonymous = http.get("/")
        assert 'href="/login"' in anonymous.text and "/logout" not in anonymous.text
        assert "no-store" not in anonymous.headers.get("cache-control", "")
        log_in(http, alice)
        home = http.get("/")
        assert home.status_code == 200
        assert 'href="/login"' not in home.text
        assert alice in home.text and 'action="/logout"' in home.text
        assert csrf(http, "/")  # the logout form carries the session's token
        assert "no-store" in home.headers["cache-control"]
        # An unknown or ended session is just a visitor.
        http.cookies.set(SESSION_COOKIE, "1." + "B" * 43)
        assert 'href="/login"' in http.get("/").text
