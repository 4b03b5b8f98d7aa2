"""``ossmeta curate ...`` and ``ossmeta why`` end to end (in-process through ``main``), on a
SQLite store seeded with one normalized package."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from ossmeta.model import LicenseValue, PackageRecord, PackageStatus, PackageVersion
from ossmeta.store import open_store
from ossmeta.store.packages import save_package
from ossmeta.surfaces.cli.app import main

PURL = "pkg:npm/left-pad"
EVIDENCE = "https://github.com/left-pad/left-pad/blob/master/COPYING"


def seed(url: str) -> None:
    store = open_store(url)
    store.upgrade()
    declared = LicenseValue(None, "WTFPL or MIT-ish", "unknown", "npm:license")
    with store.engine.begin() as connection:
        save_package(
            connection,
            PackageRecord(
                purl=PURL,
                ecosystem="npm",
                name="left-pad",
                repository="github.com/left-pad/left-pad",
                repository_raw="git+https://github.com/left-pad/left-pad.git",
                homepage=None,
                description="String left pad",
                status=PackageStatus.ACTIVE,
                license=declared,
                versions=tuple(
                    PackageVersion(v, None, False, None, declared, ())
                    for v in ("1.0.0", "1.1.0", "1.3.0")
                ),
                source="npm-packument",
            ),
            datetime(2026, 3, 1, tzinfo=UTC),
        )
    store.dispose()


@pytest.fixture
def db(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    seed(url)
    return url


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_propose_review_list_and_why(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(
        capsys,
        *("curate", "propose", PURL, "license", "wtfpl", "--db", db),
        *("--reason", "COPYING is the WTFPL", "--author", "alice", "--evidence", EVIDENCE),
    )
    assert code == 0 and out.strip().isdigit() and "proposed curation" in err
    first = int(out)
    code, out, _ = run(
        capsys,
        *("curate", "propose", PURL, "license", "MIT", "--versions", "vers:npm/<1.1.0"),
        *("--reason", "old releases said MIT", "--author", "alice", "--evidence", EVIDENCE),
        *("--db", db),
    )
    assert code == 0
    ranged = int(out)

    code, out, _ = run(capsys, "why", PURL, "license", "--db", db)
    assert code == 0
    assert "declared:   WTFPL or MIT-ish (from npm:license)" in out
    assert f"#{first} proposed" in out and "proposed, not reviewed yet" in out
    assert "effective:  none (registry)" in out

    code, _, err = run(
        capsys, "curate", "review", str(first), "--approve", "--reviewer", "bob", "--db", db
    )
    assert code == 0 and f"curation #{first} approved" in err
    run(capsys, "curate", "review", str(ranged), "--approve", "--reviewer", "bob", "--db", db)

    code, out, _ = run(capsys, "curate", "list", "--db", db)
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split() == [
        "ID",
        "STATUS",
        "PURL",
        "VERSIONS",
        "FIELD",
        "VALUE",
        "AUTHOR",
        "REVIEWER",
    ]
    assert lines[1].split() == [
        f"#{first}",
        "approved",
        PURL,
        "-",
        "license",
        "WTFPL",
        "alice",
        "bob",
    ]

    code, out, _ = run(
        capsys, "curate", "list", "--status", "approved", "--format", "json", "--db", db
    )
    listed = json.loads(out)
    assert [(c["id"], c["value"], c["versions"]) for c in listed] == [
        (first, "WTFPL", None),
        (ranged, "MIT", "vers:npm/<1.1.0"),
    ]

    code, out, _ = run(capsys, "why", PURL, "license", "--format", "json", "--db", db)
    shown = json.loads(out)
    assert shown["declared"] == {"raw": "WTFPL or MIT-ish", "field": "npm:license"}
    assert shown["normalized"]["confidence"] == "unknown"
    assert shown["effective"] == {"value": "WTFPL", "from": f"curation:{first}"}
    assert [c["applied"] for c in shown["curations"]] == [True, False]

    code, out, _ = run(capsys, "why", PURL, "license", "--version", "1.0.0", "--db", db)
    assert code == 0 and f"effective:  MIT (curation:{ranged})" in out
    code, out, _ = run(capsys, "why", PURL, "license", "--version", "1.3.0", "--db", db)
    assert "effective:  none (registry)" in out
    assert "vers:npm/<1.1.0 does not select 1.3.0" in out


def test_export_then_import_into_another_store(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run(
        capsys,
        *("curate", "propose", PURL, "homepage", "https://left-pad.example.org"),
        *("--reason", "r", "--author", "alice", "--evidence", EVIDENCE, "--db", db),
    )
    out_dir = tmp_path / "curations"
    code, _, err = run(capsys, "curate", "export", str(out_dir), "--db", db)
    assert code == 0 and "wrote 1 files" in err
    exported = out_dir / "npm" / "left-pad.yaml"
    other = f"sqlite:///{tmp_path / 'other.db'}"
    assert main(["db", "upgrade", "--db", other]) == 0
    code, _, err = run(capsys, "curate", "import", str(out_dir), "--db", other)
    assert code == 0 and "1 new, 0 reviewed, 0 unchanged" in err
    code, _, err = run(capsys, "curate", "import", str(exported), "--db", other)
    assert code == 0 and "0 new, 0 reviewed, 1 unchanged" in err
    run(capsys, "curate", "export", str(tmp_path / "again"), "--db", other)
    assert (tmp_path / "again" / "npm" / "left-pad.yaml").read_bytes() == exported.read_bytes()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["curate", "review", "1", "--reviewer", "bob"], "give --approve or --reject"),
        (["curate", "review", "1", "--approve"], "give --reviewer NAME"),
        (["curate", "review", "7", "--reject", "--reviewer", "bob"], "no curation #7"),
        (["curate", "list", "--format", "csv"], "--format must be table or json"),
        (["curate", "list", "--status", "new"], "status must be one of"),
        (["curate", "import", "absent.yaml"], "absent.yaml: no such file or directory"),
        (
            [
                *("curate", "propose", PURL, "license", "MIT License", "--reason", "r"),
                *("--author", "a", "--evidence", EVIDENCE),
            ],
            "write 'MIT'",
        ),
        (
            [
                *("curate", "propose", PURL, "license", "MIT", "--reason", "r", "--author", "a"),
                *("--evidence", EVIDENCE, "--versions", "vers:pypi/>=1"),
            ],
            "starts with vers:npm/",
        ),
        (["why", PURL, "licence"], "cannot curate field 'licence'"),
        (["why", PURL, "license", "--version", "9.9.9"], "has no version '9.9.9'"),
        (["why", "pkg:npm/absent", "license"], "no package pkg:npm/absent"),
        (["why", PURL, "license", "--format", "xml"], "--format must be text or json"),
    ],
)
def test_mistakes_exit_2_with_one_line(
    db: str, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    code, out, err = run(capsys, *args, "--db", db)
    assert code == 2 and out == ""
    assert err.startswith("ossmeta: error: ") and message in err
    assert err.count("\n") == 1


def test_malformed_import_names_the_file_and_line(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(f"purl: {PURL}\ncurations:\n- field: license\n  value: MIT\n  nonsense: 1\n")
    code, _, err = run(capsys, "curate", "import", str(bad), "--db", db)
    assert code == 2
    assert err.strip() == f"ossmeta: error: {bad}:5: unknown key 'nonsense'"


def test_import_of_a_folder_without_curations_is_a_wrong_path(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "empty").mkdir()
    code, _, err = run(capsys, "curate", "import", str(tmp_path / "empty"), "--db", db)
    assert code == 2
    assert err.strip() == f"ossmeta: error: no curation YAML files under {tmp_path / 'empty'}"
