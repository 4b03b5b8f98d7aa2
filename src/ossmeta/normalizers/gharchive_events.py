"""One GH Archive event → one row of ``activity.EVENT_COLUMNS`` (OpenDigger's flattened
``events`` table), as a pure function.

Column semantics follow OpenDigger: issues and pull requests share the ``issue_*`` columns
(a pull request's ``issue_id`` is the pull request's own id, ``issue_number`` the payload's
``number``, ``issue_author_*`` its ``user``); ``issue_is_pull`` says an issue comment sits
on a pull request's conversation (``issue.pull_request`` present); ``pull_merged`` is
``pull_request.merged``; reviews give ``pull_review_id``/``_state``, review comments
``pull_review_comment_id`` (and the review they belong to); releases, forks, pushes and
ref creation/deletion fill their own columns. Times are naive UTC datetimes.

Two payload shapes, told apart by shape (the date alone would misfile late-arriving or
backfilled hours):

- **Full** (GH Archive from 2015 to 7 October 2025): issue and pull request objects as the
  REST API gives them (``user``, ``created_at``, ``merged``, ``additions``, ...); a
  PushEvent carries ``size``, ``distinct_size`` and up to 20 ``commits``.
- **Trimmed** (GitHub's Events API from 7 October 2025, announced in the GitHub changelog
  of 2025-08-08, "Upcoming changes to GitHub Events API payloads"). What the record shows:
  GH Archive issue #312 counts about 60 field names in a PullRequestEvent after the change
  against more than 400 before, ``body`` among those gone; octocrab PR #826 (November 2025)
  trimmed its PullRequestEvent test payload to ``action``, ``number`` and a
  ``pull_request`` of ``url``, ``id``, ``number`` and ``head``/``base`` (``ref``, ``sha``,
  ``repo{id, url, name}``), and dropped ``size`` from PushEvent because deserializing new
  events failed with "missing field `size`"; the GitHub documentation of the push payload
  now lists ``size``, ``distinct_size`` and ``commits`` for GitHub Enterprise Server only,
  leaving ``repository_id``, ``push_id``, ``ref``, ``head`` and ``before``; review events
  carry the same small ``pull_request`` next to a full ``review`` (zerocracy/judges-action
  #1195 and the test payloads of its fix); ``author_association`` left issue and comment
  payloads (electron/electron #48013, google/go-github #3667). Consumers report
  ``merged``/``merged_at``/``additions`` missing from closed pull requests, so a merge is
  no longer visible in the log.

  So: a ``pull_request`` object without ``user`` and ``created_at`` is trimmed, as is a
  PushEvent without ``size`` and ``commits``, and (no such object has been reported, the
  rule is there in case) an ``issue`` object without ``user`` and ``created_at``. Such rows
  get ``trimmed = True`` and NULL wherever the payload no longer says (never an invented 0
  or False: an unknown merge is not an unmerged pull request). An issue comment that only
  lost ``author_association`` is not flagged: that field is no column, and comments of
  2015 lack it too, so the shape cannot tell.

Not supported: the pre-2015 Timeline schema (``repository`` instead of ``repo``, no event
id), which raises ``SkippedEvent``, a ``NormalizeError`` the importer counts by reason
rather than as damage. Any other event that lacks its id, type, time, actor or repository,
or holds a value of the wrong type, raises ``NormalizeError`` with a one-line reason.

Speed: this runs once per event of every hour imported, so a row is a tuple of only the
columns its type can fill (``HEAD_COLUMNS`` then ``LAYOUTS[layout]``); the importer builds
one Arrow table per layout and leaves every other column NULL, which costs nothing per
row. ``event_record`` gives the whole row as a mapping, for readers.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Final

from ossmeta.activity import EVENT_COLUMNS, SOURCE_RANK, event_key, object_key_column
from ossmeta.errors import NormalizeError

__all__ = [
    "CONSTANTS",
    "GENERIC",
    "HEAD_COLUMNS",
    "LAYOUTS",
    "PLATFORM",
    "SOURCE",
    "TIMELINE_SCHEMA",
    "SkippedEvent",
    "event_record",
    "event_row",
]

SOURCE: Final = "gharchive"
PLATFORM: Final = "github.com"
TIMELINE_SCHEMA: Final = "pre-2015 Timeline schema"

#: Columns with one value for every GH Archive row; not repeated in each row.
CONSTANTS: Final[dict[str, object]] = {
    "source": SOURCE,
    "source_rank": SOURCE_RANK[SOURCE],
    "platform": PLATFORM,
}
#: The columns every row starts with.
HEAD_COLUMNS: Final[tuple[str, ...]] = (
    "event_key",
    "event_id",
    "type",
    "action",
    "created_at",
    "month",
    "repo_id",
    "repo_name",
    "org_id",
    "org_login",
    "actor_id",
    "actor_login",
)
_ISSUE: Final = (
    "issue_id",
    "issue_number",
    "issue_title",
    "issue_author_id",
    "issue_author_login",
    "issue_created_at",
    "issue_closed_at",
    "issue_comments",
    "issue_is_pull",
)
_PULL: Final = (
    *_ISSUE,
    "pull_merged",
    "pull_merged_at",
    "pull_additions",
    "pull_deletions",
    "pull_changed_files",
    "pull_commits",
)
#: Layout of the event types not listed in ``LAYOUTS`` (stars, wiki edits, ...).
GENERIC: Final = ""
#: The payload columns a row of each layout holds after the head; ``trimmed`` is last.
LAYOUTS: Final[dict[str, tuple[str, ...]]] = {
    "IssuesEvent": (*_ISSUE, "trimmed"),
    "IssueCommentEvent": (*_ISSUE, "issue_comment_id", "trimmed"),
    "PullRequestEvent": (*_PULL, "trimmed"),
    "PullRequestReviewEvent": (*_PULL, "pull_review_id", "pull_review_state", "trimmed"),
    "PullRequestReviewCommentEvent": (
        *_PULL,
        "pull_review_comment_id",
        "pull_review_id",
        "trimmed",
    ),
    "PushEvent": ("push_id", "push_size", "push_distinct_size", "trimmed"),
    "ForkEvent": ("fork_forkee_id", "trimmed"),
    "ReleaseEvent": ("release_id", "release_tag_name", "release_prerelease", "trimmed"),
    "CreateEvent": ("create_ref_type", "create_ref", "trimmed"),
    "DeleteEvent": ("create_ref_type", "create_ref", "trimmed"),
    GENERIC: ("trimmed",),
}

_INT64: Final = 1 << 63
_INT32: Final = 1 << 31
_EPOCH_DAY: Final = datetime(1970, 1, 1).toordinal()
_NOT_TRIMMED: Final = (False,)


class SkippedEvent(NormalizeError):
    """An event in a shape that is deliberately not imported; ``reason`` names the shape."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


