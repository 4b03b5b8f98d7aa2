"""Code-host API documents (GitHub's REST shape) read strictly: the typed reader every
code-host normalizer uses, and the parts of documents that several event rows share (the
repository's context, an issue, a pull request). Pure functions, no I/O.

A field that is absent or null is simply not there; a field present with the wrong type,
an id out of the int64 range or a time that is not ISO 8601 makes the document unreadable:
``NormalizeError`` in one line naming the document (``codehost issue 5001: ...``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final, NoReturn

from ossmeta.errors import NormalizeError

__all__ = [
    "NOBODY",
    "STATE_CHANGES",
    "Doc",
    "IssueRef",
    "Person",
    "PullRef",
    "RepoContext",
    "embedded_issue",
    "is_state_change",
    "issue_ref",
    "number_from_url",
    "pull_ref",
    "repo_context",
    "updated_at",
]

#: The issue events GH Archive logs as IssuesEvent / PullRequestEvent actions.
STATE_CHANGES: Final = frozenset({"closed", "reopened"})
_INT64: Final = 2**63
_INT32: Final = 2**31


class Doc:
    """Strict typed access to one API object; every failure names the object."""

    def __init__(self, kind: str, payload: object) -> None:
        self.kind = kind
        ident = payload.get("id") if isinstance(payload, dict) else None
        shown = str(ident) if isinstance(ident, int) and not isinstance(ident, bool) else "?"
        self.where = f"codehost {kind} {shown}"
        if not isinstance(payload, dict):
            self.fail(f"must be a JSON object, not {_type(payload)}")
        self.data: dict[str, Any] = payload

    def fail(self, message: str) -> NoReturn:
        raise NormalizeError(message, path=self.where)

    def _int(self, key: str, limit: int) -> int | None:
        value = self.data.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            self.fail(f"{key} must be an integer, not {_type(value)}")
        if not 0 <= value < limit:
            self.fail(f"{key} is out of range: {value}")
        return value

    def number(self, key: str) -> int | None:
        return self._int(key, _INT64)

    def small(self, key: str) -> int | None:
        return self._int(key, _INT32)

    def need(self, key: str) -> int:
        value = self.number(key)
        if value is None:
            self.fail(f"{key} is missing")
        return value

    def text(self, key: str) -> str | None:
        value = self.data.get(key)
        if value is None:
            return None
        if not isinstance(value, str):
            self.fail(f"{key} must be a string, not {_type(value)}")
        return value

    def flag(self, key: str) -> bool | None:
        value = self.data.get(key)
        if value is None:
            return None
        if not isinstance(value, bool):
            self.fail(f"{key} must be true or false, not {_type(value)}")
        return value

    def time(self, key: str) -> datetime | None:
        text = self.text(key)
        if text is None:
            return None
        try:
            parsed = datetime.fromisoformat(text.strip())
        except ValueError:
            self.fail(f"{key} is not an ISO 8601 time: {text[:40]!r}")
        # GitHub writes UTC with Z; hosts that write an offset are converted to UTC.
        if parsed.tzinfo is None:
            return parsed.replace(tzinfo=UTC)
        try:
            return parsed.astimezone(UTC)
        except OverflowError:
            self.fail(f"{key} is out of range: {text[:40]!r}")

    def need_time(self, key: str) -> datetime:
        value = self.time(key)
        if value is None:
            self.fail(f"{key} is missing")
        return value

    def child(self, key: str, kind: str) -> Doc | None:
        value = self.data.get(key)
        if value is None:
            return None
        if not isinstance(value, dict):
            self.fail(f"{key} must be an object, not {_type(value)}")
        return Doc(kind, value)

    def person(self, key: str) -> Person:
        value = self.data.get(key)
        if value is None:
            return NOBODY
        if not isinstance(value, dict):
            self.fail(f"{key} must be an object, not {_type(value)}")
        user = Doc("user", value)
        try:
            return Person(user.number("id"), user.text("login"))
        except NormalizeError as error:
            self.fail(f"{key}: {error.message}")


def _type(value: object) -> str:
    return "null" if value is None else type(value).__name__


# -- what several rows share -------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Person:
    id: int | None
    login: str | None


NOBODY: Final = Person(None, None)


@dataclass(frozen=True, slots=True)
class RepoContext:
    """What every row of one repository carries, from the repository document."""

    platform: str  # the host of the repository key: github.com
    repo_id: int
    repo_name: str  # owner/name as the API spells it now
    org_id: int | None  # the owner, when it is an organization (GH Archive's ``org``)
    org_login: str | None
    archived: bool
    default_branch: str | None


def repo_context(platform: str, payload: object) -> RepoContext:
    doc = Doc("repo", payload)
    name = doc.text("full_name")
    if not name or "/" not in name:
        doc.fail("full_name must be owner/name")
    owner = doc.child("owner", "owner")
    is_org = owner is not None and owner.text("type") == "Organization"
    org_id = owner.number("id") if owner is not None and is_org else None
    org_login = owner.text("login") if owner is not None and is_org else None
    return RepoContext(
        platform=platform,
        repo_id=doc.need("id"),
        repo_name=name,
        org_id=org_id,
        org_login=org_login,
        archived=bool(doc.flag("archived")),
        default_branch=doc.text("default_branch"),
    )


@dataclass(frozen=True, slots=True)
class IssueRef:
    """An issue (or a pull request seen through the issues API) as its events need it."""

    id: int
    number: int
    title: str | None
    author: Person
    created_at: datetime
    is_pull: bool


def issue_ref(payload: object) -> IssueRef:
    doc = Doc("issue", payload)
    return IssueRef(
        id=doc.need("id"),
        number=doc.need("number"),
        title=doc.text("title"),
        author=doc.person("user"),
        created_at=doc.need_time("created_at"),
        # The issues API lists pull requests too, marked by a pull_request object.
        is_pull=doc.child("pull_request", "issue.pull_request") is not None,
    )


def is_state_change(payload: object) -> bool:
    """Whether an issue event is one GH Archive logs (closed, reopened) and so becomes a
    row; a damaged one counts too, so that reading it reports the damage."""
    return not isinstance(payload, dict) or payload.get("event") in STATE_CHANGES


def embedded_issue(payload: object) -> IssueRef | None:
    """The ``issue`` a repository-wide issue event carries (None when it has none)."""
    doc = Doc("issue-event", payload)
    issue = doc.data.get("issue")
    if issue is None:
        return None
    try:
        return issue_ref(issue)
    except NormalizeError as error:
        doc.fail(f"issue: {error}")


@dataclass(frozen=True, slots=True)
class PullRef:
    """A pull request as the single pull request document (``pulls/{n}``) gives it."""

    id: int
    number: int
    title: str | None
    author: Person
    created_at: datetime
    merged_at: datetime | None
    additions: int | None
    deletions: int | None
    changed_files: int | None
    commits: int | None


def pull_ref(payload: object) -> PullRef:
    doc = Doc("pull", payload)
    return PullRef(
        id=doc.need("id"),
        number=doc.need("number"),
        title=doc.text("title"),
        author=doc.person("user"),
        created_at=doc.need_time("created_at"),
        merged_at=doc.time("merged_at"),
        additions=doc.number("additions"),
        deletions=doc.number("deletions"),
        changed_files=doc.small("changed_files"),
        commits=doc.small("commits"),
    )


def number_from_url(payload: object, key: str, kind: str) -> int:
    """The issue or pull request number at the end of ``key`` (``issue_url``,
    ``pull_request_url``): comments name their issue only by URL."""
    doc = Doc(kind, payload)
    url = doc.text(key)
    tail = (url or "").rstrip("/").rpartition("/")[2]
    if not tail.isascii() or not tail.isdigit() or len(tail) > 18:
        doc.fail(f"{key} does not end with a number: {(url or '')[:80]!r}")
    return int(tail)


def updated_at(payload: object) -> datetime | None:
    """When a listed object last changed (``updated_at``, else ``created_at``); None when
    it does not say readably. For stopping a newest-first list, never for a row."""
    if not isinstance(payload, dict):
        return None
    for key in ("updated_at", "created_at"):
        try:
            value = Doc("item", payload).time(key)
        except NormalizeError:
            return None
        if value is not None:
            return value
    return None
