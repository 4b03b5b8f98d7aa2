"""Maven pom.xml parser.

A POM is written by people, not generated, so the fixtures are hand-written in the shape of
real projects' POMs (parent with relativePath, properties, dependencyManagement with a BOM
import, scopes, optional, classifier, ranges, build-plugin and profile dependencies) and
checked with Apache Maven 3.8.7 (`mvn -o validate`): app/pom.xml builds its model with the
parent's dependencyManagement applied; the only errors are the BOM it cannot download
offline and spring-webmvc, whose version that BOM would supply. legacy/pom.xml is an
old-style POM without the POM namespace and with deprecated `${pom.version}`/`${version}`.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ossmeta.ecosystems import MAVEN
from ossmeta.errors import SourceError
from ossmeta.model import DeclaredPackage
from ossmeta.sources.files import InputFile
from ossmeta.sources.inputs import maven
from ossmeta.sources.inputs.skipped import Skipped
from tests.fuzzing import XML_PIECES, check_content, mutated, pieces
from tests.helpers import DATA, input_file, text_file

NOT_LOCAL = (
    "no version in this file; it comes from the parent POM com.example:example-parent:1.4.0 "
    "or the imported BOM org.springframework:spring-framework-bom:5.3.18, not resolved"
)


def split(file: InputFile) -> tuple[list[DeclaredPackage], list[str]]:
    found = list(maven.parse(file))
    packages = [p for p in found if isinstance(p, DeclaredPackage)]
    return packages, [str(s) for s in found if isinstance(s, Skipped)]


def test_app() -> None:
    found, skipped = split(input_file("inputs", "maven", "app", "pom.xml"))
    assert all(p.ecosystem == MAVEN and p.direct is True for p in found)
    rows = [(p.name, p.version, p.requirement, p.location.line, p.scope) for p in found]
    assert rows == [
        ("com.fasterxml.jackson.core:jackson-databind", "2.9.10.1", None, 56, None),
        ("org.apache.logging.log4j:log4j-core", "2.14.1", None, 61, None),  # nested property
        ("com.google.guava:guava", "29.0-jre", None, 66, None),  # dependencyManagement
        ("org.springframework:spring-webmvc", None, NOT_LOCAL, 70, None),
        ("org.slf4j:slf4j-api", None, NOT_LOCAL, 74, None),  # managed by the parent
        ("org.apache.commons:commons-text", "1.9", None, 78, "runtime"),
        ("com.example:example-core", "1.4.0", None, 84, None),  # project.* from <parent>
        ("io.netty:netty-transport-native-epoll", "4.1.42.Final", None, 89, "optional"),
        ("org.yaml:snakeyaml", None, "[1.26,2.0)", 96, None),  # a range is a requirement
        ("commons-collections:commons-collections", "3.2.1", None, 101, None),  # [3.2.1]
        ("javax.servlet:javax.servlet-api", "4.0.1", None, 106, "provided"),
        ("junit:junit", "4.12", None, 112, "test"),
        ("org.hamcrest:hamcrest-core", "1.3", None, 118, "test"),  # managed scope
    ]
    # Build-plugin and profile dependencies are not the product's: said, not kept.
    assert not {"org.ow2.asm:asm", "io.micrometer:micrometer-core"} & {p.name for p in found}
    assert skipped == [
        "inputs/maven/app/pom.xml:131: skipped org.ow2.asm:asm: a dependency of the build "
        "plugin org.apache.maven.plugins:maven-shade-plugin (tooling, not part of the product)",
        "inputs/maven/app/pom.xml:145: skipped io.micrometer:micrometer-core: a dependency of "
        "the profile metrics, which applies only when the build turns it on",
    ]
    assert str(found[0].location) == "inputs/maven/app/pom.xml:56"


def test_legacy_without_namespace() -> None:
    found, skipped = split(input_file("inputs", "maven", "legacy", "pom.xml"))
    assert skipped == []
    assert [(p.name, p.version, p.location.line) for p in found] == [
        ("struts:struts", "1.2.9", 10),
        ("commons-fileupload:commons-fileupload", "1.3", 15),
        ("org.example.legacy:legacy-model", "2.0.3", 20),
        ("org.example.legacy:legacy-util", "2.0.3", 25),
    ]


def pom(body: str, extra: str = "") -> str:
    return (
        '<project xmlns="http://maven.apache.org/POM/4.0.0"><groupId>g</groupId>'
        f"<artifactId>a</artifactId><version>1.0</version>{extra}"
        f"<dependencies>{body}</dependencies></project>"
    )


def dep(version: str, artifact: str = "x") -> str:
    coordinates = f"<groupId>g</groupId><artifactId>{artifact}</artifactId>"
    return f"<dependency>{coordinates}<version>{version}</version></dependency>"


def test_properties(tmp_path: Path) -> None:
    props = (
        "<properties><a>${b}</a><b>${a}</b><self>${self}</self><deep>${p1}</deep>"
        + "".join(f"<p{i}>${{p{i + 1}}}</p{i}>" for i in range(1, 200))
        + "<p200>9</p200><ok>${project.artifactId}-${parent.version}</ok></properties>"
    )
    versions = ["${a}", "${self}", "${missing}", "${deep}", "${ok}", "LATEST", "${env.HOME}"]
    versions += ["${project.parent.[x}", "${parent.*}", "${project.a/b}", "${project.version}"]
    body = "".join(dep(v, f"x{i}") for i, v in enumerate(versions))
    found = list(maven.parse(text_file(tmp_path, "pom.xml", pom(body, props))))
    assert [(p.version, p.requirement) for p in found] == [
        (None, "${a} (the property ${a} refers to itself)"),
        (None, "${self} (the property ${self} refers to itself)"),
        (None, "${missing} (the property ${missing} is not defined in this file)"),
        (None, "${deep} (properties are nested too deeply)"),
        (None, "${ok} (the property ${parent.version} is not defined in this file)"),
        (None, "LATEST"),
        (None, "${env.HOME} (the property ${env.HOME} is not defined in this file)"),
        # Names that would be XPath to ElementTree are only names here.
        (
            None,
            "${project.parent.[x} (the property ${project.parent.[x} is not defined in this file)",
        ),
        (None, "${parent.*} (the property ${parent.*} is not defined in this file)"),
        (None, "${project.a/b} (the property ${project.a/b} is not defined in this file)"),
        ("1.0", None),
    ]
    # Without a parent or BOM the message still says where a version would come from.
    (bare,) = maven.parse(
        text_file(
            tmp_path,
            "p2.xml",
            pom("<dependency><groupId>g</groupId><artifactId>y</artifactId></dependency>"),
        )
    )
    assert (
        bare.requirement
        == "no version in this file; it comes from a parent POM or BOM, not resolved"
    )


def test_property_bomb(tmp_path: Path) -> None:
    levels = "".join(f"<l{i}>${{l{i + 1}}}${{l{i + 1}}}</l{i}>" for i in range(40))
    props = f"<properties>{levels}<l40>xxxxxxxx</l40></properties>"
    (found,) = maven.parse(text_file(tmp_path, "pom.xml", pom(dep("${l0}"), props)))
    assert found.version is None
    assert found.requirement == "${l0} (a property expands to an implausibly long value)"


def test_pointer_when_lines_cannot_be_matched(tmp_path: Path) -> None:
    one_line = pom(dep("1.0") + dep("2.0", "y"))
    assert [p.location.line for p in maven.parse(text_file(tmp_path, "a.xml", one_line))] == [1, 1]
    # A <dependency> of another namespace is a tag the scan counts but not a POM element.
    odd = pom(dep("1.0"), extra='<build><x:dependency xmlns:x="urn:other"/></build>')
    (found,), skipped = split(text_file(tmp_path, "odd.xml", odd))
    assert found.location.line is None
    assert str(found.location) == "odd.xml:/project/dependencies/dependency[1]"
    assert skipped == []  # not a POM <dependency>, so nothing was left out


def test_dependencies_elsewhere_are_said_with_their_path(tmp_path: Path) -> None:
    managed = "<dependencyManagement><dependencies>" + dep("9", "m") + "</dependencies>"
    managed += "</dependencyManagement>"
    plugin = "<plugin><groupId>p</groupId><artifactId>${tool}</artifactId><dependencies>"
    plugin += dep("1", "t1") + dep("1", "t2") + "</dependencies></plugin>"
    build = f"<build><pluginManagement><plugins>{plugin}</plugins></pluginManagement></build>"
    profiles = f"<profiles><profile><dependencies>{dep('2', 'p1')}</dependencies></profile>"
    profiles += "<profile><id>ci</id><build><plugins>" + plugin + "</plugins></build></profile>"
    profiles += "</profiles>"
    reporting = "<reporting><x><dependency><artifactId>r</artifactId></dependency></x></reporting>"
    props = "<properties><tool>shade</tool></properties>"
    # a <dependency> tag of another namespace: the lines cannot be paired, so paths are given
    other = '<y><x:dependency xmlns:x="urn:other"/></y>'
    text = pom(dep("1.0"), props + managed + build + profiles + reporting + other)
    found, skipped = split(text_file(tmp_path, "pom.xml", text))
    assert [(p.name, p.version) for p in found] == [("g:x", "1.0")]  # m is managed only
    tool = "a dependency of the build plugin p:shade (tooling, not part of the product)"
    profile = "which applies only when the build turns it on"
    plugins = "/project/build/pluginManagement/plugins/plugin/dependencies"
    assert skipped == [
        f"pom.xml:{plugins}/dependency[1]: skipped g:t1: {tool}",
        f"pom.xml:{plugins}/dependency[2]: skipped g:t2: {tool}",
        "pom.xml:/project/profiles/profile[1]/dependencies/dependency: skipped g:p1: "
        f"a dependency of a profile, {profile}",
        "pom.xml:/project/profiles/profile[2]/build/plugins/plugin/dependencies/dependency[1]: "
        f"skipped g:t1: a dependency of the profile ci, {profile}",
        "pom.xml:/project/profiles/profile[2]/build/plugins/plugin/dependencies/dependency[2]: "
        f"skipped g:t2: a dependency of the profile ci, {profile}",
        "pom.xml:/project/reporting/x/dependency: skipped ?:r: not a project dependency "
        "(it sits at /project/reporting/x)",
    ]


BOMB = """<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
]>
<project><version>&lol2;</version></project>
"""
EXTERNAL = """<?xml version="1.0"?>
<!DOCTYPE project [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<project><version>&xxe;</version></project>
"""


@pytest.mark.parametrize("content", [BOMB, EXTERNAL])
def test_entities_refused(tmp_path: Path, content: str) -> None:
    with pytest.raises(SourceError) as error:
        list(maven.parse(text_file(tmp_path, "pom.xml", content)))
    message = str(error.value)
    assert message.startswith("pom.xml: XML with a DTD or entities is not accepted")
    assert "\n" not in message


@pytest.mark.parametrize(
    ("content", "message", "line"),
    [
        ("<project>\n<dependencies>\n<dependency>\n</project>\n", "invalid XML", 4),
        ("<settings/>", "not a Maven POM: the root element is <settings>", None),
        (pom("<dependency><groupId>g</groupId></dependency>"), "without groupId or artifactId", 1),
    ],
)
def test_malformed(tmp_path: Path, content: str, message: str, line: int | None) -> None:
    with pytest.raises(SourceError) as error:
        list(maven.parse(text_file(tmp_path, "pom.xml", content)))
    assert message in error.value.message
    assert error.value.line == line
    assert str(error.value).startswith(f"pom.xml:{line}:" if line else "pom.xml:")


def test_sniff() -> None:
    assert maven.sniff((DATA / "inputs" / "maven" / "app" / "pom.xml").read_text())
    assert not maven.sniff('<bom xmlns="http://cyclonedx.org/schema/bom/1.5">')


# --------------------------------------------------------------------------- fuzz

FIXTURES = [(DATA / "inputs" / "maven" / d / "pom.xml").read_bytes() for d in ("app", "legacy")]
PIECES = (
    *XML_PIECES,
    *pieces(
        b"}[",
        b"${",
        b"</dependency>",
        b"<dependency>",
        b"<version>",
        b"<!DOCTYPE x [<!ENTITY e 'x'>]>",
    ),
)


@given(st.text(max_size=400))
def test_fuzz_text(text: str) -> None:
    check_content(maven.parse, "pom.xml", text)


@given(mutated(*FIXTURES, pieces=PIECES))
def test_fuzz_mutations(content: bytes) -> None:
    check_content(maven.parse, "pom.xml", content)


def test_unknown_encoding(tmp_path: Path) -> None:
    content = '<?xml version="1.0" encoding="TTF-8"?>\n<project/>\n'
    with pytest.raises(SourceError, match="unknown encoding: TTF-8") as error:
        list(maven.parse(text_file(tmp_path, "pom.xml", content)))
    assert str(error.value).startswith("pom.xml: invalid XML")
