"""GH Archive events → OpenDigger-style rows: the columns each event type fills, in the
2015, 2021 and 2025 full shapes and in the shape trimmed in October 2025 (NULL where the
payload no longer says, never an invented 0 or False), the deduplication key, the
Timeline schema skipped, and damaged events (only NormalizeError escapes)."""

from __future__ import annotations

import calendar
import copy
import json
from datetime import datetime
from typing import Any

import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ossmeta.activity import EVENT_COLUMNS
from ossmeta.errors import NormalizeError
from ossmeta.normalizers.gharchive_events import (
    CONSTANTS,
    HEAD_COLUMNS,
    LAYOUTS,
    TIMELINE_SCHEMA,
    SkippedEvent,
    event_record,
    event_row,
)
from ossmeta.store.activity_files import DATASETS
from tests.helpers import DATA
from tests.normalizers.damage import damaged

EVENTS: dict[str, dict[str, Any]] = json.loads(
    (DATA / "gharchive" / "events.json").read_text(encoding="utf-8")
)["events"]
SCHEMA = DATASETS["events"].schema


def epoch(*utc: int) -> int:
    return calendar.timegm((*utc, 0, 0, 0))


def filled(name: str) -> dict[str, object]:
    """The columns an event sets, leaving out the ones every row has."""
    common = {"source", "source_rank", "platform", "event_id", "type", "created_at", "month"}
    common |= {"repo_id", "repo_name", "org_id", "org_login", "actor_id", "actor_login"}
    record = event_record(EVENTS[name])
    return {k: v for k, v in record.items() if v is not None and k not in common}


# ------------------------------------------------------------------ the layouts


def test_every_layout_is_a_subset_of_the_event_columns_with_trimmed_last() -> None:
    names = [name for name, _ in EVENT_COLUMNS]
    for layout, columns in LAYOUTS.items():
        row_columns = HEAD_COLUMNS + columns
        assert len(set(row_columns)) == len(row_columns), layout
        assert set(row_columns) | set(CONSTANTS) <= set(names), layout
        assert columns[-1] == "trimmed", layout
    assert not set(HEAD_COLUMNS) & set(CONSTANTS)
    assert list(event_record(EVENTS["2015 PushEvent"])) == names


# ------------------------------------------------------------------ the head columns


def test_the_columns_every_row_has() -> None:
    record = event_record(EVENTS["2015 PushEvent"])
    assert {k: record[k] for k in (*HEAD_COLUMNS[1:], *CONSTANTS)} == {
        "event_id": "2489651045",
        "type": "PushEvent",
        "action": "",  # a push has no action: '' as the column contract says
        "created_at": datetime(2015, 1, 1, 15, 0, 0),  # naive UTC
        "month": "2015-01",
        "repo_id": 28688495,
        "repo_name": "acme/parser",
        "org_id": 9100,
        "org_login": "acme",
        "actor_id": 3001,
        "actor_login": "alice",
        "source": "gharchive",
        "source_rank": 1,
        "platform": "github.com",
    }


def test_an_event_without_org_has_null_org_columns() -> None:
    record = event_record(EVENTS["2015 CreateEvent repository"])
    assert record["org_id"] is None and record["org_login"] is None


def test_a_time_with_an_offset_becomes_utc_and_picks_the_utc_month() -> None:
    event = copy.deepcopy(EVENTS["2015 WatchEvent"])
    event["created_at"] = "2014-12-31T20:30:00-05:00"  # 2015-01-01 01:30 UTC
    record = event_record(event)
    assert record["created_at"] == datetime(2015, 1, 1, 1, 30)
    assert record["month"] == "2015-01"


# ------------------------------------------------------------------ full payloads, per type


def test_2015_push() -> None:
    assert filled("2015 PushEvent") == {
        "event_key": "gh:2489651045",  # pushes are keyed by the GH Archive event id
        "action": "",
        "push_id": 536863970,
        "push_size": 1,
        "push_distinct_size": 1,
        "trimmed": False,
    }


