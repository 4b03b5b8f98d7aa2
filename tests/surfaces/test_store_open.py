"""Opening the store for a command: a read-only store serves every read and refuses every
write in one line; a lock held by another session or process ends the wait with exit 4."""

from __future__ import annotations

import gzip
import json
import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from ossmeta.errors import EXIT_INPUT, EXIT_UNAVAILABLE
from ossmeta.surfaces.cli.app import main
from tests.helpers import DATA

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
SRC = Path(__file__).resolve().parents[2] / "src"


def ossmeta(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """The real command in a process that file permissions bind: root keeps its uid but
    loses the capabilities that let it write anywhere."""
    command = [sys.executable, "-m", "ossmeta", *args]
    if os.geteuid() == 0:
        command = ["setpriv", "--bounding-set=-dac_override,-dac_read_search", "--", *command]
    env = {
        **os.environ,
        "OSSMETA_HOME": str(home),
        "PYTHONPATH": str(SRC),
        "NO_COLOR": "1",
    }
    env.pop("OSSMETA_DATABASE_URL", None)
    env.pop("OSSMETA_CONFIG", None)
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)


def one_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("ossmeta: error:"), err
    return lines[0]


@pytest.fixture
def read_only_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    home = tmp_path / "home"
    monkeypatch.setenv("OSSMETA_HOME", str(home))
    monkeypatch.delenv("OSSMETA_DATABASE_URL", raising=False)
    assert main(["db", "upgrade"]) == 0
    assert main(["advisories", "import", str(EXAMPLES / "advisories")]) == 0
    archive = DATA / "gharchive" / "events.json"
    events = json.loads(archive.read_text(encoding="utf-8"))["events"]
    hour = tmp_path / "2015-01-01-15.json.gz"
    hour.write_bytes(gzip.compress(json.dumps(events["2015 PushEvent"]).encode() + b"\n"))
    store = home / "ossmeta.db"
    assert not Path(f"{store}-wal").exists()  # a clean close leaves no log to replay
    store.chmod(0o444)
    home.chmod(0o555)
    yield home
    home.chmod(0o755)
    store.chmod(0o644)


@pytest.mark.parametrize(
    ("args", "codes"),
    [
        (["scan", str(EXAMPLES / "project")], (0, 1)),
        (["advisories", "show", "PYSEC-2021-98"], (0,)),
        (["quality"], (0,)),
        (["db", "current"], (0,)),
    ],
    ids=["scan", "advisories show", "quality", "db current"],
)
def test_reads_work_on_a_read_only_store(
    read_only_home: Path, args: list[str], codes: tuple[int, ...]
) -> None:
    done = ossmeta(read_only_home, *args)
    assert done.returncode in codes, done.stderr
    assert done.stdout.strip()
    assert sorted(p.name for p in read_only_home.iterdir()) == ["ossmeta.db"]


@pytest.mark.parametrize(
    "args",
    [
        ["advisories", "import", str(EXAMPLES / "advisories")],
        ["db", "upgrade"],
        ["events", "import", "{tmp}/2015-01-01-15.json.gz"],
        ["curate", "import", str(EXAMPLES / "curations")],
    ],
    ids=["advisories import", "db upgrade", "events import", "curate import"],
)
def test_writes_to_a_read_only_store_are_one_line_exit_4(
    read_only_home: Path, args: list[str]
) -> None:
    done = ossmeta(read_only_home, *[a.format(tmp=read_only_home.parent) for a in args])
    assert done.returncode == EXIT_UNAVAILABLE, done.stderr
    line = one_line(done.stderr)
    assert "read-only" in line or "Permission denied" in line or "readonly" in line


def test_a_sqlite_writer_holding_the_store_ends_the_wait(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "store.db"
    assert main(["db", "upgrade", "--db", f"sqlite:///{path}"]) == 0
    monkeypatch.setenv("OSSMETA_LOCK_TIMEOUT", "0.2")
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        capsys.readouterr()
        # A curation, not an advisory import: that one waits for the writer lock on its own
        # terms (store.writers) before the store's busy timeout comes into play.
        code = main(
            [
                *("curate", "propose", "pkg:pypi/x", "homepage", "https://x.example"),
                *("--reason", "r", "--author", "a", "--evidence", "https://x.example/e"),
                *("--db", f"sqlite:///{path}"),
            ]
        )
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert code == EXIT_UNAVAILABLE
    assert "another process holds the store (waited 0.2s)" in one_line(capsys.readouterr().err)


def test_a_postgresql_lock_ends_the_wait_after_the_lock_timeout(
    pg_url: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert main(["db", "upgrade", "--db", pg_url]) == 0
    monkeypatch.setenv("OSSMETA_LOCK_TIMEOUT", "0.3")
    holder = create_engine(pg_url)
    with holder.connect() as connection:
        connection.execute(text("LOCK TABLE advisories IN ACCESS EXCLUSIVE MODE"))
        capsys.readouterr()
        code = main(["advisories", "import", str(EXAMPLES / "advisories"), "--db", pg_url])
        connection.rollback()
    holder.dispose()
    assert code == EXIT_UNAVAILABLE
    line = one_line(capsys.readouterr().err)
    assert "locked by another session (lock timeout 0.3s)" in line


@pytest.mark.parametrize("value", ["soon", "0", "-1", "nan"])
def test_a_bad_lock_timeout_is_the_users_mistake(
    value: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OSSMETA_LOCK_TIMEOUT", value)
    assert main(["db", "upgrade", "--db", f"sqlite:///{tmp_path / 'store.db'}"]) == EXIT_INPUT
    assert "OSSMETA_LOCK_TIMEOUT" in one_line(capsys.readouterr().err)
