"""Maven records -> PackageRecord, over the repository fixtures in tests/data/registries/maven/.

The records are made the way the collector makes them (``Pom.payload()`` plus the document
text under ``"xml"``, maven-metadata.xml read into its payload), from these families:

- ``org.kite:kite-core``: 1.1 inherits licences, SCM, url and developers from
  ``kite-parent:2``, which manages versions through properties and imports
  ``kite-bom:1.0``; 1.0's parent (``kite-parent:1``) is not stored; 1.10's parent chain
  is the ``org.loop`` cycle; 2.0-beta-1 has no POM. ``org.kite:kite-old`` 1.0 relocates
  the artifact to kite-core.
- ``org.acme:acme-widget`` (three-level chain and a BOM) and ``org.old:legacy`` (Latin-1,
  no namespace), shared with the collector's tests.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ossmeta.errors import NormalizeError
from ossmeta.model import Dependency, LicenseValue, PackageStatus
from ossmeta.normalizers.maven_packages import package_from_maven
from ossmeta.sources.maven.pom import parse_xml_bytes, read_metadata, read_pom, xml_text
from tests.fuzzing import XML_PIECES, mutated
from tests.normalizers.damage import check_one_line, damaged

DATA = Path(__file__).parents[1] / "data" / "registries" / "maven"


def pom_record(path: str) -> dict[str, Any]:
    """The ``maven-pom`` payload the collector stores for the fixture at ``path``."""
    body = (DATA / path).read_bytes()
    payload: dict[str, Any] = read_pom(parse_xml_bytes(body, path), path).payload()
    payload["xml"] = xml_text(body)
    return payload


def metadata(group: str, artifact: str) -> dict[str, Any]:
    path = f"{group.replace('.', '/')}/{artifact}/maven-metadata.xml"
    payload: dict[str, Any] = read_metadata(parse_xml_bytes((DATA / path).read_bytes(), path), path)
    return payload


def coordinate_of(path: Path) -> str:
    *group, artifact, version, _ = path.relative_to(DATA).parts
    return f"{'.'.join(group)}:{artifact}:{version}"


# Every fixture POM the collector could have stored (the org.bad ones it refuses).
STORED = {
    coordinate_of(path): pom_record(str(path.relative_to(DATA)))
    for path in sorted(DATA.rglob("*.pom"))
    if "/org/bad/" not in path.as_posix()
}


def dep(name: str, requirement: str, scope: str = "runtime", *flags: str) -> Dependency:
    return Dependency(f"pkg:maven/{name.replace(':', '/')}", requirement, scope, flags=flags)


def test_kite_core_every_field() -> None:
    record = package_from_maven(metadata("org.kite", "kite-core"), STORED)
    assert (record.purl, record.ecosystem, record.name) == (
        "pkg:maven/org.kite/kite-core",
        "Maven",
        "org.kite:kite-core",
    )
    assert record.source == "maven-metadata+maven-pom"
    # Maven order, whatever the file's; the latest is <release> (1.1), not <latest>.
    assert [v.version for v in record.versions] == ["1.0", "1.1", "1.10", "2.0-beta-1"]
    assert all(v.published is None and not v.yanked for v in record.versions)
    assert record.status is PackageStatus.ACTIVE
    both = LicenseValue(
        "Apache-2.0 OR MIT",
        "Apache License, Version 2.0 | https://opensource.org/licenses/MIT",
        "mapped",
        "maven:licenses",
    )
    assert record.license == both
    # Package fields from 1.1's effective POM: connection inherited from kite-parent, with
    # the child's artifactId appended as Maven does; the canonical form drops that tail.
    assert record.repository == "github.com/kite/kite"
    assert record.repository_raw == "scm:git:https://github.com/Kite/kite.git/kite-core"
    assert record.homepage == "https://kite.example.org/kite-core"
    assert record.description == "Kite: small HTTP clients, built on okio."
    # "bo" has only an id; the second Ada is the first one again.
    assert record.maintainers == ("Ada Kite <ada@kite.example.org>", "bo")

    v11 = record.versions[1]
    assert v11.license == both
    assert v11.deprecated is None
    assert v11.dependencies == (
        dep("com.squareup.okio:okio", "3.6.0"),  # a parent property via its management
        dep("com.squareup.okhttp3:okhttp", "4.12.0"),  # the imported BOM
        dep("org.slf4j:slf4j-api", "2.0.9", "optional"),  # BOM property, optional
        dep("org.junit.jupiter:junit-jupiter", "5.10.1", "dev"),  # managed scope test
        dep("com.example:native-tools", "1.0", "build", "system"),
        # the jar and the test-jar of one artifact, both test: one dependency
        dep("org.kite:kite-testkit", "1.1", "dev"),
        dep("io.example:ranged", "[1.0,2.0)"),
        dep("io.example:mystery", "${mystery.version}", "runtime", "unparsed"),
        dep("io.example:versionless", "", "runtime", "unparsed"),
        dep("io.example:helpers", "0.3", "dev"),  # optional means nothing for a test scope
        # inherited from the parent's <dependencies>; the import entry and the one with an
        # unexpanded groupId are gone
        dep("org.jetbrains:annotations", "24.0.1", "build", "provided"),
    )
    # No POM stored: the version is listed, and nothing else is known.
    beta = record.versions[3]
    assert (beta.license, beta.dependencies, beta.deprecated) == (None, (), None)


def test_missing_parent_keeps_what_the_pom_itself_states() -> None:
    record = package_from_maven(metadata("org.kite", "kite-core"), STORED)
    v10 = record.versions[0]
    assert v10.version == "1.0"
    # The licences would have come from the missing parent.
    assert v10.license is None
    # Literal versions only: okhttp (managed) and slf4j (a parent property) are unknown.
    assert v10.dependencies == (
        dep("com.squareup.okio:okio", "3.5.0"),
        dep("org.junit.jupiter:junit-jupiter", "5.9.0", "dev"),
    )
    # With 1.0 as the only version, the package fields come from its own POM: its literal
    # <scm><url>, and no homepage, since its <url> needs the interpolation that failed.
    only = metadata("org.kite", "kite-core")
    only["versioning"] = {"versions": ["1.0"], "release": "1.0"}
    alone = package_from_maven(only, STORED)
    assert (alone.repository, alone.repository_raw) == (
        "github.com/kite/kite",
        "https://github.com/kite/kite",
    )
    assert (alone.homepage, alone.description, alone.maintainers) == (None, None, ())
    # A POM that declares nothing of its own, under a missing parent.
    orphan = {"groupId": "org.acme", "artifactId": "orphan", "versioning": {"versions": ["1.0"]}}
    got = package_from_maven(orphan, STORED)
    assert [(v.version, v.license, v.dependencies) for v in got.versions] == [("1.0", None, ())]
    assert got.status is PackageStatus.ACTIVE
    assert got.repository is None and got.homepage is None


def test_parent_cycle_keeps_what_the_pom_itself_states() -> None:
    record = package_from_maven(metadata("org.kite", "kite-core"), STORED)
    v110 = record.versions[2]
    assert v110.version == "1.10"
    # Its own licence list wins over any parent's, so the cycle does not hide it.
    assert v110.license == LicenseValue("MIT", "MIT", "exact", "maven:licenses")
    assert v110.dependencies == (dep("com.squareup.okio:okio", "3.7.0"),)


def test_three_level_chain_with_a_bom() -> None:
    record = package_from_maven(metadata("org.acme", "acme-widget"), STORED)
    assert [v.version for v in record.versions] == ["1.2.0", "1.3.0", "1.3.1", "1.4.0", "1.5.0-RC1"]
    # The latest (1.5.0-RC1) has no POM: no package licence, and the package fields come
    # from the newest version that has one.
    assert record.license is None
    assert record.repository == "github.com/acme/platform"
    assert record.repository_raw == "https://github.com/acme/platform/acme-parent/acme-widget"
    assert record.homepage == "https://acme.example.org/acme-parent/acme-widget/"
    assert record.description == "Organisation-wide defaults for Acme builds."
    assert record.maintainers == ("Jane Doe <jane@acme.example.org>",)
    v140 = record.versions[3]
    assert v140.license == LicenseValue(
        "Apache-2.0", "Apache License, Version 2.0", "mapped", "maven:licenses"
    )
    assert v140.dependencies == (
        dep("com.fasterxml.jackson.core:jackson-databind", "2.16.2"),
        dep("org.slf4j:slf4j-api", "2.0.9"),
        dep("io.netty:netty-handler", "4.1.104.Final"),
        dep("org.acme:acme-util", "1.4.0"),
        dep("org.acme:acme-core", "3.1"),
        dep("ch.qos.logback:logback-classic", "1.5.0", "optional"),
        dep("com.google.guava:guava", "33.0.0-jre"),
        dep("org.acme:acme-extras", "7.2", "dev"),
        dep("org.example:needs-property", "${undefined.version}", "runtime", "unparsed"),
        dep("org.example:unmanaged", "", "runtime", "unparsed"),
        dep("org.junit.jupiter:junit-jupiter", "5.10.1", "dev"),
    )


def test_latin1_pom_with_a_range_and_a_property_loop() -> None:
    legacy = {"groupId": "org.old", "artifactId": "legacy", "versioning": {"versions": ["1.0"]}}
    record = package_from_maven(legacy, STORED)
    assert record.license == LicenseValue(
        None, "The BSD License", "ambiguous", "maven:licenses"
    )  # a family, never guessed
    assert record.repository == "github.com/old/legacy"
    assert record.homepage == "http://legacy.example.org/legacy"
    assert record.versions[0].dependencies == (
        dep("commons-lang:commons-lang", "[2.0,3.0)"),
        dep("org.old:self-ref", "${a}", "runtime", "unparsed"),
    )


def test_relocated_latest_is_deprecated() -> None:
    record = package_from_maven(metadata("org.kite", "kite-old"), STORED)
    assert record.status is PackageStatus.DEPRECATED
    v09, v10 = record.versions
    assert v09.deprecated is None
    assert v09.license == LicenseValue("MIT", "MIT License", "mapped", "maven:licenses")
    assert v10.deprecated == "relocated to org.kite:kite-core:1.1: kite-old was renamed kite-core"
    assert record.license is None  # the relocation POM declares none
    # A relocation to the artifact's own coordinates moves nothing.
    own = copy.deepcopy(STORED)
    xml = own["org.kite:kite-old:1.0"]["xml"]
    own["org.kite:kite-old:1.0"]["xml"] = xml.replace("kite-core", "kite-old").replace(
        "<version>1.1</version>", ""
    )
    same = package_from_maven(metadata("org.kite", "kite-old"), own)
    assert same.status is PackageStatus.ACTIVE
    assert same.versions[1].deprecated is None


def test_no_versions_is_removed_and_no_poms_is_fine() -> None:
    empty = {"groupId": "org.kite", "artifactId": "kite-core", "versioning": None}
    record = package_from_maven(empty, STORED)
    assert (record.status, record.versions, record.license) == (PackageStatus.REMOVED, (), None)
    assert record.source == "maven-metadata"
    bare = package_from_maven(metadata("org.kite", "kite-core"), {})
    assert [v.version for v in bare.versions] == ["1.0", "1.1", "1.10", "2.0-beta-1"]
    assert all(v.license is None and v.dependencies == () for v in bare.versions)
    assert (bare.status, bare.repository, bare.source) == (
        PackageStatus.ACTIVE,
        None,
        "maven-metadata",
    )


def test_unreadable_pom_records_cost_their_version_only() -> None:
    broken = dict(STORED)
    broken["org.kite:kite-core:1.1"] = {"groupId": "org.kite"}  # no XML text
    broken["org.kite:kite-core:1.0"] = "<project/>"  # type: ignore[assignment]
    broken["org.kite:kite-core:1.10"] = {"xml": STORED["org.kite:kite-old:0.9"]["xml"]}  # misfiled
    record = package_from_maven(metadata("org.kite", "kite-core"), broken)
    assert [(v.version, v.license, v.dependencies) for v in record.versions] == [
        ("1.0", None, ()),
        ("1.1", None, ()),
        ("1.10", None, ()),
        ("2.0-beta-1", None, ()),
    ]
    # A parent whose record is unreadable is a missing parent.
    broken = dict(STORED)
    broken["org.kite:kite-parent:2"] = {"xml": "<project><artifactId>kite-parent"}
    v11 = package_from_maven(metadata("org.kite", "kite-core"), broken).versions[1]
    assert v11.license is None
    # Only what 1.1 writes literally; kite-testkit's ${project.version} is not expanded.
    assert v11.dependencies == (
        dep("com.example:native-tools", "1.0", "build", "system"),
        dep("io.example:ranged", "[1.0,2.0)"),
        dep("io.example:helpers", "0.3", "dev"),
    )


class _LookedUp(Mapping[str, dict[str, Any]]):
    """Like the sync driver's mapping: answers lookups, lists nothing."""

    def __getitem__(self, key: str) -> dict[str, Any]:
        return STORED[key]

    def __iter__(self) -> Iterator[str]:
        return iter(())

    def __len__(self) -> int:
        return 0


