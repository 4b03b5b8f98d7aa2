"""``import_git`` from real repositories (a work tree, a bare mirror served by a real
``git daemon`` on 127.0.0.1) into Parquet and the store (SQLite and PostgreSQL):
what lands where, incremental re-imports, rewritten history, a killed import redone."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from sqlalchemy import delete

from ossmeta.errors import SourceError, UsageError
from ossmeta.pipelines.git_import import UNKNOWN_MONTH, commit_table, import_git
from ossmeta.sources.git_log import GitCommit
from ossmeta.store import Store
from ossmeta.store.activity_files import ActivityFiles
from ossmeta.store.git_imports import get_git_import
from ossmeta.store.schema import git_imports
from tests.gitrepo import ADA, BOB, History, Repo, build_history, free_port, git, git_daemon


@pytest.fixture
def repo(tmp_path: Path) -> Repo:
    return Repo.init(tmp_path / "project")


@pytest.fixture
def history(repo: Repo) -> History:
    found = build_history(repo)
    repo.tag("v1.0", found.rename, message="first", date="1702000000 +0200")  # 2023-12-08
    repo.tag("snapshot", found.drop)  # lightweight: drop's committer time, 2024-01-02
    return found


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return tmp_path / "activity"


@pytest.fixture
def mirrors(tmp_path: Path) -> Path:
    return tmp_path / "mirrors"


def rows(root: Path, dataset: str) -> dict[Any, dict[str, Any]]:
    """Stored rows by key (commits by sha, tags by name)."""
    files = ActivityFiles(root, dataset).files()
    found = [row for path in files for row in pq.read_table(path).to_pylist()]
    key = "sha" if dataset == "commits" else "name"
    assert len({r[key] for r in found}) == len(found), "a key stored twice"
    return {r[key]: r for r in found}


def test_first_import_stores_every_commit_and_tag(
    repo: Repo, history: History, store: Store, root: Path, mirrors: Path
) -> None:
    report = import_git(str(repo.path), store, root, mirrors=mirrors)
    assert (
        report.repo,
        report.commits_read,
        report.new_commits,
        report.tags,
        report.total_commits,
    ) == ("local/project", 6, 6, 2, 6)
    commits = rows(root, "commits")
    assert commits[history.root] == {
        "repo": "local/project",
        "sha": history.root,
        "author_name": ADA[0],
        "author_email": ADA[1],
        "author_time": datetime(2023, 11, 14, 22, 13, 20),  # 1700000000 s, UTC
        "author_offset": 90,
        "committer_name": BOB[0],
        "committer_email": BOB[1],
        "committer_time": datetime(2023, 11, 14, 23, 13, 20),  # 1700003600 = 1700000000 + 1 h
        "committer_offset": -300,
        "parents": 0,
        "is_merge": False,
        "files_changed": 2,
        "insertions": 3,
        "deletions": 0,
        "month": "2023-11",
    }
    # partitioned by the author's month, in UTC
    assert (
        {sha: r["month"] for sha, r in commits.items()}
        == {
            history.root: "2023-11",
            history.rename: "2023-12",
            history.side: "2024-01",  # 2024-01-01T00:00Z, though the author's clock said 2023-12-31 21:30
            history.drop: "2024-01",
            history.merge: "2024-02",
            history.empty: "2024-03",
        }
    )
    assert ActivityFiles(root, "commits").months() == [
        "2023-11",
        "2023-12",
        "2024-01",
        "2024-02",
        "2024-03",
    ]
    assert [sha for sha, r in commits.items() if r["is_merge"]] == [history.merge]
    assert commits[history.merge]["parents"] == 2
    # churn over the history: 3 + 3 + 1 + 5 + 0 + 0 insertions, 1 deletion (side's "two")
    assert sum(r["insertions"] for r in commits.values()) == 12
    assert sum(r["deletions"] for r in commits.values()) == 1
    assert rows(root, "tags") == {
        "v1.0": {
            "repo": "local/project",
            "name": "v1.0",
            "sha": history.rename,
            "tagged_at": datetime(2023, 12, 8, 1, 46, 40),
            "annotated": True,
            "month": "2023-12",
        },
        "snapshot": {
            "repo": "local/project",
            "name": "snapshot",
            "sha": history.drop,
            "tagged_at": datetime(2024, 1, 2),
            "annotated": False,
            "month": "2024-01",
        },
    }
    with store.engine.connect() as connection:
        state = get_git_import(connection, "local/project")
    assert state is not None
    assert state.location == str(repo.path.resolve())
    assert state.commits == 6
    assert dict(state.heads) == {
        "refs/heads/main": history.empty,
        "refs/heads/side": history.side,
        "refs/tags/snapshot": history.drop,
        "refs/tags/v1.0": repo.git("rev-parse", "v1.0"),  # the tag object, not the commit
    }


def test_reimport_of_an_unchanged_repository_reads_nothing(
    repo: Repo, history: History, store: Store, root: Path, mirrors: Path
) -> None:
    import_git(str(repo.path), store, root, mirrors=mirrors)
    before = (ActivityFiles(root, "commits").manifest(), ActivityFiles(root, "tags").manifest())
    again = import_git(str(repo.path), store, root, mirrors=mirrors)
    assert (again.commits_read, again.new_commits, again.tags, again.total_commits) == (0, 0, 0, 6)
    assert (
        ActivityFiles(root, "commits").manifest(),
        ActivityFiles(root, "tags").manifest(),
    ) == before


def test_reimport_adds_exactly_the_new_commits_and_tags(
    repo: Repo, history: History, store: Store, root: Path, mirrors: Path
) -> None:
    import_git(str(repo.path), store, root, mirrors=mirrors)
    first = repo.commit("next", {"d.txt": b"a\nb\n"}, author_date="1711929600 +0000")  # 2024-04-01
    second = repo.commit("after", {"d.txt": b"a\n"}, author_date="1711933200 +0000")
    repo.tag("v2.0", second, message="second", date="1711936800 +0000")
    report = import_git(str(repo.path), store, root, mirrors=mirrors)
    assert (report.commits_read, report.new_commits, report.tags, report.total_commits) == (
        2,
        2,
        1,
        8,
    )
    commits = rows(root, "commits")
    assert len(commits) == 8  # 6 + 2
    assert (commits[first]["insertions"], commits[first]["deletions"]) == (2, 0)
    assert (commits[second]["insertions"], commits[second]["deletions"]) == (0, 1)
    assert sorted(rows(root, "tags")) == ["snapshot", "v1.0", "v2.0"]


def test_rewritten_history_imports_the_new_commits_and_keeps_the_old(
    repo: Repo, history: History, store: Store, root: Path, mirrors: Path
) -> None:
    import_git(str(repo.path), store, root, mirrors=mirrors)
    repo.git("reset", "--quiet", "--hard", history.rename)
    rewritten = repo.commit("rewritten", {"e.txt": b"e\n"}, author_date="1711929600 +0000")
    repo.git("branch", "-D", "side")
    repo.git("tag", "-d", "snapshot", "v1.0")
    # every ref the last import saw is gone, and so are their objects
    repo.git("reflog", "expire", "--expire=now", "--all")
    repo.git("gc", "--quiet", "--prune=now")
    report = import_git(str(repo.path), store, root, mirrors=mirrors)
    # nothing to exclude, so git lists rewritten, rename and root (3); two are stored
    # already, one is new; the old drop, side, merge and empty commits stay stored (6 + 1)
    assert (report.commits_read, report.new_commits, report.total_commits) == (3, 1, 7)
    commits = rows(root, "commits")
    assert set(commits) == {
        history.root,
        history.rename,
        history.side,
        history.drop,
        history.merge,
        history.empty,
        rewritten,
    }
    assert sorted(rows(root, "tags")) == ["snapshot", "v1.0"]  # deleted tags stay stored


def test_refs_seen_before_bound_what_is_read(
    repo: Repo, history: History, store: Store, root: Path, mirrors: Path
) -> None:
    import_git(str(repo.path), store, root, mirrors=mirrors)
    repo.git("reset", "--quiet", "--hard", history.drop)  # main rewritten, its old tip kept
    rewritten = repo.commit("rewritten", {"e.txt": b"e\n"}, author_date="1711929600 +0000")
    report = import_git(str(repo.path), store, root, mirrors=mirrors)
    # drop was seen (the snapshot tag), so only the commit after it is read
    assert (report.commits_read, report.new_commits, report.total_commits) == (1, 1, 7)
    assert rewritten in rows(root, "commits")


def test_an_import_killed_before_its_state_is_redone(
    repo: Repo, history: History, store: Store, root: Path, mirrors: Path
) -> None:
    import_git(str(repo.path), store, root, mirrors=mirrors)
    with store.engine.begin() as connection:  # as if killed after writing Parquet
        connection.execute(delete(git_imports))
    report = import_git(str(repo.path), store, root, mirrors=mirrors)
    assert (report.commits_read, report.new_commits, report.tags, report.total_commits) == (
        6,
        0,
        2,
        6,
    )
    assert len(rows(root, "commits")) == 6
    assert len(rows(root, "tags")) == 2


@pytest.fixture
def served(tmp_path: Path, repo: Repo, history: History) -> Iterator[tuple[str, Path]]:
    """The history as a bare repository ``owner/name.git`` behind a git daemon."""
    base = tmp_path / "served"
    bare = base / "owner" / "name.git"
    bare.parent.mkdir(parents=True)
    git(tmp_path, "clone", "--quiet", "--bare", str(repo.path), str(bare))
    with git_daemon(base) as origin:
        yield f"{origin}/owner/name.git", bare


def test_url_import_over_git_daemon_mirrors_then_fetches(
    repo: Repo, history: History, served: tuple[str, Path], store: Store, root: Path, mirrors: Path
) -> None:
    url, bare = served
    report = import_git(url, store, root, mirrors=mirrors)
    assert (report.repo, report.location, report.new_commits, report.tags) == (
        "127.0.0.1/owner/name",
        url,
        6,
        2,
    )
    mirror = mirrors / "127.0.0.1" / "owner" / "name.git"
    assert git(mirror, "rev-parse", "refs/heads/main").decode().strip() == history.empty
    # upstream moves on: one commit more on main, the side branch deleted
    added = repo.commit("upstream", {"f.txt": b"f\n"}, author_date="1711929600 +0000")
    repo.git("push", "--quiet", str(bare), "main", ":side")
    again = import_git(url, store, root, mirrors=mirrors)
    assert (again.commits_read, again.new_commits, again.total_commits) == (1, 1, 7)
    assert added in rows(root, "commits")
    assert git(mirror, "for-each-ref", "--format=%(refname)", "refs/heads").decode().split() == [
        "refs/heads/main"
    ]  # pruned


def test_clone_failure_is_a_one_line_error_and_leaves_no_mirror(
    served: tuple[str, Path], store: Store, root: Path, mirrors: Path
) -> None:
    url, _ = served
    with pytest.raises(SourceError) as raised:
        import_git(url.replace("name.git", "absent.git"), store, root, mirrors=mirrors)
    assert "\n" not in str(raised.value)
    assert not any(mirrors.rglob("*.git"))


@pytest.mark.parametrize(
    ("location", "error", "message"),
    [
        ("ext::sh -c true", UsageError, "transport helpers"),
        ("fd::3", UsageError, "transport helpers"),
        ("--upload-pack=true", UsageError, "looks like an option"),
        ("gopher://host.example/x.git", UsageError, "unsupported URL scheme"),
        ("no/such/directory", SourceError, "no such directory, and not a git URL"),
    ],
)
def test_refused_locations(
    location: str, error: type[Exception], message: str, store: Store, root: Path, mirrors: Path
) -> None:
    with pytest.raises(error, match=message):
        import_git(location, store, root, mirrors=mirrors)
    assert not mirrors.exists()


def test_repository_key_from_origin_or_given(
    repo: Repo, history: History, store: Store, root: Path, mirrors: Path
) -> None:
    repo.git("remote", "add", "origin", "git@github.com:Owner/Name.git")  # scp-like
    assert import_git(str(repo.path), store, root, mirrors=mirrors).repo == "github.com/owner/name"
    given = import_git(str(repo.path), store, root, "codehost.example/team/name", mirrors=mirrors)
    assert (given.repo, given.new_commits) == ("codehost.example/team/name", 6)  # its own history
    with pytest.raises(UsageError, match="repository key"):
        import_git(str(repo.path), store, root, "../escape", mirrors=mirrors)


def test_unreadable_dates_fall_back_to_another_month() -> None:
    def commit(author: int | None, committer: int | None) -> GitCommit:
        return GitCommit(
            "a" * 40, (), "A", "a@x", author, None, "C", "c@x", committer, None, 0, 0, 0
        )

    table = commit_table(
        "local/x", [commit(1700000000, 0), commit(None, 1704067200), commit(None, None)]
    )
    # the author's month, else the committer's, else the placeholder that sorts first
    assert table["month"].to_pylist() == ["2023-11", "2024-01", UNKNOWN_MONTH]
    assert table["author_time"].to_pylist() == [datetime(2023, 11, 14, 22, 13, 20), None, None]


def test_a_password_in_a_url_is_never_shown_or_stored(
    store: Store, root: Path, mirrors: Path
) -> None:
    port = free_port()  # nothing listens there: the clone fails at once
    with pytest.raises(SourceError) as raised:
        import_git(
            f"https://user:s3cret@127.0.0.1:{port}/owner/name.git", store, root, mirrors=mirrors
        )
    assert str(raised.value).startswith(f"https://user@127.0.0.1:{port}/owner/name.git: ")
    assert "s3cret" not in str(raised.value)
