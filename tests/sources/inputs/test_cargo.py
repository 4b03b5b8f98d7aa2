"""Cargo.lock parser.

Fixtures: tests/data/inputs/cargo/v4/Cargo.lock was written by cargo 1.95.0
(`cargo generate-lockfile`) for a small project whose registry crates came from a local
`local-registry` standing in for crates.io (cargo keeps the crates.io source id under
source replacement, so the file is what crates.io would give; the checksums are of the
stand-in .crate files). v3/Cargo.lock is the same project with `version = 3`, rewritten by
`cargo update` (cargo keeps a v3 file at v3). v1/Cargo.lock is the same resolution in the
v1 layout, written by hand from Cargo's v1 encoder rules (no version key, `name version
(source)` references without the git `#commit`, `[metadata]` checksums, `"<none>"` for git)
and accepted by cargo 1.95 with `--locked`. The git source was rewritten from a local
file:// repository to a public-looking URL.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ossmeta.ecosystems import CRATES
from ossmeta.errors import SourceError
from ossmeta.model import DeclaredPackage
from ossmeta.sources.files import InputFile
from ossmeta.sources.inputs import cargo
from ossmeta.sources.inputs.skipped import Skipped
from tests.fuzzing import check_content, mutated, pieces
from tests.helpers import DATA, input_file, text_file

REGISTRY = "registry+https://github.com/rust-lang/crates.io-index"


def split(file: InputFile) -> tuple[list[DeclaredPackage], list[str]]:
    found = list(cargo.parse(file))
    packages = [p for p in found if isinstance(p, DeclaredPackage)]
    return packages, [str(s) for s in found if isinstance(s, Skipped)]


def by_name(packages: list[DeclaredPackage]) -> dict[str, DeclaredPackage]:
    return {p.name: p for p in packages}


def test_v4_with_manifest() -> None:
    found, skipped = split(input_file("inputs", "cargo", "v4", "Cargo.lock"))
    packages = by_name(found)
    # demo (the root crate) and helper (a path crate) are the project itself: said, not kept.
    own = "a workspace member or path crate: the project's own code"
    assert skipped == [
        f"inputs/cargo/v4/Cargo.lock:11: skipped demo 0.1.0: {own}",
        f"inputs/cargo/v4/Cargo.lock:31: skipped helper 0.1.0: {own}",
    ]
    assert sorted(packages) == [
        "cc", "gitdep", "libc", "memchr", "pretty_assertions", "regex", "regex-syntax",
        "serde", "smallvec", "time",
    ]  # fmt: skip
    assert len(found) == 10
    assert all(p.ecosystem == CRATES for p in found)
    serde = packages["serde"]
    assert serde.version == "1.0.100"
    assert str(serde.location) == "inputs/cargo/v4/Cargo.lock:69"
    assert serde.hashes == (
        "sha256:e1cfa75ba6e81d807c96645e60decca022c256d2e8648b2511a373f0457d3330",
    )
    assert serde.direct is True and serde.scope is None
    assert packages["time"].location.line == 81
    # Transitive: only other crates depend on them.
    assert packages["libc"].direct is False
    assert packages["memchr"].direct is False
    # Scopes from the sibling Cargo.toml.
    assert packages["cc"].scope == "build" and packages["cc"].direct is True
    assert packages["pretty_assertions"].scope == "dev"
    # A dev-dependency that regex also needs at run time is not dev-only.
    assert packages["regex-syntax"].direct is True
    assert packages["regex-syntax"].scope is None


def test_git_crate_kept_with_its_version() -> None:
    packages = by_name(split(input_file("inputs", "cargo", "v4", "Cargo.lock"))[0])
    gitdep = packages["gitdep"]
    assert (gitdep.ecosystem, gitdep.version, gitdep.hashes) == (CRATES, "0.1.0", ())
    assert gitdep.direct is True and gitdep.location.line == 26


def test_v3_without_manifest() -> None:
    packages = by_name(split(input_file("inputs", "cargo", "v3", "Cargo.lock"))[0])
    assert len(packages) == 9
    assert packages["regex"].version == "1.5.4"
    assert packages["regex"].location.line == 46
    assert packages["regex"].hashes == (
        "sha256:f3425ee82c6cfd90199cec4fc0c2c3e637eb6ff43af779fd577d36781fa75dbb",
    )
    # No Cargo.toml beside it: direct flags from the lockfile graph, no scopes.
    assert packages["cc"].direct is True and packages["cc"].scope is None
    assert packages["libc"].direct is False


def test_v1_metadata_checksums() -> None:
    found, _ = split(input_file("inputs", "cargo", "v1", "Cargo.lock"))
    packages = by_name(found)
    assert len(found) == 9
    assert packages["smallvec"].version == "0.6.13"
    assert packages["smallvec"].location.line == 60
    assert packages["smallvec"].hashes == (
        "sha256:eecbe55d7a5a00d04af01b306845593df8447d940668bc27c2f86679b3d9e433",
    )
    assert packages["gitdep"].hashes == ()  # "<none>" in [metadata]
    assert packages["gitdep"].direct is True  # referenced without its #commit
    assert packages["time"].direct is True and packages["libc"].direct is False


def test_same_resolution_in_every_format() -> None:
    def summary(version: str) -> set[tuple[str, str | None, tuple[str, ...], bool | None]]:
        file = input_file("inputs", "cargo", version, "Cargo.lock")
        return {(p.name, p.version, p.hashes, p.direct) for p in split(file)[0]}

    v1, v3 = summary("v1"), summary("v3")
    assert v1 == v3
    assert v3 < summary("v4")  # v4 adds pretty_assertions


def test_sources(tmp_path: Path) -> None:
    lock = f"""version = 4

