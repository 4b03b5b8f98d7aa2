"""The data-quality report on real stores (SQLite and PostgreSQL), seeded through
``save_package`` / ``record_outcome``; every expected figure is worked out by hand below."""

from __future__ import annotations

import html
import io
import json
import re
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from sqlalchemy import insert

from ossmeta.analyses.quality import (
    FAILURE_LIMIT,
    TOP,
    CurationCheck,
    CurationDifference,
    FieldQuality,
    LicenseSide,
    QualityReport,
    RegistryQuality,
    Staleness,
    UnmappedLicense,
    quality_report,
)
from ossmeta.ecosystems import CRATES, MAVEN, NPM, PYPI
from ossmeta.model import (
    Dependency,
    FileDigest,
    LicenseValue,
    PackageRecord,
    PackageStatus,
    PackageVersion,
)
from ossmeta.store import Store
from ossmeta.store.packages import save_package
from ossmeta.store.quality_queries import QualityQueries
from ossmeta.store.schema import curations
from ossmeta.store.sync_state import record_outcome
from ossmeta.surfaces.formats.quality import SCHEMA, to_json, write_quality

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
PURL_TYPE = {PYPI: "pypi", NPM: "npm", MAVEN: "maven", CRATES: "cargo"}


def lic(spdx: str | None, raw: str, confidence: str) -> LicenseValue:
    return LicenseValue(spdx, raw, confidence, "test:license")


def exact(spdx: str) -> LicenseValue:
    return lic(spdx, spdx, "exact")


def version(
    number: str,
    license: LicenseValue | None = None,
    published: datetime | None = None,
    files: Sequence[FileDigest] = (),
    dependencies: Sequence[Dependency] = (),
) -> PackageVersion:
    return PackageVersion(
        number, published, False, None, license, tuple(dependencies), tuple(files)
    )


def package(
    ecosystem: str,
    name: str,
    *,
    license: LicenseValue | None = None,
    repository: str | None = None,
    repository_raw: str | None = None,
    homepage: str | None = None,
    description: str | None = None,
    maintainers: Sequence[str] = (),
    versions: Sequence[PackageVersion] = (),
) -> PackageRecord:
    return PackageRecord(
        purl=f"pkg:{PURL_TYPE[ecosystem]}/{name}",
        ecosystem=ecosystem,
        name=name,
        repository=repository,
        repository_raw=repository_raw if repository_raw is not None else repository,
        homepage=homepage,
        description=description,
        status=PackageStatus.ACTIVE,
        license=license,
        versions=tuple(versions),
        maintainers=tuple(maintainers),
        source="test",
    )


def seed(store: Store, *records: PackageRecord) -> None:
    with store.engine.begin() as connection:
        for record in records:
            save_package(connection, record, NOW)


def report_of(
    store: Store,
    *,
    stale_after: timedelta = timedelta(days=30),
    top: int = TOP,
    failure_limit: int = FAILURE_LIMIT,
) -> QualityReport:
    rows = QualityQueries(store).read(NOW, NOW - stale_after, top=top, failure_limit=failure_limit)
    return quality_report(rows, NOW, stale_after)


def registry(report: QualityReport, name: str) -> RegistryQuality:
    (found,) = [r for r in report.registries if r.registry == name]
    return found


def figures(r: RegistryQuality) -> dict[tuple[str, str], tuple[int, int, int]]:
    return {(f.level, f.field): (f.total, f.present, f.high_confidence) for f in r.fields}


def hashed(filename: str) -> FileDigest:
    return FileDigest(filename, ("sha256:" + "ab" * 32,))


def bare(filename: str) -> FileDigest:
    return FileDigest(filename, ())


def dep(target: str, *flags: str) -> Dependency:
    return Dependency(target, ">=1", "runtime", flags=flags)


# --------------------------------------------------------------------------- completeness


