"""Installed environments (``--python-env PATH``).

Fixtures in tests/data/inputs/python/: venv/ holds METADATA files copied from a real
virtualenv (``python3.11 -m venv``, then ``pip install`` of django 3.2, requests 2.19.0,
flask, pyyaml) - only the dist-info METADATA files, not the packages; winvenv/ has the
Windows layout (Lib/site-packages). egg-pkg-info/PKG-INFO was written by setuptools 65.5
(``setup.py egg_info``); it is stored outside an ``*.egg-info`` directory because the
repository ignores those, and the tests put it in place.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ossmeta.errors import SourceError
from ossmeta.model import DeclaredPackage
from ossmeta.sources.files import InputFile
from ossmeta.sources.inputs.pyenv import parse_environment
from ossmeta.sources.inputs.skipped import Skipped
from tests.fuzzing import check_parser
from tests.helpers import DATA

PYTHON = DATA / "inputs" / "python"
SITE = "lib/python3.11/site-packages"


def split(found: list[DeclaredPackage | Skipped]) -> tuple[list[DeclaredPackage], list[str]]:
    packages = [p for p in found if isinstance(p, DeclaredPackage)]
    return packages, [str(s) for s in found if isinstance(s, Skipped)]


def names(found: list[DeclaredPackage | Skipped]) -> list[tuple[str, str | None, str]]:
    return [(p.name, p.version, str(p.location)) for p in split(found)[0]]


def test_virtualenv() -> None:
    packages, skipped = split(parse_environment(PYTHON / "venv", "venv"))
    assert skipped == []
    assert [(p.name, p.version, str(p.location)) for p in packages] == [
        ("Django", "3.2", f"venv/{SITE}/Django-3.2.dist-info/METADATA"),
        ("Flask", "3.1.3", f"venv/{SITE}/flask-3.1.3.dist-info/METADATA"),
        ("MarkupSafe", "3.0.4", f"venv/{SITE}/markupsafe-3.0.4.dist-info/METADATA"),
        ("PyYAML", "6.0.4", f"venv/{SITE}/pyyaml-6.0.4.dist-info/METADATA"),
        ("requests", "2.19.0", f"venv/{SITE}/requests-2.19.0.dist-info/METADATA"),
    ]
    assert all(p.ecosystem == "PyPI" and p.direct is None for p in packages)


def test_site_packages_directly_and_windows_layout() -> None:
    packages, _ = split(parse_environment(PYTHON / "venv" / SITE, "sp"))
    assert packages[0].location.path == "sp/Django-3.2.dist-info/METADATA"
    assert names(parse_environment(PYTHON / "winvenv", "win")) == [
        ("idna", "2.7", "win/Lib/site-packages/idna-2.7.dist-info/METADATA")
    ]


def test_egg_info_and_local_installs_and_missing_version(tmp_path: Path) -> None:
    site = tmp_path / "env" / "lib" / "python3.12" / "site-packages"
    egg = site / "legacy_egg-0.9.1-py3.11.egg-info"
    egg.mkdir(parents=True)
    shutil.copy(PYTHON / "egg-pkg-info" / "PKG-INFO", egg / "PKG-INFO")
    (site / "old_file-1.0.egg-info").write_text(
        "Metadata-Version: 1.0\nName: old-file\nVersion: 1.0\n"
    )
    local = site / "myproject-0.1.dist-info"
    local.mkdir()
    (local / "METADATA").write_text("Metadata-Version: 2.1\nName: myproject\nVersion: 0.1\n")
    (local / "direct_url.json").write_text('{"url": "file:///src", "dir_info": {"editable": true}}')
    remote = site / "fromgit-2.0.dist-info"
    remote.mkdir()
    (remote / "METADATA").write_text("Metadata-Version: 2.1\nName: fromgit\n")
    (remote / "direct_url.json").write_text('{"url": "https://x", "vcs_info": {"vcs": "git"}}')
    (site / "broken-1.0.dist-info").mkdir()  # pip was stopped half-way through removing it
    (site / "nameless-2.0.egg-info").mkdir()
    (site / "six.py").write_text("")  # a module, not metadata: no note
    packages, skipped = split(parse_environment(tmp_path / "env", "env"))
    shown = "env/lib/python3.12/site-packages"
    assert skipped == [
        f"{shown}/broken-1.0.dist-info: skipped broken-1.0.dist-info: no METADATA file in it "
        "(a broken install)",
        f"{shown}/myproject-0.1.dist-info/direct_url.json: skipped myproject-0.1.dist-info: "
        "installed from the local directory file:///src, the project's own code",
        f"{shown}/nameless-2.0.egg-info: skipped nameless-2.0.egg-info: no PKG-INFO file in it "
        "(a broken install)",
    ]
    assert [(p.name, p.version, p.requirement) for p in packages] == [
        ("fromgit", None, "*"),
        ("legacy-egg", "0.9.1", None),
        ("old-file", "1.0", None),
    ]
    assert packages[1].location.path == (
        "env/lib/python3.12/site-packages/legacy_egg-0.9.1-py3.11.egg-info/PKG-INFO"
    )


def test_not_an_environment(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    with pytest.raises(SourceError) as error:
        parse_environment(tmp_path / "empty", "empty")
    assert str(error.value) == "empty: neither a virtualenv nor a site-packages directory"
    (tmp_path / "file.txt").write_text("x")
    with pytest.raises(SourceError, match=r"^file.txt: not a directory"):
        parse_environment(tmp_path / "file.txt", "file.txt")
    with pytest.raises(SourceError, match=r"^missing: not a directory"):
        parse_environment(tmp_path / "missing", "missing")


def test_metadata_without_name(tmp_path: Path) -> None:
    dist = tmp_path / "x-1.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_bytes(b"Metadata-Version: 2.1\nVersion: 1\n")
    with pytest.raises(SourceError) as error:
        parse_environment(tmp_path, "sp")
    assert (
        str(error.value)
        == "sp/x-1.dist-info/METADATA:1: no Name header in the distribution metadata"
    )


@given(st.binary(max_size=300) | st.text(max_size=300).map(lambda t: t.encode("utf-8", "replace")))
def test_fuzz_metadata(content: bytes) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        dist = Path(tmp) / "x-1.dist-info"
        dist.mkdir()
        (dist / "METADATA").write_bytes(content)
        (dist / "direct_url.json").write_bytes(content)
        check_parser(
            lambda env: parse_environment(env.path, env.display),
            InputFile(Path(tmp), "sp"),
            names=["sp/x-1.dist-info/METADATA", "sp/x-1.dist-info/direct_url.json"],
        )
