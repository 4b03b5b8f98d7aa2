"""``ossmeta quality`` through Typer on a SQLite store: formats, ``--output``, ``--stale-days``
and the one-line errors."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from ossmeta.errors import UsageError
from ossmeta.model import LicenseValue, PackageRecord, PackageStatus
from ossmeta.store import open_store
from ossmeta.store.packages import save_package
from ossmeta.store.sync_state import record_outcome
from ossmeta.surfaces.cli import app as cli_app
from ossmeta.surfaces.cli.quality import quality

HOSTILE = "<script>alert(1)</script>"

app = typer.Typer()
app.command()(quality)
runner = CliRunner()


@pytest.fixture
def db(tmp_path: Path) -> str:
    """A store with one PyPI package (unmapped hostile licence) synced 10 days ago."""
    url = f"sqlite:///{tmp_path / 'quality.db'}"
    store = open_store(url)
    store.upgrade()
    now = datetime.now(UTC)
    record = PackageRecord(
        purl="pkg:pypi/evil",
        ecosystem="PyPI",
        name="evil",
        repository=None,
        repository_raw=None,
        homepage=None,
        description="Evil",
        status=PackageStatus.ACTIVE,
        license=LicenseValue(None, HOSTILE, "unknown", "pypi:license"),
        versions=(),
    )
    with store.engine.begin() as connection:
        save_package(connection, record, now)
        record_outcome(connection, "pypi", "evil", record.purl, now - timedelta(days=10))
    store.dispose()
    return url


def test_json_to_stdout_and_stale_days(db: str) -> None:
    result = runner.invoke(app, ["--db", db, "--format", "json"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["schema"] == "ossmeta.quality/1"
    (pypi,) = document["registries"]
    assert (pypi["registry"], pypi["packages"]) == ("pypi", 1)
    assert pypi["unmapped_licenses"]["top"][0]["raw"] == HOSTILE
    assert (pypi["staleness"]["stale"], document["stale_after_days"]) == (0, 30)
    # the success 10 days ago is stale with a 5-day window
    result = runner.invoke(app, ["--db", db, "--format", "json", "--stale-days", "5"])
    assert json.loads(result.stdout)["registries"][0]["staleness"]["stale"] == 1


def test_table_is_the_default(db: str) -> None:
    result = runner.invoke(app, ["--db", db])
    assert result.exit_code == 0, result.output
    assert "Completeness and confidence" in result.stdout and HOSTILE in result.stdout


def test_html_output_file_is_written_whole(db: str, tmp_path: Path) -> None:
    target = tmp_path / "out" / "quality.html"
    target.parent.mkdir()
    target.write_text("previous report", encoding="utf-8")
    result = runner.invoke(app, ["--db", db, "--format", "html", "--output", str(target)])
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    page = target.read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and HOSTILE not in page
    assert sorted(p.name for p in target.parent.iterdir()) == ["quality.html"]  # no temp left
    umask = os.umask(0)
    os.umask(umask)
    assert target.stat().st_mode & 0o777 == 0o666 & ~umask  # not the temp file's 0600


def test_usage_errors(db: str, tmp_path: Path) -> None:
    result = runner.invoke(app, ["--db", db, "--stale-days", "0"])
    assert isinstance(result.exception, UsageError)
    assert "--stale-days" in str(result.exception)
    missing = tmp_path / "no-such-dir" / "report.json"
    result = runner.invoke(app, ["--db", db, "--format", "json", "--output", str(missing)])
    assert isinstance(result.exception, UsageError)
    assert not missing.parent.exists()
    result = runner.invoke(app, ["--db", db, "--format", "xml"])
    assert isinstance(result.exception, UsageError)  # main() makes it one line and exit 2
    assert "'xml'" in str(result.exception) and "table, json or html" in str(result.exception)


def test_through_main(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli_app.main(["quality", "--db", db, "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["schema"] == "ossmeta.quality/1"
    assert cli_app.main(["quality", "--db", db, "--stale-days", "0"]) == 2
    assert capsys.readouterr().err.startswith("ossmeta: error: --stale-days")