def test_completeness_and_confidence_per_registry_and_field(store: Store) -> None:
    seed(
        store,
        # Every package field high.
        package(
            PYPI,
            "alpha",
            license=exact("Apache-2.0"),
            repository="github.com/acme/alpha",
            repository_raw="https://github.com/acme/alpha",
            homepage="HTTPS://alpha.example",
            description="Alpha parser",
            maintainers=["Ann <ann@mail.example>"],
            versions=[
                # licence, published, files, dependencies: all present and high
                version(
                    "1.0",
                    exact("MIT"),
                    datetime(2020, 1, 1, tzinfo=UTC),
                    [hashed("alpha-1.0.tar.gz")],
                    [dep("pkg:pypi/six")],
                ),
                # licence and published high; a file without hash; no dependencies
                version(
                    "2.0",
                    exact("Apache-2.0"),
                    datetime(2021, 1, 1, tzinfo=UTC),
                    [hashed("alpha-2.0.whl"), bare("alpha-2.0.tar.gz")],
                ),
            ],
        ),
        # Every package field present, none high.
        package(
            PYPI,
            "beta",
            license=lic(None, "BSD", "ambiguous"),
            repository=None,
            repository_raw="svn://old.example/beta",
            homepage="alpha.example/beta",
            description="UNKNOWN",
            maintainers=["Bob"],
            versions=[
                # licence present (ambiguous), nothing published, no files, an unparsed dep
                version(
                    "0.1",
                    lic(None, "BSD", "ambiguous"),
                    dependencies=[dep("pkg:pypi/x", "unparsed")],
                ),
            ],
        ),
        # Only a description, and it repeats the name; a blank homepage is no homepage.
        package(
            PYPI,
            "gamma",
            homepage="   ",
            description="Gamma",
            versions=[
                # no licence, epoch-zero date, a hashed file, one of two deps unparsed
                version(
                    "1.0",
                    None,
                    datetime(1970, 1, 1, tzinfo=UTC),
                    [hashed("g.tar.gz")],
                    [dep("pkg:pypi/a"), dep("pkg:pypi/b", "unparsed")],
                ),
                # licence present (unknown), published in the future, nothing else
                version("1.1", lic(None, "Custom", "unknown"), NOW + timedelta(days=1)),
            ],
        ),
        package(
            NPM,
            "left-pad",
            license=lic("MIT", "MIT License", "mapped"),
            repository="github.com/acme/left-pad",
            homepage="http://left-pad.example",
            description="Pads strings",
            maintainers=["carol <carol@mail.example>"],
            versions=[
                version(
                    "1.0.0",
                    lic("MIT", "MIT License", "mapped"),
                    datetime(2022, 1, 1, tzinfo=UTC),
                    [hashed("left-pad-1.0.0.tgz")],
                    [dep("pkg:npm/right-pad")],
                ),
            ],
        ),
    )
    report = report_of(store)
    assert [r.registry for r in report.registries] == ["pypi", "npm"]
    pypi = registry(report, "pypi")
    assert (pypi.packages, pypi.versions) == (3, 5)  # alpha, beta, gamma; 2 + 1 + 2 versions
    assert figures(pypi) == {
        # (total, present, high)
        # licence: alpha exact + beta ambiguous present; only alpha high
        ("package", "license"): (3, 2, 1),
        # repository: alpha canonical, beta raw only; only alpha normalized
        ("package", "repository"): (3, 2, 1),
        # homepage: alpha (URL, upper-case scheme), beta (no scheme); gamma blank is absent
        ("package", "homepage"): (3, 2, 1),
        # description: all three present; "UNKNOWN" is a placeholder, "Gamma" is the name
        ("package", "description"): (3, 3, 1),
        # maintainers: alpha with an address, beta without; gamma none
        ("package", "maintainers"): (3, 2, 1),
        # version licence: a1.0, a2.0 (exact), b0.1 (ambiguous), g1.1 (unknown); g1.0 none
        ("version", "license"): (5, 4, 2),
        # published: a1.0, a2.0 plausible; g1.0 (1970) and g1.1 (future) present only
        ("version", "published"): (5, 4, 2),
        # files: a1.0 hashed, a2.0 one bare file, g1.0 hashed; b0.1 and g1.1 none
        ("version", "files"): (5, 3, 2),
        # dependencies: a1.0 clean, b0.1 unparsed, g1.0 one of two unparsed
        ("version", "dependencies"): (5, 3, 1),
    }
    (license_row,) = [f for f in pypi.fields if f == FieldQuality("package", "license", 3, 2, 1)]
    assert license_row.completeness == 2 / 3 and license_row.high_confidence_share == 1 / 2
    npm = registry(report, "npm")
    assert (npm.packages, npm.versions) == (1, 1)
    assert set(figures(npm).values()) == {(1, 1, 1)}  # mapped counts as high


def test_empty_store_reports_nothing(store: Store) -> None:
    report = report_of(store)
    assert report.registries == ()
    assert report.repository_conflicts_total == 0 and report.license_drift == ()
    assert to_json(report)["registries"] == []


