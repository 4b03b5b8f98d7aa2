"""ScanReports built by hand for the format tests, and a generated large one.

The hand-made report covers every kind of row a writer must show: a component with two
alias groups, a group that affects two components, unknown severity, an unknown verdict,
an unresolved requirement, an unidentified SBOM entry, an ignored finding, an expired and
an unused ignore entry, locations with lines and with JSON paths, markup-like and non-ASCII
text.
"""

from __future__ import annotations

from datetime import date

from ossmeta.model import (
    UNKNOWN_SEVERITY,
    Component,
    ComponentReport,
    ComponentStatus,
    Finding,
    IgnoreRule,
    Location,
    ScanReport,
    Severity,
    SeverityLevel,
    Verdict,
)

V31_HIGH = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H"
V31_CRIT = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"
V31_LODASH = "CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:H/A:H"
V31_MEDIUM = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:L"
V40_LOW = "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:P/VC:N/VI:N/VA:L/SC:N/SI:N/SA:N"

REQS = "requirements.txt"
LOCK = "web/package-lock.json"
YARN = "legacy/yarn.lock"
BOM = "vendor/bom.json"
IGNORE_FILE = "ossmeta.toml"

USED_RULE = IgnoreRule(
    "CVE-2020-28500", "ReDoS needs untrusted input; we trim first", date(2099, 12, 31),
    Location(IGNORE_FILE, 2),
)  # fmt: skip
EXPIRED_RULE = IgnoreRule(
    "PYSEC-2019-1", "waiting for upstream", date(2020, 1, 31), Location(IGNORE_FILE, 7)
)
UNUSED_RULE = IgnoreRule("GHSA-aaaa-bbbb-cccc", "old exception", None, Location(IGNORE_FILE, 12))

DJANGO_98 = Finding(
    id="PYSEC-2021-98",
    aliases=("CVE-2021-33203", "GHSA-68w8-qjq3-2gfm"),
    verdict=Verdict.AFFECTED,
    severity=Severity(SeverityLevel.HIGH, 7.5, V31_HIGH, "CVSS_V3", "GHSA-68w8-qjq3-2gfm"),
    fixed=("2.2.24", "3.1.12", "3.2.4"),
    summary="Potential directory traversal via admindocs",
    reason="3.2 in ECOSYSTEM range [3.2, 3.2.4)",
    records=("PYSEC-2021-98", "GHSA-68w8-qjq3-2gfm"),
)
DJANGO_190 = Finding(
    id="PYSEC-2022-190",
    aliases=("CVE-2022-34265",),
    verdict=Verdict.AFFECTED,
    severity=Severity(SeverityLevel.CRITICAL, 9.8, V31_CRIT, "CVSS_V3"),
    fixed=("3.2.14", "4.0.6"),
    summary="SQL injection in Trunc() and Extract() — «kind» parameter",
    reason="3.2 in ECOSYSTEM range [3.0, 3.2.14)",
    records=("PYSEC-2022-190",),
)
LODASH_ZIP = Finding(
    id="GHSA-p6mc-m468-83gw",
    aliases=("CVE-2020-8203",),
    verdict=Verdict.AFFECTED,
    severity=Severity(SeverityLevel.HIGH, 7.4, V31_LODASH, "CVSS_V3"),
    fixed=("4.17.19",),
    summary="Prototype pollution in [zipObjectDeep]",
    reason="4.17.15 in SEMVER range [3.7.0, 4.17.19)",
    records=("GHSA-p6mc-m468-83gw",),
)
LODASH_REDOS = Finding(
    id="GHSA-29mw-wpgm-hmr9",
    aliases=("CVE-2020-28500",),
    verdict=Verdict.AFFECTED,
    severity=Severity(SeverityLevel.MEDIUM, 5.3, V31_MEDIUM, "CVSS_V3"),
    fixed=("4.17.21",),
    summary="Regular Expression Denial of Service (ReDoS) in lodash",
    reason="4.17.15 in SEMVER range [4.0.0, 4.17.21)",
    records=("GHSA-29mw-wpgm-hmr9",),
    ignored_by=USED_RULE,
)
LODASH_OLD_ZIP = Finding(
    id="GHSA-p6mc-m468-83gw",
    aliases=("CVE-2020-8203",),
    verdict=Verdict.AFFECTED,
    severity=Severity(SeverityLevel.HIGH, 7.4, V31_LODASH, "CVSS_V3"),
    fixed=("4.17.19",),
    summary="Prototype pollution in [zipObjectDeep]",
    reason="4.17.11 in SEMVER range [3.7.0, 4.17.19)",
    records=("GHSA-p6mc-m468-83gw",),
)
LODASH_OLD_NOSEV = Finding(
    id="GHSA-x5rq-j2xg-h7qm",
    aliases=(),
    verdict=Verdict.AFFECTED,
    severity=UNKNOWN_SEVERITY,
    fixed=(),
    summary="Advisory without a rating",
    reason="4.17.11 in SEMVER range [0, 4.17.12)",
    records=("GHSA-x5rq-j2xg-h7qm",),
)
LODASH_OLD_LOW = Finding(
    id="GHSA-low0-0000-0000",
    aliases=("CVE-2099-0001",),
    verdict=Verdict.AFFECTED,
    severity=Severity(SeverityLevel.LOW, 2.1, V40_LOW, "CVSS_V4"),
    fixed=("4.17.12",),
    summary="Low-impact issue",
    reason="4.17.11 in SEMVER range [0, 4.17.12)",
    records=("GHSA-low0-0000-0000",),
)
WEIRD_UNKNOWN = Finding(
    id="PYSEC-2020-77",
    aliases=("CVE-2020-0077",),
    verdict=Verdict.UNKNOWN,
    severity=Severity(SeverityLevel.MEDIUM, 6.1, None, "database"),
    fixed=("1.5",),
    summary="Cross-site scripting",
    reason="'1.0-custom!' is not a valid PEP 440 version",
    records=("PYSEC-2020-77",),
)

