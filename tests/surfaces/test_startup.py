"""Start-up: the CLI imports only what a command uses. Importing it, or running
``ossmeta --help``, loads none of the metric engines' heavy libraries; ``packages show``
and a small ``scan`` load none of the libraries that only other commands or other formats
need (the list below is what once made them take a second to start).

Nothing here measures time: each command runs in a fresh interpreter, which reports the
modules it loaded, and the test names any that should not be there. ``bench/bench_startup.py``
prints the import times."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from ossmeta.model import LicenseValue, PackageVersion
from ossmeta.store import open_store
from ossmeta.store.packages import save_package
from ossmeta.surfaces.cli.app import main
from tests.helpers import pypi_record, review_licence_proposal

HEAVY = ("duckdb", "scipy", "pyarrow", "pyspark")
#: Libraries (and parts of them) that ``packages show`` and a small ``scan`` do not use:
#: the metric engines, migrations, the HTTP client, other file formats, report formats,
#: licence parsing, the slow purl parser, PostgreSQL's driver on a SQLite store, the HTTP
#: API's server and password hashing, and the Pydantic that Typer's own value conversion
#: would import.
NOT_FOR_SMALL_COMMANDS = (
    *HEAVY,
    "numpy",
    "sqlglot",
    "alembic",
    "mako",
    "sqlalchemy.orm",
    "psycopg",
    "httpx",
    "httpcore",
    "yaml",
    "defusedxml",
    "cyclonedx",
    "cvss",
    "license_expression",
    "packageurl",
    "pydantic",
    "pydantic_core",
    "email.parser",
    "fastapi",
    "starlette",
    "uvicorn",
    "argon2",
)
SRC = str(Path(__file__).resolve().parents[2] / "src")
DATA = Path(__file__).resolve().parents[1] / "data"
PURL = "pkg:pypi/widget"

#: Runs one command through ``main`` and writes the modules it loaded, as JSON, to the
#: file named by the first argument.
_RUN_AND_LIST = (
    "import json, sys\n"
    "from ossmeta.surfaces.cli.app import main\n"
    "code = main(sys.argv[2:])\n"
    "with open(sys.argv[1], 'w') as out:\n"
    "    json.dump({'code': code, 'modules': sorted(sys.modules)}, out)\n"
)


def _python(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": SRC + os.pathsep + os.environ.get("PYTHONPATH", "")}
    env.pop("OSSMETA_DATABASE_URL", None)
    return subprocess.run(
        [sys.executable, *args], capture_output=True, text=True, env=env, check=False
    )


def _loaded_by(tmp_path: Path, *argv: str) -> tuple[int, set[str]]:
    """(exit code, modules loaded) of one command run in a fresh interpreter."""
    listing = tmp_path / "modules.json"
    done = _python("-c", _RUN_AND_LIST, str(listing), *argv)
    assert listing.exists(), done.stderr
    reported = json.loads(listing.read_text())
    return int(reported["code"]), set(reported["modules"])


def _among(modules: set[str], names: Iterable[str]) -> list[str]:
    """The ``names`` loaded: a package, or any module inside it."""
    return sorted(n for n in names if any(m == n or m.startswith(n + ".") for m in modules))


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A SQLite store with the test advisories and one package with an approved curation."""
    url = f"sqlite:///{tmp_path_factory.mktemp('startup') / 'store.db'}"
    assert main(["db", "upgrade", "--db", url]) == 0
    assert main(["advisories", "import", str(DATA / "osv"), "--db", url]) == 0
    store = open_store(url, access="write")
    mit = LicenseValue("MIT", "MIT", "exact", "pypi:license")
    with store.engine.begin() as connection:
        save_package(
            connection,
            pypi_record(
                "widget",
                tuple(PackageVersion(v, None, False, None, mit, ()) for v in ("1.0", "2.0")),
                license=mit,
                repository="github.com/acme/widget",
                repository_raw="https://github.com/acme/widget",
                description="A widget",
            ),
            datetime(2026, 1, 1, tzinfo=UTC),
        )
    review_licence_proposal(store, PURL, approve=True)
    store.dispose()
    return url


