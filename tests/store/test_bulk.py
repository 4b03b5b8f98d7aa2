"""``bulk_insert`` and ``bulk_copy`` store exactly what SQLAlchemy's own insert stores, on
both databases (``bulk_copy`` through COPY on PostgreSQL)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Connection, Table, delete, insert, select

from ossmeta.store import Store
from ossmeta.store.bulk import bulk_copy, bulk_insert
from ossmeta.store.schema import fetch_validators, package_versions, packages

ROW = {
    "purl": "pkg:pypi/x",
    "ecosystem": "PyPI",
    "name": "x",
    "status": "active",
    "maintainers": "[]",
    "source": "test",
    "normalized_at": datetime(2026, 1, 1, tzinfo=UTC),
}


Bulk = Callable[[Connection, Table, Sequence[dict[str, Any]]], None]


@pytest.mark.parametrize("bulk", [bulk_insert, bulk_copy])
def test_versions_read_back_as_sqlalchemy_writes_them(store: Store, bulk: Bulk) -> None:
    when = [
        datetime(2024, 5, 29, 15, 37, 47, 123456, tzinfo=UTC),
        datetime(2020, 1, 1, 1, 0, tzinfo=timezone(timedelta(hours=2))),
        None,
    ]
    with store.engine.begin() as c:
        ids = [
            c.execute(insert(packages).returning(packages.c.id), {**ROW, "purl": p}).scalar_one()
            for p in ("a", "b")
        ]
        rows = [
            {
                "position": n,
                "version": f"1.{n}",
                "published": published,
                "yanked": n == 1,
                "yanked_reason": "bad" if n == 1 else None,
                "files": "[]",
            }
            for n, published in enumerate(when)
        ]
        c.execute(insert(package_versions), [{**r, "package_id": ids[0]} for r in rows])
        bulk(c, package_versions, [{**r, "package_id": ids[1]} for r in rows])
        read = {
            package: [
                (v.position, v.version, v.published, v.yanked, v.yanked_reason)
                for v in c.execute(
                    select(package_versions)
                    .where(package_versions.c.package_id == package)
                    .order_by(package_versions.c.position)
                )
            ]
            for package in ids
        }
    assert read[ids[0]] == read[ids[1]]
    assert [r[3] for r in read[ids[1]]] == [False, True, False]


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.lists(
        st.tuples(st.text(min_size=1, max_size=40), st.none() | st.text(max_size=20)),
        max_size=8,
        unique_by=lambda t: t[0],
    )
)
def test_text_round_trips(store: Store, pairs: list[tuple[str, str | None]]) -> None:
    pairs = [
        (u.replace("\x00", ""), e and e.replace("\x00", "")) for u, e in pairs
    ]  # PostgreSQL text holds no NUL
    pairs = list({u: (u, e) for u, e in pairs if u}.values())
    now = datetime(2026, 1, 1, tzinfo=UTC)
    with store.engine.begin() as c:
        for bulk in (bulk_insert, bulk_copy):
            c.execute(delete(fetch_validators))
            bulk(c, fetch_validators, [{"url": u, "etag": e, "checked_at": now} for u, e in pairs])
            got = sorted(c.execute(select(fetch_validators.c.url, fetch_validators.c.etag)).all())
            assert got == sorted(pairs)
