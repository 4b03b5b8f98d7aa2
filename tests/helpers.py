"""Helpers shared by tests (importable as ``tests.helpers``)."""

from __future__ import annotations

from pathlib import Path

from ossmeta.sources.files import InputFile

DATA = Path(__file__).parent / "data"


def input_file(*parts: str) -> InputFile:
    """An InputFile for a fixture under tests/data, shown by its path inside tests/data."""
    return InputFile(DATA.joinpath(*parts), "/".join(parts))


def text_file(tmp_path: Path, name: str, content: str | bytes) -> InputFile:
    """Write ``content`` to ``tmp_path/name`` and return it as an InputFile shown as ``name``."""
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, str):
        path.write_text(content, encoding="utf-8")
    else:
        path.write_bytes(content)
    return InputFile(path, name)
