"""The ignore file: entries, errors with line numbers, and fuzzing."""

from __future__ import annotations

import contextlib
import os
import tempfile
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ossmeta.errors import SourceError
from ossmeta.sources.files import InputFile
from ossmeta.sources.ignorefile import load_ignores
from tests.helpers import text_file


def test_entries_with_dates_as_toml_dates_or_strings(tmp_path: Path) -> None:
    file = text_file(
        tmp_path,
        "ossmeta.toml",
        '# reviewed\n[[ignore]]\nid = "CVE-1"\nreason = "not used"\nexpires = 2027-01-31\n\n'
        '[[ignore]]\nid = " GHSA-x "\nreason = "dev only"\nexpires = "2026-12-01"\n',
    )
    rules = load_ignores(file)
    assert [(r.id, r.reason, r.expires, str(r.location)) for r in rules] == [
        ("CVE-1", "not used", date(2027, 1, 31), "ossmeta.toml:2"),
        ("GHSA-x", "dev only", date(2026, 12, 1), "ossmeta.toml:7"),
    ]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            '[[ignore]]\nreason = "r"\nexpires = 2027-01-01\n',
            "ossmeta.toml:1: [[ignore]] needs an 'id'",
        ),
        (
            '[[ignore]]\nid = "X"\nexpires = 2027-01-01\n',
            "ossmeta.toml:1: [[ignore]] for X needs a 'reason'",
        ),
        ('[[ignore]]\nid = "X"\nreason = "r"\nexpires = "soon"\n', "is not a date"),
        (
            '[[ignore]]\nid = "X"\nreason = "r"\nexpires = 2027-01-01T10:00:00\n',
            "needs an 'expires' date",
        ),
        (
            '[[ignore]]\nid = "X"\nreason = "r"\nexpires = 2027-01-01\nuntil = 1\n',
            "unknown key 'until'",
        ),
        ("ignore = 3\n", "must be an array of tables"),
        ("[[ignore]\n", "invalid TOML"),
    ],
)
def test_errors_name_file_and_line(tmp_path: Path, content: str, message: str) -> None:
    with pytest.raises(SourceError) as caught:
        load_ignores(text_file(tmp_path, "ossmeta.toml", content))
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)


@given(st.text(max_size=200))
def test_fuzz_only_source_errors(text: str) -> None:
    path = Path(tempfile.gettempdir()) / f"ossmeta-fuzz-ignore-{os.getpid()}.toml"
    path.write_bytes(text.encode("utf-8", "surrogatepass"))
    with contextlib.suppress(SourceError):
        load_ignores(InputFile(path, "ossmeta.toml"))