# -- typed reads: a wrong type is an error, an absent or null value is None ----------------


def _kind(value: object) -> str:
    return {
        dict: "an object",
        list: "an array",
        str: "a string",
        int: "an integer",
        float: "a number",
        bool: "a boolean",
        type(None): "null",
    }.get(type(value), type(value).__name__)


def _wrong(where: str, key: str, value: object, wanted: str) -> NormalizeError:
    return NormalizeError(f"{where}.{key} is {_kind(value)}, not {wanted}")


def _int(obj: dict[str, Any], key: str, where: str) -> int | None:
    value = obj.get(key)
    if value is None:
        return None
    if type(value) is not int:
        raise _wrong(where, key, value, "an integer")
    if not -_INT64 <= value < _INT64:
        raise NormalizeError(f"{where}.{key} is out of the 64-bit range")
    return value


def _int32(obj: dict[str, Any], key: str, where: str) -> int | None:
    value = obj.get(key)
    if value is None:
        return None
    if type(value) is not int:
        raise _wrong(where, key, value, "an integer")
    if not -_INT32 <= value < _INT32:
        raise NormalizeError(f"{where}.{key} is out of the 32-bit range")
    return value


def _str(obj: dict[str, Any], key: str, where: str) -> str | None:
    value = obj.get(key)
    if value is None or type(value) is str:
        return value
    raise _wrong(where, key, value, "a string")


