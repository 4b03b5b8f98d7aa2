"""The format table and the one dispatch every input file goes through."""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ossmeta.errors import SourceError
from ossmeta.sources.inputs import EMPTY_FILE, FORMATS, InputFormat, format_by_name, parse_file
from tests.fuzzing import PUNCTUATION
from tests.helpers import text_file


def _name_for(fmt: InputFormat) -> str:
    """A file name the format claims (its first pattern, with any ``*`` filled in)."""
    return fmt.patterns[0].replace("*", "x")


@pytest.mark.parametrize("fmt", FORMATS, ids=[fmt.id for fmt in FORMATS])
@pytest.mark.parametrize("content", ["", "\n", "  \n\t\n", "\ufeff\n"])
def test_an_empty_file_is_valid_with_no_packages(
    tmp_path: Path, fmt: InputFormat, content: str
) -> None:
    name = _name_for(fmt)
    file = text_file(tmp_path, name, content)
    assert format_by_name(file.path) is fmt
    parsed = parse_file(file)
    assert parsed.packages == []
    assert [str(skip) for skip in parsed.skipped] == [f"{name}: {EMPTY_FILE}"]


def test_a_small_file_in_another_encoding_is_left_to_its_parser(tmp_path: Path) -> None:
    # UTF-16 with a byte order mark, as some Windows tools write XML: not "empty", not
    # refused as UTF-8, but read by the XML parser that knows the declared encoding
    pom = (
        '<?xml version="1.0" encoding="UTF-16"?><project><dependencies><dependency>'
        "<groupId>org.example</groupId><artifactId>lib</artifactId><version>1.0</version>"
        "</dependency></dependencies></project>"
    )
    parsed = parse_file(text_file(tmp_path, "pom.xml", pom.encode("utf-16")))
    assert [(p.name, p.version) for p in parsed.packages] == [("org.example:lib", "1.0")]
    assert parsed.skipped == []


@pytest.mark.parametrize("fmt", FORMATS, ids=[fmt.id for fmt in FORMATS])
def test_every_format_loads_a_parser(fmt: InputFormat) -> None:
    assert callable(fmt.parser())
    sniff = fmt.sniffer()
    assert sniff is None or sniff("") is False


def test_importing_the_table_imports_no_parser() -> None:
    code = (
        "import sys, ossmeta.sources.inputs as inputs\n"
        "loaded = [m for m in sys.modules if m.startswith('ossmeta.sources.inputs.')]\n"
        "print(sorted(loaded))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "['ossmeta.sources.inputs.skipped']"


_SYNTAX = st.sampled_from([piece.decode("latin-1") for piece in PUNCTUATION])


@settings(max_examples=300)
@given(
    st.sampled_from(FORMATS),
    st.one_of(st.text(max_size=200), st.lists(_SYNTAX | st.text(max_size=3)).map("".join)),
)
def test_fuzz_every_format_through_the_dispatch(fmt: InputFormat, content: str) -> None:
    """Whatever a file holds, the dispatch gives packages and skips, or one SourceError
    naming the file; nothing else escapes."""
    with tempfile.TemporaryDirectory() as tmp:
        name = _name_for(fmt)
        file = text_file(Path(tmp), name, content.encode("utf-8", "surrogatepass"))
        try:
            parsed = parse_file(file, fmt)
        except SourceError as error:
            message = str(error)
            assert message.startswith(name) and "\n" not in message, message
            return
    assert all(skip.reason for skip in parsed.skipped)
    if not content.strip():
        assert parsed.packages == [] and len(parsed.skipped) == 1
