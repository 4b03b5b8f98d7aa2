"""The ``ossmeta`` command end to end (in-process through ``main``), on a SQLite store."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from ossmeta.surfaces.cli.app import main

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"


@pytest.fixture
def db(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    assert main(["db", "upgrade", "--db", url]) == 0
    assert main(["advisories", "import", str(EXAMPLES / "advisories"), "--db", url]) == 0
    return url


@pytest.fixture
def project(tmp_path: Path) -> Path:
    target = tmp_path / "project"
    shutil.copytree(EXAMPLES / "project", target)
    return target


def scan_json(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict[str, Any], str]:
    code = main(["scan", *args, "--format", "json"])
    captured = capsys.readouterr()
    return code, json.loads(captured.out), captured.err


def test_import_is_idempotent_and_show_prints_the_group(
    db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    assert main(["advisories", "import", str(EXAMPLES / "advisories"), "--db", db]) == 0
    assert "0 new, 0 updated" in capsys.readouterr().err
    assert main(["advisories", "show", "CVE-2021-33203", "--db", db, "--format", "json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["record"]["id"] == "PYSEC-2021-98"
    assert "CVE-2021-33203" in shown["alias_group"]
    assert shown["provenance"]["sha256"] and shown["provenance"]["locator"].endswith(
        "PYSEC-2021-98.yaml"
    )
    assert main(["advisories", "show", "PYSEC-2021-98", "--db", db]) == 0
    text = capsys.readouterr().out
    assert text.startswith("PYSEC-2021-98") and "alias group:" in text


def test_scan_example_project_json_contract(
    db: str, project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, report, _ = scan_json(capsys, str(project), "--db", db)
    assert code == 1
    assert report["schema"] == "ossmeta.scan/1"
    by_name = {c["name"]: c for c in report["components"]}  # type: ignore[union-attr]
    django = by_name["django"]
    assert django["purl"] == "pkg:pypi/django@3.2"
    assert django["ecosystem"] == "PyPI" and django["status"] == "ok"
    assert django["locations"] == ["project/requirements.txt:2"] or django["locations"][0].endswith(
        "requirements.txt:2"
    )
    ids = [v["id"] for v in django["vulnerabilities"]]
    assert "PYSEC-2021-98" not in ids  # ignored through its alias CVE-2021-33203 in ossmeta.toml
    assert all(
        v["severity"] in {"low", "medium", "high", "critical", "unknown"}
        for v in django["vulnerabilities"]
    )
    assert django["upgrade"]
    assert by_name["flask"]["status"] == "unresolved" and by_name["flask"]["vulnerabilities"] == []
    lodash = by_name["lodash"]
    assert [v["id"] for v in lodash["vulnerabilities"]] == [
        "GHSA-35jh-r3h4-6jhm",
        "GHSA-p6mc-m468-83gw",
    ]
    assert lodash["upgrade"] == "4.17.21"
    summary = report["summary"]
    assert summary["components"] == len(report["components"])  # type: ignore[arg-type]
    assert summary["unresolved"] == 1
    assert summary["vulnerable"] == sum(1 for c in report["components"] if c["vulnerabilities"])  # type: ignore[union-attr]


def test_fail_on_threshold(db: str, project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (project / "requirements.txt").write_text("flask>=2.0\n")
    (project / "package-lock.json").unlink()
    (project / "package.json").unlink()
    (project / "minimal.cdx.json").write_text(json.dumps({
        "bomFormat": "CycloneDX", "specVersion": "1.6", "version": 1,
        "components": [{"type": "library", "name": "lodash", "version": "4.17.20",
                        "purl": "pkg:npm/lodash@4.17.20"}],
    }))  # fmt: skip
    # lodash 4.17.20: only GHSA-35jh-r3h4-6jhm (high, CVSS 7.2)
    assert main(["scan", str(project), "--db", db, "--fail-on", "critical", "-f", "json"]) == 0
    assert main(["scan", str(project), "--db", db, "--fail-on", "high", "-f", "json"]) == 1
    assert main(["scan", str(project), "--db", db, "-f", "json"]) == 1
    capsys.readouterr()


def test_output_file_and_other_formats(
    db: str, project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "160")  # the table's width when written to a file
    for fmt in ("sarif", "cyclonedx", "json", "table"):
        target = tmp_path / f"report.{fmt}"
        assert (
            main(["scan", str(project), "--db", db, "--format", fmt, "--output", str(target)]) == 1
        )
        text = target.read_text()
        if fmt != "table":
            document = json.loads(text)
            assert document
        else:
            assert "lodash" in text
    assert sorted(p.name for p in tmp_path.glob(".report*")) == []  # no temporary left behind


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("package-lock.json", '{"lockfileVersion": 3, "packages": {', "package-lock.json:1"),
        ("requirements.txt", "django==3.2\nthis is not a requirement\n", "requirements.txt:2"),
        ("mystery.txt", "hello", "unknown input format"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    db: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    name: str,
    content: str,
    expected: str,
) -> None:
    bad = tmp_path / name
    bad.write_text(content)
    target = tmp_path / "out.json"
    assert main(["scan", str(bad), "--db", db, "--output", str(target)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert err.startswith("ossmeta: error: ") and expected in err and name in err
    assert not target.exists()


def test_usage_errors_exit_2(db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["scan", str(tmp_path / "missing"), "--db", db]) == 2
    assert main(["scan", str(tmp_path), "--db", db]) == 2  # no inputs in an empty directory
    assert main(["scan", "--format", "pdf", str(tmp_path), "--db", db]) == 2
    assert main(["advisories", "show", "NOPE-1", "--db", db]) == 2
    assert "no advisory NOPE-1" in capsys.readouterr().err


def test_bad_ignore_file_names_file_and_line(
    db: str, project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "ossmeta.toml").write_text(
        '[[ignore]]\nid = "X"\nreason = "r"\nexpires = 2099-01-01\n\n[[ignore]]\nid = "Y"\n'
    )
    assert main(["scan", str(project), "--db", db, "-f", "json"]) == 2
    err = capsys.readouterr().err
    assert "ossmeta.toml:6" in err and "needs a 'reason'" in err


def test_expired_and_unused_ignores_are_reported(
    db: str, project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "ossmeta.toml").write_text(
        '[[ignore]]\nid = "CVE-2021-33203"\nreason = "old"\nexpires = 2020-01-01\n\n'
        '[[ignore]]\nid = "GHSA-none-none-none"\nreason = "stale"\nexpires = 2099-01-01\n'
    )
    code, report, err = scan_json(capsys, str(project), "--db", db)
    assert code == 1
    assert "expired on 2020-01-01; not applied" in err and "matched nothing" in err
    django = next(c for c in report["components"] if c["name"] == "django")  # type: ignore[union-attr]
    assert "PYSEC-2021-98" in [v["id"] for v in django["vulnerabilities"]]
    assert report["ignores"]["expired"][0]["id"] == "CVE-2021-33203"  # type: ignore[index]
    assert report["ignores"]["unused"][0]["id"] == "GHSA-none-none-none"  # type: ignore[index]


def test_python_env_and_duplicate_merging(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    venv = ROOT / "tests" / "data" / "inputs" / "python" / "venv"
    (tmp_path / "requirements.txt").write_text("django==3.2\n")
    code, report, _ = scan_json(
        capsys, str(tmp_path / "requirements.txt"), "--python-env", str(venv), "--db", db
    )
    assert code == 1
    django = [c for c in report["components"] if c["name"] == "django"]
    assert len(django) == 1  # one component, found in both places
    assert len(django[0]["locations"]) == 2
    assert any("Django-3.2.dist-info" in loc for loc in django[0]["locations"])


def test_oversized_input_is_refused(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    big = tmp_path / "requirements.txt"
    big.write_text("django==3.2\n" * 100)
    monkeypatch.setenv("OSSMETA_MAX_INPUT_BYTES", "512")
    assert main(["scan", str(big), "--db", db]) == 2
    err = capsys.readouterr().err.strip()
    assert err.endswith("larger than the 512-byte input limit") and "requirements.txt" in err


def test_xml_with_entities_is_refused(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bomb = tmp_path / "bom.xml"
    bomb.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE bom [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>\n'
        '<bom xmlns="http://cyclonedx.org/schema/bom/1.6"><components><component type="library">'
        "<name>&b;</name></component></components></bom>\n"
    )
    assert main(["scan", str(bomb), "--db", db]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "bom.xml" in err and "DTD" in err


def test_recursive_search_skips_vendored_folders(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "svc" / "api").mkdir(parents=True)
    (tmp_path / "svc" / "api" / "requirements.txt").write_text("requests==2.19.0\n")
    (tmp_path / "svc" / "node_modules" / "x").mkdir(parents=True)
    (tmp_path / "svc" / "node_modules" / "x" / "package-lock.json").write_text("not even json")
    (tmp_path / "top.txt").write_text("ignored: not a known file name\n")
    assert main(["scan", str(tmp_path), "--db", db]) == 2  # nothing at the top level
    assert "--recursive" in capsys.readouterr().err
    code, report, _ = scan_json(capsys, str(tmp_path), "--recursive", "--db", db)
    assert code == 1
    assert report["inputs"] == [str(tmp_path / "svc" / "api" / "requirements.txt")]
    assert [c["name"] for c in report["components"]] == ["requests"]


def test_a_broken_store_is_one_line_not_a_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    not_a_db = tmp_path / "store.db"
    not_a_db.write_bytes(b"this is not an SQLite file" * 100)
    (tmp_path / "requirements.txt").write_text("django==3.2\n")
    # The store is broken, not the user's input: the environment's failure, exit 4.
    assert main(["scan", str(tmp_path / "requirements.txt"), "--db", f"sqlite:///{not_a_db}"]) == 4
    err = capsys.readouterr().err.strip()
    assert (
        len(err.splitlines()) == 1 and err.startswith("ossmeta: error:") and "not a database" in err
    )