def _bool(obj: dict[str, Any], key: str, where: str) -> bool | None:
    value = obj.get(key)
    if value is None or type(value) is bool:
        return value
    raise _wrong(where, key, value, "true or false")


def _object(obj: dict[str, Any], key: str, where: str) -> dict[str, Any] | None:
    value = obj.get(key)
    if value is None or type(value) is dict:
        return value
    raise _wrong(where, key, value, "an object")


def _parse_time(text: str) -> datetime:
    """ISO 8601 → naive UTC. GH Archive writes ``2015-01-01T15:00:01Z``; offsets and
    fractions are accepted too."""
    if len(text) == 20 and text[19] == "Z":
        return datetime.fromisoformat(text[:19])
    parsed = datetime.fromisoformat(text)
    if parsed.tzinfo is None:
        return parsed
    return parsed.astimezone(UTC).replace(tzinfo=None)


def _epoch_seconds(moment: datetime) -> int:
    """Seconds since 1970 of a naive UTC time (whole seconds; integer arithmetic is
    several times cheaper than datetime subtraction, and this runs for every event)."""
    days = moment.toordinal() - _EPOCH_DAY
    return days * 86_400 + moment.hour * 3_600 + moment.minute * 60 + moment.second


def _time(obj: dict[str, Any], key: str, where: str) -> datetime | None:
    value = obj.get(key)
    if value is None:
        return None
    if type(value) is not str:
        raise _wrong(where, key, value, "a time")
    try:
        return _parse_time(value)
    except (ValueError, OverflowError):
        raise NormalizeError(f"{where}.{key} is not an ISO 8601 time: {value[:40]!r}") from None


def _created(text: str, upstream_id: str) -> tuple[datetime, str]:
    """(time, ``YYYY-MM``); GH Archive's own form is sliced, not formatted, for speed."""
    try:
        if len(text) == 20 and text[19] == "Z" and text[4] == "-" and text[7] == "-":
            return datetime.fromisoformat(text[:19]), text[:7]
        created = _parse_time(text)
    except (ValueError, OverflowError):
        message = f"event {upstream_id}: created_at is not an ISO 8601 time: {text[:40]!r}"
        raise NormalizeError(message) from None
    return created, f"{created.year:04d}-{created.month:02d}"


# -- payloads: each returns the values of its layout ---------------------------------------

_NO_AUTHOR: Final = (None, None)
_NO_ISSUE: Final = (None,) * len(_ISSUE)
_NO_PULL: Final = (None,) * (len(_PULL) - len(_ISSUE))


def _author(item: dict[str, Any], where: str) -> tuple[int | None, str | None]:
    user = _object(item, "user", where)
    if user is None:
        return _NO_AUTHOR
    return _int(user, "id", f"{where}.user"), _str(user, "login", f"{where}.user")


def _issue_values(payload: dict[str, Any]) -> tuple[tuple[object, ...], bool]:
    """The ``issue_*`` values of an issue or issue comment event, and whether the issue
    object is trimmed."""
    issue = _object(payload, "issue", "payload")
    if issue is None:
        return _NO_ISSUE, False
    where = "payload.issue"
    trimmed = "user" not in issue and "created_at" not in issue
    # A trimmed issue may have lost its pull_request link too: unknown then, not False.
    is_pull = True if issue.get("pull_request") is not None else (None if trimmed else False)
    values = (
        _int(issue, "id", where),
        _int(issue, "number", where),
        _str(issue, "title", where),
        *_author(issue, where),
        _time(issue, "created_at", where),
        _time(issue, "closed_at", where),
        _int32(issue, "comments", where),
        is_pull,
    )
    return values, trimmed