# --------------------------------------------------------------------------- conflicts


def curate(
    store: Store,
    purl: str,
    field: str,
    value: str,
    status: str = "approved",
    versions: str | None = None,
) -> None:
    with store.engine.begin() as connection:
        connection.execute(
            insert(curations),
            {
                "purl": purl,
                "versions": versions,
                "field": field,
                "value": value,
                "reason": "test",
                "author": "curator",
                "evidence": "LICENSE file",
                "status": status,
                "created_at": NOW,
            },
        )


def test_curations_against_source_values(store: Store) -> None:
    seed(
        store,
        package(
            PYPI,
            "alpha",
            license=exact("Apache-2.0"),
            repository="github.com/acme/alpha",
            description="Alpha parser",
            versions=[version("1.0", exact("MIT")), version("2.0", exact("Apache-2.0"))],
        ),
        package(NPM, "left-pad", description="Pads strings"),
    )
    alpha, left_pad = "pkg:pypi/alpha", "pkg:npm/left-pad"
    curate(store, alpha, "license", "MIT")  # source Apache-2.0: differs
    curate(store, alpha, "repository", "github.com/acme/alpha")  # agrees
    curate(store, alpha, "homepage", "https://alpha.example")  # source none: fills
    curate(store, alpha, "description", "x", status="proposed")  # not approved: ignored
    curate(store, alpha, "license", "GPL-3.0-only", status="rejected")  # ignored
    curate(store, alpha, "maintainers", "[]")  # no source column: ignored
    curate(store, "pkg:pypi/not-stored", "license", "MIT")  # no package: ignored
    curate(store, alpha, "license", "MIT", versions="1.0")  # version 1.0 is MIT: agrees
    curate(store, alpha, "license", "MIT", versions="2.0")  # 2.0 is Apache-2.0: differs
    curate(store, alpha, "license", "MIT", versions="vers:pypi/>=1.0")  # a range: unchecked
    curate(store, alpha, "license", "MIT", versions="9.9")  # no such version: unchecked
    curate(store, alpha, "status", "deprecated")  # source active: differs
    curate(store, alpha, "description", "")  # clears the source's value: differs
    curate(store, left_pad, "description", "Pads strings on the left")  # differs
    curate(store, left_pad, "homepage", "")  # clears a value the source lacks: agrees

    report = report_of(store, top=2)
    assert registry(report, "pypi").curations == (
        # level, field, approved, differs, fills, agrees, unchecked
        CurationCheck("package", "description", 1, 1, 0, 0, 0),
        CurationCheck("package", "homepage", 1, 0, 1, 0, 0),
        CurationCheck("package", "license", 1, 1, 0, 0, 0),
        CurationCheck("package", "repository", 1, 0, 0, 1, 0),
        CurationCheck("package", "status", 1, 1, 0, 0, 0),
        CurationCheck("version", "license", 4, 1, 0, 1, 2),
    )
    assert registry(report, "npm").curations == (
        CurationCheck("package", "description", 1, 1, 0, 0, 0),
        CurationCheck("package", "homepage", 1, 0, 0, 1, 0),
    )
    # Five differ, listed by purl, field, then the package-level one before a version's;
    # top=2 keeps the first two.
    assert report.curation_differences == (
        CurationDifference(
            "npm", left_pad, "description", None, "Pads strings on the left", "Pads strings"
        ),
        CurationDifference("pypi", alpha, "description", None, "", "Alpha parser"),
    )
    assert report_of(store).curation_differences[2:] == (
        CurationDifference("pypi", alpha, "license", None, "MIT", "Apache-2.0"),
        CurationDifference("pypi", alpha, "license", "2.0", "MIT", "Apache-2.0"),
        CurationDifference("pypi", alpha, "status", None, "deprecated", "active"),
    )