def test_2015_issue_opened() -> None:
    assert filled("2015 IssuesEvent opened") == {
        "event_key": "IssuesEvent:opened:53222160",  # opened happens once per issue
        "action": "opened",
        "issue_id": 53222160,
        "issue_number": 7,
        "issue_title": "Crash on empty input",
        "issue_author_id": 3003,
        "issue_author_login": "carol",
        "issue_created_at": datetime(2015, 1, 1, 15, 0, 2),
        "issue_comments": 0,
        "issue_is_pull": False,  # a full issue object without pull_request
        "trimmed": False,
    }


def test_2015_comment_on_a_pull_request_conversation() -> None:
    record = filled("2015 IssueCommentEvent on a pull request")
    assert record["event_key"] == "IssueCommentEvent:created:68479321"
    assert record["issue_comment_id"] == 68479321
    assert record["issue_is_pull"] is True  # issue.pull_request is present
    assert (record["issue_number"], record["issue_author_login"]) == (12, "alice")


def test_2015_merged_pull_request_credits_its_author_in_issue_author() -> None:
    closed = epoch(2015, 1, 1, 15, 0, 3)  # 1420124403
    assert filled("2015 PullRequestEvent closed merged") == {
        # closing can repeat (reopen, close again), so the key carries the second and actor
        "event_key": f"PullRequestEvent:closed:26731241:{closed}:3002",  # bob closed it
        "action": "closed",
        "issue_id": 26731241,  # a pull request's issue_id is the pull request's own id
        "issue_number": 12,
        "issue_title": "Fix parsing of empty input (#12)",
        "issue_author_id": 3001,  # alice wrote it; bob (the actor) merged it
        "issue_author_login": "alice",
        "issue_created_at": datetime(2014, 12, 30, 10, 0),
        "issue_closed_at": datetime(2015, 1, 1, 15, 0, 3),
        "issue_comments": 2,
        "issue_is_pull": True,
        "pull_merged": True,
        "pull_merged_at": datetime(2015, 1, 1, 15, 0, 3),
        "pull_additions": 120,
        "pull_deletions": 15,
        "pull_changed_files": 4,
        "pull_commits": 3,
        "trimmed": False,
    }


def test_2015_review_comment_has_no_review_id_yet() -> None:
    record = filled("2015 PullRequestReviewCommentEvent")
    assert record["event_key"] == "PullRequestReviewCommentEvent:created:22370480"
    assert record["pull_review_comment_id"] == 22370480
    assert "pull_review_id" not in record  # review ids came to comments after 2015
    assert (record["issue_id"], record["issue_number"], record["issue_author_login"]) == (
        26731300,
        13,
        "carol",
    )


def test_2015_release_fork_create_delete_and_other_types() -> None:
    assert filled("2015 ReleaseEvent") == {
        "event_key": "ReleaseEvent:published:818676",
        "action": "published",
        "release_id": 818676,
        "release_tag_name": "v0.3.0",
        "release_prerelease": False,
        "trimmed": False,
    }
    assert filled("2015 ForkEvent") == {
        "event_key": "gh:2489651110",
        "action": "",
        "fork_forkee_id": 28688800,
        "trimmed": False,
    }
    assert filled("2015 CreateEvent repository") == {
        "event_key": "gh:2489651051",
        "action": "",
        "create_ref_type": "repository",  # ref is null for a new repository
        "trimmed": False,
    }
    assert filled("2015 DeleteEvent") == {
        "event_key": "gh:2489651120",
        "action": "",
        "create_ref_type": "branch",
        "create_ref": "fix-empty",
        "trimmed": False,
    }
    assert filled("2015 WatchEvent")["action"] == "started"
    assert filled("2015 GollumEvent") == {
        "event_key": "gh:2489651130",
        "action": "",
        "trimmed": False,
    }


