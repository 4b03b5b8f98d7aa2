"""The operator's commands (tenants, users, tokens) and ``ossmeta serve``: what they print,
what they write to the audit log, and one-line errors with the right exit code."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from ossmeta.service import accounts
from ossmeta.store import Store, open_store
from ossmeta.surfaces.cli.app import main

SRC = str(Path(__file__).resolve().parents[2] / "src")
TOKEN = re.compile(r"osm_[0-9]+_[A-Za-z0-9_-]{43}")


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_create_tenant_user_token_then_list_and_revoke(
    store: Store, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    db = ("--db", store.url)
    assert run(capsys, "tenants", "create", "acme", *db)[0] == 0
    monkeypatch.setattr(sys, "stdin", io.StringIO("a long passphrase\n"))
    code, out, err = run(
        capsys, "users", "create", "alice", "--tenant", "acme", "--role", "admin",
        "--password-stdin", *db,
    )  # fmt: skip
    assert (code, out) == (0, "")
    assert "alice is admin in acme" in err
    code, out, err = run(
        capsys, "tokens", "create", "alice", "--scope", "read", "--scope", "write",
        "--expires", "2999-01-31", "--name", "deploy", *db,
    )  # fmt: skip
    assert code == 0
    secret = out.strip()
    assert TOKEN.fullmatch(secret) and out == secret + "\n"  # only the token on stdout
    assert secret not in err
    principal = accounts.authenticate(store, secret)
    assert (principal.login, principal.scopes) == ("alice", ("read", "write"))
    code, out, _ = run(capsys, "tokens", "list", *db)
    fields = out.strip().split("\t")
    assert fields[:3] == [str(principal.token_id), "acme", "alice"]
    assert fields[4:] == ["read,write", "2999-01-31T00:00Z", "active", "deploy"]
    assert secret not in out
    assert run(capsys, "tokens", "revoke", str(principal.token_id), *db)[0] == 0
    assert run(capsys, "tokens", "list", *db)[1].strip().split("\t")[6] == "revoked"
    actions = [
        (e.action, e.actor.startswith("cli:"))
        for e in accounts.audit_entries(store, principal.tenant_id)
    ]
    assert actions == [
        ("tenant.create", True),
        ("membership.set", True),
        ("token.create", True),
        ("token.revoke", True),
    ]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ("users", "create", "bob", "--tenant", "initech", "--role", "admin"),
            "no tenant named 'initech'",
        ),
        (("users", "create", "bob", "--tenant", "acme", "--role", "owner"), "unknown role 'owner'"),
        (("tenants", "create", "acme"), "a tenant named 'acme' exists already"),
        (("tenants", "create", "Not Valid"), "tenant name 'Not Valid' must be"),
        (("tokens", "create", "nobody"), "no user with login 'nobody'"),
        (("tokens", "create", "alice", "--scope", "root"), "unknown scope 'root'"),
        (("tokens", "create", "alice", "--expires", "soon"), "--expires must be a date"),
        (("tokens", "create", "alice", "--expires", "2001-01-01"), "expiry must be in the future"),
        (("tokens", "create", "alice", "--tenant", "initech"), "no tenant named 'initech'"),
        (("tokens", "revoke", "424242"), "no token 424242"),
    ],
)
def test_mistakes_are_one_line_exit_2(
    store: Store, capsys: pytest.CaptureFixture[str], args: tuple[str, ...], message: str
) -> None:
    assert run(capsys, "tenants", "create", "acme", "--db", store.url)[0] == 0
    assert (
        run(
            capsys,
            "users",
            "create",
            "alice",
            "--tenant",
            "acme",
            "--role",
            "viewer",
            "--db",
            store.url,
        )[0]
        == 0
    )
    code, out, err = run(capsys, *args, "--db", store.url)
    assert code == 2, err
    assert out == ""
    assert err.count("\n") == 1 and message in err, err


def test_an_empty_password_on_stdin_is_refused(
    store: Store, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    run(capsys, "tenants", "create", "acme", "--db", store.url)
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    code, _, err = run(
        capsys, "users", "create", "bob", "--tenant", "acme", "--role", "member",
        "--password-stdin", "--db", store.url,
    )  # fmt: skip
    assert code == 2 and "stdin gave no password" in err


def test_without_a_store_the_commands_say_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(
        capsys, "tenants", "create", "acme", "--db", f"sqlite:///{tmp_path / 'none.db'}"
    )
    assert code == 4 and "ossmeta db upgrade" in err


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": SRC + os.pathsep + os.environ.get("PYTHONPATH", "")}


def test_serve_prints_its_address_and_answers(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'serve.db'}"
    created = open_store(url)
    created.upgrade()
    created.dispose()
    command = [sys.executable, "-m", "ossmeta", "serve", "--port", "0", "--db", url]
    with subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=_env()
    ) as server:
        try:
            assert server.stdout is not None
            line = server.stdout.readline()
            match = re.fullmatch(r"ossmeta API listening on (http://127\.0\.0\.1:[0-9]+)\n", line)
            assert match, line
            spec = httpx.get(match.group(1) + "/openapi.json", timeout=30)
            assert spec.status_code == 200 and spec.json()["openapi"].startswith("3.1")
        finally:
            server.terminate()
            server.wait(timeout=30)


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (("--host", "no-such-host.invalid"), 2, "cannot listen on 'no-such-host.invalid'"),
        (("--port", "70000"), 2, "less than or equal to 65535"),
    ],
)
def test_serve_mistakes_are_one_line(
    tmp_path: Path, args: tuple[str, ...], code: int, message: str
) -> None:
    url = f"sqlite:///{tmp_path / 'serve.db'}"
    created = open_store(url)
    created.upgrade()
    created.dispose()
    done = subprocess.run(
        [sys.executable, "-m", "ossmeta", "serve", *args, "--db", url],
        capture_output=True, text=True, env=_env(), timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == code, done.stderr
    assert message in done.stderr and "Traceback" not in done.stderr


def test_serve_without_a_store_is_exit_4(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "ossmeta", "serve", "--port", "0", "--db", f"sqlite:///{tmp_path / 'none.db'}"],
        capture_output=True, text=True, env=_env(), timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 4, done.stderr
    assert "ossmeta db upgrade" in done.stderr and done.stdout == ""


def test_serve_on_a_port_in_use_is_exit_4(tmp_path: Path) -> None:
    import socket

    url = f"sqlite:///{tmp_path / 'serve.db'}"
    created = open_store(url)
    created.upgrade()
    created.dispose()
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        done = subprocess.run(
            [sys.executable, "-m", "ossmeta", "serve", "--port", str(port), "--db", url],
            capture_output=True, text=True, env=_env(), timeout=60, check=False,
        )  # fmt: skip
    assert done.returncode == 4, done.stderr
    assert f"cannot listen on 127.0.0.1:{port}" in done.stderr
