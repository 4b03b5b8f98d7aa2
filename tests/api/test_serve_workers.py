"""``ossmeta serve --workers N``: N server processes on one port, each with its own cache,
all of which see a change to the store on the next request, and which stop with the
command."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx

from ossmeta.store import Store
from ossmeta.store.packages import save_package
from tests.api.world import public_package

SRC = str(Path(__file__).resolve().parents[2] / "src")


def _children(pid: int) -> dict[int, str]:
    """``pid``'s child processes and their command lines (Linux /proc)."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if int(stat.rpartition(")")[2].split()[1]) == pid:
            found[int(entry.name)] = cmdline
    return found


def _wait_for_both(base: str) -> None:
    """Until both processes have answered (fresh connections, so either may take one): the
    socket listens before they have started. A request id starts with its process's own
    random prefix."""
    prefixes: set[str] = set()
    deadline = time.monotonic() + 180  # a loaded machine starts processes slowly
    while len(prefixes) < 2 and time.monotonic() < deadline:
        with httpx.Client(base_url=base, timeout=180) as http:
            prefixes.add(http.get("/openapi.json").headers["x-request-id"][:16])
    assert len(prefixes) == 2, prefixes


def _versions(base: str) -> set[tuple[str, ...]]:
    """What several fresh connections (so either process may answer) are told."""
    seen = set()
    for _ in range(12):
        with httpx.Client(base_url=base, timeout=30) as http:
            answer = http.get("/api/v1/packages/pkg:pypi/core")
            assert answer.status_code == 200, answer.text
            seen.add(tuple(v["version"] for v in answer.json()["versions"]))
    return seen


def test_serve_with_two_workers_answers_and_sees_changes(store: Store) -> None:
    with store.engine.begin() as connection:
        save_package(
            connection, public_package("core", {"1.0": ()}), datetime(2026, 3, 1, tzinfo=UTC)
        )
    env = {**os.environ, "PYTHONPATH": SRC + os.pathsep + os.environ.get("PYTHONPATH", "")}
    command = [sys.executable, "-m", "ossmeta", "serve", "--port", "0", "--workers", "2"]
    with subprocess.Popen(
        [*command, "--db", store.url],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    ) as server:
        servers: list[int] = []
        try:
            assert server.stdout is not None
            line = server.stdout.readline()
            match = re.fullmatch(r"ossmeta API listening on (http://127\.0\.0\.1:[0-9]+)\n", line)
            assert match, line
            base = match.group(1)
            _wait_for_both(base)
            assert _versions(base) == {("1.0",)}
            servers = [p for p, c in _children(server.pid).items() if "multiprocessing.spawn" in c]
            assert len(servers) == 2, _children(server.pid)
            with store.engine.begin() as connection:
                save_package(
                    connection,
                    public_package("core", {"1.0": (), "2.0": ()}),
                    datetime(2026, 3, 2, tzinfo=UTC),
                )
            assert _versions(base) == {("1.0", "2.0")}
        finally:
            server.send_signal(signal.SIGTERM)
            _, err = server.communicate(timeout=60)
    assert server.returncode == 0, err
    assert not [p for p in servers if Path(f"/proc/{p}").exists()]  # none left behind