def test_2021_review_and_comment_on_an_issue() -> None:
    review = filled("2021 PullRequestReviewEvent")
    assert review["event_key"] == "PullRequestReviewEvent:created:561234567"
    assert (review["pull_review_id"], review["pull_review_state"]) == (561234567, "approved")
    assert (review["issue_id"], review["issue_number"], review["issue_author_id"]) == (
        550123456,
        41,
        3001,
    )
    comment = filled("2021 IssueCommentEvent on an issue")
    assert comment["issue_is_pull"] is False and comment["issue_comment_id"] == 752345678
    assert (
        filled("2021 PullRequestEvent opened")["event_key"] == "PullRequestEvent:opened:550123999"
    )


def test_2025_full_shapes() -> None:
    push = filled("2025 PushEvent")
    assert (push["push_size"], push["push_distinct_size"], push["trimmed"]) == (2, 1, False)
    closed = filled("2025 PullRequestEvent closed unmerged")
    assert closed["pull_merged"] is False  # said by the payload, not invented
    assert (
        closed["event_key"]
        == f"PullRequestEvent:closed:2234567890:{epoch(2025, 1, 1, 15, 1, 0)}:3006"
    )
    issue = filled("2025 IssuesEvent closed")
    assert issue["event_key"] == f"IssuesEvent:closed:2789012345:{epoch(2025, 1, 1, 15, 2, 0)}:3006"
    assert issue["issue_closed_at"] == datetime(2025, 1, 1, 15, 2)
    review = filled("2025 PullRequestReviewEvent")
    assert review["pull_review_state"] == "changes_requested"


# ------------------------------------------------------------------ the trimmed shape


def test_trimmed_push_has_null_sizes_not_zero() -> None:
    record = event_record(EVENTS["trimmed PushEvent"])
    assert record["push_id"] == 28765432109
    assert record["push_size"] is None and record["push_distinct_size"] is None
    assert record["trimmed"] is True


def test_trimmed_closed_pull_request_does_not_say_whether_it_was_merged() -> None:
    record = event_record(EVENTS["trimmed PullRequestEvent closed"])
    assert (record["issue_id"], record["issue_number"], record["issue_is_pull"]) == (
        2934567890,
        402,
        True,
    )
    unknown = (
        *("pull_merged", "pull_merged_at", "pull_additions", "pull_deletions"),
        *("pull_changed_files", "pull_commits", "issue_author_id", "issue_title"),
        *("issue_created_at", "issue_comments"),
    )
    assert {k: record[k] for k in unknown} == dict.fromkeys(unknown)
    assert record["trimmed"] is True
    assert (
        record["event_key"]
        == f"PullRequestEvent:closed:2934567890:{epoch(2025, 11, 3, 10, 1, 0)}:3006"
    )


def test_trimmed_review_keeps_the_review_and_the_pull_request_id() -> None:
    record = event_record(EVENTS["trimmed PullRequestReviewEvent"])
    assert (record["pull_review_id"], record["pull_review_state"]) == (3112345678, "approved")
    assert (record["issue_id"], record["issue_number"]) == (2934567999, 403)
    assert record["issue_author_id"] is None and record["trimmed"] is True


def test_an_issue_comment_that_lost_only_author_association_is_not_flagged() -> None:
    # author_association is not a column, and 2015 comments lack it too: the shape
    # cannot tell, and every column this event fills is still complete.
    record = event_record(EVENTS["trimmed IssueCommentEvent"])
    assert record["trimmed"] is False and record["issue_author_id"] == 3005


def test_trimming_is_told_by_shape_not_by_date() -> None:
    early = copy.deepcopy(EVENTS["trimmed PushEvent"])
    early["created_at"] = "2024-05-01T00:00:00Z"
    assert event_record(early)["trimmed"] is True
    late = copy.deepcopy(EVENTS["2025 PushEvent"])
    late["created_at"] = "2025-12-01T00:00:00Z"
    assert event_record(late)["trimmed"] is False


def test_a_trimmed_issue_object_leaves_is_pull_unknown() -> None:
    event = copy.deepcopy(EVENTS["2015 IssuesEvent opened"])
    event["payload"]["issue"] = {"id": 1, "number": 2}
    record = event_record(event)
    assert record["trimmed"] is True and record["issue_is_pull"] is None


