"""Accounts for the workspace tests: tenants and users with passwords, and a logged-in
client that reads the CSRF token off the pages as a browser's form would send it."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

import httpx

from ossmeta.service import accounts
from ossmeta.store import Store

OPERATOR = accounts.Actor("cli:test-operator")
PASSWORD = "correct horse battery"
_CSRF = re.compile(r'name="csrf" value="([0-9a-f]{64})"')
_NONCE = re.compile(r'name="nonce" value="([^"]+)"')


def user(store: Store, tenant: str, login: str, role: str = "member") -> None:
    try:
        accounts.tenant_named(store, tenant)
    except Exception:
        accounts.create_tenant(store, tenant, OPERATOR)
    accounts.create_user(store, login, tenant, role, PASSWORD, OPERATOR)


def login_form(http: httpx.Client) -> str:
    """Opens the login page (which sets the form's cookie) and gives the form's nonce."""
    page = http.get("/login")
    assert page.status_code == 200
    found = _NONCE.search(page.text)
    assert found is not None
    return found.group(1)


def log_in(
    http: httpx.Client, login: str, password: str = PASSWORD, tenant: str = ""
) -> httpx.Response:
    nonce = login_form(http)
    return http.post(
        "/login",
        data={
            "login": login,
            "password": password,
            "tenant": tenant,
            "nonce": nonce,
            "next": "/workspace",
        },
    )


def csrf(http: httpx.Client, path: str = "/workspace") -> str:
    page = http.get(path)
    assert page.status_code == 200, page.text
    found = _CSRF.search(page.text)
    assert found is not None, "no CSRF token on the page"
    return found.group(1)


@contextmanager
def client(base: str, login: str) -> Iterator[httpx.Client]:
    """A client logged in as ``login``."""
    with httpx.Client(base_url=base, timeout=30) as http:
        answer = log_in(http, login)
        assert answer.status_code == 303, answer.text
        yield http
