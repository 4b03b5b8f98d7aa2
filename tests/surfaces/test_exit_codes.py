"""Every command keeps the failure kinds apart (the table in ``ossmeta.errors``): the user's
bad input exits 2, a store or upstream that cannot be reached exits 4, a bug exits 3; each
with one line on stderr, a traceback only for the bug."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from ossmeta.errors import EXIT_BUG, EXIT_INPUT, EXIT_UNAVAILABLE, UnavailableError, exit_code
from ossmeta.pipelines.sync.process import ProcessWriter
from ossmeta.pipelines.sync.registry import Endpoints
from ossmeta.store import Store, open_store
from ossmeta.surfaces.cli.app import main

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
PURL = "pkg:pypi/requests"


def closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


@pytest.fixture
def place(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """A created store with the example advisories, an input file, a config that retries
    nothing, and the placeholders the command lines below use."""
    monkeypatch.setenv("OSSMETA_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("OSSMETA_DATABASE_URL", raising=False)
    config = tmp_path / "config.toml"
    config.write_text("[http]\nmax_retries = 0\nrate_per_host = 0\n")
    monkeypatch.setenv("OSSMETA_CONFIG", str(config))
    db = f"sqlite:///{tmp_path / 'store.db'}"
    assert main(["db", "upgrade", "--db", db]) == 0
    assert main(["advisories", "import", str(EXAMPLES / "advisories"), "--db", db]) == 0
    (tmp_path / "requirements.txt").write_text("django==3.2\n")
    (tmp_path / "a-file").write_text("not a directory\n")
    return {
        "db": db,
        "tmp": str(tmp_path),
        "up": f"http://127.0.0.1:{closed_port()}",
        "unreachable": f"postgresql+psycopg://postgres@127.0.0.1:{closed_port()}/test",
    }


# (command, bad input, a valid command line that needs the store): "{db}" is replaced by
# the store's URL, so the third column can point it at a store nothing serves.
COMMANDS: list[tuple[str, list[str], list[str]]] = [
    ("db upgrade", ["db", "upgrade", "--db", "::not a url::"], ["db", "upgrade", "--db", "{db}"]),
    ("db current", ["db", "current", "--db", "::not a url::"], ["db", "current", "--db", "{db}"]),
    (
        "advisories import",
        ["advisories", "import", "{tmp}/missing", "--db", "{db}"],
        ["advisories", "import", str(EXAMPLES / "advisories"), "--db", "{db}"],
    ),
    (
        "advisories show",
        ["advisories", "show", "NOPE-1", "--db", "{db}"],
        ["advisories", "show", "PYSEC-2021-98", "--db", "{db}"],
    ),
    (
        "scan",
        ["scan", "{tmp}/missing", "--db", "{db}"],
        ["scan", "{tmp}/requirements.txt", "--db", "{db}"],
    ),
    (
        "sync",
        ["sync", "pypi", "x", "--registry-url", "not a url", "--db", "{db}"],
        ["sync", "pypi", "x", "--registry-url", "{up}", "--db", "{db}"],
    ),
    ("normalize", ["normalize", "nonsense", "--db", "{db}"], ["normalize", "--db", "{db}"]),
    (
        "packages show",
        ["packages", "show", "not-a-purl", "--db", "{db}"],
        ["packages", "show", PURL, "--db", "{db}"],
    ),
    (
        "packages dependents",
        ["packages", "dependents", PURL, "--offset", "99999999999999999999999", "--db", "{db}"],
        ["packages", "dependents", PURL, "--db", "{db}"],
    ),
    (
        "curate propose",
        ["curate", "propose", "not-a-purl", "homepage", "https://x.example", "--db", "{db}"],
        [
            *("curate", "propose", PURL, "homepage", "https://x.example", "--reason", "r"),
            *("--author", "a", "--evidence", "https://x.example/e", "--db", "{db}"),
        ],
    ),
    (
        "curate list",
        ["curate", "list", "--format", "pdf", "--db", "{db}"],
        ["curate", "list", "--db", "{db}"],
    ),
    (
        "curate export",
        ["curate", "export", "{tmp}/a-file", "--db", "{db}"],
        ["curate", "export", "{tmp}/out", "--db", "{db}"],
    ),
    (
        "curate import",
        ["curate", "import", "{tmp}/missing", "--db", "{db}"],
        ["curate", "import", str(EXAMPLES / "curations"), "--db", "{db}"],
    ),
    (
        "why",
        ["why", "not-a-purl", "license", "--db", "{db}"],
        ["why", PURL, "license", "--db", "{db}"],
    ),
    ("quality", ["quality", "--format", "pdf", "--db", "{db}"], ["quality", "--db", "{db}"]),
    ("events import", ["events", "import", "{tmp}/missing"], []),
    (
        "events fetch",
        ["events", "fetch", "not-a-repo", "--api-url", "{up}", "--db", "{db}"],
        ["events", "fetch", "github.com/acme/widget", "--api-url", "{up}", "--db", "{db}"],
    ),
    (
        "git import",
        ["git", "import", "{tmp}/missing", "--db", "{db}"],
        ["git", "import", "{tmp}", "--db", "{db}"],
    ),
    (
        "identities list",
        ["identities", "list", "--format", "pdf", "--db", "{db}"],
        ["identities", "list", "--db", "{db}"],
    ),
    (
        "identities bot",
        ["identities", "bot", "not an identity", "--db", "{db}"],
        ["identities", "bot", "login:someone", "--reason", "r", "--author", "a", "--db", "{db}"],
    ),
    (
        "metrics compute",
        ["metrics", "compute", "--since", "last year", "--db", "{db}"],
        ["metrics", "compute", "--db", "{db}"],
    ),
    (
        "metrics show",
        ["metrics", "show", "github.com/acme/widget", "--metric", "nonsense", "--db", "{db}"],
        ["metrics", "show", "github.com/acme/widget", "--db", "{db}"],
    ),
    (
        "metrics export",
        ["metrics", "export", "{tmp}/a-file", "--db", "{db}"],
        ["metrics", "export", "{tmp}/out", "--db", "{db}"],
    ),
    (
        "worker",
        ["worker", "--once", "--poll", "0", "--db", "{db}"],
        ["worker", "--once", "--db", "{db}"],
    ),
]
IDS = [name for name, _, _ in COMMANDS]
WITH_STORE = [command for command in COMMANDS if command[2]]
WITH_STORE_IDS = [name for name, _, _ in WITH_STORE]


def fill(args: list[str], place: dict[str, str]) -> list[str]:
    return [arg.format(**place) for arg in args]


def one_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("ossmeta: error:"), err
    return lines[0]


@pytest.mark.parametrize(("name", "bad", "good"), COMMANDS, ids=IDS)
def test_bad_input_exits_2_in_one_line(
    name: str,
    bad: list[str],
    good: list[str],
    place: dict[str, str],
    capsys: pytest.CaptureFixture[str],
) -> None:
    capsys.readouterr()
    assert main(fill(bad, place)) == EXIT_INPUT
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert err.strip(), f"{name}: exit 2 without saying why"


@pytest.mark.parametrize(("name", "bad", "good"), WITH_STORE, ids=WITH_STORE_IDS)
def test_a_store_nothing_serves_exits_4_in_one_line(
    name: str,
    bad: list[str],
    good: list[str],
    place: dict[str, str],
    capsys: pytest.CaptureFixture[str],
) -> None:
    capsys.readouterr()
    args = fill(good, {**place, "db": place["unreachable"]})
    if "--db" not in args:
        args += ["--db", place["unreachable"]]
    assert main(args) == EXIT_UNAVAILABLE, name
    assert "127.0.0.1" in one_line(capsys.readouterr().err)


@pytest.mark.parametrize(("name", "bad", "good"), WITH_STORE, ids=WITH_STORE_IDS)
def test_a_bug_exits_3_with_its_traceback(
    name: str,
    bad: list[str],
    good: list[str],
    place: dict[str, str],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken(self: Store) -> str | None:
        raise RuntimeError("a forced bug")

    monkeypatch.setattr(Store, "current_revision", broken)
    capsys.readouterr()
    assert main(fill(good, place)) == EXIT_BUG, name
    err = capsys.readouterr().err
    assert "Traceback" in err and "RuntimeError: a forced bug" in err


@pytest.mark.parametrize(
    "command", [["sync", "pypi", "a", "b"], ["events", "fetch", "github.com/acme/widget"]]
)
def test_an_upstream_nothing_serves_exits_4(
    command: list[str], place: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    url_option = "--registry-url" if command[0] == "sync" else "--api-url"
    capsys.readouterr()
    assert main([*command, url_option, place["up"], "--db", place["db"]]) == EXIT_UNAVAILABLE
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert err.strip().splitlines()[-1].startswith("ossmeta: error:")


def test_events_import_bug_exits_3(
    place: dict[str, str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from ossmeta.surfaces.cli import events

    def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("a forced bug")

    monkeypatch.setattr(events, "run_import", broken)
    assert main(["events", "import", place["tmp"]]) == EXIT_BUG
    assert "RuntimeError: a forced bug" in capsys.readouterr().err


def test_a_writer_process_that_dies_is_the_environment_not_a_bug(
    place: dict[str, str], tmp_path: Path
) -> None:
    async def go() -> None:
        endpoints = Endpoints("http://127.0.0.1:9")
        async with ProcessWriter(place["db"], "pypi", endpoints, 1) as writer:
            assert writer.ready
            writer._process.kill()
            await writer.write([])

    with pytest.raises(UnavailableError, match="writer process ended") as raised:
        asyncio.run(go())
    assert exit_code(raised.value) == EXIT_UNAVAILABLE


def test_a_missing_store_is_never_created_by_a_read_or_a_write(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "typo"
    monkeypatch.setenv("OSSMETA_HOME", str(home))
    monkeypatch.delenv("OSSMETA_DATABASE_URL", raising=False)
    (tmp_path / "requirements.txt").write_text("django==3.2\n")
    assert main(["scan", str(tmp_path / "requirements.txt")]) == EXIT_UNAVAILABLE
    assert "db upgrade" in one_line(capsys.readouterr().err)
    assert main(["advisories", "import", str(EXAMPLES / "advisories")]) == EXIT_UNAVAILABLE
    assert "db upgrade" in one_line(capsys.readouterr().err)
    assert not home.exists()


def test_scan_refuses_a_store_without_advisories(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = f"sqlite:///{tmp_path / 'empty.db'}"
    assert main(["db", "upgrade", "--db", db]) == 0
    (tmp_path / "requirements.txt").write_text("django==3.2\n")
    capsys.readouterr()
    assert main(["scan", str(tmp_path / "requirements.txt"), "--db", db]) == EXIT_UNAVAILABLE
    captured = capsys.readouterr()
    assert captured.out == ""  # no "No known vulnerabilities" from an empty store
    assert "advisories import" in one_line(captured.err)


def test_an_empty_postgresql_schema_is_no_store(
    pg_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "requirements.txt").write_text("django==3.2\n")
    assert main(["scan", str(tmp_path / "requirements.txt"), "--db", pg_url]) == EXIT_UNAVAILABLE
    assert "db upgrade" in one_line(capsys.readouterr().err)
    store = open_store(pg_url, access="read")
    assert store.current_revision() is None  # nothing was created
    store.dispose()


def test_spark_without_a_java_runtime_is_the_environment(tmp_path: Path) -> None:
    pytest.importorskip("pyspark", reason="the Spark engine needs the 'spark' extra")
    db = f"sqlite:///{tmp_path / 'store.db'}"
    assert main(["db", "upgrade", "--db", db]) == 0
    env = {
        **os.environ,
        "JAVA_HOME": str(tmp_path / "no-java"),
        "PATH": "/usr/bin:/bin",
        "PYTHONPATH": str(Path(__file__).resolve().parents[2] / "src"),
        "OSSMETA_HOME": str(tmp_path / "home"),
    }
    command = [sys.executable, "-m", "ossmeta", "metrics", "compute", "--engine", "spark"]
    done = subprocess.run(
        [*command, "--db", db], env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == EXIT_UNAVAILABLE, done.stderr
    assert done.stderr.strip().splitlines()[-1].startswith("ossmeta: error: cannot start Spark")