[[package]]
name = "app"
version = "0.1.0"
dependencies = [
 "private-crate",
 "serde 1.0.1",
]

[[package]]
name = "private-crate"
version = "2.0.0"
source = "registry+https://my.intranet/git/index"

[[package]]
name = "serde"
version = "1.0.1"
source = "sparse+https://index.crates.io/"

[[package]]
name = "serde"
version = "1.0.200"
source = "{REGISTRY}"
"""
    found, skipped = split(text_file(tmp_path, "Cargo.lock", lock))
    assert skipped == [
        "Cargo.lock:3: skipped app 0.1.0: a workspace member or path crate: the project's own code"
    ]
    assert [(p.name, p.version, p.ecosystem, p.direct, p.location.line) for p in found] == [
        ("private-crate", "2.0.0", None, True, 11),  # another registry: not crates.io
        ("serde", "1.0.1", CRATES, True, 16),  # sparse crates.io index
        ("serde", "1.0.200", CRATES, False, 21),  # "serde 1.0.1" picks the other one
    ]


def test_root_table_and_no_local_crates(tmp_path: Path) -> None:
    lock = f"""[root]
name = "old"
version = "0.1.0"
dependencies = [
 "libc 0.2.0 ({REGISTRY})",
]

[[package]]
name = "libc"
version = "0.2.0"
source = "{REGISTRY}"
"""
    (libc,), skipped = split(text_file(tmp_path, "Cargo.lock", lock))
    assert (libc.name, libc.direct, libc.location.line) == ("libc", True, 8)
    assert skipped == ["Cargo.lock:1: skipped old 0.1.0: the root crate (the project's own code)"]
    lone = f'[[package]]\nname = "libc"\nversion = "0.2.0"\nsource = "{REGISTRY}"\n'
    (libc,), skipped = split(text_file(tmp_path / "lone", "Cargo.lock", lone))
    assert skipped == []
    assert libc.direct is None  # no local crate: the file cannot say


def test_local_crates_without_lines_get_pointers(tmp_path: Path) -> None:
    # an inline array of tables: no [[package]] headers to give lines
    lock = 'package = [{ name = "app", version = "0.1.0" }]\n'
    assert split(text_file(tmp_path, "Cargo.lock", lock)) == (
        [],
        [
            "Cargo.lock:$.package[0]: skipped app 0.1.0: a workspace member or path crate: "
            "the project's own code"
        ],
    )


def test_unused_patches_are_said(tmp_path: Path) -> None:
    lock = f"""version = 4

