"""uv.lock.

Fixtures in tests/data/inputs/python/uv/, written by ``uv lock`` (uv 0.13.9, lock
``version = 1``, ``revision = 5``):
- simple/: a virtual project (django 3.2, requests 2.19.0, flask, extra ``yaml`` with
  pyyaml, dev group with pytest);
- workspace/: the same project as an editable package with a workspace member
  (packages/helper, needing six), a git dependency (local URL rewritten to
  https://github.com/example/tinygit.git) and a path dependency (../localdep).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ossmeta.errors import SourceError
from ossmeta.model import DeclaredPackage
from ossmeta.sources.files import InputFile
from ossmeta.sources.inputs import uvlock
from ossmeta.sources.inputs.skipped import Skipped
from tests.fuzzing import PY_PIECES, check_content, mutated
from tests.helpers import DATA, input_file, text_file

DIR = ("inputs", "python", "uv")


def split(file: InputFile) -> tuple[list[DeclaredPackage], list[str]]:
    found = list(uvlock.parse(file))
    packages = [p for p in found if isinstance(p, DeclaredPackage)]
    return packages, [str(s) for s in found if isinstance(s, Skipped)]


def parsed(name: str) -> dict[str, DeclaredPackage]:
    return {p.name: p for p in split(input_file(*DIR, name, "uv.lock"))[0]}


@pytest.mark.parametrize(
    ("name", "said"),
    [
        ("simple", ["58: skipped demo-app (virtual .): the project's own code"]),
        (
            "workspace",
            [
                "64: skipped demo-app (editable .): the project's own code",
                "102: skipped demo-helper (editable packages/helper): the project's own code",
                "183: skipped localdep (directory ../localdep): the project's own code",
            ],
        ),
    ],
)
def test_local_packages_are_said(name: str, said: list[str]) -> None:
    where = f"inputs/python/uv/{name}/uv.lock:"
    assert split(input_file(*DIR, name, "uv.lock"))[1] == [where + note for note in said]


def test_simple_project() -> None:
    packages = parsed("simple")
    assert len(packages) == 23
    assert "demo-app" not in packages  # the project itself (virtual = ".")
    django = packages["django"]
    assert (django.version, django.direct, django.scope) == ("3.2", True, None)
    assert str(django.location) == "inputs/python/uv/simple/uv.lock:90"
    assert django.hashes == (
        "sha256:21f0f9643722675976004eb683c55d33c05486f94506672df3d6a141546f389d",
        "sha256:0604e84c4fb698a5e53e5857b5aea945b2f19a18f25f10b8748dbdf935788927",
    )  # sdist first, then the wheels
    assert packages["asgiref"].direct is False and packages["asgiref"].scope is None
    assert (packages["pytest"].direct, packages["pytest"].scope) == (True, "dev")
    assert (packages["pluggy"].direct, packages["pluggy"].scope) == (False, "dev")
    assert packages["colorama"].scope == "dev"
    assert (packages["pyyaml"].direct, packages["pyyaml"].scope) == (True, "optional")
    assert len(packages["pyyaml"].hashes) == 66
    assert packages["certifi"].hashes == (
        "sha256:1324c476b4811eff41a8bc2122cd0bbd4d9c7234c725446d99ab1612b3a7fdd2",
    )


def test_workspace_git_and_path() -> None:
    packages = parsed("workspace")
    assert not {"demo-app", "demo-helper", "localdep"} & packages.keys()
    assert (packages["six"].version, packages["six"].direct) == ("1.16.0", True)  # member's dep
    tinygit = packages["tinygit"]
    assert (tinygit.version, tinygit.direct, tinygit.location.line) == ("0.1.0", True, 474)
    assert packages["urllib3"].direct is False and packages["urllib3"].version == "1.23"


def test_no_root_means_direct_unknown(tmp_path: Path) -> None:
    content = 'version = 1\n\n[[package]]\nname = "six"\nversion = "1.16.0"\n'
    content += 'source = { registry = "https://pypi.mirror.example/simple" }\n'
    content += '\n[[package]]\nname = "dyn"\nsource = { git = "https://example.org/dyn.git#abc" }\n'
    packages, skipped = split(text_file(tmp_path, "uv.lock", content))
    assert skipped == []
    assert [(p.name, p.version, p.direct, p.location.line) for p in packages] == [
        ("six", "1.16.0", None, 3),
        ("dyn", None, None, 8),
    ]
    assert packages[1].requirement == "https://example.org/dyn.git#abc"


def test_wrong_shape_names_file_and_line(tmp_path: Path) -> None:
    content = 'version = 1\n\n[[package]]\nname = "six"\nversion = "1"\nsource = "pypi"\n'
    with pytest.raises(SourceError) as error:
        list(uvlock.parse(text_file(tmp_path, "uv.lock", content)))
    assert str(error.value) == "uv.lock:3: package source must be an object, not a string"


def test_sniff() -> None:
    assert uvlock.sniff(DATA.joinpath(*DIR, "simple", "uv.lock").read_text()[:3000])
    assert not uvlock.sniff('[[package]]\nname = "x"\n')


FIXTURES = [DATA.joinpath(*DIR, n, "uv.lock").read_bytes()[:5000] for n in ("simple", "workspace")]


@given(st.text(max_size=400))
def test_fuzz_text(text: str) -> None:
    check_content(uvlock.parse, "uv.lock", text)


# Entries that become notes: the project itself, a workspace member and a path package.
SKIPS = b"""version = 1
[manifest]
members = ["app", "lib"]
[[package]]
name = "app"
source = { editable = "." }
dependencies = [{ name = "six" }]
[[package]]
name = "lib"
source = { editable = "lib" }
[[package]]
name = "local"
source = { path = "dist/local.whl" }
[[package]]
name = "six"
version = "1.16.0"
source = { registry = "https://pypi.example/simple" }
"""


@given(mutated(*FIXTURES, SKIPS, pieces=PY_PIECES))
def test_fuzz_mutations(content: bytes) -> None:
    check_content(uvlock.parse, "uv.lock", content)
