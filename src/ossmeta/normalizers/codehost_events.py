"""Code-host API documents (GitHub's REST shape) to event rows: pure functions, no I/O.

Each row has every column of ``activity.EVENT_COLUMNS`` and describes the change the way
GH Archive's event for the same change does, so the two collide on ``event_key`` and the
API row (``source='api'``, higher ``source_rank``) replaces the log's:

==============================  ==========================================================
API document                    event (type, action, object id in the key)
==============================  ==========================================================
issue (not a pull request)      IssuesEvent opened, of the issue id
pull request (``pulls/{n}``)    PullRequestEvent opened, of the pull request's own id
issue event ``closed``          IssuesEvent / PullRequestEvent closed, at the event's second
issue event ``reopened``        IssuesEvent / PullRequestEvent reopened, at its second
issue comment                   IssueCommentEvent created, of the comment id
review (submitted)              PullRequestReviewEvent created, of the review id
review comment                  PullRequestReviewCommentEvent created, of the comment id
release (published)             ReleaseEvent published, of the release id
==============================  ==========================================================

What a row says, and why:

- ``actor`` is who acted: the author for opened, comments, reviews and releases; the
  event's actor for closed and reopened (for a merged pull request, who merged it).
- ``issue_*`` describe the issue or pull request the event is about. As in GH Archive, a
  comment on a pull request's conversation carries the *issue's* id (``issue_is_pull``
  true), while pull request, review and review-comment rows carry the pull request's id.
- Fields that describe the object *at the time of the event* are filled only where the
  API can say them: ``issue_comments`` is 0 on opened rows (nothing was said yet; the
  response-time metric relies on it) and null elsewhere; ``issue_closed_at`` is the event's
  time on closed rows and null elsewhere.
- A closed row of a pull request is its merge when the pull request was merged within
  ``MERGE_SLACK_S`` seconds of that close (merging closes; a close long before the merge
  was a close that a reopen undid). ``pull_merged`` is false on opened and reopened rows.
- ``pull_additions`` .. ``pull_commits`` come from the single pull request document (the
  list omits them) and are today's values, on every row of that pull request's events.
- A pending review (not submitted) and a draft release (not published) are not events yet:
  no row. An event without a user (deleted accounts) keeps a row with a null actor.

A document that cannot be read (a required field missing or of the wrong type) raises
``NormalizeError`` in one line naming the document; nothing else escapes.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Final

from ossmeta.activity import EVENT_COLUMNS, SOURCE_RANK, event_key
from ossmeta.normalizers.codehost_documents import (
    STATE_CHANGES,
    Doc,
    IssueRef,
    Person,
    PullRef,
    RepoContext,
)

__all__ = [
    "MERGE_SLACK_S",
    "Row",
    "issue_comment_row",
    "opened_issue_row",
    "opened_pull_row",
    "release_row",
    "review_comment_row",
    "review_row",
    "state_change_row",
]

Row = dict[str, object]

SOURCE: Final = "api"
MERGE_SLACK_S: Final = 2
_COLUMNS: Final = tuple(name for name, _ in EVENT_COLUMNS)


# -- rows --------------------------------------------------------------------------------


def _row(
    ctx: RepoContext,
    event_type: str,
    action: str,
    *,
    created_at: datetime,
    upstream_id: int,
    object_id: int,
    actor: Person,
) -> Row:
    row: Row = dict.fromkeys(_COLUMNS)
    row.update(
        event_key=event_key(
            event_type,
            action,
            upstream_id=str(upstream_id),
            object_id=object_id,
            actor_id=actor.id,
            created_epoch_s=int(created_at.timestamp()),
        ),
        event_id=str(upstream_id),
        source=SOURCE,
        source_rank=SOURCE_RANK[SOURCE],
        platform=ctx.platform,
        type=event_type,
        action=action,
        created_at=_naive(created_at),
        month=f"{created_at.year:04d}-{created_at.month:02d}",
        repo_id=ctx.repo_id,
        repo_name=ctx.repo_name,
        org_id=ctx.org_id,
        org_login=ctx.org_login,
        actor_id=actor.id,
        actor_login=actor.login,
        trimmed=False,
    )
    return row


def _naive(value: datetime | None) -> datetime | None:
    """UTC without a zone, as the store's timestamp columns hold times."""
    return None if value is None else value.astimezone(UTC).replace(tzinfo=None)


def _issue_fields(row: Row, issue: IssueRef) -> Row:
    row.update(
        issue_id=issue.id,
        issue_number=issue.number,
        issue_title=issue.title,
        issue_author_id=issue.author.id,
        issue_author_login=issue.author.login,
        issue_created_at=_naive(issue.created_at),
        issue_is_pull=issue.is_pull,
    )
    return row


def _pull_fields(row: Row, pull: PullRef) -> Row:
    row.update(
        issue_id=pull.id,
        issue_number=pull.number,
        issue_title=pull.title,
        issue_author_id=pull.author.id,
        issue_author_login=pull.author.login,
        issue_created_at=_naive(pull.created_at),
        issue_is_pull=True,
        pull_additions=pull.additions,
        pull_deletions=pull.deletions,
        pull_changed_files=pull.changed_files,
        pull_commits=pull.commits,
    )
    return row


