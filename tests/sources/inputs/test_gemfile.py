"""Gemfile.lock / gems.locked parser.

Fixtures: bundler23/Gemfile.lock was written by Bundler 2.3.15 (Debian ruby-bundler,
Ruby 3.1.2) with `bundle install --local` for a Gemfile with a GIT gem, a PATH gem, version
constraints and a development group; the gems were stand-in .gem files in vendor/cache
(names, versions, platform and dependencies as on rubygems.org) and the git remote was
rewritten from a local directory to a public-looking URL. bundler25/gems.locked is the same
project in the Bundler 2.5+ layout (two platforms, a CHECKSUMS section), written by hand
after Bundler's documentation and published lockfiles, since Bundler 2.5 cannot be
installed here; its checksums are the sha256 of the stand-in .gem files.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ossmeta.ecosystems import RUBYGEMS
from ossmeta.errors import SourceError
from ossmeta.model import DeclaredPackage
from ossmeta.sources.files import InputFile
from ossmeta.sources.inputs import gemfile
from ossmeta.sources.inputs.skipped import Skipped
from tests.fuzzing import check_content, mutated, pieces
from tests.helpers import DATA, input_file, text_file


def split(file: InputFile) -> tuple[list[DeclaredPackage], list[str]]:
    found = list(gemfile.parse(file))
    packages = [p for p in found if isinstance(p, DeclaredPackage)]
    return packages, [str(s) for s in found if isinstance(s, Skipped)]


def test_bundler_23() -> None:
    found, skipped = split(input_file("inputs", "gemfile", "bundler23", "Gemfile.lock"))
    assert all(p.ecosystem == RUBYGEMS and p.hashes == () for p in found)
    assert [(p.name, p.version, p.location.line, p.direct) for p in found] == [
        ("mygitgem", "0.3.1", 5, True),  # GIT gem, `mygitgem!`
        ("crass", "1.0.6", 17, False),
        ("loofah", "2.2.2", 18, True),
        ("nokogiri", "1.13.10", 21, True),  # 1.13.10-x86_64-linux: platform dropped
        ("racc", "1.6.0", 23, False),
        ("rack", "2.0.1", 24, True),
        ("rake", "12.3.2", 25, True),
        ("rspec-core", "3.9.0", 26, True),
        ("rspec-support", "3.9.0", 28, False),
    ]
    # localgem comes from PATH: the project's own code, said and not kept.
    assert "localgem" not in {p.name for p in found}
    assert skipped == [
        "inputs/gemfile/bundler23/Gemfile.lock:11: skipped localgem (1.0.0) from "
        "vendor/localgem: a PATH gem, the project's own code"
    ]
    assert str(found[3].location) == "inputs/gemfile/bundler23/Gemfile.lock:21"
    assert all(p.requirement is None and p.scope is None for p in found)


def test_bundler_25_checksums_and_platforms() -> None:
    found, skipped = split(input_file("inputs", "gemfile", "bundler25", "gems.locked"))
    assert skipped == [
        "inputs/gemfile/bundler25/gems.locked:12: skipped localgem (1.0.0) from "
        "vendor/localgem: a PATH gem, the project's own code"
    ]
    by_name = {p.name: p for p in found}
    assert len(found) == len(by_name) == 8  # nokogiri once for its two platforms
    nokogiri = by_name["nokogiri"]
    assert (nokogiri.version, nokogiri.location.line, nokogiri.direct) == ("1.13.10", 23, True)
    assert nokogiri.hashes == (
        "sha256:4b350df2e321d94a6a04c312049c2ad324c5e009d055a1a699c56b0a74a273ee",
        "sha256:5e2b6be5f3e66eb077314baa5250ded507b7d3f64b73bc0afcc2d282ec97d033",
    )
    assert by_name["rack"].hashes == (
        "sha256:c813b8ee501b18d189e55c5b069d9170e1542b12dfd6e3851256daaeee805b75",
    )
    assert by_name["mini_portile2"].direct is False
    assert by_name["mygitgem"].hashes == ()  # listed in CHECKSUMS without one
    assert "localgem" not in by_name


def test_no_dependencies_section(tmp_path: Path) -> None:
    lock = "GEM\n  remote: https://rubygems.org/\n  specs:\n    rack (2.2.3)\n"
    (rack,), skipped = split(text_file(tmp_path, "Gemfile.lock", lock))
    assert (rack.name, rack.version, rack.direct, rack.location.line) == ("rack", "2.2.3", None, 4)
    assert skipped == []


def test_unknown_sections_and_crlf(tmp_path: Path) -> None:
    lock = (
        "GEM\r\n  remote: https://rubygems.org/\r\n  specs:\r\n    rack (2.2.3)\r\n\r\n"
        "FUTURE SECTION\r\n  anything at all (1)\r\n    more (2)\r\n\r\n"
        "DEPENDENCIES\r\n  rack (>= 2)!\r\nEMPTY\r\n"
    )
    (rack,), skipped = split(text_file(tmp_path, "Gemfile.lock", lock))
    assert (rack.version, rack.direct) == ("2.2.3", True)
    assert skipped == [
        "Gemfile.lock:6: skipped the FUTURE SECTION section (2 lines): "
        "a section this reader does not know",
        "Gemfile.lock:12: skipped the EMPTY section (0 lines): a section this reader does not know",
    ]


def test_path_gems_without_a_remote(tmp_path: Path) -> None:
    lock = "PATH\n  specs:\n    mine (0.1.0-java)\n\nDEPENDENCIES\n  mine!\n"
    assert split(text_file(tmp_path, "Gemfile.lock", lock)) == (
        [],
        ["Gemfile.lock:3: skipped mine (0.1.0-java): a PATH gem, the project's own code"],
    )


@pytest.mark.parametrize(
    ("content", "message", "line"),
    [
        ("GEM\n  remote: x\n  specs:\n    rack 2.2.3\n", "malformed line in the GEM section", 4),
        ("GEM\n  specs:\n    rack (2.2.3\n", "malformed line in the GEM section", 3),
        ("DEPENDENCIES\n  rack (>= 1\n", "malformed line in the DEPENDENCIES section", 2),
        ("CHECKSUMS\n  rack sha256=ab\n", "malformed line in the CHECKSUMS section", 2),
        ("hello\nworld\n", "not a Gemfile.lock", None),
    ],
)
def test_malformed(tmp_path: Path, content: str, message: str, line: int | None) -> None:
    with pytest.raises(SourceError) as error:
        list(gemfile.parse(text_file(tmp_path, "Gemfile.lock", content)))
    assert message in error.value.message
    assert error.value.line == line
    assert str(error.value).startswith(f"Gemfile.lock:{line}:" if line else "Gemfile.lock:")


def test_sniff() -> None:
    assert gemfile.sniff((DATA / "inputs" / "gemfile" / "bundler23" / "Gemfile.lock").read_text())
    assert not gemfile.sniff("module x\n")


# --------------------------------------------------------------------------- fuzz

FIXTURES = [
    (DATA / "inputs" / "gemfile" / "bundler23" / "Gemfile.lock").read_bytes(),
    (DATA / "inputs" / "gemfile" / "bundler25" / "gems.locked").read_bytes(),
]
PIECES = pieces(b"()!\n-=", b"  ", b"GEM\n", b"CHECKSUMS\n", b"    remote: ", b"  specs:\n")


@given(st.text(max_size=400))
def test_fuzz_text(text: str) -> None:
    check_content(gemfile.parse, "Gemfile.lock", text)


@given(mutated(*FIXTURES, pieces=PIECES))
def test_fuzz_mutations(content: bytes) -> None:
    check_content(gemfile.parse, "Gemfile.lock", content)
