"""GH Archive events per month in the data-quality report: events, hours present against
the hours of the month (a missing hour is a lost file), trimmed and API shares."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

from ossmeta.analyses.activity_quality import ArchiveMonth, archive_months, hours_in_month
from ossmeta.store import open_store
from ossmeta.store.activity_files import DATASETS, ActivityFiles
from ossmeta.surfaces.cli.app import main

SCHEMA = DATASETS["events"].schema
NOW = datetime(2024, 3, 2, 10, 30, tzinfo=UTC)


def _row(n: int, at: datetime, source: str = "gharchive", trimmed: bool = False) -> dict[str, Any]:
    return dict.fromkeys(SCHEMA.names) | {
        "event_key": f"k{n}",
        "event_id": str(n),
        "source": source,
        "source_rank": 2 if source == "api" else 1,
        "created_at": at,
        "month": at.strftime("%Y-%m"),
        "trimmed": trimmed,
    }


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """February 2024 (29 days, 696 hours): one GH Archive event in every hour but 05:00 on
    the 1st, the first ten trimmed, and five API rows; March: hours 00 to 02 of the 1st,
    from the API only on the 2nd."""
    start = datetime(2024, 2, 1)
    hours = [start + timedelta(hours=h) for h in range(696) if h != 5]
    rows = [_row(n, at, trimmed=n < 10) for n, at in enumerate(hours)]
    rows += [_row(1000 + n, start + timedelta(hours=7, minutes=n), "api") for n in range(5)]
    march = datetime(2024, 3, 1)
    rows += [_row(2000 + h, march + timedelta(hours=h, minutes=30)) for h in range(3)]
    rows += [_row(3000, datetime(2024, 3, 2, 1), "api")]
    ActivityFiles(tmp_path, "events").append(pa.Table.from_pylist(rows, schema=SCHEMA))
    return tmp_path


def test_a_missing_hour_trimmed_rows_and_api_rows_are_reported(root: Path) -> None:
    february, march = archive_months(root, NOW)
    assert february == ArchiveMonth("2024-02", 700, 695, 5, 10, 695, 696)
    assert february.missing_hours == 1
    assert february.trimmed_share == pytest.approx(10 / 695)
    assert february.api_share == pytest.approx(5 / 700)
    # March so far: 1 day and 11 begun hours (to 10:30 on the 2nd) = 35; 3 of them present
    assert (march.hours_expected, march.hours_present, march.missing_hours) == (35, 3, 32)
    assert (march.trimmed_share, march.api_share) == (0.0, 0.25)


def test_an_empty_store_has_no_months(tmp_path: Path) -> None:
    assert archive_months(tmp_path, NOW) == ()


def test_a_month_without_archive_rows_claims_no_loss() -> None:
    only_api = ArchiveMonth("2024-05", 3, 0, 3, 0, 0, 744)
    assert (only_api.missing_hours, only_api.trimmed_share, only_api.api_share) == (None, None, 1.0)


@pytest.mark.parametrize(
    ("month", "now", "hours"),
    [
        ("2024-02", NOW, 29 * 24),  # leap February, over
        ("2023-02", NOW, 28 * 24),
        ("2024-03", datetime(2024, 3, 1, 0, 0, tzinfo=UTC), 1),  # its first hour has begun
        ("2024-04", NOW, 0),  # not begun
    ],
)
def test_hours_in_month(month: str, now: datetime, hours: int) -> None:
    assert hours_in_month(month, now) == hours


def test_the_quality_command_shows_the_months(
    root: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = f"sqlite:///{tmp_path / 'store.db'}"
    store = open_store(db)
    store.upgrade()
    store.dispose()
    assert main(["quality", "--db", db, "--data-dir", str(root), "-f", "json"]) == 0
    months = json.loads(capsys.readouterr().out)["gharchive_months"]
    assert months[0] == {
        "month": "2024-02",
        "events": 700,
        "hours_present": 695,
        "hours_expected": 696,
        "missing_hours": 1,
        "trimmed_share": round(10 / 695, 4),
        "api_share": round(5 / 700, 4),
    }
    assert main(["quality", "--db", db, "--data-dir", str(root)]) == 0
    table = capsys.readouterr().out
    assert "GH Archive events per month" in table and "2024-02" in table
    assert main(["quality", "--db", db, "--data-dir", str(root), "-f", "html"]) == 0
    assert (
        "<td>2024-02</td><td>700</td><td>695</td><td>696</td><td>1</td>" in capsys.readouterr().out
    )
