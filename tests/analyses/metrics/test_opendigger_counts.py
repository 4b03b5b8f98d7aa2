"""OpenDigger's per-repository counts on a hand-made stream (DuckDB), expectations by hand."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pytest

from ossmeta.analyses.metrics import opendigger_counts
from ossmeta.analyses.metrics.engine import DuckDBEngine

from .streams import Dev, Repo, Stream, compute, metric, write_events

R = Repo(1, "acme/widget")
A, B, C, D = Dev(10, "ann"), Dev(11, "bo"), Dev(12, "cy"), Dev(13, "di")


def _stream() -> Stream:
    s = Stream()
    # January
    s.star("2024-01-03 10:00", R, A)
    s.star("2024-01-04 10:00", R, B)
    s.star("2024-01-20 10:00", R, A)  # a second star by ann: stars are distinct actors
    s.fork("2024-01-05 10:00", R, C)
    s.fork("2024-01-06 10:00", R, C)  # a re-fork: technical_fork counts rows
    s.issue("opened", "2024-01-10 10:00", R, A, 1)
    s.comment("2024-01-11 10:00", R, B, 1, author=A)
    s.issue("closed", "2024-01-12 10:00", R, B, 1, author=A)
    s.issue("reopened", "2024-01-15 10:00", R, A, 1)
    s.issue("opened", "2024-01-20 10:00", R, D, 2)
    s.comment("2024-01-21 10:00", R, C, 2, author=D)
    s.pull("opened", "2024-01-25 10:00", R, B, 3, additions=100, deletions=40)
    s.comment("2024-01-22 10:00", R, A, 3, author=B, on_pull=True)  # PR conversation
    s.review_comment("2024-01-26 10:00", R, A, 3, author=B)
    s.review_comment("2024-01-26 11:00", R, A, 3, author=B)
    s.push("2024-01-27 10:00", R, D)  # pushes count for none of these
    # February
    s.pull(
        "closed", "2024-02-02 10:00", R, A, 3, author=B, merged=True, additions=100, deletions=40
    )
    s.pull("opened", "2024-02-10 10:00", R, C, 4, additions=5, deletions=5)
    s.pull("closed", "2024-02-11 10:00", R, C, 4, merged=False, additions=None, deletions=None)
    # March: additions equal deletions
    s.pull("opened", "2024-03-03 10:00", R, D, 5, additions=7, deletions=7)
    # April: a star only
    s.star("2024-04-02 10:00", R, D)
    return s


@pytest.fixture(scope="module")
def table(tmp_path_factory: pytest.TempPathFactory) -> pa.Table:
    root = write_events(Path(tmp_path_factory.mktemp("counts")), _stream().table())
    return compute(DuckDBEngine(), root, definitions=opendigger_counts.DEFINITIONS)


def test_stars_are_distinct_stargazers(table: pa.Table) -> None:
    # January: ann, bo (ann's second star is the same actor); April: di.
    assert metric(table, "stars") == {
        "2024-01": 2, "2024-04": 1, "2024Q1": 2, "2024Q2": 1, "2024": 3,
    }  # fmt: skip


def test_technical_fork_counts_every_fork_event(table: pa.Table) -> None:
    assert metric(table, "technical_fork") == {"2024-01": 2, "2024Q1": 2, "2024": 2}


def test_attention_is_stargazers_plus_twice_the_forkers(table: pa.Table) -> None:
    # January: 2 stargazers + 2 × 1 forker (cy forked twice); April: 1 + 2 × 0;
    # the year: 3 stargazers (ann, bo, di) + 2 × 1.
    assert metric(table, "attention") == {
        "2024-01": 2 + 2 * 1, "2024-04": 1, "2024Q1": 4, "2024Q2": 1, "2024": 3 + 2 * 1,
    }  # fmt: skip


def test_participants_are_distinct_per_period(table: pa.Table) -> None:
    # January: ann, bo, cy, di; February: ann (merged #3), cy; March: di. The quarter is the
    # 4 distinct people, not 4 + 2 + 1. Stars, forks and pushes make nobody a participant.
    assert metric(table, "participants") == {
        "2024-01": 4, "2024-02": 2, "2024-03": 1, "2024Q1": 4, "2024": 4,
    }  # fmt: skip


def test_issue_counts(table: pa.Table) -> None:
    # #1 opened and reopened in January is one issue; #2 is the second.
    assert metric(table, "issues_new") == {"2024-01": 2, "2024Q1": 2, "2024": 2}
    assert metric(table, "issues_closed") == {"2024-01": 1, "2024Q1": 1, "2024": 1}
    # Comments on #1, #2 and on PR #3's conversation, all 'created'.
    assert metric(table, "issue_comments") == {"2024-01": 3, "2024Q1": 3, "2024": 3}


def test_issues_and_change_requests_active(table: pa.Table) -> None:
    # January: issues #1, #2, PR #3 and PR #3's conversation (its own issue id, as GitHub
    # gives it) = 4; February: PRs #3, #4; March: PR #5. Quarter: the 6 distinct ids.
    assert metric(table, "issues_and_change_request_active") == {
        "2024-01": 4, "2024-02": 2, "2024-03": 1, "2024Q1": 6, "2024": 6,
    }  # fmt: skip


def test_change_request_counts(table: pa.Table) -> None:
    assert metric(table, "change_requests") == {
        "2024-01": 1, "2024-02": 1, "2024-03": 1, "2024Q1": 3, "2024": 3,
    }  # fmt: skip
    # Only #3 was merged (#4 closed unmerged).
    assert metric(table, "change_requests_accepted") == {"2024-02": 1, "2024Q1": 1, "2024": 1}
    # Review comments (line comments), not reviews: two on #3.
    assert metric(table, "change_requests_reviews") == {"2024-01": 2, "2024Q1": 2, "2024": 2}


def test_code_change_lines_sum_every_pull_request_event(table: pa.Table) -> None:
    # Every PullRequestEvent row counts, whatever its action; a missing count adds nothing.
    # January: #3 opened (+100 -40). February: #3 closed (+100 -40), #4 opened (+5 -5),
    # #4 closed (no counts). March: #5 opened (+7 -7).
    assert metric(table, "code_change_lines_add") == {
        "2024-01": 100, "2024-02": 100 + 5, "2024-03": 7, "2024Q1": 100 + 105 + 7, "2024": 212,
    }  # fmt: skip
    assert metric(table, "code_change_lines_remove") == {
        "2024-01": 40, "2024-02": 40 + 5, "2024-03": 7, "2024Q1": 40 + 45 + 7, "2024": 92,
    }  # fmt: skip
    # March's sum is 7 - 7 = 0: zero values are not exported, so March has no entry.
    assert metric(table, "code_change_lines_sum") == {
        "2024-01": 100 - 40, "2024-02": 105 - 45, "2024Q1": 212 - 92, "2024": 120,
    }  # fmt: skip


def test_periods_without_events_have_no_rows(table: pa.Table) -> None:
    # February and March have no stars; no metric has a row for May or for 2024Q3.
    assert "2024-02" not in metric(table, "stars")
    assert not {p for p in table["period"].to_pylist() if p in ("2024-05", "2024Q3")}
    assert set(table["subject"].to_pylist()) == {R.key}


def test_participants_keep_bots(tmp_path: Path) -> None:
    # OpenDigger filters no bots from participants: ann, the bot by its name and the one on
    # the bot list are 3.
    s = Stream()
    s.issue("opened", "2024-07-01 10:00", R, A, 9)
    s.comment("2024-07-01 11:00", R, Dev(30, "ci[bot]"), 9, author=A)
    s.comment("2024-07-01 12:00", R, Dev(31, "helper"), 9, author=A)
    root = write_events(tmp_path, s.table())
    table = compute(
        DuckDBEngine(), root, bots=("helper",), definitions=opendigger_counts.DEFINITIONS
    )
    assert metric(table, "participants") == {"2024-07": 3, "2024Q3": 3, "2024": 3}