DJANGO = ComponentReport(
    Component(
        purl="pkg:pypi/django@3.2", ecosystem="PyPI", name="django", version="3.2",
        status=ComponentStatus.OK, locations=(Location(REQS, 4), Location("poetry.lock", 88)),
        direct=True,
    ),
    findings=(DJANGO_98, DJANGO_190),
    upgrade="3.2.25",
)  # fmt: skip
LODASH = ComponentReport(
    Component(
        purl="pkg:npm/lodash@4.17.15", ecosystem="npm", name="lodash", version="4.17.15",
        status=ComponentStatus.OK,
        locations=(Location(LOCK, pointer='$.packages["node_modules/lodash"]'),),
        direct=False, scopes=("dev",),
    ),
    findings=(LODASH_ZIP,),
    ignored=(LODASH_REDOS,),
    upgrade="4.17.21",
)  # fmt: skip
LODASH_OLD = ComponentReport(
    Component(
        purl="pkg:npm/lodash@4.17.11", ecosystem="npm", name="lodash", version="4.17.11",
        status=ComponentStatus.OK, locations=(Location(YARN, 20),),
    ),
    findings=(LODASH_OLD_ZIP, LODASH_OLD_NOSEV, LODASH_OLD_LOW),
    upgrade=None,
    upgrade_note="no release clears GHSA-x5rq-j2xg-h7qm",
)  # fmt: skip
REQUESTS = ComponentReport(
    Component(
        purl="pkg:pypi/requests@2.31.0", ecosystem="PyPI", name="requests", version="2.31.0",
        status=ComponentStatus.OK, locations=(Location(REQS, 5),), direct=True,
    ),
    findings=(),
)  # fmt: skip
WEIRD = ComponentReport(
    Component(
        purl="pkg:pypi/weird@1.0-custom%21", ecosystem="PyPI", name="weird",
        version="1.0-custom!", status=ComponentStatus.UNKNOWN, locations=(Location(REQS, 6),),
    ),
    findings=(),
    unknown=(WEIRD_UNKNOWN,),
)  # fmt: skip
FLASK = ComponentReport(
    Component(
        purl="pkg:pypi/flask", ecosystem="PyPI", name="flask", version=None,
        status=ComponentStatus.UNRESOLVED, locations=(Location(REQS, 7),),
        direct=True, requirement=">=2.0",
    ),
    findings=(),
)  # fmt: skip
LIBFOO = ComponentReport(
    Component(
        purl=None, ecosystem=None, name="libfoo", version="1.2",
        status=ComponentStatus.UNIDENTIFIED,
        locations=(Location(BOM, pointer="$.components[3]"),),
    ),
    findings=(),
)  # fmt: skip

REPORT = ScanReport(
    components=(DJANGO, LODASH, LODASH_OLD, REQUESTS, WEIRD, FLASK, LIBFOO),
    inputs=(REQS, "poetry.lock", LOCK, YARN, BOM),
    expired_ignores=(EXPIRED_RULE,),
    unused_ignores=(UNUSED_RULE,),
    notes=("weird: version not parseable",),
)

EMPTY = ScanReport(components=(), inputs=())


def generated(n: int = 10_000, vulnerable_every: int = 20) -> ScanReport:
    """``n`` PyPI/npm components; every ``vulnerable_every``-th has two findings."""
    reports = []
    for i in range(n):
        eco, typ, where = ("PyPI", "pypi", REQS) if i % 2 else ("npm", "npm", LOCK)
        name, version = f"pkg-{i}", f"1.{i % 50}.{i % 7}"
        loc = Location(where, i + 1) if i % 2 else Location(where, pointer=f"$.packages[{i}]")
        findings: tuple[Finding, ...] = ()
        if i % vulnerable_every == 0:
            findings = (
                Finding(
                    f"GHSA-gen{i % 97:04d}-0000-0000", (f"CVE-2024-{i % 97:05d}",),
                    Verdict.AFFECTED,
                    Severity(SeverityLevel(i // vulnerable_every % 5), 2.0 + i % 8, V31_HIGH),
                    ("9.9.9",), f"Generated advisory {i % 97}", "in range", ("X",),
                ),
                Finding(
                    f"GHSA-gen{(i + 1) % 97:04d}-1111-1111", (), Verdict.AFFECTED,
                    UNKNOWN_SEVERITY, (), "Another", "in range", ("Y",),
                ),
            )  # fmt: skip
        reports.append(
            ComponentReport(
                Component(f"pkg:{typ}/{name}@{version}", eco, name, version,
                          ComponentStatus.OK, (loc,), direct=bool(i % 3)),
                findings=findings,
                upgrade="9.9.9" if findings else None,
            )
        )  # fmt: skip
    return ScanReport(components=tuple(reports), inputs=(REQS, LOCK))
