"""``ossmeta git import``: every commit and tag of a git repository into the ``commits`` and
``tags`` activity datasets, incrementally.

Steps:

1. **Where.** A directory is read in place (a work tree's top or a bare repository). A URL
   is mirrored into ``$OSSMETA_HOME/git/<repo key>.git``: ``git clone --mirror`` the first
   time, ``git fetch --prune`` after. Transport helpers (``ext::``, ``fd::``, any
   ``<helper>::``), schemes other than http(s), git, ssh and file, and anything that looks
   like an option are refused before git sees them.
2. **Key.** ``--repo KEY`` if given; else the canonical ``host/owner/name`` of the URL, or
   of a directory's ``origin`` remote; else ``local/<directory name>`` (two directories of
   the same name without an origin would share it: give them ``--repo``).
3. **What is new.** The refs that carry project history (branches, remote-tracking
   branches, tags) are compared with those the last import saw (``git_imports``). Nothing
   changed: no commit is read. Otherwise git lists the commits reachable from the refs now
   and not from the refs seen before (those of them the repository still has).
4. **Read and write.** Commits are read by parallel git processes (``sources.git_log``),
   turned into Arrow tables and staged; at the end they are published with the compaction
   of their months, which drops a commit already stored (readers see the whole import or
   none of it). Tags that are new or point elsewhere are staged and published likewise.
5. **Remember.** The refs seen and the number of commits stored go to ``git_imports``,
   last: an import killed before that is redone by the next one, and compaction removes
   what it writes twice. The number is counted in the Parquet files (after an import that
   read commits), so it stays exact after a killed import or a rewritten history.

History rewritten upstream (a force-push): the commits of the new history are imported;
the old ones stay stored, as rows are never deleted. A deleted tag stays stored too, and a
tag moved to a commit of another month keeps its old row in the old month (rows are
de-duplicated within a month).
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Final, Protocol
from urllib.parse import urlsplit, urlunsplit

import pyarrow as pa
import pyarrow.compute as pc

from ossmeta.errors import SourceError, UsageError
from ossmeta.normalizers.repos import canonical_repo_url
from ossmeta.sources.git_log import GitCommit, list_commits, read_commits
from ossmeta.sources.git_repo import (
    GitTag,
    clone_mirror,
    fetch_mirror,
    git_dir,
    origin_url,
    present,
    read_refs,
)
from ossmeta.store import Store
from ossmeta.store.activity_files import ActivityFiles, new_owner
from ossmeta.store.git_imports import (
    GitImports,
    GitImportState,
    count_commits,
)

__all__ = [
    "GitImportReport",
    "ImportProgress",
    "commit_table",
    "import_git",
    "mirror_root",
    "repo_key_for_url",
    "tag_table",
]

#: Rows gathered before one append: fewer, larger Parquet files before compaction.
_APPEND_ROWS: Final = 200_000
#: The month of a commit whose author and committer dates git could not read.
UNKNOWN_MONTH: Final = "0000-00"
_SCHEMES: Final = frozenset({"http", "https", "git", "ssh", "file"})
_SCHEME: Final = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*)://")
_SCP: Final = re.compile(r"(?:[^@/:\s]+@)?[A-Za-z0-9.-]+:(?!//)\S+")
_KEY_SEGMENT: Final = re.compile(r"[A-Za-z0-9_.~-]+")


@dataclass(frozen=True, slots=True)
class GitImportReport:
    repo: str
    location: str
    commits_read: int  # commits git was asked for (0 when no ref moved)
    new_commits: int  # of those, not stored before
    tags: int  # tags written: new, or moved since the last import
    total_commits: int  # stored for the repository after this import
    elapsed: float  # seconds


class ImportProgress(Protocol):
    def stage(self, text: str) -> None: ...
    def total(self, commits: int) -> None: ...
    def advance(self, commits: int) -> None: ...


class _Quiet:
    def stage(self, text: str) -> None:
        pass

    def total(self, commits: int) -> None:
        pass

    def advance(self, commits: int) -> None:
        pass


def mirror_root() -> Path:
    return Path(os.environ.get("OSSMETA_HOME", ".ossmeta")) / "git"


def import_git(
    location: str,
    store: Store,
    root: Path,
    repo_key: str | None = None,
    *,
    mirrors: Path | None = None,
    jobs: int | None = None,
    progress: ImportProgress | None = None,
) -> GitImportReport:
    """Import the repository at ``location`` (a directory or a URL) into the activity
    datasets under ``root``; see the module's docstring."""
    started = time.perf_counter()
    shown = progress or _Quiet()
    repository, key, where = _open(location, repo_key, mirrors or mirror_root(), shown)
    previous = GitImports(store).get(key)
    seen = dict(previous.heads) if previous else {}

    shown.stage("listing commits")
    refs, tags = read_refs(repository)
    heads = {ref.name: ref.object for ref in refs}
    commits: list[str] = []
    if heads != seen:
        known = present(repository, sorted(set(seen.values())))
        commits = list_commits(repository, sorted({ref.commit for ref in refs}), sorted(known))
    shown.total(len(commits))

    shown.stage("reading commits")
    new = _write_commits(
        root, key, read_commits(repository, commits, jobs=jobs, on_read=shown.advance)
    )
    changed = [t for t in tags if seen.get(f"refs/tags/{t.name}") != heads[f"refs/tags/{t.name}"]]
    if changed:
        tag_files = ActivityFiles(root, "tags")
        owner = new_owner()
        tag_files.stage(tag_table(key, changed), owner)
        tag_files.publish(owner)

    total = count_commits(root, key) if commits or previous is None else previous.commits
    GitImports(store).put(GitImportState(key, where, heads, total, datetime.now(UTC)))
    elapsed = time.perf_counter() - started
    return GitImportReport(key, where, len(commits), new, len(changed), total, elapsed)


