"""GH Archive hourly files → rows of the ``events`` table, flattened by DuckDB.

The same rows as ``gharchive_events.event_row`` gives, for files whose every event is in
the plain GH Archive form: DuckDB reads and decompresses the file and parses each line
straight into the few typed fields the columns need (``read_json`` with explicit
columns), and the columns are built in SQL. That costs under twice what DuckDB merely
counting the lines costs; the Python reader spends most of its time creating objects for
fields no column keeps. Leaves are read as JSON text, so their JSON type is checked here
(DuckDB's own conversions would take ``"12"`` or ``true`` for an integer).

Strict by design: any value of a wrong type, out of range, a time not in GH Archive's own
``YYYY-MM-DDTHH:MM:SSZ`` form, a line that is not a JSON object, a damaged gzip stream or
a pre-2015 event makes the query fail as a whole (``error()`` in SQL). The caller then
reads that file with the Python reader, which tells each problem with its file and line
and accepts the looser forms (offsets, fractions). So a file gives the same rows and the
same reports whichever reader took it; the fast one only takes the clean files.

One known difference: the Python reader tells the trimmed shape by a key's presence, this
one by its value, so an object holding ``"user": null`` and ``"created_at": null`` (a shape
GH Archive has never written) reads as trimmed here and as full there.
"""

from __future__ import annotations

from typing import Final

from ossmeta.activity import SOURCE_RANK
from ossmeta.normalizers.gharchive_events import PLATFORM, SOURCE

__all__ = ["COLUMNS", "EVENTS_SQL"]

_ISSUE_TYPES: Final = "('IssuesEvent', 'IssueCommentEvent')"
_PULL_TYPES: Final = (
    "('PullRequestEvent', 'PullRequestReviewEvent', 'PullRequestReviewCommentEvent')"
)
_TIME_FORM: Final = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ"
_USER: Final = "STRUCT(id JSON, login JSON)"
_ITEM: Final = (
    f'id JSON, number JSON, title JSON, "user" {_USER}, created_at JSON, closed_at JSON, '
    "comments JSON"
)
#: What ``read_json`` reads of each line: objects as structs, leaves as JSON text.
COLUMNS: Final[dict[str, str]] = {
    "id": "JSON",
    "type": "JSON",
    "created_at": "JSON",
    "repo": "STRUCT(id JSON, name JSON)",
    "actor": _USER,
    "org": _USER,
    "payload": (
        "STRUCT(action JSON, number JSON, "
        f"issue STRUCT({_ITEM}, pull_request JSON), "
        "comment STRUCT(id JSON, pull_request_review_id JSON), "
        f"pull_request STRUCT({_ITEM}, merged JSON, merged_at JSON, additions JSON, "
        "deletions JSON, changed_files JSON, commits JSON), "
        "review STRUCT(id JSON, state JSON), push_id JSON, size JSON, distinct_size JSON, "
        "commits JSON, forkee STRUCT(id JSON), "
        "release STRUCT(id JSON, tag_name JSON, prerelease JSON), ref_type JSON, ref JSON)"
    ),
}


def _fail(what: str) -> str:
    return f"error('fall back: {what}')"


def _int(x: str, sql_type: str = "BIGINT") -> str:
    """An integer leaf: JSON text that reads back as itself (so no "12", 1.5 or true)."""
    cast = f"TRY_CAST({x}::VARCHAR AS {sql_type})"
    return (
        f"CASE WHEN {x} IS NULL THEN NULL WHEN {cast}::VARCHAR = {x}::VARCHAR THEN {cast} "
        f"ELSE {_fail(x)} END"
    )


def _str(x: str) -> str:
    return (
        f"CASE WHEN {x} IS NULL THEN NULL WHEN starts_with({x}::VARCHAR, '\"') "
        f"THEN {x} ->> '$' ELSE {_fail(x)} END"
    )


def _bool(x: str) -> str:
    return (
        f"CASE WHEN {x} IS NULL THEN NULL WHEN {x}::VARCHAR = 'true' THEN true "
        f"WHEN {x}::VARCHAR = 'false' THEN false ELSE {_fail(x)} END"
    )


