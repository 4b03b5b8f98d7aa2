"""YAML documents that share collections through aliases are refused; documents with a
star only inside their strings are read as usual."""

from __future__ import annotations

from pathlib import Path

import pytest

from ossmeta.errors import SourceError
from ossmeta.sources.files import InputFile, load_yaml


def test_an_alias_to_a_collection_is_refused_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "laughs.yaml"
    path.write_text("a: &x [1, 2]\nb: *x\n")
    with pytest.raises(SourceError) as caught:
        load_yaml(InputFile(path, "laughs.yaml"))
    assert str(caught.value) == "laughs.yaml:2: YAML anchors and aliases are not accepted"


def test_stars_in_strings_and_documents_without_stars_load(tmp_path: Path) -> None:
    path = tmp_path / "osv.yaml"
    path.write_text("ranges:\n- events:\n  - introduced: '0'\n  - limit: '*'\n")
    assert load_yaml(InputFile(path, "osv.yaml")) == {
        "ranges": [{"events": [{"introduced": "0"}, {"limit": "*"}]}]
    }
    plain = tmp_path / "plain.yaml"
    plain.write_text("a: [1, 2]\nb: [1, 2]\n")
    assert load_yaml(InputFile(plain, "plain.yaml")) == {"a": [1, 2], "b": [1, 2]}