def _write_commits(root: Path, key: str, batches: Iterable[list[GitCommit]]) -> int:
    """Stage the commits, then publish them with the compaction of their months; returns
    the commits not stored before (counted against every other file, so never negative,
    and readers never see a commit twice)."""
    files = ActivityFiles(root, "commits")
    owner = new_owner()
    pending: list[GitCommit] = []
    try:
        for batch in batches:
            pending.extend(batch)
            if len(pending) >= _APPEND_ROWS:
                files.stage(commit_table(key, pending), owner)
                pending = []
        if pending:
            files.stage(commit_table(key, pending), owner)
    finally:
        new = files.publish(owner).new
    return new


# -- Arrow tables ----------------------------------------------------------------------------


def _timestamps(seconds: Sequence[int | None]) -> pa.Array:
    return pa.array(seconds, pa.int64()).cast(pa.timestamp("s")).cast(pa.timestamp("us"))


def commit_table(repo: str, commits: Sequence[GitCommit]) -> pa.Table:
    """Rows of the ``commits`` dataset; the month is the author's (UTC), else the
    committer's, else ``UNKNOWN_MONTH``."""
    count = len(commits)
    author_time = _timestamps([c.author_time for c in commits])
    committer_time = _timestamps([c.committer_time for c in commits])
    month = pc.coalesce(
        pc.strftime(author_time, "%Y-%m"),
        pc.strftime(committer_time, "%Y-%m"),
        pa.scalar(UNKNOWN_MONTH),
    )
    parents = pa.array([len(c.parents) for c in commits], pa.int32())
    return pa.table(
        {
            "repo": pa.array([repo] * count, pa.string()),
            "sha": [c.sha for c in commits],
            "author_name": [c.author_name for c in commits],
            "author_email": [c.author_email for c in commits],
            "author_time": author_time,
            "author_offset": pa.array([c.author_offset for c in commits], pa.int32()),
            "committer_name": [c.committer_name for c in commits],
            "committer_email": [c.committer_email for c in commits],
            "committer_time": committer_time,
            "committer_offset": pa.array([c.committer_offset for c in commits], pa.int32()),
            "parents": parents,
            "is_merge": pc.greater(parents, 1),
            "files_changed": pa.array([c.files_changed for c in commits], pa.int32()),
            "insertions": pa.array([c.insertions for c in commits], pa.int64()),
            "deletions": pa.array([c.deletions for c in commits], pa.int64()),
            "month": month,
        }
    )


