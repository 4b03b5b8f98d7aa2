"""Secrets stay secret: the real ``ossmeta serve`` at DEBUG, in its own process, serves a run
that creates users (with passwords) and tokens (and webhooks, when the app has them) and uses
them, right and wrong; no token, password or signing secret appears in its logs, in the
operator commands' output (but the one token ``tokens create`` prints), in the store as text
(tokens and passwords are stored hashed), or in any answer of any GET route after creation."""

from __future__ import annotations

import base64
import io
import re
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from ossmeta.store import Store
from ossmeta.store.schema import metadata
from ossmeta.surfaces.cli.app import main
from tests.api.conftest import ApiServer
from tests.api.world import concrete, populate, query, routes, seed_public, serve_process

PASSWORD = "correct horse battery staple 7f3a"


@pytest.fixture
def served(store: Store, tmp_path: Path) -> Iterator[tuple[ApiServer, Path]]:
    """``ossmeta serve --log-level debug`` over the store; its output goes to a file."""
    log = tmp_path / "serve.log"
    with serve_process(store.url, log, "--log-level", "debug") as base:
        yield ApiServer(base, store), log


def _cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[str, str]:
    capsys.readouterr()
    assert main(list(args)) == 0
    captured = capsys.readouterr()
    return captured.out, captured.err


def _store_text(store: Store) -> str:
    with store.engine.connect() as connection:
        return "\n".join(
            repr(row)
            for table in metadata.sorted_tables
            for row in connection.execute(select(table))
        )


def test_no_secret_in_logs_answers_or_the_store(
    served: tuple[ApiServer, Path],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    api, log = served
    db = ("--db", api.store.url)
    values = seed_public(api, tmp_path)
    # The operator: a tenant, a user with a password, a token printed once.
    output = "".join(_cli(capsys, "tenants", "create", "initech", *db))
    monkeypatch.setattr(sys, "stdin", io.StringIO(PASSWORD + "\n"))
    output += "".join(_cli(
        capsys, "users", "create", "peter", "--tenant", "initech", "--role", "admin",
        "--password-stdin", *db,
    ))  # fmt: skip
    out, err = _cli(capsys, "tokens", "create", "peter", "--scope", "admin", *db)
    printed = out.strip()
    output += err + "".join(_cli(capsys, "tokens", "list", *db))
    assert re.fullmatch(r"osm_[0-9]+_[A-Za-z0-9_-]{43}", printed)
    acme = populate(api, "acme")  # tokens (and webhooks) created over the API
    secrets = [printed, *acme.secrets]
    tokens = [s for s in secrets if s.startswith("osm_")]
    basic = base64.b64encode(f"peter:{PASSWORD}".encode()).decode()
    with httpx.Client(base_url=api.base, timeout=30) as http:
        for token in tokens:  # used right, and wrong
            assert http.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).is_success
            http.get("/api/v1/me", headers={"Authorization": f"Bearer {token}x"})
            http.get("/api/v1/nowhere", headers={"Authorization": f"Bearer {token}"})
        refused = http.get("/api/v1/me", headers={"Authorization": f"Basic {basic}"})
        assert refused.status_code == 401
        # Every GET route, after creation, as the tenant's admin.
        answers = []
        for route in routes(api):
            if route.method != "GET":
                continue
            answer = http.get(
                concrete(
                    route.path,
                    {**dict.fromkeys(route.params, "no-such-object"), **values, **acme.values},
                ),
                params=query(route),
                headers={"Authorization": f"Bearer {acme.token}"},
            )
            assert answer.status_code < 500, (str(route), answer.text)
            answers.append(f"{route}\n{answer.headers}\n{answer.text}")
    walked = "\n".join(answers)
    assert "acme-shop" in walked  # the walk saw the tenant's data
    logged = log.read_text()
    assert "GET /api/v1/me" in logged  # the server did log the run, at DEBUG
    stored = _store_text(api.store)
    for secret in [*secrets, PASSWORD, basic]:
        assert secret not in logged, "a secret in the server's log"
        assert secret not in walked, "a secret in an answer after its creation"
        if not secret.startswith("whsec_"):  # a signing secret is kept to sign with
            assert secret not in stored, "a secret stored as it is"
        if secret != printed:
            assert secret not in output, "a secret in an operator command's output"
    for token in tokens:  # nor the part after the shown prefix
        assert token[12:] not in logged + walked + stored
