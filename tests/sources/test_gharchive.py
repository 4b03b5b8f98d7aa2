"""GH Archive files: finding them (files, directories, globs), reading their lines from gzip
or plain text, and damage reported per line (bad JSON, truncated or corrupt gzip, lines
over the limit) without stopping; the line reader fuzzed with damaged files."""

from __future__ import annotations

import gzip
import json
import os
from collections.abc import Sequence
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ossmeta.errors import SourceError
from ossmeta.sources.gharchive import (
    READ_BYTES,
    ArchiveFile,
    Malformed,
    expand,
    read_events,
    read_lines,
)
from tests.fuzzing import JSON_PIECES, mutated
from tests.helpers import DATA

EVENTS: dict[str, dict[str, object]] = json.loads(
    (DATA / "gharchive" / "events.json").read_text(encoding="utf-8")
)["events"]
SAMPLE = [
    EVENTS["2015 PushEvent"],
    EVENTS["2021 PullRequestReviewEvent"],
    EVENTS["trimmed PushEvent"],
]


def ndjson(events: list[dict[str, object]]) -> bytes:
    return b"".join(json.dumps(event).encode() + b"\n" for event in events)


def archive(path: Path, data: bytes) -> ArchiveFile:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return ArchiveFile(path, path.name, len(data))


def split(items: Sequence[tuple[int, object] | Malformed]) -> tuple[list[int], list[str]]:
    """(line numbers of the good lines, rendered problems)."""
    good = [item[0] for item in items if not isinstance(item, Malformed)]
    bad = [str(item) for item in items if isinstance(item, Malformed)]
    return good, bad


# ------------------------------------------------------------------ reading


def test_gzip_plain_and_multi_member_gzip_read_the_same(tmp_path: Path) -> None:
    data = ndjson(SAMPLE)
    cut = data.index(b"\n") + 1  # the second gzip member starts at the second line
    forms = {
        "2015-01-01-15.json.gz": gzip.compress(data),
        "2015-01-01-15.json": data,
        "two-members.json.gz": gzip.compress(data[:cut]) + gzip.compress(data[cut:]),
    }
    for name, content in forms.items():
        items = list(read_events(archive(tmp_path / name, content)))
        assert [number for number, _ in items] == [1, 2, 3], name  # type: ignore[misc]
        assert [event for _, event in items] == SAMPLE, name  # type: ignore[misc]


def test_blank_lines_count_but_are_not_yielded_and_a_last_line_may_lack_its_newline(
    tmp_path: Path,
) -> None:
    first, second = (json.dumps(event).encode() for event in SAMPLE[:2])
    data = first + b"\n\n  \r\n" + second  # lines: 1 event, 2 and 3 blank, 4 event (no newline)
    items = list(read_lines(archive(tmp_path / "h.json", data)))
    assert items == [(1, first), (4, second)]


def test_bad_json_and_non_objects_are_reported_by_line_and_reading_goes_on(
    tmp_path: Path,
) -> None:
    good = json.dumps(SAMPLE[0]).encode()
    data = b"\n".join([good, b"{not json", b"[1, 2]", b'"text"', good, b"null", good]) + b"\n"
    good_lines, problems = split(
        list(read_events(archive(tmp_path / "h.json.gz", gzip.compress(data))))
    )
    assert good_lines == [1, 5, 7]
    assert problems[0].startswith("h.json.gz:2: invalid JSON: ")
    assert problems[1:] == [
        "h.json.gz:3: not a JSON object but an array",
        "h.json.gz:4: not a JSON object but a string",
        "h.json.gz:6: not a JSON object but null",
    ]


def test_an_unpaired_surrogate_escape_is_read_with_a_replacement_character(tmp_path: Path) -> None:
    # Half of an emoji (U+1F600 is \ud83d\ude00), as a cut-off title leaves it.
    line = b'{"id": "1", "title": "fix \\ud83d", "whole": "\\ud83d\\ude00"}\n'
    [(number, event)] = list(read_events(archive(tmp_path / "h.json", line)))  # type: ignore[misc]
    assert number == 1
    assert event == {"id": "1", "title": "fix \ufffd", "whole": "\U0001f600"}


