"""The data-quality report as ``ossmeta quality`` prints it and the web's quality page shows
it: the store's grouped figures shaped by ``analyses.quality``, with the GH Archive months of
the activity files."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from pathlib import Path

from ossmeta.analyses.activity_quality import archive_months
from ossmeta.analyses.quality import FAILURE_LIMIT, TOP, QualityReport, quality_report
from ossmeta.store import Store
from ossmeta.store.activity_files import activity_root
from ossmeta.store.quality_queries import QualityQueries

__all__ = ["DEFAULT_STALE_DAYS", "quality"]

#: A package whose last successful fetch is older is stale, unless told otherwise.
DEFAULT_STALE_DAYS = 30


def quality(
    store: Store, *, stale_days: int = DEFAULT_STALE_DAYS, data_dir: Path | None = None
) -> QualityReport:
    now, stale_after = datetime.now(UTC), timedelta(days=stale_days)
    rows = QualityQueries(store).read(now, now - stale_after, top=TOP, failure_limit=FAILURE_LIMIT)
    report = quality_report(rows, now, stale_after)
    months = archive_months(activity_root(data_dir), report.generated_at)
    return dataclasses.replace(report, archive_months=months)
