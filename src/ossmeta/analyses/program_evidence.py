"""Evidence of a student's real upstream contributions (program issue §3), the pure part.

Input: the activity rows of one repository (events in the flattened GH Archive shape, git
commits), the student's and the mentor's identities already expanded through the identity
store (every login and e-mail merged into the same person), the announcement time and the
program window. Output: frozen dataclasses the program's CLI, pages and API render.

Rules, after OSPP's (reference/mentorship.md): only work from the announcement on counts,
and only inside the window; work before the announcement is void and listed as such, not
hidden. A merge counts with its pull request: a pull request opened before the announcement
stays void even if merged in the window. Mentor responsiveness is the time from each counted
student pull request's opening to the mentor's first review, review comment or comment on it.
All times are UTC without a zone, as the activity store keeps them.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Final

__all__ = [
    "KINDS",
    "Contribution",
    "Evidence",
    "Identities",
    "MentorCommit",
    "PullCommits",
    "Response",
    "Responsiveness",
    "Window",
    "build_evidence",
]

#: Contribution kinds, in the order totals are shown.
KINDS: Final = ("pr_opened", "pr_merged", "pr_reviewed", "issue_opened", "comment", "commit")

_RESPONSES: Final = frozenset(
    {"PullRequestReviewEvent", "PullRequestReviewCommentEvent", "IssueCommentEvent"}
)


@dataclass(frozen=True, slots=True)
class Identities:
    """One person's identities as the activity data spells them (lowercase)."""

    logins: frozenset[str]
    emails: frozenset[str]


@dataclass(frozen=True, slots=True)
class Window:
    announced: datetime
    start: datetime
    end: datetime  # exclusive

    def place(self, at: datetime) -> str:
        """``counted``, ``before_announcement`` or ``outside_window``."""
        if at < self.announced:
            return "before_announcement"
        return "counted" if self.start <= at < self.end else "outside_window"


@dataclass(frozen=True, slots=True)
class Contribution:
    kind: str  # one of KINDS
    id: str  # the event key, or the commit's sha
    at: datetime
    url: str
    number: int | None  # the issue or pull request number; None for a commit
    title: str
    who: str  # the login or e-mail that matched the student


@dataclass(frozen=True, slots=True)
class MentorCommit:
    """A commit on a student's pull request authored by one of the mentor's identities."""

    pull_number: int
    pull_url: str
    sha: str
    author_email: str
    at: datetime | None


@dataclass(frozen=True, slots=True)
class PullCommits:
    """The commits of one pull request as the git data shows them (``checked`` False: the
    repository's git import has no ref for it, so nothing can be said)."""

    number: int
    checked: bool
    commits: tuple[tuple[str, str, datetime | None], ...]  # (sha, author e-mail, time)


@dataclass(frozen=True, slots=True)
class Response:
    pull_number: int
    pull_url: str
    opened_at: datetime
    first_response_at: datetime | None  # None: the mentor has not answered (yet)
    waited: timedelta | None


@dataclass(frozen=True, slots=True)
class Responsiveness:
    responses: tuple[Response, ...]
    median: timedelta | None  # over answered pull requests
    max: timedelta | None
    unanswered: int


@dataclass(frozen=True, slots=True)
class Evidence:
    repository: str
    window: Window
    student: Identities
    mentor: Identities
    counted: tuple[Contribution, ...]
    totals: Mapping[str, int]  # per kind, counted items only
    before_announcement: tuple[Contribution, ...]
    outside_window: tuple[Contribution, ...]
    mentor_commits: tuple[MentorCommit, ...]
    unchecked_pulls: tuple[int, ...]  # student pull requests whose commits the data lacks
    responsiveness: Responsiveness


def _url(web: str, row: Mapping[str, Any]) -> str:
    number = row["issue_number"]
    kind = "pull" if row["issue_is_pull"] else "issues"
    base = f"{web}/{kind}/{number}"
    if row["type"] == "IssueCommentEvent" and row["issue_comment_id"] is not None:
        return f"{base}#issuecomment-{row['issue_comment_id']}"
    if row["type"] == "PullRequestReviewEvent" and row["pull_review_id"] is not None:
        return f"{base}#pullrequestreview-{row['pull_review_id']}"
    if row["type"] == "PullRequestReviewCommentEvent" and row["pull_review_comment_id"]:
        return f"{base}#discussion_r{row['pull_review_comment_id']}"
    return base


