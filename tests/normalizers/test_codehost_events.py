"""Code-host API documents to event rows: the keys GH Archive rows of the same changes
have, the columns each row fills, and damaged documents (only NormalizeError escapes)."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from typing import Any

import pyarrow as pa
import pytest
from hypothesis import given
from hypothesis import strategies as st

from ossmeta.activity import EVENT_COLUMNS, SOURCE_RANK
from ossmeta.errors import NormalizeError
from ossmeta.normalizers.codehost_documents import (
    embedded_issue,
    is_state_change,
    issue_ref,
    number_from_url,
    pull_ref,
    repo_context,
    updated_at,
)
from ossmeta.normalizers.codehost_events import (
    issue_comment_row,
    opened_issue_row,
    opened_pull_row,
    release_row,
    review_comment_row,
    review_row,
    state_change_row,
)
from ossmeta.store.activity_files import DATASETS
from tests.codehost_server import FakeHost
from tests.normalizers.damage import check_one_line, damaged

HOST = FakeHost("https://codehost.example")
DATA = HOST.data
COLUMNS = [name for name, _ in EVENT_COLUMNS]


def issue_doc(number: int) -> dict[str, Any]:
    return HOST.issue(next(i for i in DATA["issues"] if i["number"] == number))


def pull_doc(number: int) -> dict[str, Any]:
    return HOST.pull(next(i for i in DATA["issues"] if i["number"] == number))


def event_doc(event_id: int, *, embed: bool = True) -> dict[str, Any]:
    return HOST.issue_event(next(e for e in DATA["events"] if e["id"] == event_id), embed=embed)


def by_id(kind: str, ident: int) -> dict[str, Any]:
    found: dict[str, Any] = next(x for x in DATA[kind] if x["id"] == ident)
    return found


CTX = repo_context("github.com", HOST.repository())


def epoch(text: str) -> int:
    return int(datetime.fromisoformat(text).timestamp())


def naive(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC).replace(tzinfo=None)


# ------------------------------------------------------------------ the repository


def test_repo_context_takes_the_org_from_an_organization_owner() -> None:
    assert CTX.platform == "github.com"
    assert (CTX.repo_id, CTX.repo_name) == (1296269, "acme/widget")
    assert (CTX.org_id, CTX.org_login) == (9001, "acme")
    assert (CTX.archived, CTX.default_branch) == (False, "main")
    personal = HOST.repository()
    personal["owner"]["type"] = "User"
    personal["archived"] = True
    ctx = repo_context("github.com", personal)
    assert (ctx.org_id, ctx.org_login, ctx.archived) == (None, None, True)


def test_repo_without_an_id_or_a_full_name_is_refused() -> None:
    for key in ("id", "full_name"):
        doc = HOST.repository()
        del doc[key]
        with pytest.raises(NormalizeError, match=f"codehost repo .*{key}"):
            repo_context("github.com", doc)


# ------------------------------------------------------------------ rows, column by column


def test_issue_opened_row_fills_every_column_it_can() -> None:
    row = opened_issue_row(CTX, issue_ref(issue_doc(1)))
    expected: dict[str, object] = dict.fromkeys(COLUMNS)
    expected.update(
        event_key="IssuesEvent:opened:5001",  # opened: type:action:issue id, no time
        event_id="5001",
        source="api",
        source_rank=SOURCE_RANK["api"],
        platform="github.com",
        type="IssuesEvent",
        action="opened",
        created_at=naive("2024-01-10T09:00:00Z"),
        month="2024-01",
        repo_id=1296269,
        repo_name="acme/widget",
        org_id=9001,
        org_login="acme",
        actor_id=101,
        actor_login="alice",
        issue_id=5001,
        issue_number=1,
        issue_title="Crash on empty input",
        issue_author_id=101,
        issue_author_login="alice",
        issue_created_at=naive("2024-01-10T09:00:00Z"),
        issue_comments=0,  # nothing said yet when it opened, whatever the count is today
        issue_is_pull=False,
        trimmed=False,
    )
    assert row == expected
    assert list(row) == COLUMNS


def test_pull_request_rows_carry_the_pull_request_id_not_the_issue_id() -> None:
    pull = pull_ref(pull_doc(2))
    opened = opened_pull_row(CTX, pull)
    # The pull request's own id (7002), not its issue's (5002) nor its number (2).
    assert opened["event_key"] == "PullRequestEvent:opened:7002"
    assert (opened["issue_id"], opened["issue_number"], opened["issue_is_pull"]) == (7002, 2, True)
    assert (opened["actor_login"], opened["issue_author_login"]) == ("bob", "bob")
    assert (opened["pull_merged"], opened["pull_merged_at"], opened["issue_comments"]) == (
        False,
        None,
        0,
    )
    assert (
        opened["pull_additions"],
        opened["pull_deletions"],
        opened["pull_changed_files"],
        opened["pull_commits"],
    ) == (10, 2, 3, 2)


def test_the_close_that_merged_is_the_merge_and_is_credited_to_the_merger() -> None:
    issue = issue_ref(issue_doc(2))
    pull = pull_ref(pull_doc(2))
    row = state_change_row(CTX, event_doc(4003), issue, pull)
    assert row is not None
    # closed: type:action:pull id:epoch second of the close (2024-02-01T12:00:00Z):actor
    assert row["event_key"] == f"PullRequestEvent:closed:7002:{epoch('2024-02-01T12:00:00Z')}:101"
    assert epoch("2024-02-01T12:00:00Z") == 1706788800  # 19754 days * 86400 + 12 * 3600
    assert (row["actor_id"], row["actor_login"]) == (101, "alice")  # who merged
    assert (row["issue_author_login"], row["event_id"]) == ("bob", "4003")
    assert row["pull_merged"] is True
    assert row["pull_merged_at"] == row["issue_closed_at"] == naive("2024-02-01T12:00:00Z")
    assert row["issue_comments"] is None  # the count at that moment is not known


def test_a_close_without_a_merge_and_one_long_before_the_merge_are_not_merges() -> None:
    unmerged = state_change_row(
        CTX, event_doc(4006), issue_ref(issue_doc(4)), pull_ref(pull_doc(4))
    )
    assert unmerged is not None and unmerged["pull_merged"] is False
    assert unmerged["pull_merged_at"] is None and unmerged["actor_login"] == "alice"
    assert unmerged["actor_id"] == 101 and unmerged["issue_author_login"] == "dependabot[bot]"
    # Closed at 11:59:57, merged (after a reopen) at 12:00:00: 3 s > MERGE_SLACK_S = 2.
    early = event_doc(4003)
    early["created_at"] = "2024-02-01T11:59:57Z"
    row = state_change_row(CTX, early, issue_ref(issue_doc(2)), pull_ref(pull_doc(2)))
    assert row is not None and row["pull_merged"] is False
    # 2 s away is still the merge (the two records of one merge may straddle a second).
    near = event_doc(4003)
    near["created_at"] = "2024-02-01T11:59:58Z"
    row = state_change_row(CTX, near, issue_ref(issue_doc(2)), pull_ref(pull_doc(2)))
    assert row is not None and row["pull_merged"] is True


def test_issue_close_and_reopen_rows_are_keyed_by_their_second() -> None:
    issue = issue_ref(issue_doc(3))
    closed = state_change_row(CTX, event_doc(4004, embed=False), issue, None)
    reopened = state_change_row(CTX, event_doc(4005, embed=False), issue, None)
    assert closed is not None and reopened is not None
    assert closed["event_key"] == f"IssuesEvent:closed:5003:{epoch('2024-02-04T08:00:00Z')}:103"
    assert reopened["event_key"] == f"IssuesEvent:reopened:5003:{epoch('2024-02-05T08:00:00Z')}:101"
    assert (closed["actor_login"], reopened["actor_login"]) == ("carol", "alice")
    assert closed["issue_closed_at"] == naive("2024-02-04T08:00:00Z")
    assert reopened["issue_closed_at"] is None
    assert (closed["month"], closed["issue_is_pull"], closed["pull_merged"]) == (
        "2024-02",
        False,
        None,
    )


def test_other_issue_events_are_not_rows() -> None:
    issue = issue_ref(issue_doc(2))
    assert not is_state_change(event_doc(4002)) and not is_state_change(event_doc(4007))
    assert is_state_change(event_doc(4003)) and is_state_change("damaged")
    assert state_change_row(CTX, event_doc(4002), issue, pull_ref(pull_doc(2))) is None
    assert state_change_row(CTX, event_doc(4007), issue_ref(issue_doc(5)), None) is None


def test_a_pull_request_state_change_needs_the_pull_request() -> None:
    with pytest.raises(NormalizeError, match=r"codehost issue-event 4003: .*#2"):
        state_change_row(CTX, event_doc(4003), issue_ref(issue_doc(2)), None)


def test_embedded_issue_of_a_repository_wide_event() -> None:
    issue = embedded_issue(event_doc(4003))
    assert issue is not None and (issue.id, issue.number, issue.is_pull) == (5002, 2, True)
    assert embedded_issue(event_doc(4003, embed=False)) is None


def test_a_comment_on_a_pull_request_conversation_carries_the_issue_id() -> None:
    comment = HOST.issue_comment(by_id("comments", 6002))
    row = issue_comment_row(CTX, comment, issue_ref(issue_doc(2)))
    assert row["event_key"] == "IssueCommentEvent:created:6002"
    # As GH Archive's payload.issue.id: the issue's id 5002, with issue_is_pull set.
    assert (row["issue_id"], row["issue_number"], row["issue_is_pull"]) == (5002, 2, True)
    assert (row["issue_comment_id"], row["actor_login"], row["issue_author_login"]) == (
        6002,
        "alice",
        "bob",
    )
    assert row["created_at"] == naive("2024-01-16T11:00:00Z")


def test_reviews_and_review_comments() -> None:
    pull = pull_ref(pull_doc(2))
    approved = review_row(CTX, HOST.review(by_id("reviews", 8001)), pull)
    assert approved is not None
    assert approved["event_key"] == "PullRequestReviewEvent:created:8001"
    assert approved["pull_review_state"] == "approved"  # the log's spelling, not APPROVED
    assert approved["created_at"] == naive("2024-01-20T10:00:00Z")  # submitted_at
    assert (approved["issue_id"], approved["actor_login"]) == (7002, "carol")
    assert review_row(CTX, HOST.review(by_id("reviews", 8002)), pull) is None  # pending
    comment = review_comment_row(CTX, HOST.review_comment(by_id("review_comments", 9001)), pull)
    assert comment["event_key"] == "PullRequestReviewCommentEvent:created:9001"
    assert (comment["pull_review_comment_id"], comment["pull_review_id"]) == (9001, 8001)
    assert (comment["issue_id"], comment["issue_number"]) == (7002, 2)


def test_releases_published_and_drafts() -> None:
    row = release_row(CTX, HOST.release(by_id("releases", 3003)))
    assert row is not None
    assert row["event_key"] == "ReleaseEvent:published:3003"
    assert (row["release_id"], row["release_tag_name"], row["release_prerelease"]) == (
        3003,
        "v1.1.0-beta.1",
        True,
    )
    assert (row["created_at"], row["month"], row["actor_login"]) == (
        naive("2024-03-05T00:00:00Z"),
        "2024-03",
        "bob",
    )
    assert release_row(CTX, HOST.release(by_id("releases", 3002))) is None  # a draft


def test_times_with_offsets_become_utc_and_a_deleted_user_is_a_null_actor() -> None:
    doc = issue_doc(1)
    doc["created_at"] = "2024-01-10T10:00:00+01:00"  # 09:00 UTC
    doc["user"] = None
    row = opened_issue_row(CTX, issue_ref(doc))
    assert row["created_at"] == naive("2024-01-10T09:00:00Z")
    assert (row["actor_id"], row["actor_login"], row["issue_author_id"]) == (None, None, None)


def test_number_from_url_and_updated_at() -> None:
    comment = HOST.issue_comment(by_id("comments", 6003))
    assert number_from_url(comment, "issue_url", "issue-comment") == 3
    comment["issue_url"] = "https://codehost.example/api/v3/repos/acme/widget/issues/x"
    with pytest.raises(NormalizeError, match="codehost issue-comment 6003: issue_url"):
        number_from_url(comment, "issue_url", "issue-comment")
    assert updated_at(comment) == datetime(2024, 2, 3, 12, 30, tzinfo=UTC)
    assert updated_at({"created_at": "2024-01-01T00:00:00Z"}) == datetime(2024, 1, 1, tzinfo=UTC)
    assert updated_at({"updated_at": 5}) is None and updated_at([1]) is None


# ------------------------------------------------------------------ damaged documents


def _storable(row: object) -> None:
    """A row the normalizer returns fits the events dataset's columns and types."""
    assert isinstance(row, dict) and list(row) == COLUMNS
    pa.Table.from_pylist([row], schema=DATASETS["events"].schema)


