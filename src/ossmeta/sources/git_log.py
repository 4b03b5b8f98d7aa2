"""The commits of a git repository, read with the ``git`` binary.

One ``git log --numstat`` is what reading a history costs: git's diffing dominates and a
parser cannot beat it. So the commits to read are listed first (``git rev-list``, cheap)
and split into contiguous ranges that several ``git log --no-walk --stdin`` processes
diff at the same time, one per core; contiguous, because a commit's parent tree is then
usually the one the same process has just read.

Output that cannot break the parser, whatever the names and paths hold:

- Fields are separated by NUL (``%x00``) and ``-z`` terminates every numstat entry with
  NUL; a name, e-mail or path can hold tabs, newlines or any byte but NUL, and git refuses
  NUL in all of them. The commit message is never asked for.
- The stream is read as bytes: names and e-mails are decoded as UTF-8 with invalid bytes
  replaced (U+FFFD), since Parquet strings must be valid UTF-8. Commits that declare an
  encoding are re-encoded to UTF-8 by git itself (``--encoding=UTF-8``). Paths are only
  counted, never decoded.
- Output options that user configuration could change are pinned on the command line:
  renames detected (``-M``, a moved file is one file changed, not a deletion plus an
  addition), Myers diff, no textconv or external diff, root commits diffed (and, for
  every git call, see ``git_repo``: no signatures, no replace refs).

Counting decisions:

- A binary file counts as one file changed with 0 insertions and 0 deletions (numstat
  shows ``-``).
- A merge commit counts 0 files, 0 insertions, 0 deletions: git shows no diff for merges
  by default, and counting a merge's diff against its first parent would count again
  every change of the merged branch, whose own commits are already counted. Changes made
  while resolving conflicts are therefore not counted. ``parents`` tells merges apart.
- Times are git's raw values: seconds since the epoch (UTC) and the offset the author's
  clock had, in minutes east of UTC. A date git cannot parse, or one outside years 1 to
  9999, is ``None``.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import IO, Final, NamedTuple

from ossmeta.errors import SourceError
from ossmeta.sources.git_repo import (
    failure_reason,
    git_arguments,
    git_environment,
    in_repo,
    parse_when,
)

__all__ = ["LOG_FORMAT", "GitCommit", "list_commits", "parse_log", "read_commits"]

#: Each commit: a NUL (the record mark), then NUL-separated fields; ``-z`` ends the record
#: with NUL and puts the numstat entries after a newline.
LOG_FORMAT: Final = "%x00%H%x00%P%x00%an%x00%ae%x00%ad%x00%cn%x00%ce%x00%cd"
_FIELDS: Final = 8
LOG_OPTIONS: Final = (
    "--no-walk=unsorted",
    "--stdin",
    "-z",
    f"--format={LOG_FORMAT}",
    "--date=raw",
    "--encoding=UTF-8",
    "--numstat",
    "--root",
    "-M",
    "--diff-algorithm=myers",
    "--no-textconv",
    "--no-ext-diff",
)


class GitCommit(NamedTuple):
    """One commit as git records it. A NamedTuple, not a dataclass: a large history has
    millions of them and a tuple is the cheapest immutable record to build."""

    sha: str
    parents: tuple[str, ...]
    author_name: str
    author_email: str
    author_time: int | None  # seconds since the epoch, UTC
    author_offset: int | None  # minutes east of UTC
    committer_name: str
    committer_email: str
    committer_time: int | None
    committer_offset: int | None
    files_changed: int
    insertions: int
    deletions: int


# -- commits ---------------------------------------------------------------------------------


def list_commits(repository: Path, include: Sequence[str], exclude: Sequence[str]) -> list[str]:
    """Commits reachable from ``include`` and not from ``exclude`` (which must exist:
    see ``present``), newest first."""
    if not include:
        return []
    wanted = [*include, *(f"^{sha}" for sha in exclude)]
    output = in_repo(repository, "rev-list", "--stdin", stdin="\n".join(wanted).encode() + b"\n")
    return output.decode("ascii").split()


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def read_commits(
    repository: Path,
    commits: Sequence[str],
    *,
    jobs: int | None = None,
    chunk: int | None = None,
    on_read: Callable[[int], None] | None = None,
) -> Iterator[list[GitCommit]]:
    """The commits named, in batches, read by ``jobs`` git processes at once (default: one
    per core). Batches come in the order of ``commits``; at most ``jobs + 1`` are held."""
    total = len(commits)
    if total == 0:
        return
    workers = max(1, min(jobs or _cores(), 16))
    # Two ranges per process balance uneven diff costs; small ranges cost a process each.
    size = chunk or max(500, min(10_000, -(-total // (workers * 2))))
    ranges = [commits[start : start + size] for start in range(0, total, size)]
    workers = min(workers, len(ranges))
    if workers == 1:
        for part in ranges:
            batch = _read_range(repository, part)
            if on_read:
                on_read(len(batch))
            yield batch
        return
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="git-log") as pool:
        pending: list[Future[list[GitCommit]]] = []
        queue = iter(ranges)
        for part in queue:
            pending.append(pool.submit(_read_range, repository, part))
            if len(pending) > workers:
                break
        while pending:
            batch = pending.pop(0).result()
            following = next(queue, None)
            if following is not None:
                pending.append(pool.submit(_read_range, repository, following))
            if on_read:
                on_read(len(batch))
            yield batch


def _read_range(repository: Path, commits: Sequence[str]) -> list[GitCommit]:
    try:
        return parse_log(_log_output(repository, commits))
    except SourceError as error:
        raise SourceError(error.message, path=str(repository)) from None


def _log_output(repository: Path, commits: Sequence[str]) -> bytes:
    """``git log`` of ``commits``, read with one blocking ``read()``: communicate()'s poll
    loop wakes for every few hundred bytes git writes and costs more than parsing them.
    The commit list goes in from a thread (no deadlock whatever git reads first); the
    error output goes to a file (no pipe to fill)."""
    arguments = git_arguments(repository, "log", *LOG_OPTIONS)
    environment = git_environment()
    with tempfile.TemporaryFile() as errors:
        process = subprocess.Popen(
            arguments,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=errors,
            env=environment,
        )
        assert process.stdin is not None and process.stdout is not None
        feed = threading.Thread(
            target=_feed, args=(process.stdin, "\n".join(commits).encode() + b"\n")
        )
        feed.start()
        output = process.stdout.read()
        process.stdout.close()
        feed.join()
        if process.wait() != 0:
            errors.seek(0)
            reason = failure_reason(errors.read(), process.returncode)
            raise SourceError(reason, path=str(repository))
    return output


def _feed(pipe: IO[bytes], data: bytes) -> None:
    try:
        pipe.write(data)
        pipe.close()
    except BrokenPipeError:  # git stopped early; its exit status says why
        pass


def parse_log(data: bytes) -> list[GitCommit]:
    """Commits from the output of ``git log -z --numstat --format=LOG_FORMAT``.

    Split at NUL the stream reads: ``""`` (record mark), the eight fields, then numstat
    entries ``added\\tdeleted\\tpath`` (the first one after a newline), a rename being
    ``added\\tdeleted\\t`` followed by the old and the new path as two more tokens, then
    the next record's mark. Paths are never empty, so an empty token always marks a record.
    """
    tokens = data.split(b"\0")
    count = len(tokens)
    if tokens[0]:
        raise SourceError(f"git log output does not start with a record: {tokens[0][:40]!r}")
    commits: list[GitCommit] = []
    append = commits.append
    # The same few people write most commits: decode each identity once.
    identities: dict[tuple[bytes, ...], tuple[str, ...]] = {}
    at = 1
    try:
        while at < count:
            if at + _FIELDS > count:
                raise SourceError("git log output ends inside a record")
            sha, parents, a_name, a_mail, a_date, c_name, c_mail, c_date = tokens[at : at + _FIELDS]
            if len(sha) not in (40, 64):
                raise SourceError(f"not a commit id: {sha[:80]!r}")
            at += _FIELDS
            files = added_total = deleted_total = 0
            while at < count and tokens[at]:
                added, deleted, path = tokens[at].lstrip(b"\n").split(b"\t", 2)
                files += 1
                if added != b"-":
                    added_total += int(added)
                    deleted_total += int(deleted)
                at += 1 if path else 3  # a rename: old and new path follow
            at += 1
            key = (a_name, a_mail, c_name, c_mail)
            who = identities.get(key)
            if who is None:
                who = identities[key] = tuple(part.decode("utf-8", "replace") for part in key)
            author_time, author_offset = parse_when(a_date)
            committer_time, committer_offset = parse_when(c_date)
            append(
                GitCommit(
                    sha.decode("ascii"),
                    tuple(parents.decode("ascii").split()),
                    who[0],
                    who[1],
                    author_time,
                    author_offset,
                    who[2],
                    who[3],
                    committer_time,
                    committer_offset,
                    files,
                    added_total,
                    deleted_total,
                )
            )
    except (ValueError, UnicodeDecodeError) as error:
        raise SourceError(f"malformed git log output: {error}") from None
    if at > count:
        raise SourceError("git log output ends inside a rename entry")
    return commits