def _kind(row: Mapping[str, Any], student: Identities) -> tuple[str, str] | None:
    """(kind, matched login) when the row is the student's contribution."""
    actor = (row["actor_login"] or "").lower()
    author = (row["issue_author_login"] or "").lower()
    kind, action = row["type"], row["action"]
    if kind == "PullRequestEvent":
        if action == "opened" and actor in student.logins:
            return "pr_opened", actor
        if action == "closed" and row["pull_merged"] and author in student.logins:
            return "pr_merged", author
        return None
    if actor not in student.logins:
        return None
    if kind == "PullRequestReviewEvent" and author not in student.logins:
        return "pr_reviewed", actor  # reviewing someone else's pull request
    if kind == "IssuesEvent" and action == "opened":
        return "issue_opened", actor
    if kind in ("IssueCommentEvent", "PullRequestReviewCommentEvent"):
        return "comment", actor
    return None


def build_evidence(
    repository: str,
    web: str,
    events: Iterable[Mapping[str, Any]],
    commits: Iterable[Mapping[str, Any]],
    student: Identities,
    mentor: Identities,
    window: Window,
    pull_commits: Mapping[int, PullCommits],
) -> Evidence:
    """``web``: the repository's web URL that item URLs hang from; ``pull_commits``: what the
    git data shows of each student pull request (see ``PullCommits``)."""
    rows = sorted(events, key=lambda r: (r["created_at"], r["event_key"]))
    opened: dict[int, datetime] = {}  # student pull request number -> opened at
    items: list[tuple[str, Contribution]] = []
    for row in rows:
        found = _kind(row, student)
        if found is None:
            continue
        kind, who = found
        number = row["issue_number"]
        at = (
            row["pull_merged_at"]
            if kind == "pr_merged" and row["pull_merged_at"]
            else row["created_at"]
        )
        if kind == "pr_opened":
            opened[number] = at
        item = Contribution(
            kind, row["event_key"], at, _url(web, row), number, row["issue_title"] or "", who
        )
        # a merge is void with its pull request when that was opened before the announcement
        place = window.place(at)
        if kind == "pr_merged" and number in opened and opened[number] < window.announced:
            place = "before_announcement"
        items.append((place, item))
    for commit in commits:
        email = (commit["author_email"] or "").lower()
        if email in student.emails and not commit["is_merge"] and commit["author_time"]:
            at = commit["author_time"]
            sha = commit["sha"]
            items.append(
                (
                    window.place(at),
                    Contribution("commit", sha, at, f"{web}/commit/{sha}", None, "", email),
                )
            )
    items.sort(key=lambda pair: (pair[1].at, pair[1].id))
    counted = tuple(item for place, item in items if place == "counted")
    totals = {kind: sum(1 for item in counted if item.kind == kind) for kind in KINDS}
    pulls = sorted(n for n, at in opened.items() if window.place(at) == "counted")
    flagged = tuple(
        MentorCommit(n, f"{web}/pull/{n}", sha, email, at)
        for n in pulls
        if n in pull_commits
        for sha, email, at in pull_commits[n].commits
        if email.lower() in mentor.emails
    )
    unchecked = tuple(n for n in pulls if n not in pull_commits or not pull_commits[n].checked)
    return Evidence(
        repository=repository,
        window=window,
        student=student,
        mentor=mentor,
        counted=counted,
        totals=totals,
        before_announcement=tuple(i for p, i in items if p == "before_announcement"),
        outside_window=tuple(i for p, i in items if p == "outside_window"),
        mentor_commits=flagged,
        unchecked_pulls=unchecked,
        responsiveness=_responsiveness(rows, {n: opened[n] for n in pulls}, mentor, web),
    )


def _responsiveness(
    rows: list[Mapping[str, Any]], pulls: Mapping[int, datetime], mentor: Identities, web: str
) -> Responsiveness:
    first: dict[int, datetime] = {}
    for row in rows:  # sorted by time: the first seen is the first answer
        number = row["issue_number"]
        if (
            row["type"] in _RESPONSES
            and row["issue_is_pull"]
            and number in pulls
            and (row["actor_login"] or "").lower() in mentor.logins
            and row["created_at"] >= pulls[number]
        ):
            first.setdefault(number, row["created_at"])
    responses = tuple(
        Response(n, f"{web}/pull/{n}", at, first.get(n), first[n] - at if n in first else None)
        for n, at in sorted(pulls.items())
    )
    waits = [r.waited for r in responses if r.waited is not None]
    median = (
        timedelta(seconds=statistics.median(w.total_seconds() for w in waits)) if waits else None
    )
    return Responsiveness(responses, median, max(waits) if waits else None, len(pulls) - len(waits))