def test_poms_are_looked_up_not_listed() -> None:
    assert package_from_maven(metadata("org.kite", "kite-core"), _LookedUp()) == package_from_maven(
        metadata("org.kite", "kite-core"), STORED
    )


def test_the_record_id_names_an_artifact_the_file_does_not() -> None:
    unnamed = metadata("org.kite", "kite-old")
    unnamed["groupId"] = unnamed["artifactId"] = None
    record = package_from_maven(unnamed, STORED, external_id="org.kite:kite-old")
    assert record == package_from_maven(metadata("org.kite", "kite-old"), STORED)
    with pytest.raises(NormalizeError, match=r"^maven-metadata \?: groupId is missing$"):
        package_from_maven(unnamed, STORED)
    with pytest.raises(
        NormalizeError,
        match=r"^maven-metadata org\.kite:kite-old: artifactId 'kite-old' is not the record's 'kite-new'$",
    ):
        package_from_maven(
            metadata("org.kite", "kite-old"), STORED, external_id="org.kite:kite-new"
        )


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"versioning": []}, r"^maven-metadata org\.kite:kite-core: versioning must be an object"),
        (
            {"versioning": {"versions": "1.0"}},
            r"^maven-metadata org\.kite:kite-core: versioning\.versions must be a list",
        ),
        (
            {"versioning": {"versions": ["1.0", 2]}},
            r"^maven-metadata org\.kite:kite-core: versioning\.versions\[1\] must be a string",
        ),
        ({"groupId": 7}, r"^maven-metadata \?: groupId must be a string"),
        ({"groupId": "org kite"}, r"^maven-metadata org kite:kite-core: not a Maven groupId"),
        ({"artifactId": "a:b"}, r"^maven-metadata org\.kite:a:b: not a Maven artifactId"),
    ],
)
def test_malformed_metadata_is_one_line_naming_the_record(
    change: dict[str, Any], message: str
) -> None:
    with pytest.raises(NormalizeError, match=message) as caught:
        package_from_maven({**metadata("org.kite", "kite-core"), **change}, STORED)
    check_one_line(caught.value, ("maven-metadata ",))


