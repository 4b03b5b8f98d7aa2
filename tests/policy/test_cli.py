"""``ossmeta policy``: apply, test (exit 1 naming failing cases), check (json), waivers,
audit; bad input is one line naming the file and line, exit 2."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ossmeta.store import Store
from ossmeta.surfaces.cli.app import main

POLICY = """\
name = "baseline"
[security]
deny_at_or_above = "high"
[licenses]
deny = ["GPL-3.0-only"]
[cooldown]
min_age_days = 7

[[cases]]
name = "GPL is refused"
purl = "pkg:pypi/demo@1.0"
license = "GPL-3.0-only"
age_days = 30
expect = "deny"
expect_rules = ["licenses.deny"]
"""

SIBLING = """\
[[cases]]
name = "fresh is held back"
purl = "pkg:npm/%40acme/ui@2.0.0"
license = "MIT"
age_days = 1
expect = "deny"

[[cases]]
name = "a wrong expectation"
purl = "pkg:pypi/demo@1.1"
license = "MIT"
age_days = 30
advisories = [{ id = "GHSA-xxxx-yyyy-zzzz", severity = "critical" }]
expect = "allow"
"""


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_policy_test_runs_inline_and_sibling_cases(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "baseline.toml"
    path.write_text(POLICY, encoding="utf-8")
    code, out, _ = run(capsys, "policy", "test", str(path))
    assert code == 0 and "1 of 1 cases pass" in out
    (tmp_path / "baseline.cases.toml").write_text(SIBLING, encoding="utf-8")
    code, out, _ = run(capsys, "policy", "test", str(path))
    assert code == 1
    lines = out.splitlines()
    assert lines[-1] == "2 of 3 cases pass"
    assert lines[0].startswith(f"FAIL {tmp_path / 'baseline.cases.toml'}:8: a wrong expectation")
    assert "expected allow, got deny" in lines[0] and "GHSA-xxxx-yyyy-zzzz" in lines[0]


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        (POLICY.replace("min_age_days = 7", 'min_age_days = "7"'), 7, "must be a number"),
        (POLICY + '\n[[cases]]\npurl = "demo"\nexpect = "deny"\n', 18, "case 2: purl"),
        (POLICY.replace('expect = "deny"', 'expect = "block"'), 14, "case 1: expect must be"),
        (POLICY.replace("[cooldown]", "[cooldown\n"), 6, "invalid TOML"),
    ],
)
def test_bad_files_are_one_line_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, line: int, words: str
) -> None:
    path = tmp_path / "p.toml"
    path.write_text(text, encoding="utf-8")
    commands = ["test"] if "case" in words else ["test", "apply"]  # apply reads no cases
    for command in commands:
        code, _, err = run(capsys, "policy", command, str(path))
        assert code == 2, err
        assert len(err.strip().splitlines()) == 1
        assert f"{path}:{line}:" in err and words in err


def test_apply_check_waiver_audit(
    store: Store, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = ("--db", store.url)
    path = tmp_path / "baseline.toml"
    path.write_text(POLICY, encoding="utf-8")
    code, _, err = run(capsys, "policy", "apply", str(path), *db)
    assert code == 0 and "policy baseline v1 applied" in err
    code, out, _ = run(capsys, "policy", "list", *db)
    assert out.split("\t")[:2] == ["baseline", "v1"]
    # The center knows nothing of demo: no upload time, so the cooldown holds it back.
    code, out, _ = run(capsys, "policy", "check", "pkg:pypi/demo@1.0", "-f", "json", *db)
    shown = json.loads(out)
    assert code == 1 and shown["action"] == "hide" and shown["policy_version"] == 1
    assert [r["rule"] for r in shown["reasons"]] == ["cooldown.unknown_age"]
    assert shown["inputs"]["published"] is None
    args = ("policy", "waiver", "add", "baseline", "demo", "--reason", "r", "--requested-by")
    code, _, err = run(capsys, *args, "ann", "--approved-by", "ann", *db)
    assert code == 2 and "approver" in err and len(err.strip().splitlines()) == 1
    code, out, _ = run(capsys, *args, "ann", "--approved-by", "ben", "--days", "1", *db)
    assert code == 0
    waiver = out.strip()
    code, out, _ = run(capsys, "policy", "check", "pkg:pypi/demo@1.0", "--policy", "baseline", *db)
    assert code == 0 and out.splitlines()[0] == "pkg:pypi/demo@1.0: allow"
    assert f"waived by waiver {waiver}" in out
    assert run(capsys, "policy", "waiver", "revoke", waiver, *db)[0] == 0
    assert run(capsys, "policy", "waiver", "list", "baseline", *db)[1] == ""
    code, out, _ = run(capsys, "policy", "audit", "-f", "json", *db)
    assert [e["action"] for e in json.loads(out)] == [
        "apply",
        "decision",
        "waiver.add",
        "decision",
        "waiver.revoke",
    ]
    code, _, err = run(capsys, "policy", "check", "demo", *db)
    assert code == 2 and len(err.strip().splitlines()) == 1
