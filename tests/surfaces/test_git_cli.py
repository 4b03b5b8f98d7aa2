"""``ossmeta git import`` on the command line: a work tree, a URL served by a real
``git daemon`` on 127.0.0.1, and the one-line errors (exit 2) of what cannot be imported;
on SQLite and PostgreSQL."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from ossmeta.surfaces.cli.app import main
from tests.gitrepo import Repo, build_history, git, git_daemon

SUMMARY = re.compile(
    r"^(\S+): (\d+) new commit\(s\), (\d+) tag\(s\) written, (\d+) commit\(s\) stored, in \d+\.\d s$"
)


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("OSSMETA_HOME", str(tmp_path / "home"))
    return tmp_path / "home"


@pytest.fixture(autouse=True)
def created(store_url: str) -> None:
    """Only ``db upgrade`` creates a store; the commands under test write into one."""
    assert main(["db", "upgrade", "--db", store_url]) == 0


@pytest.fixture
def repo(tmp_path: Path) -> Repo:
    made = Repo.init(tmp_path / "project")
    history = build_history(made)
    made.tag("v1.0", history.rename, message="first", date="1702000000 +0200")
    return made


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def summary(err: str) -> tuple[str, int, int, int]:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    found = SUMMARY.match(lines[0])
    assert found is not None, lines[0]
    return found.group(1), int(found.group(2)), int(found.group(3)), int(found.group(4))


def test_import_a_work_tree_then_again(
    repo: Repo, home: Path, store_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(
        capsys, "git", "import", str(repo.path), "--db", store_url, "--data-dir", str(home / "data")
    )
    assert (code, out) == (0, "")
    assert summary(err) == ("local/project", 6, 1, 6)  # six commits, the v1.0 tag
    assert (home / "data" / "commits" / "manifest.json").is_file()
    repo.commit("more", {"g.txt": b"g\n"}, author_date="1711929600 +0000")
    code, _, err = run(
        capsys, "git", "import", str(repo.path), "--db", store_url, "--data-dir", str(home / "data")
    )
    assert (code, summary(err)) == (0, ("local/project", 1, 0, 7))


def test_import_a_url_into_the_default_places(
    tmp_path: Path, repo: Repo, home: Path, store_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    bare = tmp_path / "served" / "owner" / "name.git"
    bare.parent.mkdir(parents=True)
    git(tmp_path, "clone", "--quiet", "--bare", str(repo.path), str(bare))
    with git_daemon(tmp_path / "served") as origin:
        code, _, err = run(
            capsys,
            "git",
            "import",
            f"{origin}/owner/name.git",
            "--db",
            store_url,
            "--repo",
            "codehost.example/owner/name",
        )
    assert (code, summary(err)) == (0, ("codehost.example/owner/name", 6, 1, 6))
    assert (
        home / "git" / "codehost.example" / "owner" / "name.git" / "HEAD"
    ).is_file()  # the mirror
    assert (home / "activity" / "commits" / "manifest.json").is_file()


@pytest.fixture
def daemon(tmp_path: Path) -> Iterator[str]:
    (tmp_path / "served").mkdir()
    with git_daemon(tmp_path / "served") as origin:
        yield origin


def one_line_error(code: int, out: str, err: str) -> str:
    assert (code, out) == (2, "")
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    return lines[0]


def test_errors_are_one_line_and_exit_2(
    tmp_path: Path,
    repo: Repo,
    home: Path,
    daemon: str,
    store_url: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    plain = tmp_path / "plain"
    plain.mkdir()
    line = one_line_error(*run(capsys, "git", "import", str(plain), "--db", store_url))
    assert line == f"ossmeta: error: {plain}: not a git repository"
    line = one_line_error(
        *run(capsys, "git", "import", f"{daemon}/owner/absent.git", "--db", store_url)
    )
    assert line.startswith(f"ossmeta: error: {daemon}/owner/absent.git: ")
    assert not (home / "git").exists() or not any((home / "git").rglob("*.git"))
    line = one_line_error(*run(capsys, "git", "import", "ext::sh -c true", "--db", store_url))
    assert (
        line == "ossmeta: error: ext::sh -c true: transport helpers (ext::, fd::, ...) are refused"
    )
    line = one_line_error(
        *run(capsys, "git", "import", str(repo.path), "--repo", "a/../b", "--db", store_url)
    )
    assert line.startswith("ossmeta: error: repository key 'a/../b' must be")
