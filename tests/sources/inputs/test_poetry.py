"""poetry.lock.

Fixtures in tests/data/inputs/python/poetry/, written by ``poetry lock`` for one project
(django 3.2, requests 2.19.0, flask, a git dependency, a path dependency, an optional
pyyaml extra, a dev group with pytest):
- poetry2/: Poetry 2.5.1 (lock-version 2.1, ``groups``), PEP 621 pyproject;
- poetry18/: Poetry 1.8.5 (lock-version 2.0, no category);
- poetry14/: Poetry 1.4.2 (lock-version 2.0 with ``category``), no sibling pyproject.
PyPI's JSON API is not reachable from the machine that wrote them, so the projects use
https://pypi.mirror.example/simple as a ``legacy`` primary source: packages carry a
``[package.source] type = "legacy"`` table. The local git URL was rewritten to
https://github.com/example/tinygit.git.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ossmeta.errors import SourceError
from ossmeta.model import DeclaredPackage
from ossmeta.sources.files import InputFile
from ossmeta.sources.inputs import poetry
from ossmeta.sources.inputs.skipped import Skipped
from tests.fuzzing import PY_PIECES, check_content, mutated
from tests.helpers import DATA, input_file, text_file

DIR = ("inputs", "python", "poetry")


def split(file: InputFile) -> tuple[list[DeclaredPackage], list[str]]:
    found = list(poetry.parse(file))
    packages = [p for p in found if isinstance(p, DeclaredPackage)]
    return packages, [str(s) for s in found if isinstance(s, Skipped)]


def parsed(version: str) -> dict[str, DeclaredPackage]:
    return {p.name: p for p in split(input_file(*DIR, version, "poetry.lock"))[0]}


def test_directory_source_is_said() -> None:
    assert split(input_file(*DIR, "poetry2", "poetry.lock"))[1] == [
        "inputs/python/poetry/poetry2/poetry.lock:238: skipped localdep 0.1.0 (../localdep): "
        "a local directory, the project's own code"
    ]


def test_poetry2_groups_markers_and_direct() -> None:
    packages = parsed("poetry2")
    assert len(packages) == 24
    assert "localdep" not in packages  # directory source: the project's own code
    django = packages["django"]
    assert (django.ecosystem, django.version, django.direct, django.scope) == (
        "PyPI",
        "3.2",
        True,
        None,
    )
    assert str(django.location) == "inputs/python/poetry/poetry2/poetry.lock:109"
    assert django.hashes[0].startswith("sha256:")
    assert packages["urllib3"].version == "1.22" and packages["urllib3"].direct is False
    assert packages["pytest"].scope == "dev" and packages["pytest"].direct is True
    assert packages["iniconfig"].scope == "dev" and packages["iniconfig"].direct is False
    assert packages["colorama"].markers == 'sys_platform == "win32"'
    assert packages["pyyaml"].scope == "optional" and packages["pyyaml"].direct is True
    assert packages["pyyaml"].markers == 'extra == "yaml"'
    tinygit = packages["tinygit"]  # git source keeps its version
    assert (tinygit.version, tinygit.direct, tinygit.hashes) == ("0.1.0", True, ())


def test_poetry18_no_category() -> None:
    packages = parsed("poetry18")
    assert len(packages) == 24
    assert packages["requests"].version == "2.19.0"
    assert packages["requests"].location.line == 585
    assert packages["pytest"].scope == "dev"  # from the sibling pyproject's dev group
    assert packages["iniconfig"].scope is None  # the lock says nothing, the manifest neither
    assert packages["pyyaml"].scope == "optional"
    assert packages["flask"].direct is True and packages["click"].direct is False


def test_poetry14_category_without_pyproject() -> None:
    packages = parsed("poetry14")
    assert packages["pytest"].scope == "dev" and packages["iniconfig"].scope == "dev"
    assert packages["django"].scope is None
    assert all(p.direct is None for p in packages.values())


def test_old_metadata_files_hashes_and_local_file_source(tmp_path: Path) -> None:
    content = """