def _time(x: str) -> str:
    text = _str(x)
    strict = f"regexp_full_match({text}, '{_TIME_FORM}')"
    parsed = f"coalesce(try_strptime({text}, '%Y-%m-%dT%H:%M:%SZ'), {_fail(x)})"
    return f"CASE WHEN {x} IS NULL THEN NULL WHEN {strict} THEN {parsed} ELSE {_fail(x)} END"


def _when(types: str, value: str) -> str:
    return f"CASE WHEN type IN {types} THEN {value} END"


def _item(kind: str, types: str) -> dict[str, str]:
    """The ``issue_*`` columns from ``payload.<kind>`` for events of ``types``."""
    base = f"payload.{kind}"
    user = f'{base}."user"'
    return {
        "issue_id": _when(types, _int(f"{base}.id")),
        "issue_title": _when(types, _str(f"{base}.title")),
        "issue_author_id": _when(types, _int(f"{user}.id")),
        "issue_author_login": _when(types, _str(f"{user}.login")),
        "issue_created_at": _when(types, _time(f"{base}.created_at")),
        "issue_closed_at": _when(types, _time(f"{base}.closed_at")),
        "issue_comments": _when(types, _int(f"{base}.comments", "INTEGER")),
    }


def _trimmed_item(kind: str) -> str:
    base = f"payload.{kind}"
    return f'({base} IS NOT NULL AND {base}."user" IS NULL AND {base}.created_at IS NULL)'


def _columns() -> dict[str, str]:
    """Column name → SQL over the columns ``read_json`` gives and ``type``."""
    issue = _item("issue", _ISSUE_TYPES)
    pull = _item("pull_request", _PULL_TYPES)
    pr = "payload.pull_request"
    number_of_pull = (
        f"CASE WHEN payload.number IS NULL AND {pr} IS NOT NULL "
        f"THEN {_int(pr + '.number')} ELSE {_int('payload.number')} END"
    )
    trimmed = (
        f"CASE WHEN type IN {_ISSUE_TYPES} THEN {_trimmed_item('issue')} "
        f"WHEN type IN {_PULL_TYPES} THEN {_trimmed_item('pull_request')} "
        "WHEN type = 'PushEvent' THEN payload.size IS NULL AND payload.commits IS NULL "
        "ELSE false END"
    )
    either = {name: f"coalesce({issue[name]}, {pull[name]})" for name in issue}
    review_id = (
        f"CASE WHEN type = 'PullRequestReviewEvent' THEN {_int('payload.review.id')} "
        "WHEN type = 'PullRequestReviewCommentEvent' "
        f"THEN {_int('payload.comment.pull_request_review_id')} END"
    )
    return {
        "action": f"coalesce({_str('payload.action')}, '')",
        "repo_id": f"coalesce({_int('repo.id')}, {_fail('repo.id')})",
        "repo_name": f"coalesce({_str('repo.name')}, {_fail('repo.name')})",
        "org_id": _int("org.id"),
        "org_login": _str("org.login"),
        "actor_id": f"coalesce({_int('actor.id')}, {_fail('actor.id')})",
        "actor_login": _str("actor.login"),
        **either,
        "issue_number": (
            f"CASE WHEN type IN {_ISSUE_TYPES} THEN {_int('payload.issue.number')} "
            f"WHEN type IN {_PULL_TYPES} THEN {number_of_pull} END"
        ),
        "issue_is_pull": (
            f"CASE WHEN type IN {_PULL_TYPES} THEN true "
            f"WHEN type IN {_ISSUE_TYPES} AND payload.issue IS NOT NULL THEN "
            "CASE WHEN payload.issue.pull_request IS NOT NULL THEN true "
            f"WHEN {_trimmed_item('issue')} THEN NULL ELSE false END END"
        ),
        "issue_comment_id": _when("('IssueCommentEvent')", _int("payload.comment.id")),
        "pull_merged": _when(_PULL_TYPES, _bool(pr + ".merged")),
        "pull_merged_at": _when(_PULL_TYPES, _time(pr + ".merged_at")),
        "pull_additions": _when(_PULL_TYPES, _int(pr + ".additions")),
        "pull_deletions": _when(_PULL_TYPES, _int(pr + ".deletions")),
        "pull_changed_files": _when(_PULL_TYPES, _int(pr + ".changed_files", "INTEGER")),
        "pull_commits": _when(_PULL_TYPES, _int(pr + ".commits", "INTEGER")),
        "pull_review_id": review_id,
        "pull_review_state": _when("('PullRequestReviewEvent')", _str("payload.review.state")),
        "pull_review_comment_id": _when(
            "('PullRequestReviewCommentEvent')", _int("payload.comment.id")
        ),
        "push_id": _when("('PushEvent')", _int("payload.push_id")),
        "push_size": _when("('PushEvent')", _int("payload.size", "INTEGER")),
        "push_distinct_size": _when("('PushEvent')", _int("payload.distinct_size", "INTEGER")),
        "fork_forkee_id": _when("('ForkEvent')", _int("payload.forkee.id")),
        "release_id": _when("('ReleaseEvent')", _int("payload.release.id")),
        "release_tag_name": _when("('ReleaseEvent')", _str("payload.release.tag_name")),
        "release_prerelease": _when("('ReleaseEvent')", _bool("payload.release.prerelease")),
        "create_ref_type": _when("('CreateEvent', 'DeleteEvent')", _str("payload.ref_type")),
        "create_ref": _when("('CreateEvent', 'DeleteEvent')", _str("payload.ref")),
        "trimmed": trimmed,
    }