def test_same_repository_different_licences_across_registries(store: Store) -> None:
    def pkg(ecosystem: str, name: str, repository: str, spdx: str | None) -> PackageRecord:
        licence = exact(spdx) if spdx else lic(None, "see LICENSE", "unknown")
        return package(ecosystem, name, license=licence, repository=f"github.com/acme/{repository}")

    seed(
        store,
        pkg(PYPI, "alpha", "alpha", "Apache-2.0"),
        pkg(NPM, "alpha-js", "alpha", "MIT"),  # conflict: alpha, 2 packages
        pkg(MAVEN, "org.acme/delta", "delta", "Apache-2.0"),
        pkg(CRATES, "delta", "delta", "MIT OR Apache-2.0"),
        pkg(NPM, "delta-js", "delta", "Apache-2.0"),  # conflict: delta, 3 packages
        pkg(NPM, "mono-a", "mono", "MIT"),
        pkg(NPM, "mono-b", "mono", "ISC"),  # one registry only: no conflict
        pkg(PYPI, "eps", "eps", "MIT"),
        pkg(CRATES, "eps", "eps", "MIT"),  # same licence: no conflict
        pkg(PYPI, "zeta", "zeta", "MIT"),
        pkg(NPM, "zeta", "zeta", None),  # no SPDX licence on one side: nothing to compare
    )
    report = report_of(store, top=1)
    assert report.repository_conflicts_total == 2
    (largest,) = report.repository_conflicts  # delta has 3 packages, alpha 2
    assert largest.repository == "github.com/acme/delta"
    assert largest.sides == (  # registry order pypi, npm, maven, crates
        LicenseSide("npm", "pkg:npm/delta-js", "Apache-2.0"),
        LicenseSide("maven", "pkg:maven/org.acme/delta", "Apache-2.0"),
        LicenseSide("crates", "pkg:cargo/delta", "MIT OR Apache-2.0"),
    )
    both = report_of(store).repository_conflicts
    assert [c.repository for c in both] == ["github.com/acme/delta", "github.com/acme/alpha"]
    assert both[1].sides == (
        LicenseSide("pypi", "pkg:pypi/alpha", "Apache-2.0"),
        LicenseSide("npm", "pkg:npm/alpha-js", "MIT"),
    )


def test_versions_whose_licences_disagree(store: Store) -> None:
    seed(
        store,
        # versions MIT, MIT, Apache-2.0 under package Apache-2.0: several; 2 differ
        package(PYPI, "alpha", license=exact("Apache-2.0"),
                versions=[version("1.0", exact("MIT")), version("1.1", exact("MIT")),
                          version("2.0", exact("Apache-2.0"))]),
        # MIT, none, unmapped BSD: one SPDX licence only; nothing differs
        package(PYPI, "beta", license=exact("MIT"),
                versions=[version("1", exact("MIT")), version("2"),
                          version("3", lic(None, "BSD", "ambiguous"))]),
        # MIT and ISC without a package licence: several; nothing to differ from
        package(NPM, "gamma", versions=[version("1.0.0", exact("MIT")),
                                        version("2.0.0", exact("ISC"))]),
        # three licences under package ISC: several; MIT and Apache-2.0 differ
        package(NPM, "delta", license=exact("ISC"),
                versions=[version("1.0.0", exact("MIT")), version("2.0.0", exact("ISC")),
                          version("3.0.0", exact("Apache-2.0"))]),
    )  # fmt: skip
    report = report_of(store, top=2)
    pypi, npm = registry(report, "pypi"), registry(report, "npm")
    assert (pypi.packages_with_several_licenses, pypi.versions_differing_from_package) == (1, 2)
    assert (npm.packages_with_several_licenses, npm.versions_differing_from_package) == (2, 2)
    # Most licences first (delta 3), then by purl among the 2s: pkg:npm/gamma < pkg:pypi/alpha.
    assert [(d.purl, d.package_license, d.licenses) for d in report.license_drift] == [
        ("pkg:npm/delta", "ISC", (("Apache-2.0", 1), ("ISC", 1), ("MIT", 1))),
        ("pkg:npm/gamma", None, (("ISC", 1), ("MIT", 1))),
    ]
    alpha = report_of(store).license_drift[2]
    assert alpha.licenses == (("MIT", 2), ("Apache-2.0", 1))  # by versions carrying it


# --------------------------------------------------------------------------- sync bookkeeping


def ago(days: int) -> datetime:
    return NOW - timedelta(days=days)


