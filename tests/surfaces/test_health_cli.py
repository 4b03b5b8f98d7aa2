"""``ossmeta health`` and ``ossmeta compare`` end to end through ``main``, on a SQLite store
filled by the pipelines' writers: the ``ossmeta.health/1`` JSON contract, the tables, and
one-line errors with exit 2 for unknown packages, bad purls and bad configs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ossmeta.store import open_store
from ossmeta.surfaces.cli.app import main
from tests.analyses.health.world import fill

TOP_KEYS = [
    "schema",
    "purl",
    "version",
    "as_of",
    "repository",
    "score",
    "coverage",
    "config",
    "parts",
    "missing",
    "notes",
]
SIGNAL_KEYS = [
    "name",
    "scope",
    "value",
    "unit",
    "weight",
    "threshold",
    "smaller_is_better",
    "normalized",
    "contribution",
    "missing",
    "detail",
]


@pytest.fixture
def db(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'store.db'}"
    store = open_store(url)
    store.upgrade()
    fill(store, tmp_path / "osv")
    store.dispose()
    return url


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_health_json_follows_the_contract(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "health", "pkg:pypi/demo", "--db", db, "--format", "json")
    assert code == 0, err
    document = json.loads(out)
    assert list(document) == TOP_KEYS
    assert document["schema"] == "ossmeta.health/1"
    assert (document["purl"], document["version"]) == ("pkg:pypi/demo", "2.0")
    assert document["repository"] == "github.com/acme/demo"
    assert document["config"] == "default"
    assert [p["name"] for p in document["parts"]] == [
        "security",
        "license",
        "maintenance",
        "community",
        "adoption",
    ]
    signals = [s for p in document["parts"] for s in p["signals"]]
    assert all(list(s) == SIGNAL_KEYS for s in signals)
    by_name = {s["name"]: s for s in signals}
    assert by_name["open_critical"]["value"] == 1
    assert by_name["open_critical"]["scope"] == "version"
    assert by_name["change_request_response_days"] == {
        **by_name["change_request_response_days"],
        "value": None,
        "normalized": None,
        "contribution": None,
        "missing": True,
    }
    assert document["missing"] == ["community.change_request_response_days"]
    total = sum(s["contribution"] for s in signals if s["contribution"] is not None)
    assert total == pytest.approx(document["score"], abs=1e-3)


def test_health_table_lists_parts_signals_and_what_is_missing(
    db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "health", "pkg:pypi/bare", "--db", db)
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0].startswith("pkg:pypi/bare@0.0.1  health ")
    assert "of the weight" in lines[0]
    community = next(line for line in lines if line.startswith("community "))
    assert "unknown" in community
    activity = next(line for line in lines if line.startswith("community.activity"))
    assert "missing" in activity and "the package names no repository" in activity


def test_a_config_file_changes_the_score(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, out, _ = run(capsys, "health", "pkg:pypi/app", "--db", db, "--format", "json")
    before = json.loads(out)
    config = tmp_path / "policy.toml"
    config.write_text('[license]\nallow = ["GPL-3.0-only"]\n')
    code, out, err = run(
        capsys, "health", "pkg:pypi/app", "--db", db, "-f", "json", "--config", str(config)
    )
    assert code == 0, err
    after = json.loads(out)
    assert after["config"] == str(config)
    assert after["score"] > before["score"]


def test_compare_side_by_side(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(
        capsys, "compare", "pkg:pypi/demo", "pkg:pypi/app@0.1", "--db", db, "--format", "json"
    )
    assert code == 0, err
    document = json.loads(out)
    assert list(document) == ["schema", "compare"]
    assert [c["purl"] for c in document["compare"]] == ["pkg:pypi/demo", "pkg:pypi/app"]
    assert all(list(c) == TOP_KEYS[1:] for c in document["compare"])
    code, out, err = run(capsys, "compare", "pkg:pypi/demo", "pkg:pypi/bare", "--db", db)
    assert code == 0, err
    header, overall, *rest = out.splitlines()
    assert "pkg:pypi/demo@2.0" in header and "pkg:pypi/bare@0.0.1" in header
    assert overall.startswith("health")
    assert [row.split()[0] for row in rest[:5]] == [
        "security",
        "license",
        "maintenance",
        "community",
        "adoption",
    ]
    assert "unknown" in rest[3]  # bare has no community inputs


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["health", "pkg:pypi/nothing"], "no package pkg:pypi/nothing in the store"),
        (["health", "pkg:pypi/demo@9.9"], "no version 9.9 of pkg:pypi/demo"),
        (["health", "not-a-purl"], "not-a-purl"),
        (["health", "pkg:pypi/demo", "--format", "sarif"], "--format must be table or json"),
        (["compare", "pkg:pypi/demo"], "compare takes 2 to 5 purls, not 1"),
        (["compare", *(f"pkg:pypi/p{i}" for i in range(6))], "compare takes 2 to 5 purls, not 6"),
        (["compare", "pkg:pypi/demo", "pkg:pypi/nothing"], "no package pkg:pypi/nothing"),
    ],
)
def test_user_mistakes_are_one_line_and_exit_2(
    db: str, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    code, out, err = run(capsys, *args, "--db", db)
    assert code == 2
    assert out == ""
    assert len(err.strip().splitlines()) == 1, err
    assert message in err


def test_a_bad_config_is_one_line_and_exit_2(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "bad.toml"
    config.write_text("[signals.activity]\nthreshold = -3\n")
    code, out, err = run(capsys, "health", "pkg:pypi/demo", "--db", db, "--config", str(config))
    assert (code, out) == (2, "")
    assert err.strip() == (
        f"ossmeta: error: {config}:2: [signals.activity] threshold must be a finite number "
        "above 0, not -3"
    )
    code, _, err = run(
        capsys, "health", "pkg:pypi/demo", "--db", db, "--config", str(tmp_path / "none.toml")
    )
    assert code == 2 and "no such file" in err