def _event_id() -> str:
    """A non-negative integer as its digits, or a non-empty string."""
    return (
        "CASE WHEN TRY_CAST(id::VARCHAR AS UBIGINT)::VARCHAR = id::VARCHAR THEN id::VARCHAR "
        f"WHEN {_str('id')} <> '' THEN {_str('id')} ELSE {_fail('id')} END"
    )


def _event_key() -> tuple[str, str]:
    """``activity.event_key`` in SQL, and the object id it keys on."""
    object_id = (
        "CASE type WHEN 'IssueCommentEvent' THEN issue_comment_id "
        "WHEN 'PullRequestReviewCommentEvent' THEN pull_review_comment_id "
        "WHEN 'PullRequestReviewEvent' THEN pull_review_id "
        "WHEN 'ReleaseEvent' THEN release_id "
        "WHEN 'IssuesEvent' THEN issue_id WHEN 'PullRequestEvent' THEN issue_id END"
    )
    once = "('IssueCommentEvent', 'PullRequestReviewCommentEvent', 'PullRequestReviewEvent', "
    once += "'ReleaseEvent')"
    prefix = "type || ':' || action || ':' || object_id"
    key = (
        "CASE WHEN object_id IS NULL THEN 'gh:' || event_id "
        f"WHEN type IN {once} OR action = 'opened' THEN {prefix} "
        f"ELSE {prefix} || ':' || epoch(created_at)::BIGINT || ':' || actor_id END"
    )
    return key, object_id


def _sql() -> str:
    columns = _columns()
    key, object_id = _event_key()
    inner = ",\n  ".join(f"{sql} AS {name}" for name, sql in columns.items())
    typed = f"CASE WHEN {_str('type')} <> '' THEN {_str('type')} ELSE {_fail('type')} END"
    created = f"coalesce({_time('created_at')}, {_fail('created_at')})"
    return f"""
WITH headed AS (
  SELECT * REPLACE ({typed} AS type, {created} AS created_at), {_event_id()} AS event_id
  FROM read_json($file, format = 'newline_delimited', columns = $columns,
                 compression = $compression, maximum_object_size = 16777216,
                 filename = true)
  WHERE repo IS NOT NULL OR {_fail("repo")}
), flat AS (
  SELECT filename, event_id, type, created_at, strftime(created_at, '%Y-%m') AS month,
  {inner}
  FROM headed
), keyed AS (
  SELECT *, {object_id} AS object_id FROM flat
)
SELECT {key} AS event_key, * EXCLUDE (object_id),
  '{SOURCE}' AS source, {SOURCE_RANK[SOURCE]} AS source_rank, '{PLATFORM}' AS platform
FROM keyed
"""


#: The rows of the files ``$file`` (a path or a list), with a ``filename`` column:
#: parameters ``$columns`` (``COLUMNS``) and ``$compression`` (``gzip`` or ``none``).
EVENTS_SQL: Final = _sql()
