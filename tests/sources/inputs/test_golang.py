"""go.mod / go.sum parser.

Fixtures: written by go 1.19.8 (Debian golang-go) with `go mod tidy`, the modules served
from a local GOPROXY=file:// stand-in for proxy.golang.org (so the h1: hashes are of the
stand-in module zips; paths, versions, pseudo-versions, +incompatible and the file layout
are what the go command writes). modern/ is a go 1.19 module with replace (module and local
path), exclude and retract directives; legacy/ is the same dependencies tidied with
`go mod tidy -go=1.16`, where go.mod lists only direct requirements and go.sum the rest.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ossmeta.ecosystems import GO
from ossmeta.errors import SourceError
from ossmeta.model import DeclaredPackage
from ossmeta.sources.files import InputFile
from ossmeta.sources.inputs import golang
from ossmeta.sources.inputs.skipped import Skipped
from tests.fuzzing import check_content, mutated, pieces
from tests.helpers import DATA, input_file, text_file


def summary(found: list[DeclaredPackage]) -> list[tuple[str, str | None, str, bool | None]]:
    return [(p.name, p.version, str(p.location), p.direct) for p in found]


def split(file: InputFile) -> tuple[list[DeclaredPackage], list[str]]:
    found = list(golang.parse(file))
    packages = [p for p in found if isinstance(p, DeclaredPackage)]
    return packages, [str(s) for s in found if isinstance(s, Skipped)]


def test_modern() -> None:
    found, skipped = split(input_file("inputs", "golang", "modern", "go.mod"))
    where = "inputs/golang/modern/go.mod"
    assert all(p.ecosystem == GO for p in found)
    assert skipped == [
        f"{where}:7: skipped example.com/local v0.0.0-00010101000000-000000000000: "
        "replaced by the local path ../local (own code)"
    ]
    assert summary(found) == [
        ("github.com/dgrijalva/jwt-go", "v3.2.0+incompatible", f"{where}:15", True),
        ("github.com/gin-gonic/gin", "v1.6.0", f"{where}:16", True),
        ("github.com/new/lib", "v1.2.0", f"{where}:5", True),  # replaces github.com/old/lib
        ("github.com/stretchr/testify", "v1.7.0", f"{where}:18", True),
        ("golang.org/x/crypto", "v0.0.0-20200622213623-75b288015ac9", f"{where}:19", True),
        ("golang.org/x/text", "v0.3.5", f"{where}:20", True),
        ("github.com/go-playground/validator/v10", "v10.2.0", f"{where}:24", False),
        ("gopkg.in/yaml.v2", "v2.2.8", f"{where}:25", False),
        ("gopkg.in/yaml.v3", "v3.0.0-20200313102051-9f266ea9e77c", f"{where}:26", False),
    ]
    by_name = {p.name: p for p in found}
    assert by_name["github.com/gin-gonic/gin"].hashes == (
        "h1:I0/BEz6S56MwxUaqp1tm70LJP81Jc/oNz1q6R/b5+9Y=",
    )
    assert by_name["github.com/new/lib"].hashes == (
        "h1:Es02rgBu/DsLItb9/6FwsmeZDEfui7mzFOZk8F7xi8g=",
    )
    # go 1.19: go.mod is complete, go.sum adds nothing (x/text v0.3.0 and v0.3.2 there
    # have only /go.mod hashes anyway).
    assert "golang.org/x/text" in by_name and len(found) == 9


def test_legacy_adds_go_sum_modules() -> None:
    found = list(golang.parse(input_file("inputs", "golang", "legacy", "go.mod")))
    where = "inputs/golang/legacy"
    assert summary(found) == [
        ("github.com/dgrijalva/jwt-go", "v3.2.0+incompatible", f"{where}/go.mod:6", True),
        ("github.com/gin-gonic/gin", "v1.6.0", f"{where}/go.mod:7", True),
        ("github.com/stretchr/testify", "v1.7.0", f"{where}/go.mod:8", True),
        ("golang.org/x/crypto", "v0.0.0-20200622213623-75b288015ac9", f"{where}/go.mod:9", True),
        ("golang.org/x/text", "v0.3.5", f"{where}/go.mod:10", True),
        ("github.com/go-playground/validator/v10", "v10.2.0", f"{where}/go.sum:5", False),
        ("gopkg.in/yaml.v2", "v2.2.8", f"{where}/go.sum:15", False),
        ("gopkg.in/yaml.v3", "v3.0.0-20200313102051-9f266ea9e77c", f"{where}/go.sum:17", False),
    ]
    assert found[-1].hashes == ("h1:BHxD3U1bpbLkHdzO68Bq9rp0lIY0/+J3zGV5j+Rf2Qg=",)


def test_go_sum_highest_version_in_semver_order(tmp_path: Path) -> None:
    text_file(
        tmp_path,
        "go.sum",
        "example.com/a v1.9.0 h1:nine=\n"
        "example.com/a v1.10.0 h1:ten=\n"  # text order would pick v1.9.0
        "example.com/a v1.11.0/go.mod h1:onlymod=\n"  # no content hash: not a candidate
        "example.com/b v1.0.0-rc.2 h1:rc2=\n"
        "example.com/b v1.0.0 h1:final=\n"
        "example.com/b v1.0.0-rc.10 h1:rc10=\n"
        "example.com/c v0.0.0-20200101000000-aaaaaaaaaaaa h1:old=\n"
        "example.com/c v0.0.0-20210101000000-bbbbbbbbbbbb h1:new=\n",
    )
    gomod = text_file(tmp_path, "go.mod", "module example.com/m\n")  # no go line: 1.16
    found = {p.name: p for p in golang.parse(gomod)}
    assert (found["example.com/a"].version, found["example.com/a"].hashes) == (
        "v1.10.0",
        ("h1:ten=",),
    )
    assert found["example.com/a"].location.line == 2
    assert found["example.com/b"].version == "v1.0.0"
    assert found["example.com/c"].version == "v0.0.0-20210101000000-bbbbbbbbbbbb"
    assert all(p.direct is False for p in found.values())


GOMOD = """// A hand-written go.mod exercising the grammar.
module "example.com/edge" // quoted module path

