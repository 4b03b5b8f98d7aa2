"""Real pip, uv and twine against the index on loopback, with isolated configuration and
caches (this machine's own pip configuration adds indexes and find-links of its own).
Each flow asserts on the client's output and on the stub upstream's request log."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from ossmeta.analyses.policy.model import Reason
from ossmeta.service import accounts
from tests.index.pypi.conftest import NOW, Harness
from tests.index.pypi_upstream import make_wheel

BIN = Path(sys.executable).parent
DENIAL = Reason(
    "security.deny_at_or_above", "GHSA-aaaa-bbbb-cccc is high", advisory="GHSA-aaaa-bbbb-cccc"
)
SUMMARY = "policy test v1: security.deny_at_or_above: GHSA-aaaa-bbbb-cccc is high"


def isolated(tmp: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PIP_", "UV_", "TWINE_"))}
    env.update(
        PIP_CONFIG_FILE=os.devnull,
        PIP_DISABLE_PIP_VERSION_CHECK="1",
        PIP_NO_INPUT="1",
        UV_NO_CONFIG="1",
        UV_CACHE_DIR=str(tmp / "uv-cache"),
        UV_PYTHON_DOWNLOADS="never",
        PYTHON_KEYRING_BACKEND="keyring.backends.null.Keyring",
        HOME=str(tmp / "home"),
    )
    return env


def run(args: list[str], tmp: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        args, env=isolated(tmp), capture_output=True, text=True, timeout=180, check=False
    )


def pip(h: Harness, tmp: Path, target: str, *requirements: str) -> subprocess.CompletedProcess[str]:
    return run(
        [sys.executable, "-m", "pip", "install", "--no-cache-dir", "--isolated", "--retries", "0",
         "--index-url", h.simple, "--target", str(tmp / target), *requirements],
        tmp,
    )  # fmt: skip


def uv(h: Harness, tmp: Path, target: str, *requirements: str) -> subprocess.CompletedProcess[str]:
    return run(
        [str(BIN / "uv"), "pip", "install", "--no-config", "--python", sys.executable,
         "--index-url", h.simple, "--target", str(tmp / target), *requirements],
        tmp,
    )  # fmt: skip


def installed(tmp: Path, target: str) -> list[str]:
    return sorted(p.name for p in (tmp / target).glob("*.dist-info"))


def test_pip_allowed_range_and_denied_pin(harness: Harness, tmp_path: Path) -> None:
    harness.rules.denied[("demo-a", "2.0")] = DENIAL
    ranged = pip(harness, tmp_path, "ranged", "demo-a>=1")
    assert ranged.returncode == 0, ranged.stderr
    assert installed(tmp_path, "ranged") == ["demo_a-1.1.dist-info"]  # skips the denied 2.0
    pinned = pip(harness, tmp_path, "pinned", "demo-a==2.0")
    assert pinned.returncode != 0
    output = pinned.stdout + pinned.stderr
    assert "403" in output and SUMMARY in output  # the reason phrase pip prints
    assert "GHSA-aaaa-bbbb-cccc" in output
    assert installed(tmp_path, "pinned") == []
    # The denied file was never fetched from upstream; the allowed one once.
    assert harness.upstream.requested("/files/demo_a-2.0-py3-none-any.whl") == 0
    assert harness.upstream.requested("/files/demo_a-1.1-py3-none-any.whl") == 1


def test_uv_allowed_range_and_denied_pin(harness: Harness, tmp_path: Path) -> None:
    harness.rules.denied[("demo-a", "2.0")] = DENIAL
    ranged = uv(harness, tmp_path, "ranged", "demo-a>=1")
    assert ranged.returncode == 0, ranged.stderr
    assert installed(tmp_path, "ranged") == ["demo_a-1.1.dist-info"]
    pinned = uv(harness, tmp_path, "pinned", "demo-a==2.0")
    assert pinned.returncode != 0
    assert "403" in pinned.stderr and "GHSA-aaaa-bbbb-cccc" in pinned.stderr
    assert harness.upstream.requested("/files/demo_a-2.0-py3-none-any.whl") == 0


def test_offline_upstream_kept_install_still_works(harness: Harness, tmp_path: Path) -> None:
    harness.rules.denied[("demo-a", "2.0")] = DENIAL
    assert pip(harness, tmp_path, "first", "demo-a==1.1").returncode == 0
    harness.upstream.offline()
    again = pip(harness, tmp_path, "again", "demo-a==1.1")
    assert again.returncode == 0, again.stderr
    assert installed(tmp_path, "again") == ["demo_a-1.1.dist-info"]
    denied = pip(harness, tmp_path, "denied", "demo-a==2.0")
    assert denied.returncode != 0 and SUMMARY in denied.stdout + denied.stderr


def test_tampered_upstream_file_is_refused(harness: Harness, tmp_path: Path) -> None:
    harness.upstream.tamper("demo_a-1.1-py3-none-any.whl")
    result = pip(harness, tmp_path, "t", "demo-a==1.1")
    assert result.returncode != 0
    assert "502" in result.stdout + result.stderr
    # pip retries; every attempt was fetched anew and refused (nothing kept).
    assert harness.upstream.requested("/files/demo_a-1.1-py3-none-any.whl") >= 1
    assert installed(tmp_path, "t") == []
    assert not (harness.blobs / "sha256").exists() or not [
        p for p in (harness.blobs / "sha256").rglob("*") if p.name.startswith("d")
        and p.is_file() and p.stat().st_size > 500
    ]  # fmt: skip


@pytest.fixture
def token(harness: Harness) -> str:
    operator = accounts.Actor("cli:test-operator")
    tenant = accounts.create_tenant(harness.store, "acme", operator)
    accounts.create_user(harness.store, "alice", "acme", "admin", None, operator)
    return accounts.create_token(
        harness.store, "alice", actor=operator, tenant_id=tenant.id, scopes=("read", "write")
    ).secret


def test_twine_upload_then_pip_install(harness: Harness, tmp_path: Path, token: str) -> None:
    wheel = make_wheel("inhouse-tool", "0.1", NOW)
    path = tmp_path / wheel.filename
    path.write_bytes(wheel.content)
    upload = [str(BIN / "twine"), "upload", "--non-interactive", "--disable-progress-bar",
              "--repository-url", f"{harness.base}/index/main/", "-u", "__token__"]  # fmt: skip
    refused = run([*upload, "-p", "not-a-token", str(path)], tmp_path)
    assert refused.returncode != 0 and "not an ossmeta API token" in refused.stdout
    done = run([*upload, "-p", token, str(path)], tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    again = run([*upload, "-p", token, str(path)], tmp_path)
    assert again.returncode != 0 and "already exists" in again.stdout + again.stderr
    result = pip(harness, tmp_path, "t", "inhouse-tool==0.1")
    assert result.returncode == 0, result.stderr
    assert installed(tmp_path, "t") == ["inhouse_tool-0.1.dist-info"]
    # Served from what was uploaded: the upstream was asked for the page, never a file.
    assert harness.upstream.requested("/simple/inhouse-tool/") >= 1
    assert not [p for _, p in harness.upstream.log if p.startswith("/files/inhouse")]