def test_a_truncated_gzip_file_gives_its_complete_lines_then_one_problem(tmp_path: Path) -> None:
    events = [SAMPLE[n % 3] for n in range(300)]
    compressed = gzip.compress(ndjson(events))
    cut = archive(tmp_path / "cut.json.gz", compressed[: len(compressed) // 2])
    good_lines, problems = split(list(read_events(cut)))
    # Whatever came out before the cut is every line from 1 on, none skipped...
    assert good_lines == list(range(1, len(good_lines) + 1))
    assert 0 < len(good_lines) < 300
    # ...and the cut is reported once, at the line after the last complete one.
    assert problems == [
        f"cut.json.gz:{len(good_lines) + 1}: truncated gzip stream: the file ends inside "
        "compressed data; the last line is incomplete"
    ]


def test_a_gzip_file_cut_exactly_between_members_is_complete(tmp_path: Path) -> None:
    data = ndjson(SAMPLE)
    whole = gzip.compress(data)
    items = list(read_events(archive(tmp_path / "h.json.gz", whole + gzip.compress(data)[:10])))
    good_lines, problems = split(items)
    assert good_lines == [1, 2, 3]  # the first member, whole
    assert problems == ["h.json.gz:4: truncated gzip stream: the file ends inside compressed data"]


def test_corrupt_gzip_data_ends_the_file_with_a_problem_not_an_exception(tmp_path: Path) -> None:
    compressed = bytearray(gzip.compress(ndjson([SAMPLE[n % 3] for n in range(200)])))
    compressed[200:260] = bytes(60)  # zeros over the deflate data
    good_lines, problems = split(
        list(read_events(archive(tmp_path / "bad.json.gz", bytes(compressed))))
    )
    assert good_lines == list(range(1, len(good_lines) + 1))
    assert len(problems) == 1
    assert problems[0].startswith(f"bad.json.gz:{len(good_lines) + 1}: corrupt gzip data")


def test_trailing_garbage_after_the_gzip_data_is_reported(tmp_path: Path) -> None:
    data = gzip.compress(ndjson(SAMPLE)) + b"garbage"
    good_lines, problems = split(list(read_events(archive(tmp_path / "h.json.gz", data))))
    assert good_lines == [1, 2, 3]
    assert problems == ["h.json.gz:4: trailing bytes after the gzip data"]


@pytest.mark.parametrize("compress", [False, True])
def test_lines_over_the_limit_are_refused_and_the_next_lines_still_read(
    tmp_path: Path, compress: bool
) -> None:
    good = json.dumps(SAMPLE[0]).encode()
    # A line longer than one read (so it spans chunks), one just over the limit, a good one.
    huge = b'{"pad": "' + b"x" * (READ_BYTES * 2) + b'"}'
    limit = len(good) + 10
    data = b"\n".join([good, huge, good, b"y" * (limit + 1), good, b"z" * (limit * 3)])
    file = archive(tmp_path / "h.json", gzip.compress(data) if compress else data)
    good_lines, problems = split(list(read_events(file, max_line_bytes=limit)))
    assert good_lines == [1, 3, 5]
    too_long = f"line longer than {limit} bytes"
    assert problems == [f"h.json:2: {too_long}", f"h.json:4: {too_long}", f"h.json:6: {too_long}"]


def test_the_progress_hook_hears_every_byte_on_disk(tmp_path: Path) -> None:
    events = [SAMPLE[n % 3] for n in range(3_000)]
    compressed = gzip.compress(ndjson(events), compresslevel=1)
    heard: list[int] = []
    items = list(read_events(archive(tmp_path / "h.json.gz", compressed), on_bytes=heard.append))
    assert len(items) == 3_000
    assert sum(heard) == len(compressed)


# ------------------------------------------------------------------ finding files


def test_expand_takes_files_directories_and_globs_in_order_without_repeats(tmp_path: Path) -> None:
    for name in (
        "2015/2015-01-01-1.json.gz",
        "2015/2015-01-01-0.json.gz",
        "2015/late/2015-01-02-0.ndjson",
        "2015/notes.txt",  # not an archive name: ignored inside directories
        "2015/.hidden.json.gz",
        "2016/2016-01-01-0.json.gz",
        "extra/one.jsonl",
        "loose.data",
    ):
        archive(tmp_path / name, b"")
    files = expand(
        [
            str(tmp_path / "2015"),
            str(tmp_path / "2016" / "*.json.gz"),
            str(tmp_path / "2015" / "2015-01-01-0.json.gz"),  # already listed
            str(tmp_path / "ext*"),  # a glob matching a directory
            str(tmp_path / "loose.data"),  # named explicitly: read whatever its suffix
        ]
    )
    assert [f.path.relative_to(tmp_path).as_posix() for f in files] == [
        "2015/2015-01-01-0.json.gz",
        "2015/2015-01-01-1.json.gz",
        "2015/late/2015-01-02-0.ndjson",
        "2016/2016-01-01-0.json.gz",
        "extra/one.jsonl",
        "loose.data",
    ]
    assert files[-1].display == str(tmp_path / "loose.data")


def test_a_missing_path_or_an_empty_glob_is_a_one_line_source_error(tmp_path: Path) -> None:
    missing = str(tmp_path / "2015-01-01-0.json.gz")
    with pytest.raises(SourceError) as caught:
        expand([missing])
    assert str(caught.value) == f"{missing}: no such file or directory"
    pattern = str(tmp_path / "*.json.gz")
    with pytest.raises(SourceError) as caught:
        expand([pattern])
    assert str(caught.value) == f"{pattern}: no file matches this pattern"


@pytest.mark.skipif(os.geteuid() == 0, reason="root can read any file, so none is unreadable")
def test_an_unreadable_file_is_a_source_error_before_anything_is_read(tmp_path: Path) -> None:
    locked = archive(tmp_path / "h.json.gz", b"").path
    locked.chmod(0)
    with pytest.raises(SourceError) as caught:
        expand([str(locked)])
    assert str(caught.value).startswith(f"{locked}: cannot read: ")


def test_a_file_gone_after_planning_is_a_source_error_naming_it(tmp_path: Path) -> None:
    [file] = expand([str(archive(tmp_path / "h.json", ndjson(SAMPLE)).path)])
    file.path.unlink()
    with pytest.raises(SourceError) as caught:
        list(read_lines(file))
    assert str(caught.value).startswith(f"{file.display}: cannot read: ")


# ------------------------------------------------------------------ fuzzing

PLAIN = ndjson(SAMPLE)
GZIPPED = gzip.compress(PLAIN)


@settings(max_examples=150, deadline=None)
@given(
    content=st.one_of(
        mutated(PLAIN, pieces=(*JSON_PIECES, b"\n", b"\r\n")),
        mutated(GZIPPED),
        st.binary(max_size=300),
    ),
    limit=st.sampled_from([64, 1024, 1 << 20]),
)
def test_any_damaged_file_gives_events_or_problems_never_an_exception(
    tmp_path_factory: pytest.TempPathFactory, content: bytes, limit: int
) -> None:
    path = tmp_path_factory.mktemp("fuzz") / "h.json.gz"
    items = list(read_events(archive(path, content), max_line_bytes=limit))
    numbers = [item.line if isinstance(item, Malformed) else item[0] for item in items]
    assert numbers == sorted(numbers) and all(n >= 1 for n in numbers)
    assert len(set(numbers)) == len(numbers)  # one outcome per line
    for item in items:
        if isinstance(item, Malformed):
            assert item.path == "h.json.gz" and item.reason and "\n" not in item.reason
        else:
            assert isinstance(item[1], dict)
