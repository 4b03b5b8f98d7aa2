"""CycloneDX 1.6 VDR: schema-valid, one vulnerability per alias group with every affected
component, ratings, sources, and the ignored findings' analysis."""

from __future__ import annotations

import io
import json
from dataclasses import replace
from typing import Any

import pytest
from cyclonedx.model.bom import Bom
from cyclonedx.model.vulnerability import VulnerabilityScoreSource
from cyclonedx.schema import SchemaVersion
from cyclonedx.validation.json import JsonStrictValidator

from ossmeta import __version__
from ossmeta.model import ScanReport, Severity, SeverityLevel
from ossmeta.surfaces.formats import write_report
from ossmeta.surfaces.formats.cyclonedx import rating
from tests.surfaces.formats import reports as R


def render_text(report: ScanReport) -> str:
    out = io.StringIO()
    write_report(report, "cyclonedx", out)
    return out.getvalue()


def render(report: ScanReport) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(render_text(report))
    return data


def vulns(data: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {v["bom-ref"]: v for v in data["vulnerabilities"]}


@pytest.fixture(autouse=True)
def _fixed_time(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")


@pytest.fixture(scope="module")
def validator() -> JsonStrictValidator:
    # Importing the validator builds rfc3987-syntax's Earley parser: about 5 s here.
    return JsonStrictValidator(SchemaVersion.V1_6)


@pytest.mark.slow
@pytest.mark.parametrize(
    "report", [R.REPORT, R.EMPTY, R.generated(40, 4)], ids=["fixture", "empty", "generated"]
)
def test_validates_against_1_6_schema(report: ScanReport, validator: JsonStrictValidator) -> None:
    errors = validator.validate_str(render_text(report), all_errors=True)
    assert errors is None, [str(e)[:300] for e in errors]


def test_library_reads_it_back() -> None:
    bom = Bom.from_json(render(R.REPORT))  # type: ignore[attr-defined]
    assert len(bom.components) == 7
    got = {(v.id, tuple(sorted(t.ref for t in v.affects))) for v in bom.vulnerabilities}
    assert ("GHSA-p6mc-m468-83gw", ("pkg:npm/lodash@4.17.11", "pkg:npm/lodash@4.17.15")) in got


def test_header_and_determinism() -> None:
    text = render_text(R.REPORT)
    assert text == render_text(R.REPORT)
    data = json.loads(text)
    assert list(data)[:5] == ["$schema", "bomFormat", "specVersion", "serialNumber", "version"]
    assert (data["bomFormat"], data["specVersion"], data["version"]) == ("CycloneDX", "1.6", 1)
    assert data["serialNumber"].startswith("urn:uuid:")
    assert data["metadata"] == {
        "timestamp": "2023-11-14T22:13:20Z",
        "tools": {"components": [{"type": "application", "name": "ossmeta",
                                  "version": __version__}]},
    }  # fmt: skip
    assert "dependencies" not in data  # the scan does not know the graph


def test_components() -> None:
    comps = render(R.REPORT)["components"]
    refs = [c["bom-ref"] for c in comps]
    assert refs[:6] == [
        "pkg:pypi/django@3.2", "pkg:npm/lodash@4.17.15", "pkg:npm/lodash@4.17.11",
        "pkg:pypi/requests@2.31.0", "pkg:pypi/weird@1.0-custom%21", "pkg:pypi/flask",
    ]  # fmt: skip
    assert refs[6].startswith("ossmeta:unidentified:")
    assert len(set(refs)) == 7
    assert comps[0] == {
        "type": "library",
        "bom-ref": "pkg:pypi/django@3.2",
        "name": "django",
        "version": "3.2",
        "purl": "pkg:pypi/django@3.2",
        "properties": [
            {"name": "ossmeta:status", "value": "ok"},
            {"name": "ossmeta:direct", "value": "true"},
        ],
        "evidence": {"occurrences": [
            {"location": "requirements.txt", "line": 4},
            {"location": "poetry.lock", "line": 88},
        ]},
    }  # fmt: skip
    flask, libfoo = comps[5], comps[6]
    assert "version" not in flask
    assert {"name": "ossmeta:requirement", "value": ">=2.0"} in flask["properties"]
    assert "purl" not in libfoo
    assert libfoo["evidence"] == {
        "occurrences": [{"location": "vendor/bom.json", "additionalContext": "$.components[3]"}]
    }
    assert {"name": "ossmeta:scope", "value": "dev"} in comps[1]["properties"]


def test_stable_ref_for_purl_less_component() -> None:
    ref = render(R.REPORT)["components"][6]["bom-ref"]
    assert ref == render(ScanReport((R.LIBFOO,), ()))["components"][0]["bom-ref"]
    twin = render(ScanReport((R.DJANGO, R.DJANGO), ()))["components"]
    assert [c["bom-ref"] for c in twin] == ["pkg:pypi/django@3.2", "pkg:pypi/django@3.2#2"]


def test_one_vulnerability_per_group_affecting_every_component() -> None:
    data = render(R.REPORT)
    refs = {c["bom-ref"] for c in data["components"]}
    by_ref = vulns(data)
    assert sorted(by_ref) == [
        "vulnerability:GHSA-29mw-wpgm-hmr9#ignored",
        "vulnerability:GHSA-low0-0000-0000",
        "vulnerability:GHSA-p6mc-m468-83gw",
        "vulnerability:GHSA-x5rq-j2xg-h7qm",
        "vulnerability:PYSEC-2020-77",
        "vulnerability:PYSEC-2021-98",
        "vulnerability:PYSEC-2022-190",
    ]
    for v in data["vulnerabilities"]:
        for target in v["affects"]:
            assert target["ref"] in refs
    assert by_ref["vulnerability:GHSA-p6mc-m468-83gw"]["affects"] == [
        {"ref": "pkg:npm/lodash@4.17.15",
         "versions": [{"version": "4.17.15", "status": "affected"}]},
        {"ref": "pkg:npm/lodash@4.17.11",
         "versions": [{"version": "4.17.11", "status": "affected"}]},
    ]  # fmt: skip
    assert by_ref["vulnerability:PYSEC-2020-77"]["affects"][0]["versions"] == [
        {"version": "1.0-custom!", "status": "unknown"}
    ]


def test_vulnerability_fields() -> None:
    django = vulns(render(R.REPORT))["vulnerability:PYSEC-2021-98"]
    assert django == {
        "bom-ref": "vulnerability:PYSEC-2021-98",
        "id": "PYSEC-2021-98",
        "source": {"name": "OSV", "url": "https://osv.dev/vulnerability/PYSEC-2021-98"},
        "references": [
            {"id": "CVE-2021-33203", "source": {
                "name": "NVD", "url": "https://nvd.nist.gov/vuln/detail/CVE-2021-33203"}},
            {"id": "GHSA-68w8-qjq3-2gfm", "source": {
                "name": "GitHub Advisories",
                "url": "https://github.com/advisories/GHSA-68w8-qjq3-2gfm"}},
        ],
        "ratings": [{
            "source": {"name": "GitHub Advisories",
                       "url": "https://github.com/advisories/GHSA-68w8-qjq3-2gfm"},
            "score": 7.5,
            "severity": "high",
            "method": "CVSSv31",
            "vector": "AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H",
        }],
        "description": "Potential directory traversal via admindocs",
        "recommendation": "Upgrade django 3.2 to 3.2.25.",
        "advisories": [{"url": "https://osv.dev/vulnerability/PYSEC-2021-98"}],
        "affects": [{"ref": "pkg:pypi/django@3.2",
                     "versions": [{"version": "3.2", "status": "affected"}]}],
    }  # fmt: skip
    assert isinstance(django["ratings"][0]["score"], float)  # a number, not a string
    by_ref = vulns(render(R.REPORT))
    ghsa = by_ref["vulnerability:GHSA-p6mc-m468-83gw"]
    assert ghsa["source"]["name"] == "GitHub Advisories"
    assert ghsa["recommendation"] == (
        "Upgrade lodash 4.17.15 to 4.17.21. Fixed versions of lodash: 4.17.19."
    )
    assert "ratings" not in by_ref["vulnerability:GHSA-x5rq-j2xg-h7qm"]
    assert "references" not in by_ref["vulnerability:GHSA-x5rq-j2xg-h7qm"]
    assert by_ref["vulnerability:GHSA-low0-0000-0000"]["ratings"][0]["method"] == "CVSSv4"
    assert "analysis" not in ghsa


def test_ignored_findings_have_analysis() -> None:
    ignored = vulns(render(R.REPORT))["vulnerability:GHSA-29mw-wpgm-hmr9#ignored"]
    assert ignored["id"] == "GHSA-29mw-wpgm-hmr9"
    assert ignored["analysis"] == {
        "detail": "Ignored: ReDoS needs untrusted input; we trim first (expires 2099-12-31) "
        "[ossmeta.toml:2]"
    }


@pytest.mark.parametrize(
    "vector",
    [
        "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
        "CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
        "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N",
        "CVSS:2.0/AV:N/AC:L/Au:N/C:P/I:P/A:P",
        "AV:N/AC:L/Au:N/C:P/I:P/A:P",
    ],
)
def test_method_and_vector_as_the_library_writes_them(vector: str) -> None:
    got = rating(Severity(SeverityLevel.HIGH, 8.1, vector, "CVSS_V3"))
    assert got is not None
    method = VulnerabilityScoreSource.get_from_vector(vector)
    assert got["method"] == method.value
    assert got["vector"] == method.get_localised_vector(vector)


def test_rating_without_vector_or_anything() -> None:
    assert rating(Severity(SeverityLevel.UNKNOWN)) is None
    assert rating(Severity(SeverityLevel.MEDIUM, None, None, "database")) == {
        "severity": "medium",
        "method": "other",
    }
    assert rating(Severity(SeverityLevel.HIGH, float("nan"), None)) == {
        "severity": "high",
        "method": "other",
    }


def test_mixed_ignore_state_splits_entries() -> None:
    # the same group ignored on one component only: the ignored one gets its own entry
    other = replace(R.LODASH_OLD, findings=(R.LODASH_OLD_ZIP,))
    silenced = replace(R.LODASH_ZIP, ignored_by=R.USED_RULE)
    lodash = replace(R.LODASH, findings=(), ignored=(silenced,))
    by_ref = vulns(render(ScanReport((lodash, other), ())))
    assert [t["ref"] for t in by_ref["vulnerability:GHSA-p6mc-m468-83gw"]["affects"]] == [
        "pkg:npm/lodash@4.17.11"
    ]
    assert [t["ref"] for t in by_ref["vulnerability:GHSA-p6mc-m468-83gw#ignored"]["affects"]] == [
        "pkg:npm/lodash@4.17.15"
    ]
