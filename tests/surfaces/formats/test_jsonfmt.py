"""The ``ossmeta.scan/1`` JSON contract, field by field."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from dataclasses import replace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ossmeta.errors import UsageError
from ossmeta.model import (
    Component,
    ComponentReport,
    ComponentStatus,
    IgnoreRule,
    Location,
    ScanReport,
)
from ossmeta.surfaces.formats import FORMATS, write_report
from ossmeta.surfaces.formats.jsonfmt import to_dict, write
from tests.surfaces.formats import reports as R


def render(report: ScanReport) -> str:
    out = io.StringIO()
    write_report(report, "json", out)
    return out.getvalue()


def doc() -> dict[str, object]:
    data: dict[str, object] = json.loads(render(R.REPORT))
    return data


def by_name_version(data: dict[str, object]) -> dict[tuple[str, str | None], dict[str, object]]:
    comps = data["components"]
    assert isinstance(comps, list)
    return {(c["name"], c["version"]): c for c in comps}


def test_registry_names() -> None:
    assert list(FORMATS) == ["table", "json", "sarif", "cyclonedx"]
    with pytest.raises(UsageError, match="unknown report format 'xml'"):
        write_report(R.REPORT, "xml", io.StringIO())


def test_top_level_keys_and_schema() -> None:
    data = doc()
    assert list(data) == ["schema", "components", "summary", "ignores", "inputs", "notes"]
    assert data["schema"] == "ossmeta.scan/1"
    assert data["inputs"] == list(R.REPORT.inputs)
    assert data["notes"] == ["weird: version not parseable"]


def test_every_component_listed_in_report_order() -> None:
    names = [(c["name"], c["version"], c["status"]) for c in doc()["components"]]  # type: ignore[attr-defined]
    assert names == [
        ("django", "3.2", "ok"),
        ("lodash", "4.17.15", "ok"),
        ("lodash", "4.17.11", "ok"),
        ("requests", "2.31.0", "ok"),
        ("weird", "1.0-custom!", "unknown"),
        ("flask", None, "unresolved"),
        ("libfoo", "1.2", "unidentified"),
    ]


def test_vulnerable_component_exactly() -> None:
    django = by_name_version(doc())[("django", "3.2")]
    assert django == {
        "purl": "pkg:pypi/django@3.2",
        "ecosystem": "PyPI",
        "name": "django",
        "version": "3.2",
        "locations": ["requirements.txt:4", "poetry.lock:88"],
        "status": "ok",
        "vulnerabilities": [
            {
                "id": "PYSEC-2021-98",
                "aliases": ["CVE-2021-33203", "GHSA-68w8-qjq3-2gfm"],
                "severity": "high",
                "fixed": ["2.2.24", "3.1.12", "3.2.4"],
                "summary": "Potential directory traversal via admindocs",
                "score": 7.5,
                "vector": R.V31_HIGH,
                "reason": "3.2 in ECOSYSTEM range [3.2, 3.2.4)",
                "records": ["PYSEC-2021-98", "GHSA-68w8-qjq3-2gfm"],
            },
            {
                "id": "PYSEC-2022-190",
                "aliases": ["CVE-2022-34265"],
                "severity": "critical",
                "fixed": ["3.2.14", "4.0.6"],
                "summary": "SQL injection in Trunc() and Extract() — «kind» parameter",
                "score": 9.8,
                "vector": R.V31_CRIT,
                "reason": "3.2 in ECOSYSTEM range [3.0, 3.2.14)",
                "records": ["PYSEC-2022-190"],
            },
        ],
        "upgrade": "3.2.25",
        "direct": True,
        "requirement": None,
        "scopes": [],
        "upgrade_note": None,
        "unknown": [],
        "ignored": [],
    }
    # the contract's keys come first, in the contract's order
    assert list(django)[:8] == [
        "purl", "ecosystem", "name", "version", "locations", "status", "vulnerabilities",
        "upgrade",
    ]  # fmt: skip


def test_ignored_finding_is_apart_and_not_counted() -> None:
    data = doc()
    lodash = by_name_version(data)[("lodash", "4.17.15")]
    assert [v["id"] for v in lodash["vulnerabilities"]] == ["GHSA-p6mc-m468-83gw"]  # type: ignore[attr-defined]
    assert lodash["locations"] == ['web/package-lock.json:$.packages["node_modules/lodash"]']
    assert lodash["direct"] is False
    assert lodash["scopes"] == ["dev"]
    assert lodash["ignored"] == [
        {
            "id": "GHSA-29mw-wpgm-hmr9",
            "aliases": ["CVE-2020-28500"],
            "severity": "medium",
            "fixed": ["4.17.21"],
            "summary": "Regular Expression Denial of Service (ReDoS) in lodash",
            "score": 5.3,
            "vector": R.V31_MEDIUM,
            "reason": "4.17.15 in SEMVER range [4.0.0, 4.17.21)",
            "records": ["GHSA-29mw-wpgm-hmr9"],
            "verdict": "affected",
            "ignore": {
                "reason": "ReDoS needs untrusted input; we trim first",
                "expires": "2099-12-31",
                "location": "ossmeta.toml:2",
            },
        }
    ]
    all_vuln_ids = {v["id"] for c in data["components"] for v in c["vulnerabilities"]}  # type: ignore[attr-defined]
    assert "GHSA-29mw-wpgm-hmr9" not in all_vuln_ids


def test_unknown_severity_and_upgrade_note() -> None:
    old = by_name_version(doc())[("lodash", "4.17.11")]
    nosev = old["vulnerabilities"][1]  # type: ignore[index]
    assert nosev["id"] == "GHSA-x5rq-j2xg-h7qm"
    assert nosev["severity"] == "unknown"
    assert nosev["score"] is None and nosev["vector"] is None
    assert nosev["aliases"] == [] and nosev["fixed"] == []
    assert old["vulnerabilities"][2]["severity"] == "low"  # type: ignore[index]
    assert old["upgrade"] is None
    assert old["upgrade_note"] == "no release clears GHSA-x5rq-j2xg-h7qm"
    assert old["direct"] is None


def test_unknown_unresolved_unidentified() -> None:
    comps = by_name_version(doc())
    weird = comps[("weird", "1.0-custom!")]
    assert weird["status"] == "unknown"
    assert weird["vulnerabilities"] == []
    assert [(u["id"], u["severity"], u["reason"]) for u in weird["unknown"]] == [  # type: ignore[attr-defined]
        ("PYSEC-2020-77", "medium", "'1.0-custom!' is not a valid PEP 440 version")
    ]
    flask = comps[("flask", None)]
    assert (flask["purl"], flask["status"], flask["requirement"], flask["locations"]) == (
        "pkg:pypi/flask", "unresolved", ">=2.0", ["requirements.txt:7"],
    )  # fmt: skip
    libfoo = comps[("libfoo", "1.2")]
    assert (libfoo["purl"], libfoo["ecosystem"], libfoo["status"], libfoo["locations"]) == (
        None, None, "unidentified", ["vendor/bom.json:$.components[3]"],
    )  # fmt: skip


def test_summary_counts() -> None:
    assert doc()["summary"] == {
        "components": 7,
        "vulnerable": 3,  # django, both lodash; not the ignored-only or unknown ones
        "vulnerabilities": 6,  # component x alias group, ignored and unknown left out
        "unresolved": 1,
        "unknown": 1,
        "unidentified": 1,
        "unknown_verdicts": 1,
        "ignored": 1,
    }


def test_ignore_entries() -> None:
    assert doc()["ignores"] == {
        "expired": [
            {"id": "PYSEC-2019-1", "reason": "waiting for upstream", "expires": "2020-01-31",
             "location": "ossmeta.toml:7"},
        ],
        "unused": [
            {"id": "GHSA-aaaa-bbbb-cccc", "reason": "old exception", "expires": None,
             "location": "ossmeta.toml:12"},
        ],
    }  # fmt: skip


def test_only_ignored_component_is_not_vulnerable() -> None:
    only_ignored = replace(R.LODASH, findings=())
    data = json.loads(render(ScanReport((only_ignored,), ("x",))))
    assert data["summary"]["vulnerable"] == 0
    assert data["summary"]["vulnerabilities"] == 0
    assert data["summary"]["ignored"] == 1


def test_empty_report() -> None:
    text = render(R.EMPTY)
    assert json.loads(text)["components"] == []
    assert text.startswith('{"schema":"ossmeta.scan/1",\n"components":[],\n"summary":{')


def test_text_is_deterministic_one_component_per_line_and_keeps_unicode() -> None:
    text = render(R.REPORT)
    assert text == render(R.REPORT)
    assert text.endswith("}\n")
    assert "«kind»" in text and "\\u00ab" not in text
    assert '\n"components":[\n{"purl":"pkg:pypi/django@3.2",' in text
    component_lines = [line for line in text.splitlines() if line.startswith('{"purl"')]
    assert len(component_lines) == len(R.REPORT.components)


@pytest.mark.parametrize(
    "report", [R.REPORT, R.EMPTY, R.generated(300, 7)], ids=["fixture", "empty", "generated"]
)
def test_writer_matches_the_contract_dict(report: ScanReport) -> None:
    out = io.StringIO()
    write(report, out)
    assert json.loads(out.getvalue()) == to_dict(report)


texts = st.text(st.characters(codec="utf-8"), max_size=12)
opt_texts = st.none() | texts


@given(
    name=texts, version=opt_texts, purl=opt_texts, eco=opt_texts, req=opt_texts,
    path=texts, line=st.none() | st.integers(1, 10**6), pointer=opt_texts,
    direct=st.none() | st.booleans(), scopes=st.lists(texts, max_size=2),
    status=st.sampled_from(ComponentStatus), upgrade=opt_texts, note=opt_texts,
    score=st.none() | st.floats(allow_nan=False, allow_infinity=False),
    rule=st.none() | st.builds(
        IgnoreRule, texts, texts, st.none() | st.dates(), st.builds(Location, texts)
    ),
)  # fmt: skip
def test_writer_round_trips_any_text(
    name: str, version: str | None, purl: str | None, eco: str | None, req: str | None,
    path: str, line: int | None, pointer: str | None, direct: bool | None,
    scopes: list[str], status: ComponentStatus, upgrade: str | None, note: str | None,
    score: float | None, rule: IgnoreRule | None,
) -> None:  # fmt: skip
    finding = replace(
        R.DJANGO_98, summary=name, severity=replace(R.DJANGO_98.severity, score=score)
    )
    comp = Component(
        purl, eco, name, version, status, (Location(path, line, pointer),), direct, req,
        tuple(scopes),
    )  # fmt: skip
    ignored = (R.LODASH_REDOS, replace(finding, ignored_by=rule))
    cr = ComponentReport(comp, (finding,), (finding,), ignored, upgrade, note)
    report = ScanReport((cr, R.DJANGO), (path,), notes=(name,))
    out = io.StringIO()
    write(report, out)
    assert json.loads(out.getvalue()) == to_dict(report)


def test_json_scan_imports_neither_rich_nor_cyclonedx() -> None:
    code = (
        "import io, sys\n"
        "from ossmeta.model import ScanReport\n"
        "from ossmeta.surfaces.formats import write_report\n"
        "write_report(ScanReport((), ()), 'json', io.StringIO())\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('rich', 'cyclonedx'))\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