[[package]]
name = "libc"
version = "0.2.0"
source = "{REGISTRY}"

[[patch.unused]]
name = "serde"
version = "1.0.300"
source = "git+https://example.org/serde#abc"
"""
    packages, skipped = split(text_file(tmp_path, "Cargo.lock", lock))
    assert [p.name for p in packages] == ["libc"]
    assert skipped == ["Cargo.lock:8: skipped serde 1.0.300: a [patch] the build does not use"]
    inline = 'patch = { unused = [{ name = "x" }, 3] }\n'
    assert split(text_file(tmp_path / "inline", "Cargo.lock", inline))[1] == [
        "Cargo.lock:$.patch.unused[0]: skipped x ?: a [patch] the build does not use",
        "Cargo.lock:$.patch.unused[1]: skipped ? ?: a [patch] the build does not use",
    ]


def test_empty_lockfile(tmp_path: Path) -> None:
    assert list(cargo.parse(text_file(tmp_path, "Cargo.lock", "version = 4\n"))) == []


@pytest.mark.parametrize(
    ("content", "message", "line"),
    [
        ('[[package]]\nname = "x"\nversion = \n', "invalid TOML", 3),
        ('[[package]]\nname = "x"\n', "version of x must be a string, not null", 1),
        ('[[package]]\nversion = "1"\n', "package name must be a string", 1),
        ('package = "x"\n', "[[package]] must be a list", None),
        ('[[package]]\nname = "x"\nversion = "1"\nsource = 3\n', "source of x must be", 1),
        ('\n[[package]]\nname = "x"\nversion = "1"\ndependencies = "y"\n', "dependencies must", 2),
        ('[[package]]\nname = "x"\nversion = "1"\ndependencies = [1]\n', "a dependency must", 1),
    ],
)
def test_malformed(tmp_path: Path, content: str, message: str, line: int | None) -> None:
    with pytest.raises(SourceError) as error:
        list(cargo.parse(text_file(tmp_path, "Cargo.lock", content)))
    assert message in error.value.message
    assert error.value.line == line
    assert str(error.value).startswith("Cargo.lock:" if line is None else f"Cargo.lock:{line}:")
    assert "\n" not in str(error.value)


def test_sniff() -> None:
    text = (DATA / "inputs" / "cargo" / "v4" / "Cargo.lock").read_text()
    assert cargo.sniff(text)
    assert not cargo.sniff('[tool.poetry]\nname = "x"\n')


# --------------------------------------------------------------------------- fuzz

FIXTURES = [(DATA / "inputs" / "cargo" / v / "Cargo.lock").read_bytes() for v in ("v1", "v3", "v4")]
PIECES = pieces(b'"[]\n=', b"[[package]]\n", b'version = "', b"dependencies = [")


@given(st.text(max_size=400))
def test_fuzz_text(text: str) -> None:
    check_content(cargo.parse, "Cargo.lock", text)


# Entries that become notes: a local crate, an old [root] crate and an unused patch.
SKIPS = b"""[root]
name = "old"
version = "0.1.0"
[[package]]
name = "app"
version = "0.1.0"
[[patch.unused]]
name = "serde"
version = "1.0.300"
"""


@given(mutated(*FIXTURES, SKIPS, pieces=PIECES))
def test_fuzz_mutations(content: bytes) -> None:
    check_content(cargo.parse, "Cargo.lock", content)