CASES: dict[str, tuple[Any, Any]] = {
    "repo": (lambda d: repo_context("github.com", d), HOST.repository()),
    "issue": (lambda d: opened_issue_row(CTX, issue_ref(d)), issue_doc(1)),
    "pull": (lambda d: opened_pull_row(CTX, pull_ref(d)), pull_doc(2)),
    "event": (
        lambda d: state_change_row(CTX, d, issue_ref(issue_doc(2)), pull_ref(pull_doc(2))),
        event_doc(4003),
    ),
    "embedded": (lambda d: embedded_issue(d), event_doc(4001)),
    "comment": (
        lambda d: issue_comment_row(CTX, d, issue_ref(issue_doc(1))),
        HOST.issue_comment(by_id("comments", 6001)),
    ),
    "review": (
        lambda d: review_row(CTX, d, pull_ref(pull_doc(2))),
        HOST.review(by_id("reviews", 8001)),
    ),
    "review_comment": (
        lambda d: review_comment_row(CTX, d, pull_ref(pull_doc(2))),
        HOST.review_comment(by_id("review_comments", 9001)),
    ),
    "release": (lambda d: release_row(CTX, d), HOST.release(by_id("releases", 3001))),
    "url": (
        lambda d: number_from_url(d, "issue_url", "issue-comment"),
        HOST.issue_comment(by_id("comments", 6001)),
    ),
}


@given(st.sampled_from(sorted(CASES)), st.data())
def test_damaged_documents_give_a_row_or_one_line_normalize_error(
    case: str, data: st.DataObject
) -> None:
    read, original = CASES[case]
    doc = data.draw(damaged(copy.deepcopy(original)))
    try:
        result = read(doc)
    except NormalizeError as error:
        check_one_line(error, ("codehost ",))
        return
    if isinstance(result, dict):
        _storable(result)
    moment = updated_at(doc)  # never raises, whatever the damage
    assert moment is None or moment.tzinfo is not None


@given(
    st.sampled_from(["created_at", "id", "number", "user", "title", "pull_request"]),
    st.one_of(
        st.none(),
        st.integers(),
        st.floats(allow_nan=True),
        st.text(max_size=30),
        st.booleans(),
        st.lists(st.integers(), max_size=2),
        st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
    ),
)
def test_any_value_in_an_issue_field_gives_a_storable_row_or_normalize_error(
    key: str, value: object
) -> None:
    doc = issue_doc(1)
    doc[key] = value
    try:
        row = opened_issue_row(CTX, issue_ref(doc))
    except NormalizeError as error:
        check_one_line(error, ("codehost issue",))
        return
    _storable(row)