def test_not_a_document() -> None:
    with pytest.raises(NormalizeError, match=r"^maven-metadata \?: the document must be an object"):
        package_from_maven([], STORED)  # type: ignore[arg-type]
    with pytest.raises(NormalizeError, match=r"POMs given must be a mapping, not list"):
        package_from_maven(metadata("org.kite", "kite-core"), [])  # type: ignore[arg-type]


def test_inputs_are_not_changed() -> None:
    meta, stored = metadata("org.kite", "kite-core"), copy.deepcopy(STORED)
    before = copy.deepcopy((meta, stored))
    package_from_maven(meta, stored)
    assert (meta, stored) == before


METADATA = [
    metadata("org.kite", "kite-core"),
    metadata("org.kite", "kite-old"),
    metadata("org.acme", "acme-widget"),
]
POMS = sorted(STORED)


@given(st.sampled_from(METADATA).flatmap(damaged))
def test_damaged_metadata_raises_only_normalize_error(doc: Any) -> None:
    try:
        record = package_from_maven(doc, STORED)
    except NormalizeError as error:
        check_one_line(error, ("maven-metadata ",))
        return
    assert record.purl.startswith("pkg:maven/")


@given(st.sampled_from(METADATA), st.sampled_from(POMS), st.data())
def test_damaged_pom_records_never_fail_the_package(
    meta: dict[str, Any], which: str, data: st.DataObject
) -> None:
    broken = dict(STORED)
    broken[which] = data.draw(damaged(STORED[which]))
    record = package_from_maven(meta, broken)
    assert len(record.versions) == len(meta["versioning"]["versions"])


@settings(max_examples=200)
@given(st.sampled_from(POMS), st.data())
def test_mangled_pom_text_never_fails_the_package(which: str, data: st.DataObject) -> None:
    text = STORED[which]["xml"].encode("utf-8")
    broken = dict(STORED)
    mangled = data.draw(mutated(text, pieces=XML_PIECES))
    broken[which] = {**STORED[which], "xml": mangled.decode("utf-8", "replace")}
    for meta in METADATA:
        record = package_from_maven(meta, broken)
        assert len(record.versions) == len(meta["versioning"]["versions"])
