"""``ossmeta metrics compute|show|export`` end to end, in-process through ``main``: GH Archive
files imported with ``events import``, metrics computed on DuckDB, the JSON contract, the
OpenDigger export layout, ``--since`` keeping history, and one-line errors (exit 2)."""

from __future__ import annotations

import gzip
import json
import math
from pathlib import Path
from typing import Any

import pytest

from ossmeta.surfaces.cli.app import main

REPO = {"id": 501, "name": "acme/widget"}
ALICE = {"id": 11, "login": "alice"}
BOB = {"id": 12, "login": "bob"}
CAROL = {"id": 13, "login": "carol"}


def _event(n: int, kind: str, actor: dict[str, Any], when: str, payload: dict[str, Any]) -> Any:
    return {
        "id": str(9000 + n),
        "type": kind,
        "actor": actor,
        "repo": REPO,
        "payload": payload,
        "public": True,
        "created_at": when,
    }


ISSUE = {
    "id": 7001,
    "number": 1,
    "title": "Crash",
    "user": ALICE,
    "created_at": "2024-01-10T09:00:00Z",
    "comments": 0,
}


def _pull(merged: bool | None) -> dict[str, Any]:
    return {
        "id": 8002,
        "number": 2,
        "title": "Fix crash",
        "user": BOB,
        "created_at": "2024-01-12T09:00:00Z",
        "merged": bool(merged),
        "additions": 10,
        "deletions": 2,
    }


JANUARY = [
    _event(1, "IssuesEvent", ALICE, "2024-01-10T09:00:00Z", {"action": "opened", "issue": ISSUE}),
    _event(
        2,
        "IssueCommentEvent",
        BOB,
        "2024-01-11T09:00:00Z",
        {"action": "created", "issue": ISSUE, "comment": {"id": 6001, "user": BOB}},
    ),
    _event(
        3,
        "PullRequestEvent",
        BOB,
        "2024-01-12T09:00:00Z",
        {"action": "opened", "number": 2, "pull_request": _pull(None)},
    ),
    _event(
        4,
        "PullRequestEvent",
        ALICE,
        "2024-01-13T09:00:00Z",
        {"action": "closed", "number": 2, "pull_request": _pull(True)},
    ),
]
FEBRUARY = [_event(5, "WatchEvent", CAROL, "2024-02-02T09:00:00Z", {"action": "started"})]
MARCH = [_event(6, "WatchEvent", ALICE, "2024-03-02T09:00:00Z", {"action": "started"})]

# January's activity, OpenDigger's formula per developer and month, then summed:
#   alice opened one issue:                      sqrt(2.2235)
#   bob commented once, opened a PR, and is credited with its merge (alice merged it):
#                                                sqrt(0.5252 + 4.0679 + 2.0339)
JANUARY_ACTIVITY = round(math.sqrt(2.2235) + math.sqrt(0.5252 + 4.0679 + 2.0339), 2)


def _hour(directory: Path, name: str, events: list[Any]) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    lines = b"\n".join(json.dumps(e).encode() for e in events) + b"\n"
    (directory / name).write_bytes(gzip.compress(lines))


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("OSSMETA_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("OSSMETA_DATABASE_URL", raising=False)
    assert main(["db", "upgrade"]) == 0
    archive = tmp_path / "archive"
    _hour(archive, "2024-01-10-9.json.gz", JANUARY)
    _hour(archive, "2024-02-02-9.json.gz", FEBRUARY)
    assert main(["events", "import", str(archive)]) == 0
    return tmp_path


def _show(
    capsys: pytest.CaptureFixture[str], repo: str = "github.com/acme/widget"
) -> dict[str, Any]:
    capsys.readouterr()
    assert main(["metrics", "show", repo, "--format", "json"]) == 0
    document: dict[str, Any] = json.loads(capsys.readouterr().out)
    return document


def test_compute_then_show_gives_the_contract_with_hand_computed_values(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["metrics", "compute"]) == 0
    document = _show(capsys)
    assert document["repo"] == "github.com/acme/widget"
    metrics = document["metrics"]
    # Quarter and year of activity are sums of the monthly values: only January has any.
    assert metrics["activity"] == {
        "2024": JANUARY_ACTIVITY,
        "2024-01": JANUARY_ACTIVITY,
        "2024Q1": JANUARY_ACTIVITY,
    }
    # Attention is stars + 2 * forks: carol's star in February; January has none, so no key.
    assert metrics["attention"] == {"2024": 1, "2024-02": 1, "2024Q1": 1}
    # The merged PR's author is the contributor, whoever merged it.
    assert metrics["contributors"] == {"2024": 1, "2024-01": 1, "2024Q1": 1}
    assert set(metrics["openrank"]) == {"2024", "2024-01", "2024Q1"}
    # Another case of the key, or a repository link, finds the same repository.
    assert _show(capsys, "GitHub.com/Acme/Widget")["metrics"] == metrics
    assert _show(capsys, "git+ssh://git@github.com/acme/widget.git")["metrics"] == metrics
    capsys.readouterr()
    assert main(["metrics", "show", "GitHub.com/Acme/Widget", "--metric", "activity"]) == 0
    assert "activity" in capsys.readouterr().out


def test_since_recomputes_recent_periods_and_keeps_history(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["metrics", "compute"]) == 0
    _hour(home / "archive2", "2024-03-02-9.json.gz", MARCH)
    assert main(["events", "import", str(home / "archive2")]) == 0
    assert main(["metrics", "compute", "--since", "2024-03"]) == 0
    metrics = _show(capsys)["metrics"]
    assert metrics["activity"]["2024-01"] == JANUARY_ACTIVITY  # history kept
    # March's star is new; the quarter and year containing March were recomputed whole.
    assert metrics["attention"] == {"2024": 2, "2024-02": 1, "2024-03": 1, "2024Q1": 2}


def test_export_writes_opendigger_layout(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = home / "export"
    assert main(["metrics", "compute", "--export", str(out)]) == 0
    folder = out / "github.com" / "acme" / "widget"
    activity = json.loads((folder / "activity.json").read_text())
    assert activity == {
        "2024": JANUARY_ACTIVITY,
        "2024-01": JANUARY_ACTIVITY,
        "2024Q1": JANUARY_ACTIVITY,
    }
    assert (out / "github.com" / "bob" / "openrank.json").is_file()  # developers beside repos
    assert main(["metrics", "export", str(home / "again")]) == 0
    again = home / "again" / "github.com" / "acme" / "widget" / "activity.json"
    assert json.loads(again.read_text()) == activity


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["metrics", "compute", "--since", "2024-13"], "--since must be a month written YYYY-MM"),
        (
            ["metrics", "show", "github.com/acme/nothing"],
            "no metrics stored for github.com/acme/nothing",
        ),
        (["metrics", "show", "not a repository"], "is not a repository"),
    ],
)
def test_user_mistakes_are_one_line_errors_with_exit_2(
    home: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    capsys.readouterr()
    assert main(args) == 2
    err = capsys.readouterr().err.strip()
    assert message in err
    assert len(err.splitlines()) == 1
