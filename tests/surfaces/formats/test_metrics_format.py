"""The metrics JSON contract and OpenDigger's export layout."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from ossmeta.errors import UsageError
from ossmeta.store.metrics import MetricValue
from ossmeta.surfaces.formats.metrics import export_subject, nest, write_show_json

VALUES = [
    MetricValue("github.com/o/r", "activity", "2024-01", 12.34, None),
    MetricValue("github.com/o/r", "activity", "2024", 99.9, None),
    MetricValue("github.com/o/r", "activity", "2024Q1", 30.1, None),
    MetricValue("github.com/o/r", "participants", "2024-01", 3.0, None),
    MetricValue("github.com/o/r", "issue_response_time.avg", "2024-01", 2.5, None),
    MetricValue("github.com/o/r", "issue_response_time.levels", "2024-01", None, [1, 1, 0, 0]),
    MetricValue("github.com/o/r", "maintenance_status", "2024-01", None, "active"),
]


def test_composite_metrics_nest_their_parts_and_integers_print_as_integers() -> None:
    assert nest(VALUES) == {
        "activity": {"2024": 99.9, "2024-01": 12.34, "2024Q1": 30.1},
        "issue_response_time": {"avg": {"2024-01": 2.5}, "levels": {"2024-01": [1, 1, 0, 0]}},
        "maintenance_status": {"2024-01": "active"},
        "participants": {"2024-01": 3},
    }


def test_show_json_is_the_issue_contract() -> None:
    stream = io.StringIO()
    write_show_json("github.com/o/r", VALUES, stream)
    document = json.loads(stream.getvalue())
    assert list(document) == ["repo", "metrics"]
    assert document["repo"] == "github.com/o/r"
    assert document["metrics"]["activity"] == {"2024-01": 12.34, "2024Q1": 30.1, "2024": 99.9}


def test_export_writes_one_file_per_metric_in_opendigger_layout(tmp_path: Path) -> None:
    assert export_subject(tmp_path, "github.com/o/r", VALUES) == 4
    folder = tmp_path / "github.com" / "o" / "r"
    assert sorted(p.name for p in folder.iterdir()) == [
        "activity.json",
        "issue_response_time.json",
        "maintenance_status.json",
        "participants.json",
    ]
    assert json.loads((folder / "issue_response_time.json").read_text()) == {
        "avg": {"2024-01": 2.5},
        "levels": {"2024-01": [1, 1, 0, 0]},
    }


@pytest.mark.parametrize("subject", ["github.com/../etc", "github.com//x", "a/./b"])
def test_export_refuses_keys_that_would_leave_the_directory(tmp_path: Path, subject: str) -> None:
    with pytest.raises(UsageError):
        export_subject(tmp_path / "out", subject, VALUES[:1])
    assert not (tmp_path / "out").exists()
