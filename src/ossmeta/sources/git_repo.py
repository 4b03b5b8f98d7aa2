"""A git repository through the ``git`` binary: where its git directory is, its refs and
tags, whether it holds objects, and mirrors of remote repositories (clone, fetch).

Every call runs git with the commands' output pinned: no credential prompt
(``GIT_TERMINAL_PROMPT=0``), the C locale, replace refs ignored, signatures not checked,
no inherited variable pointing at another repository (``GIT_DIR``, ``GIT_OBJECT_DIRECTORY``...).
Transports that run commands or read file descriptors (``ext::``, ``fd::``) are refused
by git itself here, whatever URL reaches it. Names are decoded as UTF-8 with invalid bytes
replaced (U+FFFD).

Tags: an annotated tag's time is its tagger's; a lightweight tag's, and an annotated
tag's without a tagger line, its commit's committer time. A tag of a tag is followed to
its commit; a tag of a tree or a blob marks no point in the history and is left out.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path
from typing import Final, NamedTuple

from ossmeta.errors import SourceError

__all__ = [
    "REF_PREFIXES",
    "GitRef",
    "GitTag",
    "clone_mirror",
    "failure_reason",
    "fetch_mirror",
    "git_arguments",
    "git_binary",
    "git_dir",
    "git_environment",
    "in_repo",
    "origin_url",
    "parse_when",
    "present",
    "read_refs",
]

# Configuration that would add lines to git's output (signature checks).
_PINNED_CONFIG: Final = ("-c", "log.showSignature=false")
# Transports that run commands or read file descriptors, refused even if a URL slipped by.
_NO_UNSAFE: Final = ("-c", "protocol.ext.allow=never", "-c", "protocol.fd.allow=never")
# What ``git rev-parse --local-env-vars`` lists.
_REPOSITORY_VARIABLES: Final = frozenset(
    [
        "GIT_ALTERNATE_OBJECT_DIRECTORIES",
        "GIT_CONFIG",
        "GIT_CONFIG_PARAMETERS",
        "GIT_CONFIG_COUNT",
        "GIT_OBJECT_DIRECTORY",
        "GIT_DIR",
        "GIT_WORK_TREE",
        "GIT_IMPLICIT_WORK_TREE",
        "GIT_GRAFT_FILE",
        "GIT_INDEX_FILE",
        "GIT_NO_REPLACE_OBJECTS",
        "GIT_REPLACE_REF_BASE",
        "GIT_PREFIX",
        "GIT_INTERNAL_SUPER_PREFIX",
        "GIT_SHALLOW_FILE",
        "GIT_COMMON_DIR",
    ]
)
# 0001-01-01T00:00:00Z and 9999-12-31T23:59:59Z: what a datetime and a month can hold.
_EARLIEST: Final = -62135596800
_LATEST: Final = 253402300799
_REPLACE: Final = "replace"


class GitRef(NamedTuple):
    name: str  # refs/heads/main, refs/remotes/origin/main, refs/tags/v1.0
    object: str  # the object the ref names (a tag object for an annotated tag)
    commit: str  # the commit it leads to


class GitTag(NamedTuple):
    name: str  # without refs/tags/
    commit: str  # the commit the tag leads to
    annotated: bool
    time: int | None  # the tagger's time; a lightweight tag's commit's committer time
    offset: int | None


# -- running git ---------------------------------------------------------------------------


def git_binary() -> str:
    found = shutil.which("git")
    if found is None:
        raise SourceError("git is not installed (no 'git' on PATH)")
    return found


def git_environment(extra: dict[str, str] | None = None) -> dict[str, str]:
    """The environment of every git call: no credential prompt, the C locale, and none of
    the variables that point git at another repository's parts (set when ossmeta runs
    from a git hook, say): the repository is always the one named on the command line."""
    environment = {k: v for k, v in os.environ.items() if k not in _REPOSITORY_VARIABLES}
    return {**environment, "GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C", **(extra or {})}


def git_arguments(repository: Path, *arguments: str) -> list[str]:
    """The command line of a git call on ``repository`` with the output pinned."""
    return [
        git_binary(),
        "--no-replace-objects",
        f"--git-dir={repository}",
        *_PINNED_CONFIG,
        *arguments,
    ]


def _run(
    arguments: Sequence[str],
    *,
    stdin: bytes | None = None,
    where: str,
    quiet_fail: bool = False,
    extra_environment: dict[str, str] | None = None,
) -> bytes | None:
    """git's standard output; a failure is a one-line SourceError naming ``where`` (or
    None with ``quiet_fail``)."""
    try:
        done = subprocess.run(
            arguments,
            input=stdin if stdin is not None else b"",
            capture_output=True,
            env=git_environment(extra_environment),
            check=False,
        )
    except OSError as error:
        raise SourceError(f"cannot run git: {error}", path=where) from None
    if done.returncode != 0:
        if quiet_fail:
            return None
        raise SourceError(failure_reason(done.stderr, done.returncode), path=where)
    return done.stdout


def failure_reason(stderr: bytes, status: int) -> str:
    """git's last line of complaint, or its exit status."""
    lines = [line for line in stderr.decode("utf-8", _REPLACE).splitlines() if line.strip()]
    return lines[-1].removeprefix("fatal: ") if lines else f"git exited with status {status}"