def test_importing_the_cli_loads_no_heavy_library() -> None:
    listing = f"sorted(m for m in {HEAVY!r} if m in sys.modules)"
    done = _python("-c", f"import ossmeta.surfaces.cli.app, sys; print({listing})")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_help_imports_no_heavy_library() -> None:
    done = _python(
        "-X", "importtime", "-c",
        "import sys; from ossmeta.surfaces.cli.app import main; sys.exit(main(['--help']))",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "Usage: ossmeta" in done.stdout
    imported = {
        line.rsplit("|", 1)[-1].strip().split(".")[0]
        for line in done.stderr.splitlines()
        if line.startswith("import time:")
    }
    assert "ossmeta" in imported  # the listing is real: it names what was loaded
    assert imported.isdisjoint(HEAVY), sorted(imported & set(HEAVY))
    # Nor the store's SQL toolkit, the HTTP client, asyncio or Rich: none is needed to
    # print help. Nor what only some commands use: sockets ('serve'), TOML and fast JSON
    # (inputs), SQLite's driver, version parsing, TLS, package metadata.
    unneeded = {"sqlalchemy", "httpx", "numpy", "asyncio", "rich", "pydantic"}
    unneeded |= {"socket", "tomllib", "orjson", "sqlite3", "packaging", "ssl", "email"}
    assert imported.isdisjoint(unneeded), sorted(imported & unneeded)


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_packages_show_loads_only_what_it_uses(tmp_path: Path, db: str, fmt: str) -> None:
    code, modules = _loaded_by(tmp_path, "packages", "show", PURL, "--format", fmt, "--db", db)
    assert code == 0
    # The listing is real: the command read the store and applied the curation.
    assert {"sqlalchemy", "ossmeta.store.curations", "ossmeta.normalizers.curation"} <= modules
    assert _among(modules, NOT_FOR_SMALL_COMMANDS) == []
    assert _among(modules, ["rich"]) == []  # plain text and JSON: no console library


@pytest.mark.parametrize(
    ("lockfile", "other_formats"),
    [
        # A requirements file is not TOML: the TOML parser stays unloaded.
        (DATA / "inputs" / "python" / "requirements" / "freeze-requirements.txt", ("tomllib",)),
        (DATA / "inputs" / "python" / "uv" / "simple" / "uv.lock", ()),
    ],
    ids=["requirements", "uv.lock"],
)
def test_small_scan_loads_only_what_it_uses(
    tmp_path: Path, db: str, lockfile: Path, other_formats: tuple[str, ...]
) -> None:
    code, modules = _loaded_by(tmp_path, "scan", str(lockfile), "--format", "json", "--db", db)
    assert code in (0, 1)  # scanned: nothing found, or findings
    assert {"ossmeta.analyses.scan", "ossmeta.store.lookup"} <= modules
    assert _among(modules, [*NOT_FOR_SMALL_COMMANDS, *other_formats]) == []
    assert _among(modules, ["rich"]) == []  # JSON report: no console library


def test_scan_table_loads_rich_only_for_the_table(tmp_path: Path, db: str) -> None:
    lockfile = DATA / "inputs" / "python" / "requirements" / "freeze-requirements.txt"
    code, modules = _loaded_by(tmp_path, "scan", str(lockfile), "--db", db)
    assert code == 1  # Django 3.2 has known advisories in the test data
    assert "rich" in modules  # the table is drawn with Rich
    assert _among(modules, NOT_FOR_SMALL_COMMANDS) == []


def test_bad_value_still_gets_typers_message(tmp_path: Path, db: str) -> None:
    # A value the lean conversion does not take goes to Typer's own, which words the error.
    done = _python("-m", "ossmeta", "scan", "x.txt", "--fail-on", "severe", "--db", db)
    assert done.returncode == 2
    assert "'severe' is not one of 'low', 'medium', 'high', 'critical'" in done.stderr
