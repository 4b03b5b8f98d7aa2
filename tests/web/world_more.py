"""What the repository, compare, quality and hall pages look at, on top of ``world``: months
of OpenDigger and git metrics for jinja2's repository, activity and OpenRank for flask's, and
a hall file featuring both."""

from __future__ import annotations

from pathlib import Path

from ossmeta.store import Store
from ossmeta.store.metrics import Metrics
from tests.web.world import T0

JINJA_REPO = "github.com/pallets/jinja2"
FLASK_REPO = "github.com/pallets/flask"
MONTHS = ("2025-11", "2025-12", "2026-01", "2026-02")
#: Activity per month (world's 12.5 for 2026-01 included: replacing rewrites every row).
JINJA_ACTIVITY = (4.0, 8.25, 12.5, 10.0)
FLASK_ACTIVITY = (20.0, 2.0, 6.0, 3.0)
HALL = """\
# The hall of the page tests.
[[project]]
name = "Jinja"
package = "pkg:pypi/jinja2"

[[project]]
name = "Flask"
repository = "github.com/pallets/flask"
"""


def seed_more(store: Store, home: Path) -> Path:
    """Writes the metrics, and the hall file as ``home/hall.toml``; returns its path."""
    rows: list[tuple[str, str, str, float | None, str | None]] = []
    for index, month in enumerate(MONTHS):
        rows += [
            (JINJA_REPO, "activity", month, JINJA_ACTIVITY[index], None),
            (JINJA_REPO, "openrank", month, 3.0 + index, None),
            (JINJA_REPO, "participants", month, 5.0 + index, None),
            (JINJA_REPO, "new_contributors", month, 1.0 + index % 2, None),
            (JINJA_REPO, "issue_response_time.avg", month, 2.5, None),
            (JINJA_REPO, "bus_factor", month, 2.0, None),
            (JINJA_REPO, "maintenance_status", month, None, '"active"'),
            (JINJA_REPO, "days_since_last_commit", month, 3.0, None),
            (FLASK_REPO, "activity", month, FLASK_ACTIVITY[index], None),
            (FLASK_REPO, "openrank", month, 9.0 - index, None),
        ]
    rows.append((JINJA_REPO, "activity", "2026", 34.75, None))  # a year: not a month's point
    Metrics(store).replace(rows, engine="duckdb", computed_at=T0, since=None)
    home.mkdir(parents=True, exist_ok=True)
    path = home / "hall.toml"
    path.write_text(HALL, encoding="utf-8")
    return path