# ------------------------------------------------------------------ refused events


def test_the_timeline_schema_is_skipped_with_its_reason() -> None:
    with pytest.raises(SkippedEvent) as caught:
        event_row(EVENTS["2012 Timeline PushEvent"])
    assert caught.value.reason == TIMELINE_SCHEMA
    assert isinstance(caught.value, NormalizeError)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda e: e.pop("id"), "event without an id"),
        (lambda e: e.update(id=[1]), "event id is an array, not a string"),
        (lambda e: e.pop("type"), "event 2489651060: without a type"),
        (lambda e: e.pop("created_at"), "event 2489651060: without a created_at time"),
        (
            lambda e: e.update(created_at="yesterday"),
            "event 2489651060: created_at is not an ISO 8601 time: 'yesterday'",
        ),
        (lambda e: e.pop("repo"), "IssuesEvent 2489651060: without a repo"),
        (lambda e: e.update(actor="carol"), "IssuesEvent 2489651060: actor is a string"),
        (lambda e: e["actor"].pop("id"), "IssuesEvent 2489651060: actor without an id"),
        (
            lambda e: e["repo"].update(id="28688495"),
            "IssuesEvent 2489651060: repo.id is a string, not an integer",
        ),
        (
            lambda e: e["payload"]["issue"].update(id=True),
            "IssuesEvent 2489651060: payload.issue.id is a boolean, not an integer",
        ),
        (
            lambda e: e["payload"]["issue"].update(comments=2**31),
            "IssuesEvent 2489651060: payload.issue.comments is out of the 32-bit range",
        ),
        (
            lambda e: e["payload"]["issue"].update(id=2**63),
            "IssuesEvent 2489651060: payload.issue.id is out of the 64-bit range",
        ),
        (
            lambda e: e["payload"]["issue"].update(created_at="2015-02-30T00:00:00Z"),
            "IssuesEvent 2489651060: payload.issue.created_at is not an ISO 8601 time: "
            "'2015-02-30T00:00:00Z'",
        ),
        (
            lambda e: e["payload"].update(issue=[]),
            "IssuesEvent 2489651060: payload.issue is an array, not an object",
        ),
        (
            lambda e: e.update(payload="x"),
            "IssuesEvent 2489651060: payload is a string, not an object",
        ),
    ],
)
def test_a_malformed_event_is_a_one_line_normalize_error(change: Any, message: str) -> None:
    event = copy.deepcopy(EVENTS["2015 IssuesEvent opened"])
    change(event)
    with pytest.raises(NormalizeError) as caught:
        event_row(event)
    assert not isinstance(caught.value, SkippedEvent)
    assert str(caught.value) == message


def test_a_numeric_event_id_is_read_as_text() -> None:
    event = copy.deepcopy(EVENTS["2015 WatchEvent"])
    event["id"] = 2489651052
    assert event_record(event)["event_key"] == "gh:2489651052"


# ------------------------------------------------------------------ fuzzing


def arrow_ready(layout: str, values: tuple[object, ...]) -> None:
    """Every value fits its column's Arrow type (what the importer will ask of it)."""
    columns = HEAD_COLUMNS + LAYOUTS[layout]
    assert len(values) == len(columns)
    for column, value in zip(columns, values, strict=True):
        pa.array([value], type=SCHEMA.field(column).type)


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(sorted(EVENTS)).flatmap(lambda name: damaged(EVENTS[name])))
def test_damaged_events_give_a_storable_row_or_a_normalize_error(event: Any) -> None:
    try:
        layout, values = event_row(event)
    except NormalizeError as error:
        message = str(error)
        assert message and "\n" not in message
        return
    arrow_ready(layout, values)
    assert values[HEAD_COLUMNS.index("event_key")]
    assert isinstance(values[HEAD_COLUMNS.index("created_at")], datetime)