go 1.21

toolchain go1.21.5

godebug default=go1.21

require golang.org/x/net v0.7.0 // security fix
require "golang.org/x/sys" v0.5.0 // indirect
require (
	`example.com/raw` v1.0.0
	example.com/branch latest
	example.com/pinned v2.0.0+incompatible // indirect; for the API
	example.com/gone v1.1.0
)

replace example.com/pinned v2.0.0+incompatible => example.com/fork v2.0.1-0.20230101000000-abcdef
replace example.com/gone v1.0.0 => example.com/never v9.9.9 // wrong version: not applied
replace (
	golang.org/x/net => /abs/path/net
)
exclude (
	golang.org/x/net v0.6.0
)
retract [v0.1.0, v0.2.0]
require ()
"""


def test_grammar(tmp_path: Path) -> None:
    found, skipped = split(text_file(tmp_path, "go.mod", GOMOD))
    assert skipped == [
        "go.mod:22: skipped golang.org/x/net v0.7.0: replaced by the local path /abs/path/net "
        "(own code)"
    ]
    assert [(p.name, p.version, p.requirement, p.location.line, p.direct) for p in found] == [
        ("golang.org/x/sys", "v0.5.0", None, 11, False),
        ("example.com/raw", "v1.0.0", None, 13, True),
        ("example.com/branch", None, "latest", 14, True),  # a query, not a version
        ("example.com/fork", "v2.0.1-0.20230101000000-abcdef", None, 19, False),
        ("example.com/gone", "v1.1.0", None, 16, True),
    ]
    assert all(p.hashes == () for p in found)  # no go.sum


REPLACES = """module example.com/app

go 1.21

require (
	example.com/remote v1.0.0
	example.com/pinned v1.1.0
	example.com/other-version v1.2.0 // indirect
	example.com/local v1.3.0
	example.com/win v1.4.0
	example.com/block v1.5.0
)

