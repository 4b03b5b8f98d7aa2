"""Start-up: the CLI imports only what a command uses. Importing it, or running
``ossmeta --help``, loads none of the metric engines' heavy libraries."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

HEAVY = ("duckdb", "scipy", "pyarrow", "pyspark")
SRC = str(Path(__file__).resolve().parents[2] / "src")


def _python(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": SRC + os.pathsep + os.environ.get("PYTHONPATH", "")}
    return subprocess.run(
        [sys.executable, *args], capture_output=True, text=True, env=env, check=False
    )


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
    # print help.
    unneeded = {"sqlalchemy", "httpx", "numpy", "asyncio", "rich"}
    assert imported.isdisjoint(unneeded), sorted(imported & unneeded)
