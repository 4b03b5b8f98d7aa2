"""The scan service over a real (SQLite) store: alias groups, chosen ids, severities, fixed
versions, upgrades, unknown verdicts and the ignore rules."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from ossmeta.analyses.scan import choose_id, scan
from ossmeta.model import (
    Component,
    ComponentStatus,
    DeclaredPackage,
    IgnoreRule,
    Location,
    ScanReport,
    SeverityLevel,
    Verdict,
)
from ossmeta.normalizers.components import normalize_components
from ossmeta.sources import osv
from ossmeta.store import Store, open_store
from ossmeta.store.advisories import AdvisoryImporter
from ossmeta.store.lookup import AdvisoryLookup

EXAMPLES = Path(__file__).parents[2] / "examples" / "advisories"
TODAY = date(2026, 11, 27)


def osv_record(rid: str, name: str, events: list[dict[str, str]], **extra: Any) -> dict[str, Any]:
    return {
        "id": rid,
        "modified": "2024-01-01T00:00:00Z",
        "summary": f"{rid} summary",
        "affected": [
            {
                "package": {"ecosystem": "PyPI", "name": name},
                "ranges": [{"type": "ECOSYSTEM", "events": events}],
            }
        ],
        **extra,
    }


EXTRA = [
    # two databases' records of one vulnerability: one finding, the PYSEC id chosen
    osv_record("GHSA-aaaa-bbbb-cccc", "demo-pkg", [{"introduced": "1.0"}, {"fixed": "1.4"}],
               aliases=["CVE-2030-1"], database_specific={"severity": "MODERATE"}),
    osv_record("PYSEC-2030-1", "demo-pkg", [{"introduced": "1.0"}, {"fixed": "1.5"}], aliases=["CVE-2030-1"]),
    # a second, unrelated one with a CVSS vector
    osv_record("PYSEC-2030-2", "demo-pkg", [{"introduced": "0"}, {"fixed": "1.3"}],
               severity=[{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}]),
    # a later one that makes 1.5 vulnerable again: the upgrade must skip it
    osv_record("PYSEC-2030-3", "demo-pkg", [{"introduced": "1.5"}, {"fixed": "1.5.1"}]),
    # withdrawn: never reported
    osv_record("PYSEC-2030-4", "demo-pkg", [{"introduced": "0"}], withdrawn="2024-02-01T00:00:00Z"),
    # affected forever: no upgrade exists
    osv_record("PYSEC-2030-5", "dead-pkg", [{"introduced": "0"}]),
]  # fmt: skip


@pytest.fixture(scope="module")
def lookup(tmp_path_factory: pytest.TempPathFactory) -> AdvisoryLookup:
    folder = tmp_path_factory.mktemp("advisories")
    for item in EXTRA:
        (folder / f"{item['id']}.json").write_text(json.dumps(item))
    store: Store = open_store(f"sqlite:///{folder / 'store.db'}")
    store.upgrade()
    files = osv.expand([str(EXAMPLES), str(folder)])
    AdvisoryImporter(store).run(osv.iter_records(files))
    return AdvisoryLookup(store)


def components(*specs: tuple[str, str, str | None]) -> list[Component]:
    return normalize_components(
        DeclaredPackage(
            eco,
            name,
            version,
            Location("requirements.txt", n + 1),
            requirement=None if version else ">=1",
        )
        for n, (eco, name, version) in enumerate(specs)
    )


def run(
    lookup: AdvisoryLookup,
    *specs: tuple[str, str, str | None],
    ignores: list[IgnoreRule] | None = None,
) -> ScanReport:
    return scan(components(*specs), lookup, ignores or [], today=TODAY)


def test_alias_group_gives_one_finding_with_the_native_id(lookup: AdvisoryLookup) -> None:
    report = run(lookup, ("PyPI", "Demo_Pkg", "1.2"))
    (component,) = report.components
    assert component.component.purl == "pkg:pypi/demo-pkg@1.2"
    ids = [f.id for f in component.findings]
    assert ids == ["PYSEC-2030-2", "PYSEC-2030-1"]  # critical first, then medium
    grouped = component.findings[1]
    assert grouped.aliases == ("CVE-2030-1", "GHSA-aaaa-bbbb-cccc")
    assert grouped.records == ("GHSA-aaaa-bbbb-cccc", "PYSEC-2030-1")
    assert grouped.fixed == ("1.4", "1.5")  # ecosystem order
    assert grouped.severity.level is SeverityLevel.MEDIUM  # the GHSA's database rating
    critical = component.findings[0]
    assert critical.severity.level is SeverityLevel.CRITICAL
    assert critical.severity.score == 9.8
    assert critical.severity.vector == "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"
    # 1.4 is still in PYSEC-2030-1, 1.5 in PYSEC-2030-3: the smallest clean version is 1.5.1
    assert component.upgrade == "1.5.1"
    assert all("PYSEC-2030-4" not in (f.id, *f.aliases) for f in component.findings)


def test_versions_between_ranges_are_clean(lookup: AdvisoryLookup) -> None:
    report = run(lookup, ("PyPI", "demo-pkg", "1.4.5"), ("PyPI", "demo-pkg", "1.6"))
    assert [f.id for f in report.components[0].findings] == ["PYSEC-2030-1"]  # 1.4 <= 1.4.5 < 1.5
    assert report.components[1].findings == ()


def test_no_upgrade_when_every_version_is_affected(lookup: AdvisoryLookup) -> None:
    (component,) = run(lookup, ("PyPI", "dead-pkg", "9.9")).components
    assert [f.id for f in component.findings] == ["PYSEC-2030-5"]
    assert component.upgrade is None
    assert component.upgrade_note == "the advisories name no fixed version above this one"


def test_real_records_django_and_npm(lookup: AdvisoryLookup) -> None:
    report = run(
        lookup,
        ("PyPI", "Django", "3.2"),
        ("npm", "lodash", "4.17.15"),
        ("npm", "minimist", "1.2.0"),
    )
    django, lodash, minimist = report.components
    django_ids = {f.id for f in django.findings}
    assert "PYSEC-2021-98" in django_ids
    assert not any(i.startswith(("CVE-", "GHSA-")) for i in django_ids)  # PYSEC chosen for PyPI
    finding = next(f for f in django.findings if f.id == "PYSEC-2021-98")
    assert "CVE-2021-33203" in finding.aliases
    assert "3.2.4" in finding.fixed
    requests = run(lookup, ("PyPI", "requests", "2.19.0")).components[0]
    # PYSEC-2018-28 also has a GIT range fixed at a commit: not an upgrade target
    assert next(f for f in requests.findings if f.id == "PYSEC-2018-28").fixed == ("2.20.0",)
    assert django.upgrade is not None
    assert [f.id for f in lodash.findings] == ["GHSA-35jh-r3h4-6jhm", "GHSA-p6mc-m468-83gw"]
    assert lodash.upgrade == "4.17.21"
    assert [f.id for f in minimist.findings] == ["GHSA-xvch-5gv4-984h"]
    assert minimist.findings[0].severity.level is SeverityLevel.CRITICAL
    assert minimist.upgrade == "1.2.6"


def test_unresolved_and_unknown_components(lookup: AdvisoryLookup) -> None:
    report = run(lookup, ("PyPI", "demo-pkg", None), ("PyPI", "demo-pkg", "not.a.version!"))
    statuses = {c.component.status for c in report.components}
    assert statuses == {ComponentStatus.UNRESOLVED, ComponentStatus.UNKNOWN}
    unknown = next(c for c in report.components if c.component.status is ComponentStatus.UNKNOWN)
    assert unknown.findings == ()
    assert {f.verdict for f in unknown.unknown} == {Verdict.UNKNOWN}
    assert "not a valid PyPI version" in unknown.unknown[0].reason


def rule(advisory_id: str, expires: date | None = date(2027, 1, 1)) -> IgnoreRule:
    return IgnoreRule(advisory_id, "accepted", expires, Location("ossmeta.toml", 2))


def test_ignore_applies_to_the_whole_alias_group(lookup: AdvisoryLookup) -> None:
    by_alias, expired, unused = (
        rule("cve-2030-1"),
        rule("PYSEC-2030-2", date(2020, 1, 1)),
        rule("GHSA-none"),
    )
    report = run(lookup, ("PyPI", "demo-pkg", "1.2"), ignores=[by_alias, expired, unused])
    (component,) = report.components
    assert [f.id for f in component.findings] == ["PYSEC-2030-2"]  # the expired rule is not applied
    assert [(f.id, f.ignored_by) for f in component.ignored] == [("PYSEC-2030-1", by_alias)]
    assert report.expired_ignores == (expired,)
    assert report.unused_ignores == (unused,)


@pytest.mark.parametrize(
    ("members", "ecosystem", "chosen"),
    [
        (("CVE-1", "GHSA-x", "PYSEC-1"), "PyPI", "PYSEC-1"),
        (("CVE-1", "GHSA-x", "PYSEC-1"), "npm", "GHSA-x"),
        (("CVE-1", "GO-2024-1", "GHSA-x"), "Go", "GO-2024-1"),
        (("CVE-1", "OSV-2"), "npm", "CVE-1"),
        (("CVE-1", "RUSTSEC-2024-1", "GHSA-x"), "crates.io", "RUSTSEC-2024-1"),
    ],
)
def test_choose_id(members: tuple[str, ...], ecosystem: str, chosen: str) -> None:
    assert choose_id(members, ecosystem) == chosen
