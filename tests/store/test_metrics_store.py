"""The metrics tables: repository and developer rows split by key shape; --since replaces only
the periods it covers."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from ossmeta.store import Store
from ossmeta.store.metrics import is_repo_key, read_metrics, replace_metrics, subjects

NOW = datetime(2026, 11, 27, tzinfo=UTC)
REPO = "github.com/o/r"
DEV = "github.com/alice"


def _write(
    store: Store, rows: list[tuple[str, str, str, float | None, str | None]], since: str | None
) -> int:
    with store.engine.begin() as connection:
        return replace_metrics(connection, rows, engine="duckdb", computed_at=NOW, since=since)


def _periods(store: Store, subject: str, metric: str) -> dict[str, float | None]:
    with store.engine.connect() as connection:
        return {v.period: v.value for v in read_metrics(connection, subject) if v.metric == metric}


def test_keys_say_whether_they_name_a_repository() -> None:
    assert is_repo_key("github.com/owner/name")
    assert not is_repo_key("github.com/login")


def test_rows_split_into_repository_and_developer_tables(store: Store) -> None:
    levels = json.dumps([1, 0, 2, 0])
    written = _write(
        store,
        [
            (REPO, "activity", "2024-01", 12.34, None),
            (REPO, "issue_response_time.levels", "2024-01", None, levels),
            (DEV, "openrank", "2024-01", 1.5, None),
        ],
        None,
    )
    assert written == 3
    with store.engine.connect() as connection:
        assert subjects(connection, "repo") == [REPO]
        assert subjects(connection, "developer") == [DEV]
        stored = read_metrics(connection, REPO)
    assert [(v.metric, v.period, v.value, v.detail) for v in stored] == [
        ("activity", "2024-01", 12.34, None),
        ("issue_response_time.levels", "2024-01", None, [1, 0, 2, 0]),
    ]


def test_since_replaces_covered_periods_and_keeps_history(store: Store) -> None:
    first = [
        (REPO, "activity", period, value, None)
        for period, value in [
            ("2023-12", 1.0),
            ("2024-01", 2.0),
            ("2024-02", 3.0),
            ("2023Q4", 1.0),
            ("2024Q1", 5.0),
            ("2023", 1.0),
            ("2024", 5.0),
        ]
    ]
    _write(store, first, None)
    # Recomputing from 2024-02: the month 2024-02 on, the quarter 2024Q1 (it ends after
    # February starts) and the year 2024; 2023-12, 2024-01, 2023Q4 and 2023 stay.
    _write(
        store,
        [
            (REPO, "activity", "2024-02", 4.0, None),
            (REPO, "activity", "2024Q1", 6.0, None),
            (REPO, "activity", "2024", 6.0, None),
        ],
        "2024-02",
    )
    assert _periods(store, REPO, "activity") == {
        "2023-12": 1.0,
        "2024-01": 2.0,
        "2024-02": 4.0,
        "2023Q4": 1.0,
        "2024Q1": 6.0,
        "2023": 1.0,
        "2024": 6.0,
    }


def test_a_full_computation_replaces_everything(store: Store) -> None:
    _write(
        store,
        [(REPO, "activity", "2024-01", 2.0, None), (DEV, "openrank", "2024-01", 1.0, None)],
        None,
    )
    _write(store, [(REPO, "stars", "2024-01", 3.0, None)], None)
    assert _periods(store, REPO, "activity") == {}
    assert _periods(store, DEV, "openrank") == {}
    assert _periods(store, REPO, "stars") == {"2024-01": 3.0}
