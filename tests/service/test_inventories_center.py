"""The center's knowledge for many components, read set-based: loading packages in two
slices and scoring the health of every one runs a handful of statements per slice, not
one or more per package."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import event

from ossmeta.model import LicenseValue, PackageRecord, PackageVersion
from ossmeta.service.inventories_center import Center
from ossmeta.store import Store
from ossmeta.store.packages import save_package
from tests.helpers import pypi_record
from tests.service.inventories_data import import_records, jinja_record

T0 = datetime(2026, 3, 1, tzinfo=UTC)
MIT = LicenseValue("MIT", "MIT", "exact", "pypi:license_expression")


def _record(name: str) -> PackageRecord:
    return pypi_record(
        name,
        (
            PackageVersion("2.10", datetime(2025, 1, 1, tzinfo=UTC), False, None, MIT, ()),
            PackageVersion("2.10.1", datetime(2025, 2, 1, tzinfo=UTC), False, None, MIT, ()),
        ),
        license=MIT,
        repository=f"github.com/example/{name}",
        maintainers=("someone",),
    )


def test_two_slices_of_packages_are_scored_with_a_few_statements_each(
    store: Store, tmp_path: Path
) -> None:
    import_records(store, tmp_path / "osv", jinja_record())
    names = ["jinja2", *(f"lib{n}" for n in range(59))]
    with store.engine.begin() as connection:
        for name in names:
            save_package(connection, _record(name), T0)
    statements: list[str] = []

    def count(*args: Any) -> None:
        statements.append(str(args[2]))

    center = Center(store)
    scores = {}
    event.listen(store.engine, "before_cursor_execute", count)
    try:
        per_slice = []
        for part in (names[:30], names[30:]):
            statements.clear()
            center.load(f"pkg:pypi/{name}" for name in part)
            for name in part:
                record = center.package(f"pkg:pypi/{name}")
                assert record is not None
                scores[name] = center.health(record, "2.10")
            per_slice.append(len(statements))
    finally:
        event.remove(store.engine, "before_cursor_execute", count)
    assert max(per_slice) <= 25, per_slice  # 30 packages each: not one query per package
    # jinja2 2.10 has an open advisory; the others none: its security part is lower.
    assert scores["jinja2"]["parts"]["security"] < scores["lib0"]["parts"]["security"]
    assert all(s["value"] is not None and s["version"] == "2.10" for s in scores.values())