replace example.com/remote => example.com/remote-fork v1.0.1
replace example.com/pinned v1.1.0 => example.com/pinned-fork v2.0.0
replace example.com/other-version v9.9.9 => example.com/never v1.0.0
replace example.com/local => ./local
replace (
	example.com/win => ..\\win
	example.com/block v1.5.0 => example.com/block-fork v1.5.1 // in a block
)
"""

REPLACES_SUM = """example.com/remote-fork v1.0.1 h1:fork=
example.com/remote-fork v1.0.1/go.mod h1:forkmod=
example.com/pinned-fork v2.0.0 h1:pinned=
example.com/block-fork v1.5.1 h1:block=
"""


def test_every_replace_form(tmp_path: Path) -> None:
    text_file(tmp_path, "go.sum", REPLACES_SUM)
    found, skipped = split(text_file(tmp_path, "go.mod", REPLACES))
    assert [(p.name, p.version, p.location.line, p.direct, p.hashes) for p in found] == [
        ("example.com/remote-fork", "v1.0.1", 14, True, ("h1:fork=",)),  # any version
        ("example.com/pinned-fork", "v2.0.0", 15, True, ("h1:pinned=",)),  # this version
        ("example.com/other-version", "v1.2.0", 8, False, ()),  # another version: kept
        ("example.com/block-fork", "v1.5.1", 20, True, ("h1:block=",)),
    ]
    assert skipped == [
        "go.mod:17: skipped example.com/local v1.3.0: replaced by the local path ./local "
        "(own code)",
        "go.mod:19: skipped example.com/win v1.4.0: replaced by the local path ..\\win (own code)",
    ]


def test_sniff() -> None:
    assert golang.sniff((DATA / "inputs" / "golang" / "modern" / "go.mod").read_text())
    assert not golang.sniff("[package]\nname = 'x'\n")


@pytest.mark.parametrize(
    ("content", "message", "line"),
    [
        ("module a\nrequire (\n\tx v1.0.0\n", "require block is not closed", 2),
        ("module a\nrequire x\n", "usage: require", 2),
        ("module a\nreplace x v1.0.0\n", "usage: replace", 2),
        ("module a\nreplace x => \n", "usage: replace", 2),
        ("module a\nreplace x => example.com/y\n", "replacement example.com/y needs a version", 2),
        ("module a\nreplace x => ../y v1.0.0\n", "replacement directory ../y takes no", 2),
        ('module a\nrequire "x v1.0.0\n', "unexpected character", 2),
        ("go 1.16\n", "no module directive", None),
        ("module a\n{weird}\n", "expected a directive", 2),
    ],
)
def test_malformed(tmp_path: Path, content: str, message: str, line: int | None) -> None:
    with pytest.raises(SourceError) as error:
        list(golang.parse(text_file(tmp_path, "go.mod", content)))
    assert message in error.value.message
    assert error.value.line == line
    assert str(error.value).startswith(f"go.mod:{line}:" if line else "go.mod:")


def test_malformed_go_sum(tmp_path: Path) -> None:
    text_file(tmp_path, "go.sum", "example.com/a v1.0.0 h1:x=\nexample.com/b v1.0.0\n")
    with pytest.raises(SourceError) as error:
        list(golang.parse(text_file(tmp_path, "go.mod", "module m\n")))
    assert str(error.value).startswith("go.sum:2: malformed go.sum line")


# --------------------------------------------------------------------------- fuzz

FIXTURES = {
    name: (DATA / "inputs" / "golang" / d / name).read_bytes()
    for d in ("modern",)
    for name in ("go.mod", "go.sum")
}
LEGACY = {n: (DATA / "inputs" / "golang" / "legacy" / n).read_bytes() for n in ("go.mod", "go.sum")}
PIECES = pieces(b'"`()\n\t', b"=>", b"//", b" indirect", b"require (\n", b" v1.2.3", b" h1:")


def _check(gomod: bytes | str, gosum: bytes | str | None) -> None:
    siblings = {} if gosum is None else {"go.sum": gosum}
    check_content(golang.parse, "go.mod", gomod, siblings, names=("go.mod", "go.sum"))


@given(st.text(max_size=400), st.none() | st.text(max_size=200))
def test_fuzz_text(gomod: str, gosum: str | None) -> None:
    _check(gomod, gosum)


def _mutated_module(files: dict[str, bytes]) -> st.SearchStrategy[tuple[bytes, bytes]]:
    """go.mod mutated; go.sum as it is or mutated too."""
    gosum = st.just(files["go.sum"]) | mutated(files["go.sum"], pieces=PIECES)
    return st.tuples(mutated(files["go.mod"], pieces=PIECES), gosum)


@given(st.sampled_from([FIXTURES, LEGACY]).flatmap(_mutated_module))
def test_fuzz_mutations(files: tuple[bytes, bytes]) -> None:
    _check(*files)


_REPLACE_WORDS = ["example.com/a", "v1.0.0", "=>", "../dir", "./d", "/abs", "(", ")", "//", '"q"']


@given(st.lists(st.lists(st.sampled_from(_REPLACE_WORDS), max_size=5), max_size=5))
def test_fuzz_replace_lines(lines: list[list[str]]) -> None:
    body = "\n".join("replace " + " ".join(words) for words in lines)
    content = f"module m\n\nrequire example.com/a v1.0.0\n{body}\n"
    check_content(golang.parse, "go.mod", content)
