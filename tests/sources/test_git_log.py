"""``ossmeta.sources.git_log`` and ``git_repo`` against real repositories built with git: every count and
time known by hand, odd names and paths, tags of every kind, parallel reading, and the
log parser fuzzed on generated records."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ossmeta.errors import SourceError
from ossmeta.sources.git_log import GitCommit, list_commits, parse_log, read_commits
from ossmeta.sources.git_repo import GitTag, git_dir, parse_when, present, read_refs
from tests.gitrepo import ADA, BOB, History, Repo, build_history, git


@pytest.fixture
def repo(tmp_path: Path) -> Repo:
    return Repo.init(tmp_path / "project")


@pytest.fixture
def history(repo: Repo) -> History:
    return build_history(repo)


def read_all(repository: Path, **options: int) -> dict[str, GitCommit]:
    refs, _ = read_refs(repository)
    shas = list_commits(repository, sorted({r.commit for r in refs}), [])
    return {c.sha: c for batch in read_commits(repository, shas, **options) for c in batch}


def test_every_commit_with_hand_counted_numstat(repo: Repo, history: History) -> None:
    commits = read_all(git_dir(repo.path))
    assert set(commits) == {
        history.root,
        history.rename,
        history.side,
        history.drop,
        history.merge,
        history.empty,
    }
    ada, bob = ADA, BOB
    assert commits[history.root] == GitCommit(
        history.root,
        (),
        *ada,
        1700000000,
        90,  # +01:30 = 1*60 + 30 minutes east
        *bob,
        1700003600,
        -300,  # -05:00
        2,  # a.txt and bin.dat
        3,  # a.txt's three lines; the binary file counts 0
        0,
    )
    # rename a.txt -> b.txt (+1: "four"), bin.dat binary (+0), WEIRD_PATH (+2): 3 files, 1+0+2
    assert commits[history.rename][1:] == (
        (history.root,),
        *ada,
        1701388800,
        0,
        *bob,
        1701388800,
        0,
        3,
        3,
        0,
    )
    # "two" -> "TWO": one line in, one line out; the author's clock at -02:30 = -(2*60 + 30)
    assert commits[history.side][1:] == (
        (history.rename,),
        *bob,
        1704067200,
        -150,
        *bob,
        1704067200,
        -150,
        1,
        1,
        1,
    )
    # bin.dat deleted (binary: 0/0) and c.txt added (+5): 2 files, 0+5 insertions
    assert commits[history.drop][1:] == (
        (history.rename,),
        *ada,
        1704153600,
        540,
        *bob,
        1704153600,
        540,
        2,
        5,
        0,
    )
    # a merge: two parents, its own diff not counted (the side commit counts it)
    assert commits[history.merge][1:] == (
        (history.drop, history.side),
        *ada,
        1706745600,
        0,
        *bob,
        1706745600,
        0,
        0,
        0,
        0,
    )
    assert commits[history.empty][1:] == (
        (history.merge,),
        *ada,
        1709251200,
        0,
        *bob,
        1709251200,
        0,
        0,
        0,
        0,
    )


def test_raw_identities_with_odd_bytes_and_dates(repo: Repo, history: History) -> None:
    tree = repo.git("rev-parse", f"{history.rename}^{{tree}}")
    body = (
        f"tree {tree}\nparent {history.root}\n".encode()
        + b"author N\xffme\twith tab <m\xfe@example.org> garbage\n"  # not UTF-8; no date git reads
        + b"committer C <c@example.org> 99999999999999 +0000\n"  # past the year 9999
        + b"\nodd\n"
    )
    odd = repo.raw_commit(body)
    latin = repo.raw_commit(
        f"tree {tree}\nparent {history.root}\n".encode()
        + b"author Jos\xe9 <jose@example.org> 1700000000 +0100\n"
        + b"committer Jos\xe9 <jose@example.org> 1700000000 +0100\n"
        + b"encoding ISO-8859-1\n\nlatin\n"
    )
    repo.git("update-ref", "refs/heads/odd", odd)
    repo.git("update-ref", "refs/heads/latin", latin)
    commits = read_all(git_dir(repo.path))
    # the tree is the rename commit's, the parent the root: the same diff as rename (3 files, +3)
    assert commits[odd][1:] == (
        (history.root,),
        "N\ufffdme\twith tab",
        "m\ufffd@example.org",
        None,
        None,
        "C",
        "c@example.org",
        None,
        0,
        3,
        3,
        0,
    )
    # a declared encoding is honoured: ISO-8859-1 0xE9 is é
    assert commits[latin][2:6] == ("José", "jose@example.org", 1700000000, 60)


def test_tags_annotated_lightweight_nested_and_of_a_tree(repo: Repo, history: History) -> None:
    repo.tag("v1.0", history.rename, message="first", date="1702000000 +0200")
    repo.tag("snapshot", history.drop)  # lightweight: the commit's committer time
    repo.git(
        "tag",
        "-a",
        "-m",
        "again",
        "v1.0-again",
        "v1.0",
        env={
            "GIT_COMMITTER_NAME": "T",
            "GIT_COMMITTER_EMAIL": "t@example.org",
            "GIT_COMMITTER_DATE": "1703000000 -0100",
        },
    )
    repo.git("tag", "tree-tag", f"{history.root}^{{tree}}")  # marks no commit: left out
    refs, tags = read_refs(git_dir(repo.path))
    assert sorted(tags) == [
        GitTag("snapshot", history.drop, False, 1704153600, 540),
        GitTag("v1.0", history.rename, True, 1702000000, 120),
        GitTag("v1.0-again", history.rename, True, 1703000000, -60),  # a tag of a tag, peeled
    ]
    by_name = {r.name: r for r in refs}
    assert sorted(by_name) == [
        "refs/heads/main",
        "refs/heads/side",
        "refs/tags/snapshot",
        "refs/tags/v1.0",
        "refs/tags/v1.0-again",
    ]
    assert by_name["refs/tags/v1.0"].commit == history.rename
    assert by_name["refs/tags/v1.0"].object == repo.git("rev-parse", "v1.0")  # the tag object
    assert by_name["refs/tags/v1.0"].object != history.rename


def test_tags_without_a_tagger_take_their_commits_time(repo: Repo, history: History) -> None:
    # Old tools wrote annotated tags without a tagger line; git reads them still.
    plain = repo.git(
        "hash-object",
        "-w",
        "-t",
        "tag",
        "--literally",
        "--stdin",
        stdin=f"object {history.side}\ntype commit\ntag old\n\nold\n".encode(),
    )
    nested = repo.git(
        "hash-object",
        "-w",
        "-t",
        "tag",
        "--literally",
        "--stdin",
        stdin=f"object {plain}\ntype tag\ntag older\n\nolder\n".encode(),
    )
    repo.git("update-ref", "refs/tags/old", plain)
    repo.git("update-ref", "refs/tags/older", nested)
    _, tags = read_refs(git_dir(repo.path))
    # side's committer time (= its author time here): 1704067200 at -02:30
    assert sorted(tags) == [
        GitTag("old", history.side, True, 1704067200, -150),
        GitTag("older", history.side, True, 1704067200, -150),  # peeled twice by cat-file
    ]


def test_incremental_listing_and_missing_objects(repo: Repo, history: History) -> None:
    where = git_dir(repo.path)
    # reachable from main and not from side: root, rename and side are excluded
    assert sorted(list_commits(where, [history.empty], [history.side])) == sorted(
        [history.drop, history.merge, history.empty]
    )
    assert list_commits(where, [], [history.root]) == []
    gone = "0" * 40
    assert present(where, [history.root, gone]) == {history.root}


def test_parallel_reading_equals_one_process(repo: Repo, history: History) -> None:
    where = git_dir(repo.path)
    shas = list_commits(where, [history.empty], [])
    one = [c for batch in read_commits(where, shas, jobs=1) for c in batch]
    seen: list[int] = []
    batches = list(read_commits(where, shas, jobs=3, chunk=2, on_read=seen.append))
    assert [len(b) for b in batches] == [2, 2, 2] == seen  # 6 commits in ranges of 2
    # each range comes back in the order it was asked for
    assert [c.sha for b in batches for c in b] == shas
    assert sorted(c for b in batches for c in b) == sorted(one)


def test_what_is_not_a_repository(tmp_path: Path, repo: Repo, history: History) -> None:
    with pytest.raises(SourceError, match="not a git repository"):
        git_dir(tmp_path)  # holds the repository, is not one
    (repo.path / "sub").mkdir()
    with pytest.raises(SourceError, match="not a git repository"):
        git_dir(repo.path / "sub")  # inside a work tree: not taken for the whole
    with pytest.raises(SourceError, match="no such directory"):
        git_dir(tmp_path / "absent")
    assert git_dir(repo.path) == (repo.path / ".git").resolve()
    assert git_dir(repo.path / ".git") == (repo.path / ".git").resolve()
    bare = tmp_path / "bare.git"
    git(tmp_path, "clone", "--quiet", "--bare", str(repo.path), str(bare))
    assert read_all(git_dir(bare)) == read_all(git_dir(repo.path))
    assert len(read_all(git_dir(bare))) == 6


def test_inherited_variables_do_not_redirect_git(
    tmp_path: Path, repo: Repo, history: History, monkeypatch: pytest.MonkeyPatch
) -> None:
    other = Repo.init(tmp_path / "other")
    other.commit("elsewhere", {"x": b"x\n"})
    # what a git hook running ossmeta would inherit
    monkeypatch.setenv("GIT_DIR", str(other.path / ".git"))
    monkeypatch.setenv("GIT_OBJECT_DIRECTORY", str(other.path / ".git" / "objects"))
    where = git_dir(repo.path)
    assert where == (repo.path / ".git").resolve()
    assert len(read_all(where)) == 6


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (b"1700000000 +0130", (1700000000, 90)),  # 1*60 + 30
        (b"1700000000 -0530", (1700000000, -330)),  # -(5*60 + 30)
        (b"0 +0000", (0, 0)),
        (b"1700000000 +9999", (1700000000, 6039)),  # recorded as given: 99*60 + 99
        (b"", (None, None)),  # git could not read the date
        (b"253402300799 +0000", (253402300799, 0)),  # 9999-12-31T23:59:59Z, the last second kept
        (b"253402300800 +0000", (None, 0)),  # one second later: past the year 9999
        (b"1700000000 0100", (1700000000, None)),  # no sign
        (b"1700000000", (1700000000, None)),
    ],
)
def test_parse_when(raw: bytes, expected: tuple[int | None, int | None]) -> None:
    assert parse_when(raw) == expected


# -- the parser on generated output ----------------------------------------------------------

_hex = st.text("0123456789abcdef", min_size=40, max_size=40)
_text = st.binary(max_size=12).map(lambda b: b.replace(b"\0", b""))
_path = st.binary(min_size=1, max_size=12).map(lambda b: b.replace(b"\0", b"_"))
_date = st.tuples(
    st.integers(0, 4_000_000_000),
    st.sampled_from(["+", "-"]),
    st.integers(0, 14),
    st.sampled_from([0, 30, 45]),
)
_entry = st.tuples(
    st.one_of(st.none(), st.tuples(st.integers(0, 10**6), st.integers(0, 10**6))),
    _path,
    st.one_of(st.none(), _path),
)
_record = st.tuples(
    _hex,
    st.lists(_hex, max_size=3),
    _text,
    _text,
    _date,
    _text,
    _text,
    _date,
    st.lists(_entry, max_size=5),
)


def _render(records: list[Any]) -> bytes:
    """What ``git log -z --numstat --format=LOG_FORMAT`` writes for ``records``."""
    out = b""
    for sha, parents, an, ae, ad, cn, ce, cd, entries in records:
        dates = [f"{s} {sign}{h:02d}{m:02d}".encode() for s, sign, h, m in (ad, cd)]
        out += (
            b"\0"
            + b"\0".join(
                [sha.encode(), " ".join(parents).encode(), an, ae, dates[0], cn, ce, dates[1]]
            )
            + b"\0"
        )
        if entries:
            out += b"\n"
            for counts, path, renamed_to in entries:
                numbers = b"-\t-" if counts is None else f"{counts[0]}\t{counts[1]}".encode()
                out += (
                    numbers
                    + b"\t"
                    + (
                        path + b"\0"
                        if renamed_to is None
                        else b"\0" + path + b"\0" + renamed_to + b"\0"
                    )
                )
    return out


@settings(max_examples=150, deadline=None)
@given(st.lists(_record, max_size=6))
def test_parse_log_reads_back_what_was_rendered(records: list[Any]) -> None:
    def when(date: tuple[int, str, int, int]) -> tuple[int, int]:
        seconds, sign, hours, minutes = date
        return seconds, (-1 if sign == "-" else 1) * (hours * 60 + minutes)

    def text(raw: bytes) -> str:
        return raw.decode("utf-8", "replace")

    expected = [
        GitCommit(
            sha,
            tuple(parents),
            text(an),
            text(ae),
            *when(ad),
            text(cn),
            text(ce),
            *when(cd),
            len(entries),  # a rename is one file; a binary file (no counts) one file too
            sum(c[0] for c, _, _ in entries if c is not None),
            sum(c[1] for c, _, _ in entries if c is not None),
        )
        for sha, parents, an, ae, ad, cn, ce, cd, entries in records
    ]
    assert parse_log(_render(records)) == expected


@settings(max_examples=150, deadline=None)
@given(st.lists(_record, min_size=1, max_size=3), st.data())
def test_parse_log_on_damaged_output_fails_cleanly(records: list[Any], data: st.DataObject) -> None:
    rendered = bytearray(_render(records))
    for _ in range(data.draw(st.integers(1, 4))):
        at = data.draw(st.integers(0, len(rendered) - 1))
        rendered[at : at + data.draw(st.integers(0, 3))] = data.draw(st.binary(max_size=3))
    try:
        parsed = parse_log(bytes(rendered))
    except SourceError as error:
        assert "\n" not in str(error)
    else:
        assert all(isinstance(c, GitCommit) for c in parsed)
