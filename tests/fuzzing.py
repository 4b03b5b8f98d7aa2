"""Hypothesis helpers shared by the input parser tests (importable as ``tests.fuzzing``).

- ``mutated`` (``mutated_files``): a real fixture after a few random edits (truncation, byte flips, random
  bytes or pieces of the format's syntax inserted, spans deleted or repeated);
- ``retyped_json``: a JSON fixture with one value swapped for a value of another type;
- ``check_parser`` / ``check_content``: a parser either gives DeclaredPackages (and Skipped
  notes, each with a reason and naming the file, or a sibling it read) or raises a
  ``SourceError`` whose message is one line naming the file; nothing else may escape.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path

from hypothesis import strategies as st

from ossmeta.errors import SourceError
from ossmeta.model import DeclaredPackage
from ossmeta.sources.files import InputFile
from ossmeta.sources.inputs.skipped import Skipped
from tests.helpers import text_file

Parser = Callable[[InputFile], Iterable[DeclaredPackage | Skipped]]


def pieces(chars: bytes, *words: bytes) -> tuple[bytes, ...]:
    """An insert alphabet: each byte of ``chars`` on its own, then ``words`` whole."""
    return (*(bytes([c]) for c in chars), *words)


# Syntax worth inserting, per family of formats.
PUNCTUATION = pieces(b"{}[]()<>\"'`,:;=\n\t \\#-@/*.&!")
JS_PIECES = pieces(b"{}[]\",:\n -@/#'(")
PY_PIECES = pieces(b"{}[]\",:=\n \\#-@/;'<>*.")
JSON_PIECES = pieces(b'"{}[],:', b"null", b"1", b"true", b'""', b"{}", b"[]")
XML_PIECES = pieces(b"<>&\"'/", b"</", b"/>", b"<!--", b"-->", b"<![CDATA[", b"]]>", b"&amp;")

_EDITS = ("truncate", "flip", "noise", "piece", "delete", "repeat")


@st.composite
def mutated(
    draw: st.DrawFn, *originals: bytes, pieces: Sequence[bytes] = PUNCTUATION, most: int = 4
) -> bytes:
    """One of ``originals`` after 1 to ``most`` random edits: truncated at a point, a byte
    flipped (XOR 1-255), 1-8 random bytes or one of ``pieces`` inserted, a span of up to
    64 bytes deleted, or a span of up to 64 bytes repeated in place."""
    data = bytearray(draw(st.sampled_from(originals)))
    for _ in range(draw(st.integers(1, most))):
        edit = draw(st.sampled_from(_EDITS))
        if edit == "flip":
            if data:
                data[draw(st.integers(0, len(data) - 1))] ^= draw(st.integers(1, 255))
            continue
        at = draw(st.integers(0, len(data)))
        if edit == "truncate":
            del data[at:]
        elif edit == "noise":
            data[at:at] = draw(st.binary(min_size=1, max_size=8))
        elif edit == "piece":
            data[at:at] = draw(st.sampled_from(pieces))
        elif edit == "delete":
            del data[at : at + draw(st.integers(1, 64))]
        else:
            data[at:at] = data[at : at + draw(st.integers(1, 64))]
    return bytes(data)


def mutated_files(
    folder: Path, names: Sequence[str], pieces: Sequence[bytes] = PUNCTUATION
) -> st.SearchStrategy[tuple[str, bytes]]:
    """``(name, content)``: one of the files ``names`` in ``folder``, ``mutated``, with its
    name (for parsers that tell formats apart by the name)."""
    return st.sampled_from(names).flatmap(
        lambda name: st.tuples(st.just(name), mutated((folder / name).read_bytes(), pieces=pieces))
    )


REPLACEMENTS: tuple[object, ...] = (None, 1, -1, 1.5, "x", "", [], {}, [1], {"a": 1}, True)


@st.composite
def retyped_json(draw: st.DrawFn, text: str | bytes) -> str:
    """The JSON document ``text`` with one value (at any depth) replaced by one of
    ``REPLACEMENTS``, most often a value of another type."""
    doc = json.loads(text)
    slots: list[tuple[dict[object, object] | list[object], object]] = []
    stack: list[object] = [doc]
    while stack:
        node = stack.pop()
        items: Iterable[tuple[object, object]]
        if isinstance(node, dict):
            items = node.items()
        elif isinstance(node, list):
            items = enumerate(node)
        else:
            continue
        for key, value in items:
            slots.append((node, key))
            stack.append(value)
    if slots:
        parent, key = draw(st.sampled_from(slots))
        parent[key] = draw(st.sampled_from(REPLACEMENTS))  # type: ignore[index]
    else:
        doc = draw(st.sampled_from(REPLACEMENTS))
    return json.dumps(doc)


def check_parser(
    parse: Parser, file: InputFile, *, names: Sequence[str] | None = None
) -> list[DeclaredPackage]:
    """Run ``parse`` over ``file``. It must give DeclaredPackages (and Skipped notes), or raise
    ``SourceError`` with a one-line message that starts with ``file``'s shown name (or,
    given ``names``, with one of those: sibling files the parser reads) and a colon.
    Any other exception escapes and fails the test. Returns what was parsed."""
    try:
        found = list(parse(file))
    except SourceError as error:
        message = str(error)
        assert len(message.splitlines()) == 1, message
        allowed = tuple(f"{name}:" for name in (names or (file.display,)))
        assert message.startswith(allowed), (allowed, message)
        assert message.partition(": ")[2].strip(), message  # says what is wrong
        return []
    assert all(isinstance(p, DeclaredPackage | Skipped) for p in found), found
    skipped = [s for s in found if isinstance(s, Skipped)]
    assert all(s.reason for s in skipped), skipped  # says why
    shown = (file.display, *(names or ()))
    assert all(s.location.path in shown for s in skipped), (shown, skipped)  # and where
    return [p for p in found if isinstance(p, DeclaredPackage)]


def check_content(
    parse: Parser,
    name: str,
    content: bytes | str,
    siblings: Mapping[str, bytes | str] | None = None,
    *,
    names: Sequence[str] | None = None,
) -> list[DeclaredPackage]:
    """``check_parser`` over ``content`` saved as ``name`` in a fresh folder, next to
    ``siblings`` (file name -> content)."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for sibling, data in (siblings or {}).items():
            text_file(folder, sibling, data)
        return check_parser(parse, text_file(folder, name, content), names=names)
