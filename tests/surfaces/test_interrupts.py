"""Ctrl-C during a long write exits 130 and says what was kept and how to go on, with
counts that match what is stored."""

from __future__ import annotations

import gzip
import json
import os
import re
import signal
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import func, select

from ossmeta.errors import EXIT_INTERRUPTED
from ossmeta.pipelines import events_import
from ossmeta.store import open_store
from ossmeta.store.schema import packages
from ossmeta.surfaces.cli.app import main
from ossmeta.surfaces.cli.interrupts import activity_rows
from tests.helpers import DATA
from tests.loopback import Handler, serve
from tests.registry_server import Universe

SYNC_KEPT = re.compile(
    r"^ossmeta: interrupted: (\d+) of 60 package\(s\) stored; run the same command again "
    r"to resume with the other (\d+)$"
)
EVENTS_KEPT = re.compile(
    r"^ossmeta: interrupted: ([\d,]+) event rows stored in (\d+) month\(s\); importing the "
    r"same files again adds only what is missing$"
)


def interrupting(handler: Handler, after: int, kill: Callable[[], None] | None = None) -> Handler:
    """``handler``, and a real SIGINT (to this process, or through ``kill``) once ``after``
    requests were served."""
    served = 0
    lock = threading.Lock()

    def handle(method: str, path: str, headers: dict[str, str], body: bytes):  # type: ignore[no-untyped-def]
        nonlocal served
        answer = handler(method, path, headers, body)
        with lock:
            served += 1
            if served == after:
                if kill is not None:
                    kill()
                else:
                    os.kill(os.getpid(), signal.SIGINT)
        return answer

    return handle


def test_an_interrupted_sync_says_what_it_wrote(tmp_path: Path) -> None:
    # The real thing: Ctrl-C (SIGINT) to an `ossmeta sync` process of its own, sent by the
    # registry once it has answered 25 requests, while batches are being written.
    universe = Universe.make(pypi=60, npm=0, crates=0, maven=0, versions=2)
    db = f"sqlite:///{tmp_path / 'store.db'}"
    assert main(["db", "upgrade", "--db", db]) == 0
    started: list[subprocess.Popen[str]] = []
    with serve(quiet=True) as loopback:
        loopback.handler = interrupting(
            universe.handler(loopback.origin),
            after=25,
            kill=lambda: started[0].send_signal(signal.SIGINT),
        )
        command = [
            *(sys.executable, "-m", "ossmeta", "sync", "pypi", *universe.pypi_names),
            *("--registry-url", loopback.origin, "--concurrency", "1", "--rate", "0"),
            *("--db", db),
        ]
        env = {**os.environ, "OSSMETA_HOME": str(tmp_path / "home"), "NO_COLOR": "1"}
        process = subprocess.Popen(
            command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        started.append(process)
        _, err = process.communicate(timeout=300)
    assert process.returncode == EXIT_INTERRUPTED, err
    last = err.strip().splitlines()[-1]
    found = SYNC_KEPT.match(last)
    assert found is not None, last
    store = open_store(db, access="read")
    with store.engine.connect() as connection:
        stored = connection.execute(select(func.count()).select_from(packages)).scalar_one()
    store.dispose()
    assert int(found.group(1)) == stored and int(found.group(2)) == 60 - stored
    assert 0 < stored < len(universe.pypi_names)


def test_an_interrupted_event_import_says_how_many_rows_it_kept(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    events = json.loads((DATA / "gharchive" / "events.json").read_text(encoding="utf-8"))
    lines = [json.dumps(event).encode() for event in events["events"].values()]
    archive = tmp_path / "archive"
    archive.mkdir()
    for hour in range(3):
        body = b"\n".join(lines) + b"\n"
        (archive / f"2015-01-01-{hour}.json.gz").write_bytes(gzip.compress(body))
    original = events_import.convert_file
    calls = 0

    def then_ctrl_c(*args, **kwargs):  # type: ignore[no-untyped-def]
        # Ctrl-C as the third file starts: the first two were read and are stored.
        nonlocal calls
        calls += 1
        if calls == 3:
            raise KeyboardInterrupt
        return original(*args, **kwargs)

    monkeypatch.setattr(events_import, "convert_file", then_ctrl_c)
    # Batches of a few rows instead of 200,000: the scale of a long import, in a test.
    monkeypatch.setitem(events_import.import_files.__kwdefaults__, "batch_rows", 4)
    data = tmp_path / "activity"
    capsys.readouterr()
    code = main(["events", "import", str(archive), "--data-dir", str(data)])
    assert code == EXIT_INTERRUPTED
    last = capsys.readouterr().err.strip().splitlines()[-1]
    found = EVENTS_KEPT.match(last)
    assert found is not None, last
    stored = activity_rows(data, "events")
    assert int(found.group(1).replace(",", "")) == sum(stored.values()) > 0
    assert int(found.group(2)) == len(stored)
