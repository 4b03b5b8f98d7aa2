"""The VEX exports built from a report and the decisions in force: components of one alias
group with different decisions become separate CycloneDX entries, justifications are
written in each format's vocabulary, the documents are schema-valid, cyclonedx-python-lib
reads them back, and reading them with the VEX reader gives the decisions back."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from cyclonedx.model.bom import Bom
from cyclonedx.schema import SchemaVersion
from cyclonedx.validation.json import JsonStrictValidator
from jsonschema import Draft202012Validator

from ossmeta.normalizers.vex import parse_vex
from ossmeta.service.decisions import Applied, StoredDecision
from ossmeta.surfaces.formats.openvex import openvex
from ossmeta.surfaces.formats.vex import cyclonedx_vex, vdr
from tests.helpers import DATA
from tests.surfaces.formats import reports as R

ZIP = "GHSA-p6mc-m468-83gw"
AT = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)


def _decision(n: int, state: str, justification: str | None, comment: str) -> StoredDecision:
    return StoredDecision(
        n, 1, 1, "pkg:npm/lodash", "4.17.15", ZIP, (ZIP, "CVE-2020-8203"),
        state, justification, comment, False, "token:1:alice", AT,
    )  # fmt: skip


# LODASH (position 1) and LODASH_OLD (position 2) share GHSA-p6mc-m468-83gw; WEIRD (4)
# has an unknown-verdict finding.
APPLIED = Applied(
    {
        (1, ZIP): _decision(1, "not_affected", "vulnerable_code_not_in_execute_path", "dead"),
        (2, ZIP): _decision(2, "exploitable", None, ""),
        (4, "PYSEC-2020-77"): _decision(3, "false_positive", None, "not our weird"),
        (2, "GHSA-low0-0000-0000"): _decision(4, "not_affected", "requires_environment", ""),
    }
)


@pytest.fixture(autouse=True)
def _fixed_time(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")


def test_cyclonedx_splits_a_group_by_decision() -> None:
    document = cyclonedx_vex(R.REPORT, APPLIED, "shop", "1.0")
    entries = {v["bom-ref"]: v for v in document["vulnerabilities"] if v["id"] == ZIP}
    assert set(entries) == {f"vulnerability:{ZIP}", f"vulnerability:{ZIP}#2"}
    first, second = entries[f"vulnerability:{ZIP}"], entries[f"vulnerability:{ZIP}#2"]
    assert first["affects"] == [
        {
            "ref": "pkg:npm/lodash@4.17.15",
            "versions": [{"version": "4.17.15", "status": "affected"}],
        }
    ]
    assert first["analysis"] == {
        "state": "not_affected",
        "justification": "code_not_reachable",  # the OpenVEX justification, in CycloneDX words
        "detail": "dead",
        "lastUpdated": "2024-05-01T12:00:00Z",
    }
    assert second["affects"][0]["ref"] == "pkg:npm/lodash@4.17.11"
    assert second["analysis"]["state"] == "exploitable"
    assert document["metadata"]["component"]["name"] == "shop"
    undecided = [v for v in document["vulnerabilities"] if "analysis" not in v]
    assert {v["id"] for v in undecided} == {
        "PYSEC-2021-98",
        "PYSEC-2022-190",
        "GHSA-x5rq-j2xg-h7qm",
    }
    vex_only = cyclonedx_vex(R.REPORT, APPLIED, "shop", "1.0", vex_only=True)
    assert all("analysis" in v for v in vex_only["vulnerabilities"])
    assert len(vex_only["vulnerabilities"]) == 4
    assert not any(v["bom-ref"].endswith("#ignored") for v in document["vulnerabilities"])


def test_vdr_lists_fixed_versions_and_no_analysis() -> None:
    document = vdr(R.REPORT, "shop", "1.0")
    django = next(v for v in document["vulnerabilities"] if v["id"] == "PYSEC-2022-190")
    assert django["affects"][0]["versions"] == [
        {"version": "3.2", "status": "affected"},
        {"version": "3.2.14", "status": "unaffected"},
        {"version": "4.0.6", "status": "unaffected"},
    ]
    assert all("analysis" not in v for v in document["vulnerabilities"])


def test_openvex_statements() -> None:
    document = openvex(R.REPORT, APPLIED, "shop", "1.0")
    got = {(s["vulnerability"]["name"], s["products"][0]["@id"]): s for s in document["statements"]}
    assert len(got) == 4
    dead = got[(ZIP, "pkg:npm/lodash@4.17.15")]
    assert (dead["status"], dead["justification"]) == (
        "not_affected",
        "vulnerable_code_not_in_execute_path",
    )
    assert got[(ZIP, "pkg:npm/lodash@4.17.11")]["action_statement"]
    weird = got[("PYSEC-2020-77", "pkg:pypi/weird@1.0-custom%21")]
    assert weird["status"] == "not_affected"
    assert weird["impact_statement"] == "False positive: not our weird"
    low = got[("GHSA-low0-0000-0000", "pkg:npm/lodash@4.17.11")]
    assert low["justification"] == "vulnerable_code_cannot_be_controlled_by_adversary"
    assert document["timestamp"] == "2024-05-01T12:00:00Z"
    again = openvex(R.REPORT, APPLIED, "shop", "1.0")
    assert again["@id"] == document["@id"]
    assert openvex(R.REPORT, APPLIED, "shop", "2.0")["@id"] != document["@id"]


def test_openvex_is_valid_against_the_schema() -> None:
    schema = json.loads((DATA / "openvex" / "openvex-0.2.0.schema.json").read_text())
    validator = Draft202012Validator(schema)
    Draft202012Validator.check_schema(schema)
    document = openvex(R.REPORT, APPLIED, "shop", "1.0")
    assert [e.message for e in validator.iter_errors(document)] == []
    broken = json.loads(json.dumps(document))
    del broken["statements"][1]["action_statement"]  # an affected statement needs one
    broken["statements"][0]["status"] = "wontfix"
    assert len(list(validator.iter_errors(broken))) >= 2


@pytest.mark.slow
def test_cyclonedx_documents_are_schema_valid_and_read_back() -> None:
    validator = JsonStrictValidator(SchemaVersion.V1_6)
    for document in (
        cyclonedx_vex(R.REPORT, APPLIED, "shop", "1.0"),
        cyclonedx_vex(R.REPORT, APPLIED, "shop", "1.0", vex_only=True),
        vdr(R.REPORT, "shop", "1.0"),
        cyclonedx_vex(R.generated(40, 4), Applied({}), "shop", "1.0"),
    ):
        errors = validator.validate_str(json.dumps(document), all_errors=True)
        assert errors is None, [str(e)[:300] for e in errors]
        bom = Bom.from_json(document)  # type: ignore[attr-defined]
        assert len(bom.vulnerabilities) == len(document["vulnerabilities"])


def test_the_reader_gives_the_decisions_back() -> None:
    expected = {
        ("pkg:npm/lodash@4.17.15", ZIP, "not_affected"),
        ("pkg:npm/lodash@4.17.11", ZIP, "exploitable"),
        ("pkg:pypi/weird@1.0-custom%21", "PYSEC-2020-77", "false_positive"),
        ("pkg:npm/lodash@4.17.11", "GHSA-low0-0000-0000", "not_affected"),
    }
    cdx = parse_vex(json.dumps(cyclonedx_vex(R.REPORT, APPLIED, "shop", "1.0")).encode())
    assert {(s.target, s.vulnerability, s.state) for s in cdx.statements} == expected
    assert [p.reason for p in cdx.problems] == [
        "no analysis.state: the entry states nothing to apply"
    ] * 3
    ovx = parse_vex(json.dumps(openvex(R.REPORT, APPLIED, "shop", "1.0")).encode())
    lossy = {(t, v, "not_affected" if s == "false_positive" else s) for t, v, s in expected}
    assert {(s.target, s.vulnerability, s.state) for s in ovx.statements} == lossy
    assert ovx.problems == ()