def opened_issue_row(ctx: RepoContext, issue: IssueRef) -> Row:
    """IssuesEvent opened; pull requests open through ``opened_pull_row`` instead."""
    row = _row(
        ctx,
        "IssuesEvent",
        "opened",
        created_at=issue.created_at,
        upstream_id=issue.id,
        object_id=issue.id,
        actor=issue.author,
    )
    _issue_fields(row, issue)
    row["issue_comments"] = 0
    return row


def opened_pull_row(ctx: RepoContext, pull: PullRef) -> Row:
    row = _row(
        ctx,
        "PullRequestEvent",
        "opened",
        created_at=pull.created_at,
        upstream_id=pull.id,
        object_id=pull.id,
        actor=pull.author,
    )
    _pull_fields(row, pull)
    row.update(issue_comments=0, pull_merged=False)
    return row


def state_change_row(
    ctx: RepoContext, payload: object, issue: IssueRef, pull: PullRef | None
) -> Row | None:
    """IssuesEvent / PullRequestEvent closed or reopened from one issue event; None for
    the other kinds of issue event (labeled, merged, referenced...). ``pull`` is required
    when ``issue`` is a pull request."""
    doc = Doc("issue-event", payload)
    action = doc.text("event")
    if action not in STATE_CHANGES:
        return None
    created_at = doc.need_time("created_at")
    upstream_id = doc.need("id")
    actor = doc.person("actor")
    closed_at = _naive(created_at) if action == "closed" else None
    if not issue.is_pull:
        row = _row(
            ctx,
            "IssuesEvent",
            action,
            created_at=created_at,
            upstream_id=upstream_id,
            object_id=issue.id,
            actor=actor,
        )
        _issue_fields(row, issue)
        row["issue_closed_at"] = closed_at
        return row
    if pull is None:
        doc.fail(f"pull request #{issue.number} has no pull request document")
    row = _row(
        ctx,
        "PullRequestEvent",
        action,
        created_at=created_at,
        upstream_id=upstream_id,
        object_id=pull.id,
        actor=actor,
    )
    _pull_fields(row, pull)
    merged = (
        action == "closed"
        and pull.merged_at is not None
        and abs((created_at - pull.merged_at).total_seconds()) <= MERGE_SLACK_S
    )
    row.update(
        issue_closed_at=closed_at,
        pull_merged=merged,
        pull_merged_at=_naive(pull.merged_at) if merged else None,
    )
    return row


def issue_comment_row(ctx: RepoContext, payload: object, issue: IssueRef) -> Row:
    doc = Doc("issue-comment", payload)
    comment_id = doc.need("id")
    row = _row(
        ctx,
        "IssueCommentEvent",
        "created",
        created_at=doc.need_time("created_at"),
        upstream_id=comment_id,
        object_id=comment_id,
        actor=doc.person("user"),
    )
    _issue_fields(row, issue)
    row["issue_comment_id"] = comment_id
    return row


def review_row(ctx: RepoContext, payload: object, pull: PullRef) -> Row | None:
    """PullRequestReviewEvent created; None while the review is pending (unsubmitted)."""
    doc = Doc("review", payload)
    review_id = doc.need("id")
    submitted = doc.time("submitted_at")
    state = doc.text("state")
    if submitted is None or (state or "").upper() == "PENDING":
        return None
    row = _row(
        ctx,
        "PullRequestReviewEvent",
        "created",
        created_at=submitted,
        upstream_id=review_id,
        object_id=review_id,
        actor=doc.person("user"),
    )
    _pull_fields(row, pull)
    # The REST API says APPROVED; GH Archive's payload (a webhook's) says approved.
    row.update(pull_review_id=review_id, pull_review_state=state.lower() if state else None)
    return row


def review_comment_row(ctx: RepoContext, payload: object, pull: PullRef) -> Row:
    doc = Doc("review-comment", payload)
    comment_id = doc.need("id")
    row = _row(
        ctx,
        "PullRequestReviewCommentEvent",
        "created",
        created_at=doc.need_time("created_at"),
        upstream_id=comment_id,
        object_id=comment_id,
        actor=doc.person("user"),
    )
    _pull_fields(row, pull)
    row.update(
        pull_review_comment_id=comment_id,
        pull_review_id=doc.number("pull_request_review_id"),
    )
    return row


def release_row(ctx: RepoContext, payload: object) -> Row | None:
    """ReleaseEvent published; None for a draft (published_at null)."""
    doc = Doc("release", payload)
    release_id = doc.need("id")
    published = doc.time("published_at")
    if published is None or doc.flag("draft"):
        return None
    row = _row(
        ctx,
        "ReleaseEvent",
        "published",
        created_at=published,
        upstream_id=release_id,
        object_id=release_id,
        actor=doc.person("author"),
    )
    row.update(
        release_id=release_id,
        release_tag_name=doc.text("tag_name"),
        release_prerelease=bool(doc.flag("prerelease")),
    )
    return row
