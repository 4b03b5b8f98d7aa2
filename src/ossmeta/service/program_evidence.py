"""Evidence of a student's upstream contributions to one repository (program issue §3).

``program_evidence`` reads the activity store (events of the repository, its git commits),
expands the student's and the mentor's identities through the identity store (a login or
e-mail merged into the same person counts, curations included), looks at each student pull
request's commits in the repository's git import, and hands the rows to
``analyses.program_evidence.build_evidence``.

Commits of a pull request. GitHub keeps every pull request's head as ``refs/pull/N/head``,
and a mirror (``ossmeta git import URL``) fetches those refs too. The pull request's commits
are then the ones reachable from that ref and not from the default branch's first-parent
line before the merge (a merge commit keeps the branch's commits off that line; a
fast-forward merge would hide them, which the data cannot tell apart). Without such a ref
the pull request is listed as unchecked rather than declared clean.

``refresh_evidence`` runs the code-host collector for the program's repositories first, so
contributions made since the last collection appear; the collector publishes straight into
the events dataset that ``program_evidence`` reads.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

from ossmeta.analyses.identities import people
from ossmeta.analyses.program_evidence import (
    Evidence,
    Identities,
    PullCommits,
    Window,
    build_evidence,
)
from ossmeta.errors import SourceError, UsageError
from ossmeta.normalizers.identities import parse_identity
from ossmeta.pipelines.codehost_collect import CollectReport, collect_repo
from ossmeta.pipelines.git_import import mirror_root
from ossmeta.sources.codehost import CodeHostApi, RepoRef, parse_repo
from ossmeta.sources.git_log import list_commits, read_commits
from ossmeta.sources.git_repo import git_dir, in_repo
from ossmeta.sources.http import Fetcher, HttpSettings
from ossmeta.store import Store
from ossmeta.store.activity_files import ActivityFiles
from ossmeta.store.git_imports import GitImports

__all__ = ["EvidenceRequest", "program_evidence", "refresh_evidence", "student_identities"]

_EVENT_COLUMNS: Final = (
    "event_key, type, action, created_at, actor_login, issue_number, issue_title, "
    "issue_author_login, issue_is_pull, issue_comment_id, pull_merged, pull_merged_at, "
    "pull_review_id, pull_review_comment_id"
)
# One row per event_key: the highest-ranked source wins, as compaction keeps it.
_EVENTS_SQL: Final = f"""
SELECT {_EVENT_COLUMNS} FROM (
    SELECT *, row_number() OVER (PARTITION BY event_key ORDER BY source_rank DESC) AS n
    FROM read_parquet($files)
    WHERE lower(repo_name) = $name AND coalesce(platform, 'github.com') = $host
) WHERE n = 1
"""
_COMMITS_SQL: Final = """
SELECT DISTINCT sha, author_email, author_time, is_merge FROM read_parquet($files)
WHERE lower(repo) = $key
"""


@dataclass(frozen=True, slots=True)
class EvidenceRequest:
    repository: str  # host/owner/name
    student: tuple[str, ...]  # logins or e-mails (login:X / email:Y also accepted)
    mentor: tuple[str, ...]
    announced: datetime  # aware, or naive UTC
    start: datetime
    end: datetime  # exclusive


def _naive_utc(value: datetime) -> datetime:
    return value.astimezone(UTC).replace(tzinfo=None) if value.tzinfo else value


def _canonical(given: str) -> str:
    text = given.strip()
    if text.partition(":")[0].lower() in ("login", "email", "name"):
        return parse_identity(text)
    return parse_identity(("email:" if "@" in text else "login:") + text)


def student_identities(store: Store, root: Path, given: Sequence[str]) -> Identities:
    """``given`` and every identity merged into the same person as one of them."""
    wanted = {_canonical(text) for text in given}
    found = set(wanted)
    for person in people(store, root):
        members = {member.identity for member in person.members}
        if members & wanted:
            found |= members
    return Identities(
        logins=frozenset(i.removeprefix("login:") for i in found if i.startswith("login:")),
        emails=frozenset(i.removeprefix("email:") for i in found if i.startswith("email:")),
    )


def _dicts(cursor: Any) -> list[dict[str, Any]]:
    names = [column[0] for column in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _rows(root: Path, where: RepoRef) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    import duckdb

    events: list[dict[str, Any]] = []
    commits: list[dict[str, Any]] = []
    event_files = ActivityFiles(root, "events").files()
    commit_files = ActivityFiles(root, "commits").files()
    with duckdb.connect() as connection:
        connection.execute("SET TimeZone = 'UTC'")
        name = f"{where.owner}/{where.name}".lower()
        if event_files:
            events = _dicts(
                connection.execute(
                    _EVENTS_SQL, {"files": event_files, "name": name, "host": where.host}
                )
            )
        if commit_files:
            commits = _dicts(
                connection.execute(_COMMITS_SQL, {"files": commit_files, "key": where.key.lower()})
            )
    return events, commits


def _git_directory(store: Store, key: str, mirrors: Path) -> Path | None:
    state = GitImports(store).get(key)
    if state is None:
        return None
    place = Path(state.location)
    if not place.is_dir():  # imported from a URL: its mirror, as git import names it
        place = mirrors.joinpath(*key.split("/")).with_name(key.rsplit("/", 1)[-1] + ".git")
    try:
        return git_dir(place)
    except SourceError:
        return None  # moved or deleted since the import: nothing to check against


def _pull_commits(repository: Path | None, numbers: Sequence[int]) -> dict[int, PullCommits]:
    if repository is None:
        return {}
    try:
        return _read_pulls(repository, numbers)
    except SourceError:  # an empty or damaged repository: the pull requests stay unchecked
        return {}


def _read_pulls(repository: Path, numbers: Sequence[int]) -> dict[int, PullCommits]:
    mainline = in_repo(repository, "rev-list", "--first-parent", "HEAD").decode().split()
    found: dict[int, PullCommits] = {}
    for number in numbers:
        ref = f"refs/pull/{number}/head"
        head = in_repo(repository, "for-each-ref", "--format=%(objectname)", ref).decode().strip()
        if not head:
            found[number] = PullCommits(number, False, ())
            continue
        # Mainline commits that contain the head (the merge and what followed) would exclude
        # the branch with them; the ones before the merge mark where the branch forked.
        after = set(in_repo(repository, "rev-list", "--ancestry-path", f"{head}..HEAD").split())
        shas = list_commits(repository, [head], [m for m in mainline if m.encode() not in after])
        commits = [c for batch in read_commits(repository, shas, jobs=1) for c in batch]
        found[number] = PullCommits(
            number,
            True,
            tuple(
                (
                    c.sha,
                    c.author_email.lower(),
                    None
                    if c.author_time is None
                    else datetime.fromtimestamp(c.author_time, UTC).replace(tzinfo=None),
                )
                for c in commits
            ),
        )
    return found


def program_evidence(
    store: Store, root: Path, request: EvidenceRequest, *, mirrors: Path | None = None
) -> Evidence:
    """The student's contributions to ``request.repository``; see the module docstring."""
    where = parse_repo(request.repository)
    window = Window(*(_naive_utc(t) for t in (request.announced, request.start, request.end)))
    if not window.start < window.end:
        raise UsageError("the program window is empty: --from must be before --to")
    if not request.student or not request.mentor:
        raise UsageError("give at least one student and one mentor identity")
    student = student_identities(store, root, request.student)
    mentor = student_identities(store, root, request.mentor)
    shared = sorted((student.logins & mentor.logins) | (student.emails & mentor.emails))
    if shared:  # eligibility: a mentor cannot also be the student
        raise UsageError(f"the student and the mentor are the same person ({', '.join(shared)})")
    events, commits = _rows(root, where)
    opened = sorted(
        {
            row["issue_number"]
            for row in events
            if row["type"] == "PullRequestEvent"
            and row["action"] == "opened"
            and (row["actor_login"] or "").lower() in student.logins
        }
    )
    pulls = _pull_commits(_git_directory(store, where.key, mirrors or mirror_root()), opened)
    web = f"https://{where.host}/{where.owner}/{where.name}"
    return build_evidence(where.key, web, events, commits, student, mentor, window, pulls)


async def _collect_all(
    store: Store,
    root: Path,
    repositories: Sequence[RepoRef],
    api_url: str,
    token: str | None,
    settings: HttpSettings,
) -> tuple[CollectReport, ...]:
    reports: list[CollectReport] = []
    async with Fetcher(settings, rng=random.Random()) as fetcher:
        for where in repositories:  # one at a time: each run publishes its own swap
            api = CodeHostApi(fetcher, api_url, where, token=token)
            reports.append(await collect_repo(store, api, root))
    return tuple(reports)


def refresh_evidence(
    store: Store,
    root: Path,
    repositories: Sequence[str],
    *,
    api_url: str,
    token: str | None = None,
    settings: HttpSettings | None = None,
) -> tuple[CollectReport, ...]:
    """Collect the program's repositories from the code host at ``api_url`` (changes since
    each one's last collection), so that ``program_evidence`` sees new contributions."""
    wanted = [parse_repo(text) for text in dict.fromkeys(repositories)]
    return asyncio.run(
        _collect_all(store, root, wanted, api_url, token, settings or HttpSettings())
    )