def _issues(payload: dict[str, Any]) -> tuple[object, ...]:
    values, trimmed = _issue_values(payload)
    return (*values, trimmed)


def _issue_comment(payload: dict[str, Any]) -> tuple[object, ...]:
    values, trimmed = _issue_values(payload)
    comment = _object(payload, "comment", "payload")
    comment_id = None if comment is None else _int(comment, "id", "payload.comment")
    return (*values, comment_id, trimmed)


def _pull_values(payload: dict[str, Any]) -> tuple[tuple[object, ...], bool]:
    """The ``issue_*`` and ``pull_*`` values from the pull request object that pull
    request, review and review comment events share, and whether it is trimmed."""
    number = _int(payload, "number", "payload")
    pull = _object(payload, "pull_request", "payload")
    if pull is None:
        return (None, number, None, None, None, None, None, None, True, *_NO_PULL), False
    where = "payload.pull_request"
    values = (
        _int(pull, "id", where),
        number if number is not None else _int(pull, "number", where),
        _str(pull, "title", where),
        *_author(pull, where),
        _time(pull, "created_at", where),
        _time(pull, "closed_at", where),
        _int32(pull, "comments", where),
        True,
        _bool(pull, "merged", where),
        _time(pull, "merged_at", where),
        _int(pull, "additions", where),
        _int(pull, "deletions", where),
        _int32(pull, "changed_files", where),
        _int32(pull, "commits", where),
    )
    return values, "user" not in pull and "created_at" not in pull


def _pull_request(payload: dict[str, Any]) -> tuple[object, ...]:
    values, trimmed = _pull_values(payload)
    return (*values, trimmed)


def _review(payload: dict[str, Any]) -> tuple[object, ...]:
    values, trimmed = _pull_values(payload)
    review = _object(payload, "review", "payload")
    if review is None:
        return (*values, None, None, trimmed)
    where = "payload.review"
    return (*values, _int(review, "id", where), _str(review, "state", where), trimmed)


def _review_comment(payload: dict[str, Any]) -> tuple[object, ...]:
    values, trimmed = _pull_values(payload)
    comment = _object(payload, "comment", "payload")
    if comment is None:
        return (*values, None, None, trimmed)
    where = "payload.comment"
    review_id = _int(comment, "pull_request_review_id", where)
    return (*values, _int(comment, "id", where), review_id, trimmed)


def _push(payload: dict[str, Any]) -> tuple[object, ...]:
    return (
        _int(payload, "push_id", "payload"),
        _int32(payload, "size", "payload"),
        _int32(payload, "distinct_size", "payload"),
        "size" not in payload and "commits" not in payload,
    )


def _fork(payload: dict[str, Any]) -> tuple[object, ...]:
    forkee = _object(payload, "forkee", "payload")
    return (None if forkee is None else _int(forkee, "id", "payload.forkee"), False)


def _release(payload: dict[str, Any]) -> tuple[object, ...]:
    release = _object(payload, "release", "payload")
    if release is None:
        return (None, None, None, False)
    where = "payload.release"
    return (
        _int(release, "id", where),
        _str(release, "tag_name", where),
        _bool(release, "prerelease", where),
        False,
    )


def _ref(payload: dict[str, Any]) -> tuple[object, ...]:
    return (_str(payload, "ref_type", "payload"), _str(payload, "ref", "payload"), False)


_PAYLOADS: Final = {
    "IssuesEvent": _issues,
    "IssueCommentEvent": _issue_comment,
    "PullRequestEvent": _pull_request,
    "PullRequestReviewEvent": _review,
    "PullRequestReviewCommentEvent": _review_comment,
    "PushEvent": _push,
    "ForkEvent": _fork,
    "ReleaseEvent": _release,
    "CreateEvent": _ref,
    "DeleteEvent": _ref,
}
# Where, among a layout's payload values, the id that keys the event type sits.
_KEY_AT: Final[dict[str, int]] = {
    layout: columns.index(key)
    for layout, columns in LAYOUTS.items()
    if (key := object_key_column(layout)) is not None
}


