"""pip requirements files.

Fixtures in tests/data/inputs/python/requirements/, written by real tools for a project
needing django==3.2, requests==2.19.0, flask and pyyaml>=5.4 (requirements.in):
- piptools-*.txt: pip-compile 7.6.2 (pip-tools), with and without --generate-hashes, from
  requirements.in, from a dev .in with ``-c``, and from pyproject.toml (--extra yaml);
- uv-*.txt: ``uv pip compile`` (uv 0.13.9), plain, --generate-hashes, --annotation-style line;
- freeze-requirements.txt: ``pip freeze`` (pip 23.2.1) of a venv with those installed.
The machine's local mirror options (--extra-index-url file:///..., --find-links) were
removed from the pip-compile output. edge/ is hand-written for includes, constraints,
cycles, URLs, editables and options.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ossmeta.errors import SourceError
from ossmeta.model import DeclaredPackage
from ossmeta.sources.files import InputFile
from ossmeta.sources.inputs import requirements
from ossmeta.sources.inputs.skipped import Skipped
from tests.fuzzing import PY_PIECES, check_content, mutated
from tests.helpers import DATA, input_file, text_file

DIR = ("inputs", "python", "requirements")


def packages_of(file: InputFile) -> list[DeclaredPackage]:
    return [p for p in requirements.parse(file) if isinstance(p, DeclaredPackage)]


def skips_of(file: InputFile) -> list[str]:
    return [str(s) for s in requirements.parse(file) if isinstance(s, Skipped)]


def parsed(name: str) -> list[DeclaredPackage]:
    return packages_of(input_file(*DIR, name))


def by_name(packages: list[DeclaredPackage]) -> dict[str, DeclaredPackage]:
    return {p.name: p for p in packages}


def test_pip_compile_output() -> None:
    packages = by_name(parsed("piptools-requirements.txt"))
    assert len(packages) == 17
    django = packages["django"]
    assert (django.ecosystem, django.version, django.direct, django.requirement) == (
        "PyPI",
        "3.2",
        True,
        None,
    )
    assert str(django.location) == "inputs/python/requirements/piptools-requirements.txt:18"
    assert packages["requests"].version == "2.19.0" and packages["requests"].direct is True
    assert packages["urllib3"].direct is False  # via requests
    assert packages["markupsafe"].direct is False  # multi-line "# via" block of packages
    assert packages["pyyaml"].markers == 'python_version >= "3.8"'
    assert packages["pyyaml"].direct is True
    assert all(p.hashes == () for p in packages.values())


def test_pip_compile_hashes_and_continuations() -> None:
    packages = by_name(parsed("piptools-hashes-requirements.txt"))
    asgiref = packages["asgiref"]
    assert asgiref.location.line == 8  # first physical line of the continued line
    assert asgiref.hashes == (
        "sha256:034cc8cbf72d00553b4be256703ac545120b4e50af13b49dec99da899aeeecb4",
        "sha256:f9596a2434512686473d50f96ff6207fbba49ae1a785dfac614df4aeb085674d",
    )
    assert asgiref.direct is False
    assert packages["django"].direct is True and packages["django"].location.line == 27
    assert len(packages["markupsafe"].hashes) == 151
    assert packages["pyyaml"].location.line == 207


def test_pip_compile_from_pyproject_and_constraint_annotations() -> None:
    packages = by_name(parsed("piptools-pyproject-requirements.txt"))
    assert packages["pyyaml"].direct is True  # via demo-app (pyproject.toml)
    assert packages["idna"].direct is False
    dev = by_name(parsed("piptools-dev-requirements.txt"))
    assert dev["pytest"].direct is True and dev["pluggy"].direct is False


@pytest.mark.parametrize(
    "name", ["uv-requirements.txt", "uv-hashes-requirements.txt", "uv-line-requirements.txt"]
)
def test_uv_pip_compile(name: str) -> None:
    packages = by_name(parsed(name))
    assert len(packages) == 17
    assert [n for n, p in packages.items() if p.direct] == ["django", "flask", "pyyaml", "requests"]
    assert packages["werkzeug"].version == "3.1.9"
    assert all(p.version for p in packages.values())


def test_uv_line_annotations_locations() -> None:
    packages = by_name(parsed("uv-line-requirements.txt"))
    assert packages["asgiref"].location.line == 3
    assert packages["markupsafe"].direct is False  # "# via flask, jinja2, werkzeug"
    assert packages["requests"].location.line == 16


def test_pip_freeze_every_line_direct() -> None:
    packages = parsed("freeze-requirements.txt")
    assert len(packages) == 22
    assert packages[5].name == "Django" and packages[5].version == "3.2"
    assert packages[5].location.line == 6
    assert all(p.direct is True for p in packages)


def test_unpinned_requirements_are_unresolved() -> None:
    packages = by_name(parsed("requirements.in"))
    assert packages["flask"].version is None and packages["flask"].requirement == "*"
    assert packages["pyyaml"].version is None and packages["pyyaml"].requirement == ">=5.4"
    assert packages["django"].version == "3.2"


def test_edge_cases() -> None:
    packages = packages_of(input_file(*DIR, "edge", "requirements.txt"))
    found = {p.name: p for p in packages}
    where = {p.name: str(p.location) for p in packages}
    base = "inputs/python/requirements/edge/"
    # -r include, relative to the including file; -c pins resolve unpinned requirements
    assert where["certifi"] == base + "sub/base.txt:2" and found["certifi"].version == "2018.4.16"
    assert found["chardet"].version == "3.0.4" and found["chardet"].requirement is None
    assert found["flask"].version == "1.0"
    assert "click" not in found  # constraints declare nothing
    assert found["requests"].version == "2.19.0"  # pinned here; the constraint pin is ignored
    assert found["requests"].markers == 'python_version >= "3.8"'
    assert where["Django"] == base + "requirements.txt:10"
    assert found["urllib3"].version is None and found["urllib3"].requirement == ">=1.21.1,<1.24"
    assert found["idna"].version is None and found["idna"].requirement == "==2.*"
    assert found["legacy"].version == "1.0-custom"  # ===
    assert found["pyyaml"].version == "5.3.1" and len(found["pyyaml"].hashes) == 2
    assert where["jinja2"] == base + "requirements.txt:19" and found["jinja2"].version == "2.10"
    # local paths and file: URLs are skipped
    assert not {"mylocal", "mylib", "local-lib"} & found.keys()
    assert found["tinygit"].requirement == (
        "git+https://github.com/example/tinygit.git@v0.1.0#egg=tinygit"
    )
    assert found["tinygit2"].requirement == "git+https://github.com/example/tinygit.git@v0.2.0"
    assert found["six"].version is None
    assert found["six"].requirement.endswith("/six-1.16.0.tar.gz")  # type: ignore[union-attr]
    assert found["private-pkg"].requirement == "==${PRIVATE_VERSION}"
    assert found["private-tool"].requirement == (
        "https://${TOKEN}@example.org/private_tool-2.0-py3-none-any.whl"
    )
    assert all(p.direct is True for p in packages)
    assert len(packages) == 15


def test_edge_cases_every_skipped_line_is_reported() -> None:
    skips = skips_of(input_file(*DIR, "edge", "requirements.txt"))
    base = "inputs/python/requirements/edge/"
    assert skips == [
        base + "requirements.txt:2: option --index-url ignored: it names no package",
        base + "requirements.txt:3: option --extra-index-url ignored: it names no package",
        base + "requirements.txt:4: option --trusted-host ignored: it names no package",
        base + "requirements.txt:5: option --pre ignored: it names no package",
        base + "requirements.txt:6: option --prefer-binary ignored: it names no package",
        base + "requirements.txt:21: skipped .: a local path (own code)",
        base + "requirements.txt:22: skipped ../local-lib: a local path (own code)",
        base + "requirements.txt:23: skipped ./vendor/mylib: a local path (own code)",
        base + "requirements.txt:27: skipped mylocal @ file:///home/demo/src/mylocal: "
        "a local path (own code)",
    ]


def test_marker_with_a_slash_is_not_a_path(tmp_path: Path) -> None:
    content = 'foo==1.0 ; sys_platform == "a/b"\nbar==2.0; os_name == "x\\\\y"\n'
    file = text_file(tmp_path, "requirements.txt", content)
    packages = by_name(packages_of(file))
    assert (packages["foo"].version, packages["foo"].markers) == ("1.0", 'sys_platform == "a/b"')
    assert packages["bar"].version == "2.0"
    assert skips_of(file) == []


@pytest.mark.parametrize(
    ("content", "version"),
    [
        ("requests==2.\\\n31.0\n", "2.31.0"),  # pip glues with nothing in between
        ("requests==2.31\\\\\n.0\n", "2.31.0"),  # every trailing backslash goes
        ("requests==2.31.0 \\\n# a comment ends it\n", "2.31.0"),
    ],
)
def test_continuations_join_like_pip(tmp_path: Path, content: str, version: str) -> None:
    packages = packages_of(text_file(tmp_path, "requirements.txt", content))
    assert [(p.name, p.version, p.location.line) for p in packages] == [("requests", version, 1)]


def test_url_without_a_name_is_reported(tmp_path: Path) -> None:
    file = text_file(tmp_path, "requirements.txt", "https://example.org/download\n")
    assert packages_of(file) == []
    assert skips_of(file) == [
        "requirements.txt:1: skipped a URL naming no package (no #egg=, no archive name)"
    ]


def test_include_cycle_is_an_error() -> None:
    with pytest.raises(SourceError) as error:
        requirements.parse(input_file(*DIR, "edge", "cycle", "a.txt"))
    assert str(error.value) == (
        "inputs/python/requirements/edge/cycle/b.txt:2: include cycle: "
        "inputs/python/requirements/edge/cycle/a.txt -> "
        "inputs/python/requirements/edge/cycle/b.txt -> "
        "inputs/python/requirements/edge/cycle/a.txt"
    )


def test_missing_include_names_including_line() -> None:
    with pytest.raises(SourceError) as error:
        requirements.parse(input_file(*DIR, "edge", "missing-include.txt"))
    assert str(error.value) == (
        "inputs/python/requirements/edge/missing-include.txt:3: "
        "included file does-not-exist.txt not found"
    )


def test_invalid_requirement_names_file_and_line() -> None:
    with pytest.raises(SourceError) as error:
        requirements.parse(input_file(*DIR, "edge", "invalid.txt"))
    message = str(error.value)
    assert message.startswith("inputs/python/requirements/edge/invalid.txt:2: not a valid")
    assert "\n" not in message


def test_unknown_option_is_an_error(tmp_path: Path) -> None:
    file = text_file(tmp_path, "requirements.txt", "six==1.16.0\n--frobnicate\n")
    with pytest.raises(SourceError, match=r"requirements.txt:2: unknown pip option --frobnicate"):
        requirements.parse(file)


def test_diamond_includes_read_once_and_comment_backslash(tmp_path: Path) -> None:
    text_file(tmp_path, "common.txt", "six==1.16.0\n")
    text_file(tmp_path, "a.txt", "-r common.txt\n")
    text_file(tmp_path, "b.txt", "-r common.txt\n")
    top = text_file(tmp_path, "requirements.txt", "-ra.txt\n--requirement=b.txt\n# x \\\nattrs\n")
    packages = packages_of(top)
    assert [(p.name, str(p.location)) for p in packages] == [
        ("six", "common.txt:1"),
        ("attrs", "requirements.txt:4"),
    ]


def test_editable_vcs_and_via_block_mixed(tmp_path: Path) -> None:
    content = (
        "-e git+https://example.org/r.git#egg=thing\n"
        "click==8.0\n"
        "    # via\n"
        "    #   -r requirements.in\n"
        "    #   flask\n"
        "itsdangerous==2.0\n"
        "    # via -c constraints.txt\n"
        "unannotated==1.0\n"
    )
    packages = by_name(packages_of(text_file(tmp_path, "requirements.txt", content)))
    assert packages["thing"].direct is True and packages["thing"].version is None
    assert packages["click"].direct is True
    assert packages["itsdangerous"].direct is False
    assert packages["unannotated"].direct is None


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        ("django==3.2\nrequests>=2\n", True),
        ("# comment\n-i https://x\nflask==1.0 ; python_version < '3'\n", True),
        ("flask\n", False),  # nothing pinned: too weak to claim the file
        ('{"bomFormat": "CycloneDX"}', False),
        ("[[package]]\nname = 'x'\n", False),
    ],
)
def test_sniff(head: str, expected: bool) -> None:
    assert requirements.sniff(head) is expected


FIXTURES = [
    (DATA.joinpath(*DIR, name)).read_bytes()
    for name in ("piptools-hashes-requirements.txt", "uv-line-requirements.txt")
] + [DATA.joinpath(*DIR, "edge", "requirements.txt").read_bytes()[:1200]]


@given(st.text(max_size=400))
def test_fuzz_text(text: str) -> None:
    check_content(requirements.parse, "requirements.txt", text)


@given(mutated(*FIXTURES, pieces=PY_PIECES))
def test_fuzz_mutations(content: bytes) -> None:
    check_content(requirements.parse, "requirements.txt", content)


@given(st.lists(st.sampled_from(["-r a.txt", "-c a.txt", "six==1", "-e .", "x>1"]), max_size=6))
def test_fuzz_includes(lines: list[str]) -> None:
    content = "\n".join(lines).encode()
    check_content(
        requirements.parse, "a.txt", content, {"b.txt": b"-r a.txt\n"}, names=("a.txt", "b.txt")
    )


_LINE_PIECES = [
    "foo==1.0",
    " ; ",
    'sys_platform == "a/b"',
    "\\",
    "\n",
    "./x",
    "# c",
    "-e ",
    "--pre",
]


@given(st.lists(st.sampled_from(_LINE_PIECES), max_size=12))
def test_fuzz_markers_and_continuations(pieces: list[str]) -> None:
    check_content(requirements.parse, "requirements.txt", "".join(pieces))
