"""PEP 751 pylock.toml.

Fixtures in tests/data/inputs/python/pylock/:
- pip/pylock.toml: ``pip lock -r requirements.in`` (pip 26.3) for django==3.2,
  requests==2.19.0, flask, pyyaml>=5.4; wheel URLs this machine's mirror served from a
  local directory were rewritten to their files.mirror.example URLs;
- uv/pylock.toml: ``uv export --format pylock.toml --all-extras --all-groups`` (uv 0.13.9)
  of the uv workspace fixture (workspace member, git and path dependencies; the local git
  URL rewritten to https://github.com/example/tinygit.git).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ossmeta.errors import SourceError
from ossmeta.model import DeclaredPackage
from ossmeta.sources.files import InputFile
from ossmeta.sources.inputs import pylock
from ossmeta.sources.inputs.skipped import Skipped
from tests.fuzzing import PY_PIECES, check_content, mutated
from tests.helpers import DATA, input_file, text_file

DIR = ("inputs", "python", "pylock")


def split(file: InputFile) -> tuple[list[DeclaredPackage], list[str]]:
    found = list(pylock.parse(file))
    packages = [p for p in found if isinstance(p, DeclaredPackage)]
    return packages, [str(s) for s in found if isinstance(s, Skipped)]


def parsed(tool: str) -> dict[str, DeclaredPackage]:
    return {p.name: p for p in split(input_file(*DIR, tool, "pylock.toml"))[0]}


def test_pip_lock() -> None:
    packages = parsed("pip")
    assert len(packages) == 17
    django = packages["django"]
    assert (django.version, django.direct, django.scope, django.markers) == (
        "3.2",
        None,
        None,
        None,
    )
    assert str(django.location) == "inputs/python/pylock/pip/pylock.toml:59"
    assert packages["blinker"].hashes == (
        "sha256:ba0efaa9080b619ff2f3459d1d500c57bddea4a6b424b60a91141db6fd2f08bc",
    )
    assert packages["requests"].version == "2.19.0"


def test_uv_export() -> None:
    packages = parsed("uv")
    assert not {"demo-helper", "localdep"} & packages.keys()  # directory sources
    where = "inputs/python/pylock/uv/pylock.toml"
    own = "a local directory, the project's own code"
    assert split(input_file(*DIR, "uv", "pylock.toml"))[1] == [
        f"{where}:49: skipped demo-app (.): {own}",
        f"{where}:53: skipped demo-helper (packages/helper): {own}",
        f"{where}:99: skipped localdep (../localdep): {own}",
    ]
    assert split(input_file(*DIR, "pip", "pylock.toml"))[1] == []
    assert packages["colorama"].markers == "sys_platform == 'win32'"
    assert packages["colorama"].location.line == 41
    assert packages["tinygit"].version == "0.1.0" and packages["tinygit"].hashes == ()
    assert len(packages["asgiref"].hashes) == 2  # sdist and wheel
    assert packages["six"].version == "1.16.0"


def test_vcs_and_archive_without_version(tmp_path: Path) -> None:
    content = """lock-version = "1.0"
created-by = "hand"

[[packages]]
name = "fromgit"
vcs = { type = "git", url = "https://example.org/g.git", commit-id = "abc123" }

[[packages]]
name = "fromarchive"
archive = { url = "https://example.org/a.tar.gz", hashes = { sha256 = "ff" } }

[[packages]]
name = "localarchive"
archive = { path = "dist/l.tar.gz", hashes = { sha256 = "ee" } }

[[packages]]
name = "localvcs"
vcs = { type = "git", path = "../checkout", commit-id = "abc" }
"""
    packages, skipped = split(text_file(tmp_path, "pylock.toml", content))
    assert [(p.name, p.version, p.requirement, p.location.line, p.hashes) for p in packages] == [
        ("fromgit", None, "git+https://example.org/g.git@abc123", 4, ()),
        ("fromarchive", None, "https://example.org/a.tar.gz", 8, ("sha256:ff",)),
    ]
    assert skipped == [
        "pylock.toml:12: skipped localarchive (dist/l.tar.gz): a local archive, "
        "the project's own code",
        "pylock.toml:16: skipped localvcs (../checkout): a local checkout, the project's own code",
    ]


def test_not_a_pylock_and_wrong_shape(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match=r"^pylock.toml: no lock-version"):
        list(pylock.parse(text_file(tmp_path, "pylock.toml", "[[packages]]\nname = 'x'\n")))
    content = 'lock-version = "1.0"\n\n[[packages]]\nname = "x"\nversion = "1"\nwheels = 3\n'
    with pytest.raises(SourceError) as error:
        list(pylock.parse(text_file(tmp_path, "pylock.toml", content)))
    assert str(error.value) == "pylock.toml:3: wheels must be a list, not a number"


def test_sniff() -> None:
    assert pylock.sniff(DATA.joinpath(*DIR, "uv", "pylock.toml").read_text()[:2000])
    assert not pylock.sniff("[[package]]\n")


FIXTURES = [DATA.joinpath(*DIR, t, "pylock.toml").read_bytes()[:5000] for t in ("pip", "uv")]


@given(st.text(max_size=400))
def test_fuzz_text(text: str) -> None:
    check_content(pylock.parse, "pylock.toml", text)


# Entries that become notes: a directory, a local archive and a local checkout.
SKIPS = b"""lock-version = "1.0"
[[packages]]
name = "a"
version = "1"
[[packages]]
name = "d"
directory = { path = "." }
[[packages]]
name = "l"
archive = { path = "l.tar.gz" }
[[packages]]
name = "v"
vcs = { type = "git", path = "../v" }
"""


@given(mutated(*FIXTURES, SKIPS, pieces=PY_PIECES))
def test_fuzz_mutations(content: bytes) -> None:
    check_content(pylock.parse, "pylock.toml", content)