# -- the event -----------------------------------------------------------------------------


def event_row(event: dict[str, Any]) -> tuple[str, tuple[object, ...]]:
    """``(layout, values)``: the values of ``HEAD_COLUMNS + LAYOUTS[layout]``."""
    if type(event) is not dict:
        raise NormalizeError(f"an event is a JSON object, not {_kind(event)}")
    repo = event.get("repo")
    if repo is None and "repository" in event:
        raise SkippedEvent(TIMELINE_SCHEMA)
    upstream_id = event.get("id")
    if type(upstream_id) is int and upstream_id >= 0:
        upstream_id = str(upstream_id)
    elif type(upstream_id) is not str or not upstream_id:
        if upstream_id is None:
            raise NormalizeError("event without an id")
        raise NormalizeError(f"event id is {_kind(upstream_id)}, not a string")
    kind = event.get("type")
    if type(kind) is not str or not kind:
        raise NormalizeError(f"event {upstream_id}: without a type")
    created_text = event.get("created_at")
    if type(created_text) is not str:
        raise NormalizeError(f"event {upstream_id}: without a created_at time")
    created, month = _created(created_text, upstream_id)
    try:
        return _row(event, upstream_id, kind, created, month, repo)
    except NormalizeError as error:
        raise NormalizeError(f"{kind} {upstream_id}: {error.message}") from None


def _row(
    event: dict[str, Any],
    upstream_id: str,
    kind: str,
    created: datetime,
    month: str,
    repo: object,
) -> tuple[str, tuple[object, ...]]:
    if type(repo) is not dict:
        raise NormalizeError("without a repo" if repo is None else f"repo is {_kind(repo)}")
    actor = event.get("actor")
    if type(actor) is not dict:
        raise NormalizeError("without an actor" if actor is None else f"actor is {_kind(actor)}")
    payload = event.get("payload")
    if payload is None:
        payload = {}
    elif type(payload) is not dict:
        raise NormalizeError(f"payload is {_kind(payload)}, not an object")
    repo_id = _int(repo, "id", "repo")
    repo_name = _str(repo, "name", "repo")
    actor_id = _int(actor, "id", "actor")
    if repo_id is None or repo_name is None:
        raise NormalizeError("repo without its id or name")
    if actor_id is None:
        raise NormalizeError("actor without an id")
    org = _object(event, "org", "event")
    action = _str(payload, "action", "payload") or ""
    handler = _PAYLOADS.get(kind)
    layout = kind if handler is not None else GENERIC
    values = handler(payload) if handler is not None else _NOT_TRIMMED
    at = _KEY_AT.get(layout)
    key = event_key(
        kind,
        action,
        upstream_id=upstream_id,
        object_id=None if at is None else values[at],  # type: ignore[arg-type]
        actor_id=actor_id,
        created_epoch_s=_epoch_seconds(created),
    )
    head = (
        key,
        upstream_id,
        kind,
        action,
        created,
        month,
        repo_id,
        repo_name,
        None if org is None else _int(org, "id", "org"),
        None if org is None else _str(org, "login", "org"),
        actor_id,
        _str(actor, "login", "actor"),
    )
    return layout, head + values


def event_record(event: dict[str, Any]) -> dict[str, object]:
    """Every column of ``activity.EVENT_COLUMNS`` for one event (NULL where its type has
    nothing to say): the row as readers and tests see it."""
    layout, values = event_row(event)
    filled = dict(zip(HEAD_COLUMNS + LAYOUTS[layout], values, strict=True))
    return {name: filled.get(name, CONSTANTS.get(name)) for name, _ in EVENT_COLUMNS}
