"""Pipfile.lock.

Fixture tests/data/inputs/python/pipenv/Pipfile.lock: ``pipenv lock`` (pipenv 2026.10.3)
for the Pipfile next to it (django 3.2, requests 2.19.0, flask, pyyaml with a marker, a
git dependency, an editable path dependency, pytest as dev package). The local git URL
was rewritten to https://github.com/example/tinygit.git.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ossmeta.errors import SourceError
from ossmeta.model import DeclaredPackage
from ossmeta.sources.files import InputFile
from ossmeta.sources.inputs import pipfile
from ossmeta.sources.inputs.skipped import Skipped
from tests.fuzzing import PY_PIECES, check_content, mutated
from tests.helpers import DATA, input_file, text_file

DIR = ("inputs", "python", "pipenv")
LOCK = DATA.joinpath(*DIR, "Pipfile.lock").read_bytes()


def split(file: InputFile) -> tuple[list[DeclaredPackage], list[str]]:
    found = list(pipfile.parse(file))
    packages = [p for p in found if isinstance(p, DeclaredPackage)]
    return packages, [str(s) for s in found if isinstance(s, Skipped)]


def parsed() -> dict[str, DeclaredPackage]:
    return {p.name: p for p in split(input_file(*DIR, "Pipfile.lock"))[0]}


def test_local_path_is_said() -> None:
    assert split(input_file(*DIR, "Pipfile.lock"))[1] == [
        "inputs/python/pipenv/Pipfile.lock:$.default.localdep: skipped localdep "
        "(../localdep): a local path, the project's own code"
    ]


def test_real_lock() -> None:
    packages = parsed()
    assert len(packages) == 23
    assert "localdep" not in packages  # editable local path
    django = packages["django"]
    assert (django.version, django.direct, django.scope) == ("3.2", True, None)
    assert str(django.location) == "inputs/python/pipenv/Pipfile.lock:$.default.django"
    assert django.markers == "python_version >= '3.6'"
    assert django.hashes == (
        "sha256:0604e84c4fb698a5e53e5857b5aea945b2f19a18f25f10b8748dbdf935788927",
        "sha256:21f0f9643722675976004eb683c55d33c05486f94506672df3d6a141546f389d",
    )
    assert packages["urllib3"].direct is False and packages["urllib3"].version == "1.23"
    pytest_ = packages["pytest"]
    assert (pytest_.scope, pytest_.direct, str(pytest_.location)) == (
        "dev",
        True,
        "inputs/python/pipenv/Pipfile.lock:$.develop.pytest",
    )
    assert packages["pluggy"].scope == "dev" and packages["pluggy"].direct is False
    tinygit = packages["tinygit"]
    assert tinygit.version is None
    assert tinygit.requirement == (
        "git+https://github.com/example/tinygit.git@4c426218fe35f67016be259755218b411ceceb08"
    )


def test_without_pipfile_direct_is_unknown_and_specifiers(tmp_path: Path) -> None:
    lock = {
        "_meta": {"pipfile-spec": 6},
        "default": {
            "a": {"version": "==1.0"},
            "b": {"version": ">=2"},
            "c": {"version": "==2.*"},
            "d": {"file": "https://example.org/d-1.0.tar.gz"},
            "e": {"path": "."},
            "f": {},
            "g": {"file": "file:///src/g"},
        },
    }
    packages, skipped = split(text_file(tmp_path, "Pipfile.lock", json.dumps(lock)))
    assert skipped == [
        "Pipfile.lock:$.default.e: skipped e (.): a local path, the project's own code",
        "Pipfile.lock:$.default.g: skipped g (file:///src/g): a local path, the project's own code",
    ]
    assert [(p.name, p.version, p.requirement, p.direct) for p in packages] == [
        ("a", "1.0", None, None),
        ("b", None, ">=2", None),
        ("c", None, "==2.*", None),
        ("d", None, "https://example.org/d-1.0.tar.gz", None),
        ("f", None, "*", None),
    ]


def test_other_categories_are_said(tmp_path: Path) -> None:
    lock = {
        "_meta": {"pipfile-spec": 6},
        "default": {"a": {"version": "==1.0"}},
        "docs": {"sphinx": {"version": "==7.0.0"}, "furo": {"version": "==2024.1.29"}},
        "odd": [],
    }
    packages, skipped = split(text_file(tmp_path, "Pipfile.lock", json.dumps(lock)))
    assert [p.name for p in packages] == ["a"]
    docs = "in the pipenv category 'docs', which this reader does not read"
    assert skipped == [
        f"Pipfile.lock:$.docs.sphinx: skipped sphinx: {docs}",
        f"Pipfile.lock:$.docs.furo: skipped furo: {docs}",
        "Pipfile.lock:$.odd: skipped the pipenv category 'odd', which this reader does not read",
    ]


def test_wrong_shape_names_file_and_pointer(tmp_path: Path) -> None:
    lock = '{"default": {"six": {"version": 1}}}'
    with pytest.raises(SourceError) as error:
        list(pipfile.parse(text_file(tmp_path, "Pipfile.lock", lock)))
    assert str(error.value) == (
        "Pipfile.lock: $.default.six.version must be a string, not a number"
    )


def test_truncated_json_names_line(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match=r"^Pipfile.lock:4: invalid JSON: unexpected end of data"):
        list(pipfile.parse(text_file(tmp_path, "Pipfile.lock", LOCK[:60])))


def test_sniff() -> None:
    assert pipfile.sniff(LOCK.decode()[:2000])
    assert not pipfile.sniff('{"lockfileVersion": 3}')


@given(st.text(max_size=400))
def test_fuzz_text(text: str) -> None:
    check_content(pipfile.parse, "Pipfile.lock", text)


@given(mutated(LOCK[:4000] + b"}}", pieces=PY_PIECES))
def test_fuzz_mutations(content: bytes) -> None:
    pipfile_ = DATA.joinpath(*DIR, "Pipfile").read_bytes()
    check_content(pipfile.parse, "Pipfile.lock", content, {"Pipfile": pipfile_})


# Entries that become notes: a local path, a file: URL and another pipenv category.
SKIPS = (
    b'{"_meta": {"pipfile-spec": 6}, "default": {"e": {"path": "."}, "a": {"version": "==1"},'
    b' "g": {"file": "file:///g"}}, "docs": {"sphinx": {"version": "==7.0.0"}}}'
)


@given(mutated(LOCK, SKIPS, pieces=PY_PIECES))
def test_fuzz_mutations_whole(content: bytes) -> None:
    check_content(pipfile.parse, "Pipfile.lock", content)