def tag_table(repo: str, tags: Sequence[GitTag]) -> pa.Table:
    tagged_at = _timestamps([t.time for t in tags])
    return pa.table(
        {
            "repo": pa.array([repo] * len(tags), pa.string()),
            "name": [t.name for t in tags],
            "sha": [t.commit for t in tags],
            "tagged_at": tagged_at,
            "annotated": pa.array([t.annotated for t in tags], pa.bool_()),
            "month": pc.coalesce(pc.strftime(tagged_at, "%Y-%m"), pa.scalar(UNKNOWN_MONTH)),
        }
    )


# -- where the repository is, and its key ------------------------------------------------


def _open(
    location: str, repo_key: str | None, mirrors: Path, progress: ImportProgress
) -> tuple[Path, str, str]:
    """(git directory, repository key, location to record)."""
    if repo_key is not None:
        _check_key(repo_key)
    if location.startswith("-"):
        raise UsageError(f"{location!r} looks like an option, not a repository")
    path = Path(location)
    if path.exists():
        repository = git_dir(path)
        key = repo_key or _key_for_path(repository, path)
        return repository, key, str(path.resolve())
    url = _remote_url(location)
    key = repo_key or repo_key_for_url(url)
    _check_key(key)
    mirror = mirrors.joinpath(*key.split("/")).with_name(key.rsplit("/", 1)[-1] + ".git")
    shown = _redacted(url)
    try:
        if mirror.is_dir():
            progress.stage(f"fetching {shown}")
            fetch_mirror(mirror, url)
        else:
            progress.stage(f"cloning {shown}")
            clone_mirror(url, mirror)
    except SourceError as error:
        raise SourceError(error.message, path=shown) from None
    return git_dir(mirror), key, shown


def _remote_url(location: str) -> str:
    if "::" in location:
        raise UsageError(f"{location}: transport helpers (ext::, fd::, ...) are refused")
    scheme = _SCHEME.match(location)
    if scheme is not None:
        if scheme.group(1).lower() not in _SCHEMES:
            raise UsageError(f"{location}: unsupported URL scheme {scheme.group(1)!r}")
        return location
    if _SCP.fullmatch(location):  # git's [user@]host:path
        return location
    raise SourceError("no such directory, and not a git URL", path=location)


def repo_key_for_url(url: str) -> str:
    """Canonical ``host/owner/name``, or ``local/<last path segment>`` for a URL that names
    no public repository (``file://``, a host without a dot)."""
    canonical = canonical_repo_url(url).canonical
    if canonical is not None:
        return canonical
    last = url.rstrip("/").rsplit("/", 1)[-1].rsplit(":", 1)[-1]
    return "local/" + _safe_name(last)


def _key_for_path(repository: Path, given: Path) -> str:
    origin = origin_url(repository)
    canonical = canonical_repo_url(origin).canonical if origin else None
    if canonical is not None:
        return canonical
    resolved = given.resolve()
    name = resolved.parent.name if resolved.name == ".git" else resolved.name
    return "local/" + _safe_name(name)


def _safe_name(name: str) -> str:
    while name[-4:].lower() == ".git":
        name = name[:-4]
    cleaned = re.sub(r"[^A-Za-z0-9_.-]+", "-", name).strip(".-")
    return cleaned or "repository"


def _check_key(key: str) -> None:
    """A key names a folder of mirrors: plain segments only, no '..'."""
    segments = key.split("/")
    if not all(_KEY_SEGMENT.fullmatch(s) and s not in (".", "..") for s in segments):
        raise UsageError(
            f"repository key {key!r} must be slash-separated names of letters, digits, "
            "'.', '_', '~' or '-' (like host/owner/name)"
        )


def _redacted(url: str) -> str:
    """The URL without a password or token, to show and to store."""
    parts = urlsplit(url) if _SCHEME.match(url) else None
    if parts is None or parts.password is None:
        return url
    host = parts.hostname or ""
    netloc = f"{parts.username}@{host}" if parts.username else host
    if parts.port is not None:
        netloc += f":{parts.port}"
    return urlunsplit(parts._replace(netloc=netloc))
