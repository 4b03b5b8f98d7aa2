"""A project's top committers, who count as its maintainers for the eligibility rule
``maintainers_not_applicants`` beside the registries' maintainer lists.

The top committers of a repository are the ``top_committers`` people (default 5, set in the
year's ``[eligibility]``) with the most non-merge commits authored in the twelve months before
the program year was created, from the center's git imports (the ``commits`` activity
dataset). Authors are people, not addresses: the identity store merges a person's e-mails
and logins (curations included), so every identity of a top committer is refused, and bots
never count. Ties at the cut keep everyone tied, since no published rule could choose.

Reading them resolves every identity in the activity data, far too slow to repeat for each
of a thousand single applications: ``committer_reasons`` keeps the answer per year (with its
repositories, cut and creation time) in a small process-wide cache, keyed also by the
version of what the answer is made of (the live activity files, and the identity
curations), so new git data or a new curation is seen on the next application.
"""

from __future__ import annotations

import threading
from collections import Counter, OrderedDict
from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Final

from ossmeta.analyses.identities import people
from ossmeta.store import Store
from ossmeta.store.activity_files import ActivityFiles, activity_root
from ossmeta.store.identities import IdentityOverrides
from ossmeta.store.program_maintainers import year_created
from ossmeta.store.program_rows import read_projects
from ossmeta.store.tenancy import global_transaction

__all__ = [
    "CACHE",
    "DEFAULT_TOP_COMMITTERS",
    "LOOKBACK",
    "ReasonsCache",
    "TopCommitter",
    "committer_reasons",
    "top_committers",
]

DEFAULT_TOP_COMMITTERS: Final = 5
LOOKBACK: Final = timedelta(days=365)

_AUTHORS_SQL: Final = """
SELECT lower(repo) AS repo, lower(author_email) AS email, count(DISTINCT sha) AS commits
FROM read_parquet($files)
WHERE list_contains($repos, lower(repo)) AND NOT coalesce(is_merge, false)
  AND author_time >= $since AND author_time < $until
  AND author_email IS NOT NULL AND author_email <> ''
GROUP BY 1, 2
"""


@dataclass(frozen=True, slots=True)
class TopCommitter:
    """Why an identity is refused: the repository, the person's place and commit count."""

    repository: str
    place: int
    commits: int

    def reason(self) -> str:
        return (
            f"top committer of {self.repository} (#{self.place}, {self.commits} commits in the "
            "12 months before the program)"
        )


def _naive(value: datetime) -> datetime:
    return value.astimezone(UTC).replace(tzinfo=None) if value.tzinfo else value


def top_committers(
    store: Store, root: Path, repositories: Iterable[str], created: datetime, limit: int
) -> dict[str, dict[str, TopCommitter]]:
    """For each repository (``host/owner/name``): identity (``email:``/``login:``) → why."""
    wanted = sorted({r.lower() for r in repositories})
    files = ActivityFiles(root, "commits").files()
    if not wanted or not files or limit < 1:
        return {}
    import duckdb

    with duckdb.connect() as connection:
        connection.execute("SET TimeZone = 'UTC'")
        rows = connection.execute(
            _AUTHORS_SQL,
            {
                "files": files,
                "repos": wanted,
                "since": _naive(created - LOOKBACK),
                "until": _naive(created),
            },
        ).fetchall()
    if not rows:
        return {}
    person_of: dict[str, tuple[str, frozenset[str], bool]] = {}
    for found in people(store, root):
        members = frozenset(m.identity for m in found.members)
        for identity in members:
            person_of[identity] = (found.id, members, found.is_bot)
    # A curated merge names identities the activity data may not show (a login that never
    # acted in an event): it joins them to the person all the same.
    merged: dict[str, set[str]] = {}
    for curation in IdentityOverrides(store).find():
        if curation.action == "merge" and curation.other:
            merged.setdefault(curation.identity, set()).add(curation.other)
            merged.setdefault(curation.other, set()).add(curation.identity)
    counts: dict[str, Counter[str]] = {}
    identities: dict[str, frozenset[str]] = {}
    for repo, email, commits in rows:
        identity = f"email:{email}"
        person, members, is_bot = person_of.get(identity, (identity, frozenset({identity}), False))
        if is_bot:
            continue
        counts.setdefault(repo, Counter())[person] += int(commits)
        known = members | {identity}
        identities[person] = known.union(*(merged.get(i, set()) for i in known))
    return {repo: _top(repo, counter, identities, limit) for repo, counter in counts.items()}


def _top(
    repo: str, counter: Counter[str], identities: Mapping[str, frozenset[str]], limit: int
) -> dict[str, TopCommitter]:
    ranked = sorted(counter.items(), key=lambda item: (-item[1], item[0]))
    cut = ranked[min(limit, len(ranked)) - 1][1]
    found: dict[str, TopCommitter] = {}
    for person, commits in ranked:
        if commits < cut:
            break
        place = 1 + sum(1 for _, more in ranked if more > commits)
        for identity in identities[person]:
            found[identity] = TopCommitter(repo, place, commits)
    return found


Reasons = dict[str, dict[str, str]]


class ReasonsCache:
    """The last ``size`` answers of ``committer_reasons``, least recently used dropped
    first; ``reads`` counts the answers computed (what a cache hit saves)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.reads = 0
        self._answers: OrderedDict[Hashable, Reasons] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable, compute: Callable[[], Reasons]) -> Reasons:
        with self._lock:
            if key in self._answers:
                self._answers.move_to_end(key)
                return self._answers[key]
        # computed outside the lock: one slow read does not hold up other years' hits
        answer = compute()
        with self._lock:
            self.reads += 1
            self._answers[key] = answer
            self._answers.move_to_end(key)
            while len(self._answers) > self.size:
                self._answers.popitem(last=False)
        return answer

    def clear(self) -> None:
        with self._lock:
            self._answers.clear()


CACHE: Final = ReasonsCache(size=32)


def _data_version(store: Store, root: Path) -> Hashable:
    """What the answer is made of, cheaply: each live activity file the identities and the
    commits come from (name, size, modification time), and the identity curations."""
    files = []
    for dataset in ("events", "commits"):
        for name in ActivityFiles(root, dataset).files():
            try:
                stat = Path(name).stat()
                files.append((name, stat.st_size, stat.st_mtime_ns))
            except OSError:  # compacted away meanwhile: the manifest changed as well
                files.append((name, -1, -1))
    curations = tuple(
        (c.id, c.action, c.identity, c.other) for c in IdentityOverrides(store).find()
    )
    return tuple(files), curations


def committer_reasons(
    store: Store, year_id: int, rules: Mapping[str, int], root: Path | None = None
) -> Reasons:
    """The year's project repositories → identity → the refusal's reason; empty when the
    rule is off. ``root`` is the activity data (``OSSMETA_HOME/activity`` by default).
    Answered from ``CACHE`` while the year's repositories and the data are unchanged."""
    limit = int(rules.get("top_committers", DEFAULT_TOP_COMMITTERS))
    if not rules.get("maintainers_not_applicants", True) or limit < 1:
        return {}
    with global_transaction(store) as connection:
        repositories = {p.repository for p in read_projects(connection, year_id) if p.repository}
        created = year_created(connection, year_id)
    data = root or activity_root()
    version = _data_version(store, data)
    key = (store.url, year_id, limit, created, frozenset(repositories), str(data), version)

    def compute() -> Reasons:
        found = top_committers(store, data, repositories, created, limit)
        return {
            repo: {identity: why.reason() for identity, why in by_identity.items()}
            for repo, by_identity in found.items()
        }

    return CACHE.get(key, compute)
