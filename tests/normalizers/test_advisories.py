"""OSV record normalization and severities: examples, and fuzzing that only ossmeta's own
errors escape."""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ossmeta.errors import OssmetaError
from ossmeta.model import SeverityLevel
from ossmeta.normalizers.advisories import advisory_from_osv
from ossmeta.normalizers.severity import from_osv
from ossmeta.sources import osv
from ossmeta.sources.files import InputFile
from tests.helpers import DATA


def test_real_pypa_record() -> None:
    (raw,) = list(
        osv.iter_records(
            [(InputFile(DATA / "osv" / "PYSEC-2018-28.yaml", "PYSEC-2018-28.yaml"), False)]
        )
    )
    advisory = advisory_from_osv(raw.payload, "PYSEC-2018-28.yaml")
    assert advisory.id == "PYSEC-2018-28"
    assert advisory.aliases == ("CVE-2018-18074", "GHSA-x84v-xcm2-53pg")
    (entry,) = advisory.affected
    assert [r.type for r in entry.ranges] == ["GIT", "ECOSYSTEM"]
    assert entry.ranges[1].events[1].version == "2.20.0"
    assert "0.12.01" in entry.versions
    assert advisory.modified.isoformat() == "2021-06-16T00:03:24.800813+00:00"
    assert advisory.severity.level is SeverityLevel.UNKNOWN


def test_yaml_and_json_of_one_record_hash_the_same(tmp_path: Path) -> None:
    (raw_yaml,) = osv.iter_records(
        [(InputFile(DATA / "osv" / "PYSEC-2021-98.yaml", "a.yaml"), False)]
    )
    (tmp_path / "b.json").write_text(json.dumps(raw_yaml.payload, indent=4))
    (raw_json,) = osv.iter_records([(InputFile(tmp_path / "b.json", "b.json"), False)])
    assert raw_json.provenance.content_hash == raw_yaml.provenance.content_hash


@pytest.mark.parametrize(
    ("entries", "rating", "level", "score"),
    [
        ([{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}], None, SeverityLevel.CRITICAL, 9.8),
        ([{"type": "CVSS_V3", "score": "CVSS:3.0/AV:N/AC:H/PR:N/UI:N/S:U/C:N/I:H/A:H"}], None, SeverityLevel.HIGH, 7.4),
        ([{"type": "CVSS_V4", "score": "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N"}], None, SeverityLevel.CRITICAL, 9.3),
        ([{"type": "CVSS_V2", "score": "AV:N/AC:L/Au:N/C:P/I:P/A:P"}], None, SeverityLevel.HIGH, 7.5),
        ([{"type": "CVSS_V3", "score": "CVSS:3.1/garbage"}], "MODERATE", SeverityLevel.MEDIUM, None),
        ([], "LOW", SeverityLevel.LOW, None),
        ([{"type": "Ubuntu", "score": "medium"}], None, SeverityLevel.MEDIUM, None),
        ([], None, SeverityLevel.UNKNOWN, None),
    ],
)  # fmt: skip
def test_severity(
    entries: list[dict[str, str]], rating: str | None, level: SeverityLevel, score: float | None
) -> None:
    severity = from_osv(entries, rating)
    assert severity.level is level
    assert severity.score == score
    if score is not None:
        assert severity.vector == entries[0]["score"]  # the vector is kept


def test_newest_cvss_version_is_preferred() -> None:
    both = [
        {"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:L/I:N/A:N"},
        {
            "type": "CVSS_V4",
            "score": "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N",
        },
    ]
    assert from_osv(both).type == "CVSS_V4"


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=12),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4)
    ),
    max_leaves=30,
)
osv_keys = st.sampled_from(
    ["id", "modified", "published", "withdrawn", "aliases", "summary", "details", "severity",
     "affected", "package", "ranges", "events", "versions", "introduced", "fixed", "type", "ecosystem", "name"]
)  # fmt: skip
osv_like = st.recursive(
    st.none() | st.text(max_size=20) | st.integers(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(osv_keys, inner, max_size=6),
    max_leaves=40,
)


@given(st.dictionaries(osv_keys, osv_like, max_size=8))
def test_fuzz_only_ossmeta_errors_escape(record: dict[str, Any]) -> None:
    with contextlib.suppress(OssmetaError):
        advisory_from_osv(record, "fuzz.json")


@given(json_values)
def test_fuzz_severity_never_raises(entries: object) -> None:
    assert from_osv(entries, entries).level in SeverityLevel


@given(st.binary(max_size=300))
def test_fuzz_record_files(data: bytes) -> None:
    for suffix in (".json", ".yaml"):
        path = Path(tempfile.gettempdir()) / f"ossmeta-fuzz-{os.getpid()}{suffix}"
        path.write_bytes(data)
        try:
            for raw in osv.iter_records([(InputFile(path, f"fuzz{suffix}"), False)]):
                advisory_from_osv(raw.payload, "fuzz")
        except OssmetaError:
            pass


def test_a_listed_version_that_is_not_a_string_is_named_by_its_index() -> None:
    record = {
        "id": "PYSEC-2099-1",
        "modified": "2024-01-01T00:00:00Z",
        "affected": [
            {"package": {"ecosystem": "PyPI", "name": "demo"}, "versions": ["1.0", 1.1, "1.2"]}
        ],
    }
    with pytest.raises(OssmetaError) as caught:
        advisory_from_osv(record, "demo.yaml")
    assert "affected[0].versions[1] must be a string" in str(caught.value)
    record["affected"][0]["versions"] = ["1.0", "1.1"]  # type: ignore[index]
    assert advisory_from_osv(record, "demo.yaml").affected[0].versions == ("1.0", "1.1")