def in_repo(repository: Path, *arguments: str, stdin: bytes | None = None) -> bytes:
    output = _run(git_arguments(repository, *arguments), stdin=stdin, where=str(repository))
    assert output is not None
    return output


def git_dir(path: Path) -> Path:
    """The git directory of the repository at ``path`` (a work tree's top or a bare
    repository). A directory inside a work tree is not taken for the whole repository."""
    if not path.is_dir():
        raise SourceError("no such directory", path=str(path))
    # The ceiling stops git from looking for a repository above ``path``.
    found = _run(
        [git_binary(), "-C", str(path), "rev-parse", "--absolute-git-dir"],
        where=str(path),
        quiet_fail=True,
        extra_environment={"GIT_CEILING_DIRECTORIES": str(path.resolve().parent)},
    )
    if found is None:
        raise SourceError("not a git repository", path=str(path))
    return Path(os.fsdecode(found.rstrip(b"\n")))


def origin_url(repository: Path) -> str | None:
    found = _run(
        [git_binary(), f"--git-dir={repository}", "config", "--get", "remote.origin.url"],
        where=str(repository),
        quiet_fail=True,
    )
    text = found.decode("utf-8", _REPLACE).strip() if found else ""
    return text or None


def clone_mirror(url: str, destination: Path) -> None:
    """``git clone --mirror``, into a temporary name first so that a failed clone leaves
    nothing a later run would take for a mirror."""
    destination.parent.mkdir(parents=True, exist_ok=True)
    partial = destination.with_name(destination.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    try:
        _run(
            [git_binary(), *_NO_UNSAFE, "clone", "--mirror", "--quiet", "--", url, str(partial)],
            where=url,
        )
    except SourceError:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    os.replace(partial, destination)


def fetch_mirror(repository: Path, url: str) -> None:
    """Bring a mirror up to date with ``url``; refs deleted upstream are deleted here."""
    base = [git_binary(), *_NO_UNSAFE, f"--git-dir={repository}"]
    _run([*base, "remote", "set-url", "origin", url], where=url)
    _run([*base, "fetch", "--prune", "--quiet", "origin"], where=url)


# -- refs and tags ---------------------------------------------------------------------------

_REF_FORMAT: Final = "%00".join(
    (
        "%(refname)",
        "%(objectname)",
        "%(objecttype)",
        "%(*objectname)",
        "%(*objecttype)",
        "%(taggerdate:raw)",
        "%(committerdate:raw)",
        "%(*committerdate:raw)",
    )
)
#: Project history: branches, remote-tracking branches (a work tree's view of upstream) and
#: tags. Not pull-request refs of a mirror, notes or stashes.
REF_PREFIXES: Final = ("refs/heads/", "refs/remotes/", "refs/tags/")


def read_refs(repository: Path) -> tuple[list[GitRef], list[GitTag]]:
    """Refs that lead to a commit, and the tags among them. A tag of a tree or a blob is
    left out: it marks no point in the history."""
    output = in_repo(repository, "for-each-ref", f"--format={_REF_FORMAT}", *REF_PREFIXES)
    refs: list[GitRef] = []
    tags: list[GitTag] = []
    nested: list[tuple[str, str, bytes]] = []  # (ref, tag object, tagger date)
    for line in output.split(b"\n"):
        if not line:
            continue
        fields = line.split(b"\0")
        if len(fields) != 8:
            raise SourceError(f"unexpected for-each-ref line: {line[:80]!r}", path=str(repository))
        name = fields[0].decode("utf-8", _REPLACE)
        obj, kind, peeled, peeled_kind = (f.decode("ascii", _REPLACE) for f in fields[1:5])
        tagger, committed, peeled_committed = fields[5:8]
        if kind == "commit":
            refs.append(GitRef(name, obj, obj))
            if name.startswith("refs/tags/"):
                tags.append(GitTag(name[10:], obj, False, *parse_when(committed)))
        elif kind == "tag" and peeled_kind == "commit":
            refs.append(GitRef(name, obj, peeled))
            if name.startswith("refs/tags/"):
                when = parse_when(tagger) if tagger else parse_when(peeled_committed)
                tags.append(GitTag(name[10:], peeled, True, *when))
        elif kind == "tag" and peeled_kind == "tag":
            nested.append((name, obj, tagger))
    if nested:
        _add_nested(repository, nested, refs, tags)
    return refs, tags


def _add_nested(
    repository: Path,
    nested: list[tuple[str, str, bytes]],
    refs: list[GitRef],
    tags: list[GitTag],
) -> None:
    """Tags of tags: for-each-ref peels one level only, ``cat-file`` peels them all."""
    lines = "".join(f"{obj}^{{}}\n" for _, obj, _ in nested).encode()
    check = in_repo(
        repository, "cat-file", "--batch-check=%(objectname) %(objecttype)", stdin=lines
    )
    answers = [line.split(b" ") for line in check.split(b"\n") if line]
    found = [
        (name, obj, tagger, answer[0].decode("ascii"))
        for (name, obj, tagger), answer in zip(nested, answers, strict=True)
        if answer[-1] == b"commit"
    ]
    untimed = sorted({commit for _, _, tagger, commit in found if not tagger})
    times = _committer_times(repository, untimed) if untimed else {}
    for name, obj, tagger, commit in found:
        refs.append(GitRef(name, obj, commit))
        if name.startswith("refs/tags/"):
            when = parse_when(tagger) if tagger else times.get(commit, (None, None))
            tags.append(GitTag(name[10:], commit, True, *when))


def _committer_times(
    repository: Path, commits: Sequence[str]
) -> dict[str, tuple[int | None, int | None]]:
    output = in_repo(
        repository,
        "log",
        "--no-walk=unsorted",
        "--stdin",
        "-z",
        "--format=%H%x00%cd",
        "--date=raw",
        stdin="".join(f"{c}\n" for c in commits).encode(),
    )
    parts = output.split(b"\0")
    return {parts[i].decode(): parse_when(parts[i + 1]) for i in range(0, len(parts) - 1, 2)}


def present(repository: Path, objects: Sequence[str]) -> set[str]:
    """Which of ``objects`` the repository holds (a force-push and a gc can remove some)."""
    if not objects:
        return set()
    check = in_repo(
        repository,
        "cat-file",
        "--batch-check=%(objectname) %(objecttype)",
        stdin="".join(f"{o}\n" for o in objects).encode(),
    )
    return {
        line.split(b" ")[0].decode()
        for line in check.split(b"\n")
        if line and not line.endswith(b" missing")
    }


def parse_when(raw: bytes) -> tuple[int | None, int | None]:
    """``b"1700000000 +0130"`` -> (1700000000, 90). Either part is None when git could not
    read it or the time is outside years 1-9999."""
    seconds_text, _, zone = raw.partition(b" ")
    try:
        seconds: int | None = int(seconds_text)
    except ValueError:
        return None, None
    if not _EARLIEST <= seconds <= _LATEST:  # type: ignore[operator]
        seconds = None
    if len(zone) != 5 or zone[:1] not in (b"+", b"-") or not zone[1:].isdigit():
        return seconds, None
    hours_minutes = int(zone)  # int(b"-0530") == -530
    if hours_minutes < 0:
        return seconds, -(-hours_minutes // 100 * 60 + -hours_minutes % 100)
    return seconds, hours_minutes // 100 * 60 + hours_minutes % 100