def test_staleness_per_registry(store: Store) -> None:
    with store.engine.begin() as connection:
        for name, days in (("a", 10), ("b", 40), ("c", 100), ("e", 50)):
            record_outcome(connection, "pypi", name, f"pkg:pypi/{name}", ago(days))
        record_outcome(connection, "pypi", "d", None, ago(2), ("http", "HTTP 500"))
        # e failed yesterday: its last success stays 50 days ago
        record_outcome(connection, "pypi", "e", "pkg:pypi/e", ago(1), ("http", "HTTP 503"))
        for name, days in (("f", 5), ("h", 7), ("i", 20)):
            record_outcome(connection, "npm", name, f"pkg:npm/{name}", ago(days))
        record_outcome(connection, "crates", "g", None, ago(3), ("not_found", "404"))
    report = report_of(store, stale_after=timedelta(days=30))
    assert [r.registry for r in report.registries] == ["pypi", "npm", "crates"]
    # pypi: 5 tracked; older than 30 days: b (40), c (100), e (50); d never succeeded;
    # the ages of the four successes are 10, 40, 50, 100: median (40 + 50) / 2 = 45 days.
    assert registry(report, "pypi").staleness == Staleness(5, 3, 1, ago(100), timedelta(days=45))
    # npm: ages 5, 7, 20: none stale, the median is the middle one, 7 days.
    assert registry(report, "npm").staleness == Staleness(3, 0, 0, ago(20), timedelta(days=7))
    assert registry(report, "crates").staleness == Staleness(1, 0, 1, None, None)
    # A registry only known from its syncs has no packages and no shares.
    assert registry(report, "npm").packages == 0
    assert {f.completeness for f in registry(report, "npm").fields} == {None}
    # With 45 days, only c (100) and e (50) are stale.
    assert registry(report_of(store, stale_after=timedelta(days=45)), "pypi").staleness.stale == 2


def test_top_unmapped_licence_strings(store: Store) -> None:
    bsd = lic(None, "BSD", "ambiguous")
    custom = lic(None, "Custom", "unknown")
    seed(
        store,
        package(PYPI, "p1", license=bsd, versions=[version("1", bsd), version("2", bsd)]),
        package(PYPI, "p2", license=bsd),
        package(PYPI, "p3", license=custom, versions=[version("1", custom)]),
        package(PYPI, "p4", license=exact("MIT"),
                versions=[version("1", lic(None, "Proprietary-ish", "unknown"))]),
        package(PYPI, "p5", license=lic(None, "  ", "unknown")),  # blank: nothing to map
        package(NPM, "n1", license=bsd),
    )  # fmt: skip
    report = report_of(store, top=2)
    pypi = registry(report, "pypi")
    # BSD: packages p1, p2 + versions p1/1, p1/2 = 4; Custom: p3 + p3/1 = 2;
    # Proprietary-ish: p4/1 = 1 (cut by top=2); MIT is exact and not listed.
    assert pypi.unmapped_distinct == 3
    assert pypi.unmapped == (UnmappedLicense("BSD", 2, 2), UnmappedLicense("Custom", 1, 1))
    npm = registry(report, "npm")
    assert (npm.unmapped_distinct, npm.unmapped) == (1, (UnmappedLicense("BSD", 1, 0),))


def test_failed_fetches(store: Store) -> None:
    with store.engine.begin() as connection:
        record_outcome(connection, "pypi", "a", None, NOW - timedelta(hours=3), ("http", "500"))
        record_outcome(connection, "pypi", "b", None, NOW - timedelta(hours=1), ("http", "502"))
        record_outcome(connection, "pypi", "c", None, NOW - timedelta(hours=2), ("parse", "bad"))
        record_outcome(connection, "pypi", "d", "pkg:pypi/d", NOW)  # success: not a failure
        record_outcome(connection, "npm", "e", None, NOW, ("not_found", "404 [gone]"))
    report = report_of(store, failure_limit=2)
    pypi = registry(report, "pypi")
    assert pypi.failures_by_kind == (("http", 2), ("parse", 1))
    assert pypi.failures_total == 3
    # newest first, two kept: b (1 h ago), c (2 h ago)
    assert [(f.name, f.kind, f.message) for f in pypi.failures] == [
        ("b", "http", "502"),
        ("c", "parse", "bad"),
    ]
    assert pypi.failures[0].attempted_at == NOW - timedelta(hours=1)
    npm = registry(report, "npm")
    assert (npm.failures_by_kind, npm.failures[0].message) == ((("not_found", 1),), "404 [gone]")


# --------------------------------------------------------------------------- formats

HOSTILE = "<script>alert('x')</script> & \"GPL\" <img src=x onerror=alert(1)>"


