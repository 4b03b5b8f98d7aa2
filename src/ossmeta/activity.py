"""The shape of activity data every stage agrees on: event, commit and tag columns.

Events follow OpenDigger's flattened ``events`` table (one row per upstream event, the
payload spread into typed columns) so that metric SQL reads like theirs. GH Archive rows,
code-host API rows and git rows all land in these columns; ``source`` says which, and
``source_rank`` decides which row wins when two describe the same event (API over log, as
OpenDigger's ``ReplacingMergeTree(from_api)``).

Types are named, not imported, so this core module does not need pyarrow: the store maps
them (``string``, ``int64``, ``int32``, ``float64``, ``bool``, ``timestamp`` = UTC,
microseconds, no zone).
"""

from __future__ import annotations

from typing import Final

__all__ = [
    "COMMIT_COLUMNS",
    "EVENT_COLUMNS",
    "SOURCE_RANK",
    "TAG_COLUMNS",
    "event_key",
]

#: Higher wins when two rows share an ``event_key``.
SOURCE_RANK: Final[dict[str, int]] = {"gharchive": 1, "api": 2}

#: (column, type). ``month`` (``YYYY-MM`` of ``created_at``) is the partition key.
EVENT_COLUMNS: Final[tuple[tuple[str, str], ...]] = (
    ("event_key", "string"),  # deduplication key, see event_key()
    ("event_id", "string"),  # upstream id: GH Archive event id, or the API object's id
    ("source", "string"),  # gharchive | api
    ("source_rank", "int32"),
    ("platform", "string"),  # code host, e.g. github.com
    ("type", "string"),  # GH Archive type name: IssuesEvent, PullRequestEvent, ...
    ("action", "string"),  # payload.action; '' when the type has none
    ("created_at", "timestamp"),
    ("month", "string"),
    ("repo_id", "int64"),
    ("repo_name", "string"),  # owner/name as the event gave it
    ("org_id", "int64"),
    ("org_login", "string"),
    ("actor_id", "int64"),
    ("actor_login", "string"),
    # issues and pull requests share issue_* (a PR's issue_id is the PR's own id)
    ("issue_id", "int64"),
    ("issue_number", "int64"),
    ("issue_title", "string"),
    ("issue_author_id", "int64"),
    ("issue_author_login", "string"),
    ("issue_created_at", "timestamp"),
    ("issue_closed_at", "timestamp"),
    ("issue_comments", "int32"),
    ("issue_is_pull", "bool"),  # an issue comment on a pull request's conversation
    ("issue_comment_id", "int64"),
    ("pull_merged", "bool"),  # null when the payload no longer says (trimmed shape)
    ("pull_merged_at", "timestamp"),
    ("pull_additions", "int64"),
    ("pull_deletions", "int64"),
    ("pull_changed_files", "int32"),
    ("pull_commits", "int32"),
    ("pull_review_id", "int64"),
    ("pull_review_state", "string"),
    ("pull_review_comment_id", "int64"),
    ("push_id", "int64"),
    ("push_size", "int32"),
    ("push_distinct_size", "int32"),
    ("fork_forkee_id", "int64"),
    ("release_id", "int64"),
    ("release_tag_name", "string"),
    ("release_prerelease", "bool"),
    ("create_ref_type", "string"),  # CreateEvent / DeleteEvent: repository | branch | tag
    ("create_ref", "string"),
    ("trimmed", "bool"),  # payload in the shape trimmed in October 2025: fields may be absent
)

#: One row per commit of a git repository, partitioned by the author month.
COMMIT_COLUMNS: Final[tuple[tuple[str, str], ...]] = (
    ("repo", "string"),  # canonical host/owner/name, or the path's name when it has none
    ("sha", "string"),
    ("author_name", "string"),
    ("author_email", "string"),
    ("author_time", "timestamp"),  # UTC
    ("author_offset", "int32"),  # minutes east of UTC as recorded
    ("committer_name", "string"),
    ("committer_email", "string"),
    ("committer_time", "timestamp"),
    ("committer_offset", "int32"),
    ("parents", "int32"),
    ("is_merge", "bool"),
    ("files_changed", "int32"),
    ("insertions", "int64"),
    ("deletions", "int64"),
    ("month", "string"),
)

#: One row per tag; annotated tags carry their own time, lightweight ones the commit's.
TAG_COLUMNS: Final[tuple[tuple[str, str], ...]] = (
    ("repo", "string"),
    ("name", "string"),
    ("sha", "string"),  # the commit the tag points at
    ("tagged_at", "timestamp"),
    ("annotated", "bool"),
    ("month", "string"),
)

# Which events collapse: only the same state change reported twice (by the log and the API,
# or twice by the log). A change of an object that happens once (opened, a comment, a review,
# a release) is named by the object; one that can repeat (closed, reopened, labeled) also by
# who did it and the second: two people closing the same issue in the same second are two
# events, and must stay two rows.
_OBJECT_KEYED: Final[dict[str, str]] = {
    "IssueCommentEvent": "issue_comment_id",
    "PullRequestReviewCommentEvent": "pull_review_comment_id",
    "PullRequestReviewEvent": "pull_review_id",
    "ReleaseEvent": "release_id",
}


def event_key(
    event_type: str,
    action: str,
    *,
    upstream_id: str,
    object_id: int | None,
    actor_id: int | None,
    created_epoch_s: int,
) -> str:
    """The deduplication key of one event.

    - Comments, review comments, reviews and releases: ``type:action:object id``.
    - Issues and pull requests: ``type:action:id`` for ``opened`` (once per object), and
      ``type:action:id:epoch-second:actor id`` for every other action, since an issue can be
      closed, reopened and closed again, by different people (a missing actor is empty).
    - Everything else (pushes, stars, forks, ...): ``gh:<GH Archive event id>``.
    """
    if object_id is not None and (
        event_type in _OBJECT_KEYED or event_type in ("IssuesEvent", "PullRequestEvent")
    ):
        if event_type in _OBJECT_KEYED or action == "opened":
            return f"{event_type}:{action}:{object_id}"
        actor = "" if actor_id is None else actor_id
        return f"{event_type}:{action}:{object_id}:{created_epoch_s}:{actor}"
    return f"gh:{upstream_id}"


def object_key_column(event_type: str) -> str | None:
    """Which column holds the object id that keys ``event_type`` (None: keyed by event id)."""
    if event_type in _OBJECT_KEYED:
        return _OBJECT_KEYED[event_type]
    if event_type in ("IssuesEvent", "PullRequestEvent"):
        return "issue_id"
    return None
