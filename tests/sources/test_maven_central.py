"""The Maven repository source against a real HTTP server on 127.0.0.1.

The server serves ``tests/data/registries/maven/`` in the standard repository layout
(``org/acme/acme-widget/1.4.0/acme-widget-1.4.0.pom``) with an ETag per file, answers
``If-None-Match`` with 304, and sends 503 for a path as many times as a test asks first.

The fixtures: ``org.acme:acme-widget:1.4.0`` -> ``acme-parent:7.2`` -> ``acme-root:7``
(licences, SCM and developers only in the grandparent; properties and dependencyManagement
in the parent, which imports ``acme-bom:3.1``); ``org.loop`` parent and BOM-import cycles;
``org.acme:orphan`` with a parent the repository lacks; ``org.bad`` broken documents;
``org.old:legacy`` an ISO-8859-1 POM without the POM namespace.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

import orjson
import pytest

from ossmeta.errors import SourceError
from ossmeta.normalizers.maven.effective import (
    EffectiveDependency,
    EffectivePom,
)
from ossmeta.normalizers.maven.resolve import (
    MAX_DEPTH,
    ChainTooDeep,
    MissingPom,
    ParentCycle,
    resolve_effective,
)
from ossmeta.normalizers.maven.stored import (
    StoredPoms,
    resolve_stored,
)
from ossmeta.sources.http import FetchError, NotFound
from ossmeta.sources.maven.central import (
    KIND_METADATA,
    KIND_POM,
    Fetch,
    Licence,
    NotModified,
    PomCache,
    RepositoryPoms,
    canonical,
    fetch_metadata,
    fetch_pom,
    metadata_url,
    pom_url,
)
from tests.loopback import (
    Failures,
    Headers,
    Loopback,
    Response,
    conditional,
    etag_of,
    fixture_file,
    run_fetcher,
    serve,
    split,
)

T = TypeVar("T")
DATA = Path(__file__).parents[1] / "data" / "registries" / "maven"


# ------------------------------------------------------------------ the loopback server


class _State:
    def __init__(self, server: Loopback) -> None:
        self.hits = server.hits  # path under the base -> requests seen
        self.unavailable = Failures(503, b"Service Unavailable", retry_after="0")


def _path(raw: str) -> str:
    # The base URL has a path, as mirrors' do; the files are served under it.
    return split(raw)[0].removeprefix("/maven2")


def _handle(server: Loopback, method: str, raw: str, headers: Headers, body: bytes) -> Response:
    state: _State = server.state
    path = _path(raw)
    unavailable = state.unavailable.take(path)
    if unavailable is not None:
        return unavailable
    file = fixture_file(DATA, path)
    if file is None:
        return 404, {"Content-Type": "text/plain"}, b"Not Found"
    document = file.read_bytes()
    answer = {"Content-Type": "text/xml", "Last-Modified": "Mon, 11 Mar 2024 09:45:12 GMT"}
    return conditional(headers, 200, answer, document, etag=etag_of(document, algorithm="sha1"))


@pytest.fixture(scope="module")
def repo() -> Iterator[Loopback]:
    with serve(prefix="/maven2", key=lambda method, raw: _path(raw)) as server:
        server.state = _State(server)
        server.handler = partial(_handle, server)
        yield server


run = run_fetcher


def effective(
    repo: Loopback, coordinate: str, *, cache: PomCache | None = None, max_depth: int = MAX_DEPTH
) -> EffectivePom:
    group, artifact, version = coordinate.split(":")
    return run(
        lambda f: resolve_effective(
            RepositoryPoms(f, repo.base, cache if cache is not None else PomCache()),
            group,
            artifact,
            version,
            max_depth=max_depth,
        )
    )


def by_name(pom: EffectivePom) -> dict[str, EffectiveDependency]:
    return {f"{d.group_id}:{d.artifact_id}": d for d in pom.dependencies}


def error_of(repo: Loopback, coordinate: str) -> SourceError:
    with pytest.raises(SourceError) as caught:
        effective(repo, coordinate)
    text = str(caught.value)
    assert "\n" not in text
    return caught.value


# ------------------------------------------------------------------ URLs


def test_urls_follow_the_repository_layout() -> None:
    base = "http://127.0.0.1:1/repo/"
    assert (
        metadata_url(base, "org.acme.tools", "widget")
        == "http://127.0.0.1:1/repo/org/acme/tools/widget/maven-metadata.xml"
    )
    assert (
        pom_url(base, "org.acme", "widget", "1.0-beta")
        == "http://127.0.0.1:1/repo/org/acme/widget/1.0-beta/widget-1.0-beta.pom"
    )
    for bad in ("", "a/b", "..", "x y", "q?x"):
        with pytest.raises(SourceError):
            pom_url(base, "org.acme", "widget", bad)
    with pytest.raises(SourceError):
        metadata_url(base, "org..acme", "widget")


# ------------------------------------------------------------------ maven-metadata.xml


def test_metadata_is_a_json_shaped_record(repo: Loopback) -> None:
    got = run(lambda f: fetch_metadata(f, repo.base, "org.acme", "acme-widget"))
    assert isinstance(got, Fetch)
    record = got.record
    assert record.kind == KIND_METADATA == "maven-metadata"
    assert record.external_id == "org.acme:acme-widget"
    assert record.modified == "20240311094512"
    assert record.payload == {
        "groupId": "org.acme",
        "artifactId": "acme-widget",
        "version": None,
        "versioning": {
            "latest": "1.5.0-RC1",
            "release": "1.5.0-RC1",
            "versions": ["1.2.0", "1.3.0", "1.3.1", "1.4.0", "1.5.0-RC1"],
            "lastUpdated": "20240311094512",
        },
    }
    assert record.provenance.source == "maven"
    assert record.provenance.locator == f"{repo.base}/org/acme/acme-widget/maven-metadata.xml"
    assert (record.provenance.content_hash, record.canonical_json) == canonical(record.payload)
    assert got.last_modified == "Mon, 11 Mar 2024 09:45:12 GMT"


def test_etag_gives_not_modified(repo: Loopback) -> None:
    first = run(lambda f: fetch_metadata(f, repo.base, "org.acme", "acme-widget"))
    assert isinstance(first, Fetch) and first.etag is not None
    again = run(lambda f: fetch_metadata(f, repo.base, "org.acme", "acme-widget", etag=first.etag))
    assert isinstance(again, NotModified)
    assert again.etag == first.etag
    assert again.url == first.record.provenance.locator
    pom = run(lambda f: fetch_pom(f, repo.base, "org.acme", "acme-bom", "3.1"))
    assert isinstance(pom, Fetch)
    unchanged = run(lambda f: fetch_pom(f, repo.base, "org.acme", "acme-bom", "3.1", etag=pom.etag))
    assert isinstance(unchanged, NotModified)


def test_503_then_200(repo: Loopback) -> None:
    path = "/org/acme/flaky/maven-metadata.xml"
    repo.state.unavailable[path] = 1
    before = repo.state.hits[path]
    got = run(lambda f: fetch_metadata(f, repo.base, "org.acme", "flaky"))
    assert isinstance(got, Fetch)
    assert repo.state.hits[path] == before + 2
    assert got.record.payload["versioning"] == {
        "latest": "0.2",
        "release": "0.2",
        "versions": ["0.1", "0.2"],
        "lastUpdated": "20230101000000",
    }


def test_metadata_404_propagates_not_found(repo: Loopback) -> None:
    with pytest.raises(NotFound) as caught:
        run(lambda f: fetch_metadata(f, repo.base, "org.acme", "nothing-here"))
    assert str(caught.value).startswith(f"{repo.base}/org/acme/nothing-here/maven-metadata.xml: ")


def test_a_pom_is_not_metadata() -> None:
    # A mirror answering with the wrong document: checked on the parser directly.
    from ossmeta.sources.maven.pom import parse_xml_bytes, read_metadata

    root = parse_xml_bytes(b"<project/>", "http://127.0.0.1:1/x/maven-metadata.xml")
    with pytest.raises(SourceError, match="not Maven repository metadata"):
        read_metadata(root, "http://127.0.0.1:1/x/maven-metadata.xml")


# ------------------------------------------------------------------ POM records


def test_pom_record_keeps_the_fields_and_the_xml(repo: Loopback) -> None:
    got = run(lambda f: fetch_pom(f, repo.base, "org.acme", "acme-root", "7"))
    assert isinstance(got, Fetch)
    record = got.record
    payload: Any = record.payload
    assert record.kind == KIND_POM == "maven-pom"
    assert record.external_id == "org.acme:acme-root:7"
    assert record.modified is None
    assert record.provenance.locator == f"{repo.base}/org/acme/acme-root/7/acme-root-7.pom"
    assert payload["xml"] == (DATA / "org/acme/acme-root/7/acme-root-7.pom").read_text("utf-8")
    assert payload["modelVersion"] == "4.0.0"
    assert (payload["groupId"], payload["artifactId"], payload["version"]) == (
        "org.acme",
        "acme-root",
        "7",
    )
    assert payload["packaging"] == "pom"
    assert payload["parent"] is None
    assert payload["licenses"] == [
        {
            "name": "Apache License, Version 2.0",
            "url": "https://www.apache.org/licenses/LICENSE-2.0.txt",
            "distribution": "repo",
            "comments": "A business-friendly OSS license",
        }
    ]
    assert payload["scm"] == {
        "url": "https://github.com/acme/platform",
        "connection": "scm:git:https://github.com/acme/platform.git",
        "developerConnection": "scm:git:git@github.com:acme/platform.git",
        "tag": "HEAD",
        "childScmUrlInheritAppendPath": None,
        "childScmConnectionInheritAppendPath": "false",
        "childScmDeveloperConnectionInheritAppendPath": "false",
    }
    assert payload["developers"][0]["roles"] == ["lead", "developer"]
    assert payload["developers"][0]["organizationUrl"] == "https://acme.example.org"
    assert payload["properties"]["slf4j.version"] == "2.0.9"
    assert payload["dependencyManagement"] is None
    assert payload["dependencies"] == []
    assert (record.provenance.content_hash, record.canonical_json) == canonical(payload)
    # The record is JSON: it survives a round trip unchanged.
    assert orjson.loads(record.canonical_json) == payload


def test_pom_record_dependencies_as_written(repo: Loopback) -> None:
    got = run(lambda f: fetch_pom(f, repo.base, "org.acme", "acme-parent", "7.2"))
    assert isinstance(got, Fetch)
    payload: Any = got.record.payload
    assert payload["parent"] == {
        "groupId": "org.acme",
        "artifactId": "acme-root",
        "version": "7",
        "relativePath": "../root/pom.xml",
    }
    assert payload["groupId"] is None  # inherited, not written
    managed = payload["dependencyManagement"]["dependencies"]
    assert managed[2] == {
        "groupId": "io.netty",
        "artifactId": "netty-handler",
        "version": "${netty.version}",
        "type": None,
        "classifier": None,
        "scope": None,
        "optional": None,
        "exclusions": [{"groupId": "io.netty", "artifactId": "netty-tcnative"}],
    }
    assert managed[-1]["scope"] == "import" and managed[-1]["type"] == "pom"
    assert payload["dependencies"][0]["scope"] == "test"
    assert payload["properties"]["netty.version"] == "${netty.major}.${netty.minor}.Final"


def test_latin1_pom_without_namespace(repo: Loopback) -> None:
    got = run(lambda f: fetch_pom(f, repo.base, "org.old", "legacy", "1.0"))
    assert isinstance(got, Fetch)
    payload: Any = got.record.payload
    assert payload["name"] == "Legacy Grün"
    assert "<name>Legacy Grün</name>" in payload["xml"]
    assert payload["dependencies"][0]["version"] == "[2.0,3.0)"


def test_pom_404_propagates_not_found(repo: Loopback) -> None:
    with pytest.raises(NotFound):
        run(lambda f: fetch_pom(f, repo.base, "org.acme", "acme-widget", "9.9"))
    with pytest.raises(NotFound):
        effective(repo, "org.acme:acme-widget:9.9")


@pytest.mark.parametrize(
    ("coordinate", "message"),
    [
        ("org.bad:truncated:1", "invalid XML"),
        ("org.bad:entities:1", "XML with a DTD or entities is not accepted"),
        ("org.bad:misfiled:1", "POM is for org.bad:something-else:1, not the requested"),
    ],
)
def test_bad_poms_are_one_line_errors_naming_the_url(
    repo: Loopback, coordinate: str, message: str
) -> None:
    group, artifact, version = coordinate.split(":")
    url = pom_url(repo.base, group, artifact, version)
    with pytest.raises(SourceError) as caught:
        run(lambda f: fetch_pom(f, repo.base, group, artifact, version))
    assert not isinstance(caught.value, FetchError)
    text = str(caught.value)
    assert text.startswith(url + ":")
    assert message in text
    assert "\n" not in text
    # The same through the resolver.
    assert str(error_of(repo, coordinate)) == text


def test_malformed_parent_names_the_parent_url(repo: Loopback) -> None:
    text = str(error_of(repo, "org.bad:child-of-truncated:1"))
    assert text.startswith(pom_url(repo.base, "org.bad", "truncated", "1") + ":")
    assert "invalid XML" in text


# ------------------------------------------------------------------ effective POMs


def test_three_level_chain_inherits_licences_and_scm_from_the_grandparent(repo: Loopback) -> None:
    pom = effective(repo, "org.acme:acme-widget:1.4.0")
    assert pom.chain == (
        "org.acme:acme-widget:1.4.0",
        "org.acme:acme-parent:7.2",
        "org.acme:acme-root:7",
    )
    assert (pom.group_id, pom.artifact_id, pom.version, pom.packaging) == (
        "org.acme",
        "acme-widget",
        "1.4.0",
        "jar",  # packaging is not inherited
    )
    assert pom.name == "Acme Widget"
    assert pom.description == "Organisation-wide defaults for Acme builds."  # inherited
    assert pom.licenses == (
        Licence(
            "Apache License, Version 2.0",
            "https://www.apache.org/licenses/LICENSE-2.0.txt",
            "repo",
            "A business-friendly OSS license",
        ),
    )
    assert pom.licenses_from == pom.scm_from == "org.acme:acme-root:7"
    assert pom.scm is not None
    # Maven appends each child's artifactId to an inherited URL, level by level...
    assert pom.scm.url == "https://github.com/acme/platform/acme-parent/acme-widget"
    assert pom.url == "https://acme.example.org/acme-parent/acme-widget/"
    # ...except where the ancestor said child.scm.*.inherit.append.path="false".
    assert pom.scm.connection == "scm:git:https://github.com/acme/platform.git"
    assert pom.scm.developer_connection == "scm:git:git@github.com:acme/platform.git"
    assert pom.scm.tag == "HEAD"
    assert [d.name for d in pom.developers] == ["Jane Doe"]
    assert pom.imports == ("org.acme:acme-bom:3.1",)
    # Every POM used, for the store: the chain, then the BOM.
    assert [r.external_id for r in pom.records] == [
        "org.acme:acme-widget:1.4.0",
        "org.acme:acme-parent:7.2",
        "org.acme:acme-root:7",
        "org.acme:acme-bom:3.1",
    ]
    assert all(r.kind == KIND_POM for r in pom.records)


def test_dependency_versions_from_properties_and_management(repo: Loopback) -> None:
    deps = by_name(effective(repo, "org.acme:acme-widget:1.4.0"))
    parent, child = "org.acme:acme-parent:7.2", "org.acme:acme-widget:1.4.0"
    # Managed in the parent as ${jackson.version}; the child's property wins, and the
    # parent's entry beats the BOM's 9.9.9.
    jackson = deps["com.fasterxml.jackson.core:jackson-databind"]
    assert (jackson.version, jackson.managed_by, jackson.imported_from) == ("2.16.2", parent, None)
    # A grandparent property through the parent's management.
    assert deps["org.slf4j:slf4j-api"].version == "2.0.9"
    # Nested properties, and the managed exclusions come along.
    netty = deps["io.netty:netty-handler"]
    assert netty.version == "4.1.104.Final"
    assert netty.exclusions == ("io.netty:netty-tcnative",)
    # ${project.version} in the parent's management is the child's version.
    util = deps["org.acme:acme-util"]
    assert (util.version, util.managed_by) == ("1.4.0", parent)
    # From the imported BOM, interpolated in the BOM's own context.
    core = deps["org.acme:acme-core"]
    assert (core.version, core.managed_by, core.imported_from) == (
        "3.1",
        "org.acme:acme-bom:3.1",
        "org.acme:acme-bom:3.1",
    )
    # The child's own management overrides the parent's (and the BOM's); the managed
    # scope comes along from the child's entry (none) rather than the parent's runtime.
    logback = deps["ch.qos.logback:logback-classic"]
    assert (logback.version, logback.managed_by, logback.scope, logback.optional) == (
        "1.5.0",
        child,
        None,
        True,
    )
    # A property the parent defines (overriding the grandparent's) used directly.
    guava = deps["com.google.guava:guava"]
    assert (guava.version, guava.managed_by, guava.declared_in) == ("33.0.0-jre", None, child)
    extras = deps["org.acme:acme-extras"]
    assert (extras.version, extras.type, extras.classifier, extras.scope) == (
        "7.2",
        "test-jar",
        "tests",
        "test",
    )
    # Inherited from the parent's <dependencies>.
    junit = deps["org.junit.jupiter:junit-jupiter"]
    assert (junit.version, junit.scope, junit.declared_in) == ("5.10.1", "test", parent)


def test_unresolved_versions_say_why(repo: Loopback) -> None:
    deps = by_name(effective(repo, "org.acme:acme-widget:1.4.0"))
    missing = deps["org.example:needs-property"]
    assert missing.version is None
    assert missing.requirement == "${undefined.version}"
    assert missing.unresolved == "${undefined.version} is not defined"
    unmanaged = deps["org.example:unmanaged"]
    assert (unmanaged.version, unmanaged.requirement) == (None, None)
    assert unmanaged.unresolved is not None and "no version written" in unmanaged.unresolved
    legacy = by_name(effective(repo, "org.old:legacy:1.0"))
    loop = legacy["org.old:self-ref"]
    assert loop.version is None and loop.requirement == "${a}"
    assert loop.unresolved == "properties refer to each other: ${a} -> ${b} -> ${a}"
    # A range is kept as written for the normalizer to read.
    assert legacy["commons-lang:commons-lang"].version == "[2.0,3.0)"


def test_managed_entries_and_legacy_interpolation(repo: Loopback) -> None:
    pom = effective(repo, "org.acme:acme-widget:1.4.0")
    managed = {f"{d.group_id}:{d.artifact_id}": d for d in pom.managed}
    assert managed["org.acme:acme-json"].version == "3.1"
    assert managed["ch.qos.logback:logback-classic"].version == "1.5.0"
    assert "org.acme:acme-bom" not in managed  # the import itself is not a managed entry
    legacy = effective(repo, "org.old:legacy:1.0")
    assert legacy.url == "http://legacy.example.org/legacy"
    assert legacy.scm is not None
    assert legacy.scm.url == "https://github.com/old/legacy"
    assert legacy.scm.connection == "scm:svn:http://svn.example.org/${unknown.path}"
    assert legacy.chain == ("org.old:legacy:1.0",)


def test_pom_cache_shares_parents_between_calls(repo: Loopback) -> None:
    cache = PomCache()
    path = "/org/acme/acme-root/7/acme-root-7.pom"
    first = effective(repo, "org.acme:acme-widget:1.4.0", cache=cache)
    before = repo.state.hits[path]
    second = effective(repo, "org.acme:acme-widget:1.4.0", cache=cache)
    assert repo.state.hits[path] == before
    assert len(cache) == 4
    assert second.records == first.records  # records are listed even when cached


def test_parent_cycle_names_the_chain(repo: Loopback) -> None:
    error = error_of(repo, "org.loop:loop-a:1")
    assert isinstance(error, ParentCycle)
    assert error.chain == (
        "org.loop:loop-a:1",
        "org.loop:loop-b:1",
        "org.loop:loop-c:1",
        "org.loop:loop-a:1",
    )
    assert (
        "parent POM cycle: org.loop:loop-a:1 -> org.loop:loop-b:1 -> org.loop:loop-c:1 -> org.loop:loop-a:1"
        in str(error)
    )
    assert str(error).startswith(pom_url(repo.base, "org.loop", "loop-c", "1") + ":")


def test_bom_import_cycle_names_the_chain(repo: Loopback) -> None:
    error = error_of(repo, "org.loop:uses-boms:1")
    assert isinstance(error, ParentCycle)
    assert str(error).endswith(
        "BOM import cycle: org.loop:uses-boms:1 -> org.loop:bom-x:1 -> org.loop:bom-y:1 "
        "-> org.loop:bom-x:1"
    )


def test_missing_parent_names_child_and_parent(repo: Loopback) -> None:
    error = error_of(repo, "org.acme:orphan:1.0")
    assert isinstance(error, MissingPom)
    assert not isinstance(error, FetchError)
    assert (error.child, error.missing) == ("org.acme:orphan:1.0", "org.acme:ghost-parent:1")
    text = str(error)
    assert text.startswith(pom_url(repo.base, "org.acme", "orphan", "1.0") + ": ")
    assert (
        "parent POM org.acme:ghost-parent:1 of org.acme:orphan:1.0 is not in the repository" in text
    )
    assert "HTTP 404" in text


def test_depth_limit(repo: Loopback) -> None:
    with pytest.raises(ChainTooDeep, match="longer than 2 POMs"):
        effective(repo, "org.acme:acme-widget:1.4.0", max_depth=2)
    # Three levels fit in three.
    assert len(effective(repo, "org.acme:acme-widget:1.4.0", max_depth=3).chain) == 3


# ------------------------------------------------------------------ from stored records


def test_stored_records_resolve_to_the_same_effective_pom(repo: Loopback) -> None:
    fetched = effective(repo, "org.acme:acme-widget:1.4.0")
    stored = StoredPoms({r.external_id: r.payload for r in fetched.records})
    offline = resolve_stored(stored, "org.acme", "acme-widget", "1.4.0")
    assert replace(offline, records=()) == replace(fetched, records=())
    # The same records, now located by their kind and id, with the same content hashes.
    assert [(r.external_id, r.provenance.content_hash) for r in offline.records] == [
        (r.external_id, r.provenance.content_hash) for r in fetched.records
    ]
    assert offline.records[0].provenance.locator == "maven-pom org.acme:acme-widget:1.4.0"
    # The Latin-1 document survives being stored as text and read again.
    legacy = effective(repo, "org.old:legacy:1.0")
    again = StoredPoms({r.external_id: r.payload for r in legacy.records})
    assert replace(resolve_stored(again, "org.old", "legacy", "1.0"), records=()) == replace(
        legacy, records=()
    )


def test_stored_records_fail_as_the_repository_does(repo: Loopback) -> None:
    records = {
        r.external_id: r.payload
        for coordinate in ("org.acme:acme-widget:1.4.0", "org.old:legacy:1.0")
        for r in effective(repo, coordinate).records
    }
    for name in ("loop-a", "loop-b", "loop-c"):
        got = run(partial(fetch_pom, base=repo.base, group="org.loop", artifact=name, version="1"))
        assert isinstance(got, Fetch)
        records[f"org.loop:{name}:1"] = got.record.payload
    stored = StoredPoms(records)
    with pytest.raises(ParentCycle) as cycle:
        resolve_stored(stored, "org.loop", "loop-a", "1")
    assert str(cycle.value) == (
        "maven-pom org.loop:loop-c:1: parent POM cycle: org.loop:loop-a:1 -> org.loop:loop-b:1 "
        "-> org.loop:loop-c:1 -> org.loop:loop-a:1"
    )
    del records["org.acme:acme-bom:3.1"]
    with pytest.raises(MissingPom) as missing:
        resolve_stored(StoredPoms(records), "org.acme", "acme-widget", "1.4.0")
    assert str(missing.value) == (
        "maven-pom org.acme:acme-widget:1.4.0: BOM org.acme:acme-bom:3.1 imported by "
        "org.acme:acme-parent:7.2 is not in the repository "
        "(maven-pom org.acme:acme-bom:3.1: not among the stored POMs)"
    )
    with pytest.raises(NotFound):
        resolve_stored(stored, "org.acme", "acme-widget", "9.9")
    # A record whose text is not the POM of its coordinates is refused, naming the record.
    widget = "org.acme:acme-widget:1.4.0"
    records[widget] = {"xml": "<project><artifactId>x</artifactId>"}
    with pytest.raises(
        SourceError, match=r"^maven-pom org\.acme:acme-widget:1\.4\.0:1: invalid XML"
    ):
        resolve_stored(StoredPoms(records), "org.acme", "acme-widget", "1.4.0")
    records[widget] = {
        "xml": "<project><groupId>org.acme</groupId><artifactId>x</artifactId></project>"
    }
    with pytest.raises(SourceError, match=r"POM is for org\.acme:x:\?, not the requested"):
        resolve_stored(StoredPoms(records), "org.acme", "acme-widget", "1.4.0")
    records[widget] = {"groupId": "org.acme"}
    with pytest.raises(SourceError, match="holds no POM text under 'xml'"):
        resolve_stored(StoredPoms(records), "org.acme", "acme-widget", "1.4.0")
