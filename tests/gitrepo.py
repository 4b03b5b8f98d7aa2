"""Real git repositories for the git tests (importable as ``tests.gitrepo``): a small
builder over the ``git`` binary with pinned identities and dates, the hand-known history
the source, pipeline and CLI tests share, and a ``git daemon`` on 127.0.0.1."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

# No user or system configuration may change what git writes or shows.
ISOLATED = {
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_TERMINAL_PROMPT": "0",
    "LC_ALL": "C",
}

ADA = ("Ada Lovelace", "ada@example.org")
BOB = ("Bob Byte", "bob@example.org")


def git(
    where: Path,
    *args: str | bytes,
    env: Mapping[str, str | bytes] | None = None,
    stdin: bytes | None = None,
) -> bytes:
    environment: dict[bytes, bytes] = {
        os.fsencode(k): os.fsencode(v) for k, v in os.environ.items()
    }
    for key, value in {**ISOLATED, **(env or {})}.items():
        environment[os.fsencode(key)] = os.fsencode(value)
    done = subprocess.run(
        ["git", *args], cwd=where, env=environment, input=stdin, capture_output=True, check=False
    )
    if done.returncode != 0:
        raise AssertionError(f"git {args!r} failed: {done.stderr.decode(errors='replace')}")
    return done.stdout


@dataclass
class Repo:
    path: Path

    @classmethod
    def init(cls, path: Path) -> Repo:
        path.mkdir(parents=True, exist_ok=True)
        git(path, "init", "--quiet", "--initial-branch=main")
        return cls(path)

    def git(
        self,
        *args: str | bytes,
        env: Mapping[str, str | bytes] | None = None,
        stdin: bytes | None = None,
    ) -> str:
        return git(self.path, *args, env=env, stdin=stdin).decode("utf-8", "replace").strip()

    def write(self, files: Mapping[str | bytes, bytes | None]) -> None:
        """Write (bytes) or delete (None) files of the work tree."""
        for name, content in files.items():
            target = Path(os.fsdecode(os.fsencode(self.path) + b"/" + os.fsencode(name)))
            if content is None:
                target.unlink()
            else:
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(content)

    def commit(
        self,
        message: str,
        files: Mapping[str | bytes, bytes | None] | None = None,
        *,
        author: tuple[str, str] = ADA,
        author_date: str = "1700000000 +0000",
        committer: tuple[str, str] = BOB,
        committer_date: str | None = None,
        extra: tuple[str, ...] = (),
    ) -> str:
        self.write(files or {})
        self.git("add", "--all")
        self.git(
            "commit",
            "--quiet",
            "--allow-empty",
            "-m",
            message,
            *extra,
            env=_who(author, author_date, committer, committer_date or author_date),
        )
        return self.git("rev-parse", "HEAD")

    def merge(self, branch: str, *, author_date: str, committer_date: str | None = None) -> str:
        self.git(
            "merge",
            "--quiet",
            "--no-ff",
            "--no-edit",
            branch,
            env=_who(ADA, author_date, BOB, committer_date or author_date),
        )
        return self.git("rev-parse", "HEAD")

    def tag(
        self, name: str, target: str, *, message: str | None = None, date: str = "1700000000 +0000"
    ) -> None:
        if message is None:
            self.git("tag", name, target)
        else:
            self.git("tag", "-a", "-m", message, name, target, env=_who(ADA, date, BOB, date))

    def raw_commit(self, body: bytes) -> str:
        """A commit object written as given (identities with any bytes, odd dates)."""
        return self.git("hash-object", "-w", "-t", "commit", "--literally", "--stdin", stdin=body)


def _who(
    author: tuple[str, str], author_date: str, committer: tuple[str, str], committer_date: str
) -> dict[str, str | bytes]:
    return {
        "GIT_AUTHOR_NAME": author[0],
        "GIT_AUTHOR_EMAIL": author[1],
        "GIT_AUTHOR_DATE": author_date,
        "GIT_COMMITTER_NAME": committer[0],
        "GIT_COMMITTER_EMAIL": committer[1],
        "GIT_COMMITTER_DATE": committer_date,
    }


# -- the shared history ------------------------------------------------------------------------

WEIRD_PATH = b"tab\there\nnewline\xff.txt"  # a tab, a newline and a byte that is not UTF-8


@dataclass(frozen=True)
class History:
    """The commits of ``build_history``, by role."""

    root: str
    rename: str
    side: str
    drop: str
    merge: str
    empty: str


def build_history(repo: Repo) -> History:
    """Six commits, every count known by hand (numstat: added, deleted per file):

    root   a.txt +3 (one two three), bin.dat binary (-/-)       files 2, +3 -0
    rename a.txt -> b.txt with "four" appended (+1 -0), bin.dat binary changed (-/-),
           WEIRD_PATH +2                                          files 3, +3 -0
    side   (branch side, from rename) b.txt: "two" -> "TWO"        files 1, +1 -1
    drop   (main, from rename) bin.dat deleted (-/-), c.txt +5     files 2, +5 -0
    merge  side into main, --no-ff                                 files 0 (a merge), 2 parents
    empty  --allow-empty                                           files 0, +0 -0
    """
    root = repo.commit(
        "root",
        {"a.txt": b"one\ntwo\nthree\n", "bin.dat": b"\x00\x01\x02"},
        author_date="1700000000 +0130",  # 2023-11-14T22:13:20Z, author clock at +01:30
        committer_date="1700003600 -0500",
    )
    repo.git("mv", "a.txt", "b.txt")
    rename = repo.commit(
        "rename",
        {
            "b.txt": b"one\ntwo\nthree\nfour\n",
            "bin.dat": b"\x00\x01\x02\x03",
            WEIRD_PATH: b"x\ny\n",
        },
        author_date="1701388800 +0000",  # 2023-12-01T00:00:00Z
    )
    repo.git("checkout", "--quiet", "-b", "side")
    side = repo.commit(
        "side",
        {"b.txt": b"one\nTWO\nthree\nfour\n"},
        author=BOB,
        author_date="1704067200 -0230",  # 2024-01-01T00:00:00Z, clock at -02:30
    )
    repo.git("checkout", "--quiet", "main")
    drop = repo.commit(
        "drop",
        {"bin.dat": None, "c.txt": b"1\n2\n3\n4\n5\n"},
        author_date="1704153600 +0900",  # 2024-01-02T00:00:00Z
    )
    merge = repo.merge("side", author_date="1706745600 +0000")  # 2024-02-01T00:00:00Z
    empty = repo.commit("empty", author_date="1709251200 +0000")  # 2024-03-01T00:00:00Z
    return History(root, rename, side, drop, merge, empty)


# -- git daemon ------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextlib.contextmanager
def git_daemon(base: Path) -> Iterator[str]:
    """``git daemon`` serving every repository under ``base`` read-only on 127.0.0.1;
    yields its ``git://127.0.0.1:PORT`` origin. Stopped when the block ends."""
    port = free_port()
    # git-daemon itself, not ``git daemon`` (a wrapper that forks it), in its own process
    # group: stopping the group stops the daemon and any connection it is serving.
    exec_path = subprocess.run(["git", "--exec-path"], capture_output=True, text=True, check=True)
    process = subprocess.Popen(
        [
            str(Path(exec_path.stdout.strip()) / "git-daemon"),
            "--reuseaddr",
            "--export-all",
            f"--base-path={base}",
            "--listen=127.0.0.1",
            f"--port={port}",
            str(base),
        ],
        env={**os.environ, **ISOLATED},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError("git daemon did not start") from None
                time.sleep(0.05)
        yield f"git://127.0.0.1:{port}"
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=10)
