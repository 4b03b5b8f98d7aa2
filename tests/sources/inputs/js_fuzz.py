"""Hypothesis strategies shared by the JavaScript lockfile parser tests: arbitrary text
and random mutations (truncation, byte flips, insertions) of real fixtures."""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path

from hypothesis import strategies as st

from ossmeta.errors import SourceError
from ossmeta.model import DeclaredPackage
from ossmeta.sources.files import InputFile

Parser = Callable[[InputFile], Iterable[DeclaredPackage]]


@st.composite
def mutated(draw: st.DrawFn, original: bytes) -> bytes:
    """``original`` truncated, with bytes flipped, inserted or deleted."""
    data = bytearray(original)
    for _ in range(draw(st.integers(1, 4))):
        op = draw(st.sampled_from(["truncate", "flip", "insert", "delete", "char"]))
        at = draw(st.integers(0, max(len(data) - 1, 0)))
        if op == "truncate":
            del data[at:]
        elif op == "flip" and data:
            data[at] ^= 1 << draw(st.integers(0, 7))
        elif op == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=8))
        elif op == "delete":
            del data[at : at + draw(st.integers(1, 64))]
        else:
            data[at:at] = draw(st.sampled_from(list(b"{}[]\",:\n -@/#'("))).to_bytes(1, "big")
    return bytes(data)


def parse_or_source_error(
    parse: Parser, name: str, content: bytes, siblings: dict[str, bytes] | None = None
) -> None:
    """Parse ``content`` saved as ``name``: only DeclaredPackages or SourceError may come out."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / name
        path.write_bytes(content)
        for sibling, data in (siblings or {}).items():
            (Path(tmp) / sibling).write_bytes(data)
        try:
            packages = list(parse(InputFile(path, name)))
        except SourceError as error:
            assert str(error).startswith(name)
            return
    assert all(isinstance(p, DeclaredPackage) for p in packages)