[[package]]
name = "six"
version = "1.16.0"
description = ""
category = "main"
optional = false
python-versions = "*"

[[package]]
name = "mywheel"
version = "1.0"
description = ""
category = "main"
optional = false
python-versions = "*"

[package.source]
type = "file"
url = "dist/mywheel-1.0-py3-none-any.whl"

[metadata]
lock-version = "1.1"
python-versions = "^3.8"
content-hash = "x"

[metadata.files]
six = [
    {file = "six-1.16.0.tar.gz", hash = "sha256:1e61"},
]
"""
    packages, skipped = split(text_file(tmp_path, "poetry.lock", content))
    assert [(p.name, p.location.line, p.hashes) for p in packages] == [("six", 2, ("sha256:1e61",))]
    assert skipped == [
        "poetry.lock:10: skipped mywheel 1.0 (dist/mywheel-1.0-py3-none-any.whl): a local file, "
        "the project's own code"
    ]


def test_unreadable_manifest_requirements_are_said(tmp_path: Path) -> None:
    text_file(
        tmp_path,
        "pyproject.toml",
        '[project]\ndependencies = ["six>=1", "not a requirement!", 3]\n'
        '[dependency-groups]\ndev = ["pytest>="]\n',
    )
    lock = '[[package]]\nname = "six"\nversion = "1.16.0"\n'
    packages, skipped = split(text_file(tmp_path, "poetry.lock", lock))
    assert [(p.name, p.direct) for p in packages] == [("six", True)]
    unread = "not a valid requirement, so it marks no package as direct"
    assert skipped == [
        f"pyproject.toml:$.project.dependencies[1]: skipped 'not a requirement!': {unread}",
        "pyproject.toml:$.project.dependencies[2]: skipped 3: not a requirement string, "
        "so it marks no package as direct",
        f"pyproject.toml:$.dependency-groups.dev[0]: skipped 'pytest>=': {unread}",
    ]


def test_wrong_shape_names_file_and_line(tmp_path: Path) -> None:
    content = '[[package]]\nname = "six"\nversion = "1"\n\n[[package]]\nname = "x"\nversion = 3\n'
    with pytest.raises(SourceError) as error:
        list(poetry.parse(text_file(tmp_path, "poetry.lock", content)))
    assert str(error.value) == "poetry.lock:5: package version must be a string, not a number"


def test_invalid_toml_names_line(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match=r"^poetry.lock:2: invalid TOML"):
        list(poetry.parse(text_file(tmp_path, "poetry.lock", '[[package]]\nname = "six\n')))


def test_sniff() -> None:
    head = (DATA.joinpath(*DIR, "poetry2", "poetry.lock")).read_text()[:2000]
    assert poetry.sniff(head)
    assert not poetry.sniff("[[package]]\nname = 'x'\n")


NAMES = ("poetry.lock", "pyproject.toml")  # notes may name the manifest beside the lock
FIXTURES = [
    DATA.joinpath(*DIR, v, "poetry.lock").read_bytes()[:6000] for v in ("poetry2", "poetry14")
]


@given(st.text(max_size=400))
def test_fuzz_text(text: str) -> None:
    check_content(poetry.parse, "poetry.lock", text)


@given(mutated(*FIXTURES, pieces=PY_PIECES))
def test_fuzz_mutations(content: bytes) -> None:
    pyproject = DATA.joinpath(*DIR, "poetry2", "pyproject.toml").read_bytes()
    check_content(poetry.parse, "poetry.lock", content, {"pyproject.toml": pyproject}, names=NAMES)


@given(
    st.sampled_from(FIXTURES),
    mutated(b'[project]\ndependencies = ["django==3.2"]\n', pieces=PY_PIECES),
)
def test_fuzz_sibling_pyproject(lock: bytes, pyproject: bytes) -> None:
    check_content(poetry.parse, "poetry.lock", lock, {"pyproject.toml": pyproject}, names=NAMES)