def test_html_escapes_every_value_and_loads_nothing(store: Store) -> None:
    hostile = lic(None, HOSTILE, "unknown")
    seed(store, package(PYPI, "evil", license=hostile, versions=[version("1", hostile)]))
    with store.engine.begin() as connection:
        record_outcome(connection, "pypi", "<b>bad</b>", None, NOW, ("http", "<i>500</i>"))
    out = io.StringIO()
    write_quality(report_of(store), "html", out)
    page = out.getvalue()
    assert page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>")
    assert html.escape(HOSTILE) in page
    assert "&lt;b&gt;bad&lt;/b&gt;" in page and "&lt;i&gt;500&lt;/i&gt;" in page
    for raw in ("<script", "<img", "<b>bad", "<i>500", "onerror=alert(1)>"):
        assert raw not in page
    in_page = re.sub(r'href="#[a-z-]+"', "", page)  # the summary's links to its sections
    for loader in ("src=", "href=", "<link", "@import", "url("):
        assert loader not in in_page.replace(html.escape(HOSTILE), "")
    assert "default-src 'none'" in page


def test_json_shape(store: Store) -> None:
    seed(
        store,
        package(PYPI, "alpha", license=exact("MIT"), repository="github.com/acme/alpha",
                versions=[version("1.0", lic(None, HOSTILE, "unknown"))]),
        package(NPM, "alpha-js", license=exact("ISC"), repository="github.com/acme/alpha"),
    )  # fmt: skip
    with store.engine.begin() as connection:
        record_outcome(connection, "pypi", "alpha", "pkg:pypi/alpha", ago(3))
        record_outcome(connection, "pypi", "broken", None, NOW, ("http", "HTTP 500"))
    out = io.StringIO()
    write_quality(report_of(store), "json", out)
    document = json.loads(out.getvalue())
    assert list(document) == [
        "schema",
        "generated_at",
        "stale_after_days",
        "registries",
        "conflicts",
        "gharchive_months",
    ]
    assert document["schema"] == SCHEMA == "ossmeta.quality/1"
    assert (document["generated_at"], document["stale_after_days"]) == ("2026-03-01T12:00:00Z", 30)
    pypi = document["registries"][0]
    assert list(pypi) == [
        "registry", "packages", "versions", "fields", "curations", "version_licenses",
        "staleness", "unmapped_licenses", "failures",
    ]  # fmt: skip
    assert [(f["level"], f["field"]) for f in pypi["fields"]] == [
        ("package", "license"), ("package", "repository"), ("package", "homepage"),
        ("package", "description"), ("package", "maintainers"), ("version", "license"),
        ("version", "published"), ("version", "files"), ("version", "dependencies"),
    ]  # fmt: skip
    assert pypi["fields"][0] == {
        "level": "package", "field": "license", "total": 1, "present": 1,
        "high_confidence": 1, "completeness": 1.0, "high_confidence_share": 1.0,
    }  # fmt: skip
    # homepage: total 1, present 0: completeness 0, share undefined
    homepage = pypi["fields"][2]
    assert (homepage["completeness"], homepage["high_confidence_share"]) == (0.0, None)
    assert pypi["staleness"] == {
        "tracked": 2, "stale": 0, "never_succeeded": 1,
        "oldest_success": "2026-02-26T12:00:00Z", "median_age_days": 3.0,
    }  # fmt: skip
    assert pypi["unmapped_licenses"] == {
        "distinct": 1,
        "top": [{"raw": HOSTILE, "packages": 0, "versions": 1, "total": 1}],
    }
    assert pypi["failures"] == {
        "total": 1,
        "by_kind": [{"kind": "http", "count": 1}],
        "list": [
            {"name": "broken", "kind": "http", "message": "HTTP 500",
             "attempted_at": "2026-03-01T12:00:00Z"}
        ],
    }  # fmt: skip
    assert list(document["conflicts"]) == ["curations", "repository_licenses", "version_licenses"]
    assert document["conflicts"]["repository_licenses"] == {
        "total": 1,
        "top": [
            {
                "repository": "github.com/acme/alpha",
                "sides": [
                    {"registry": "pypi", "purl": "pkg:pypi/alpha", "license": "MIT"},
                    {"registry": "npm", "purl": "pkg:npm/alpha-js", "license": "ISC"},
                ],
            }
        ],
    }


def test_table_shows_the_sections_without_markup(store: Store) -> None:
    seed(store, package(PYPI, "alpha", license=lic(None, "[bold]BSD[/bold]", "ambiguous")))
    out = io.StringIO()
    write_quality(report_of(store), "table", out)
    text = out.getvalue()
    assert "Completeness and confidence" in text and "Unmapped licence strings" in text
    assert "[bold]BSD[/bold]" in text  # brackets are text, not Rich markup
    assert "\x1b[" not in text  # no colour into a non-terminal stream
