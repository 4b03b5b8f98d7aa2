"""pdm.lock.

Fixture tests/data/inputs/python/pdm/pdm.lock: ``pdm lock -G :all`` (PDM 2.29.4,
lock_version 4.5.1) for the pyproject.toml next to it (django 3.2, requests 2.19.0,
flask, a git dependency, a path dependency, extra ``yaml`` with pyyaml, dev group with
pytest). The git URL (served from a local git daemon) was rewritten to
https://github.com/example/tinygit.git.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ossmeta.errors import SourceError
from ossmeta.model import DeclaredPackage
from ossmeta.sources.inputs import pdm
from ossmeta.sources.inputs.skipped import Skipped
from tests.fuzzing import PY_PIECES, check_content, mutated
from tests.helpers import DATA, input_file, text_file

DIR = ("inputs", "python", "pdm")
LOCK = DATA.joinpath(*DIR, "pdm.lock").read_bytes()


def parsed() -> dict[str, DeclaredPackage]:
    found = pdm.parse(input_file(*DIR, "pdm.lock"))
    return {p.name: p for p in found if isinstance(p, DeclaredPackage)}


def test_path_package_is_said() -> None:
    skipped = [str(s) for s in pdm.parse(input_file(*DIR, "pdm.lock")) if isinstance(s, Skipped)]
    assert skipped == [
        "inputs/python/pdm/pdm.lock:160: skipped localdep (../localdep): a local path, "
        "the project's own code"
    ]


def test_real_lock() -> None:
    packages = parsed()
    assert len(packages) == 24
    assert "localdep" not in packages  # path package
    django = packages["django"]
    assert (django.version, django.direct, django.scope) == ("3.2", True, None)
    assert str(django.location) == "inputs/python/pdm/pdm.lock:78"
    assert django.hashes == (
        "sha256:0604e84c4fb698a5e53e5857b5aea945b2f19a18f25f10b8748dbdf935788927",
        "sha256:21f0f9643722675976004eb683c55d33c05486f94506672df3d6a141546f389d",
    )
    assert (packages["pytest"].direct, packages["pytest"].scope) == (True, "dev")
    assert (packages["iniconfig"].direct, packages["iniconfig"].scope) == (False, "dev")
    assert (packages["pyyaml"].direct, packages["pyyaml"].scope) == (True, "optional")
    assert packages["colorama"].markers == 'sys_platform == "win32"'
    assert packages["tinygit"].version == "0.1.0" and packages["tinygit"].direct is True
    assert packages["urllib3"].direct is False


def test_without_pyproject(tmp_path: Path) -> None:
    content = """[metadata]
lock_version = "4.4"

[[package]]
name = "a"
version = "1.0"
groups = ["default"]

[[package]]
name = "b"
version = "2.0"
groups = ["dev"]

[[package]]
name = "c"
version = "3.0"
groups = ["docs"]

[[package]]
name = "d"
git = "https://example.org/d.git"
revision = "abc"
groups = ["default"]
"""
    packages = list(pdm.parse(text_file(tmp_path, "pdm.lock", content)))
    assert [
        (p.name, p.version, p.requirement, p.direct, p.scope, p.location.line) for p in packages
    ] == [
        ("a", "1.0", None, None, None, 4),
        ("b", "2.0", None, None, "dev", 9),
        ("c", "3.0", None, None, "optional", 14),
        ("d", None, "https://example.org/d.git", None, None, 19),
    ]


def test_unreadable_manifest_requirements_are_said(tmp_path: Path) -> None:
    pyproject = '[project]\ndependencies = ["a"]\n[tool.pdm.dev-dependencies]\ntest = ["b ==="]\n'
    text_file(tmp_path, "pyproject.toml", pyproject)
    lock = '[[package]]\nname = "a"\nversion = "1"\n\n[[package]]\nname = "b"\nversion = "2"\n'
    found = list(pdm.parse(text_file(tmp_path, "pdm.lock", lock)))
    assert [str(s) for s in found if isinstance(s, Skipped)] == [
        "pyproject.toml:$.tool.pdm.dev-dependencies.test[0]: skipped 'b ===': "
        "not a valid requirement, so it marks no package as direct"
    ]
    assert [(p.name, p.direct) for p in found if isinstance(p, DeclaredPackage)] == [
        ("a", True),
        ("b", False),
    ]


def test_wrong_shape_names_file_and_line(tmp_path: Path) -> None:
    content = '[metadata]\n\n[[package]]\nname = "a"\nversion = "1"\ngroups = "default"\n'
    with pytest.raises(SourceError) as error:
        list(pdm.parse(text_file(tmp_path, "pdm.lock", content)))
    assert str(error.value) == "pdm.lock:3: groups must be a list, not a string"


def test_sniff() -> None:
    assert pdm.sniff(LOCK.decode()[:2000])
    assert not pdm.sniff("[[package]]\n")


@given(st.text(max_size=400))
def test_fuzz_text(text: str) -> None:
    check_content(pdm.parse, "pdm.lock", text)


# A whole small lock with the entries that become notes (a path package), so mutations
# also reach the skip paths that the truncated real lock does not.
SKIPS = (
    b'[metadata]\nlock_version = "4.5"\n\n[[package]]\nname = "a"\nversion = "1"\n'
    b'groups = ["default"]\n\n[[package]]\nname = "mine"\nversion = "0.1"\npath = "."\n'
)


@given(mutated(LOCK[:5000], SKIPS, pieces=PY_PIECES))
def test_fuzz_mutations(content: bytes) -> None:
    pyproject = DATA.joinpath(*DIR, "pyproject.toml").read_bytes()
    check_content(
        pdm.parse,
        "pdm.lock",
        content,
        {"pyproject.toml": pyproject},
        names=("pdm.lock", "pyproject.toml"),
    )
