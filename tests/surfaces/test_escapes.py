"""Advisory and registry text never drives the terminal: an OSC title sequence, colour
codes and an 8-bit CSI in an advisory or a package description reach stdout as visible
escapes in ``advisories show``, ``why``, ``packages show`` and the scan table."""

from __future__ import annotations

import json
import unicodedata
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ossmeta.model import LicenseValue, PackageRecord, PackageStatus, PackageVersion
from ossmeta.store import open_store
from ossmeta.store.packages import save_package
from ossmeta.surfaces.cli.app import main
from ossmeta.surfaces.formats.terminal import json_safe, terminal_safe

TITLE = "\x1b]0;pwned\x07"
RED = "\x1b[31m"
CSI8 = "\x9b"
HOSTILE = f"evil {TITLE} title {RED}red and {CSI8}2J"
RAW = ("\x1b", "\x07", "\x9b")
PURL = "pkg:npm/hostile"


def assert_no_raw_controls(out: str) -> None:
    assert out, "the command printed nothing"
    assert not any(raw in out for raw in RAW), repr(out)
    assert "\\x1b]0;pwned\\x07" in out or "\\x1b" in out  # shown, not dropped


@pytest.fixture
def db(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'escapes.db'}"
    advisory = {
        "id": "GHSA-hhhh-hhhh-hhhh",
        "modified": "2024-01-01T00:00:00Z",
        "aliases": [f"CVE-2024-0001{TITLE}"],
        "summary": HOSTILE,
        "details": f"details {RED}{CSI8}31m",
        "affected": [
            {
                "package": {"ecosystem": "PyPI", "name": "hostile"},
                "ranges": [
                    {"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "2.0"}]}
                ],
            }
        ],
    }
    path = tmp_path / "advisory.json"
    path.write_text(json.dumps(advisory), encoding="utf-8")
    assert main(["db", "upgrade", "--db", url]) == 0
    assert main(["advisories", "import", str(path), "--db", url]) == 0
    store = open_store(url)
    declared = LicenseValue(None, f"MIT{RED}", "unknown", "npm:license")
    with store.engine.begin() as connection:
        save_package(
            connection,
            PackageRecord(
                purl=PURL,
                ecosystem="npm",
                name="hostile",
                repository=None,
                repository_raw=None,
                homepage=None,
                description=HOSTILE,
                status=PackageStatus.ACTIVE,
                license=declared,
                versions=(PackageVersion("1.0.0", None, False, None, declared, ()),),
                source="npm-packument",
            ),
            datetime(2026, 3, 1, tzinfo=UTC),
        )
    store.dispose()
    return url


def test_advisories_show(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    assert main(["advisories", "show", "GHSA-hhhh-hhhh-hhhh", "--db", db]) == 0
    assert_no_raw_controls(capsys.readouterr().out)


def test_why_and_packages_show(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    assert main(["why", PURL, "description", "--db", db]) == 0
    assert_no_raw_controls(capsys.readouterr().out)
    assert main(["packages", "show", PURL, "--db", db]) == 0
    assert_no_raw_controls(capsys.readouterr().out)


def test_scan_table(db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    requirements = tmp_path / "requirements.txt"
    requirements.write_text("hostile==1.0\n", encoding="utf-8")
    capsys.readouterr()
    assert main(["scan", str(requirements), "--db", db]) == 1
    out = capsys.readouterr().out
    assert_no_raw_controls(out)
    assert "CVE-2024-0001\\x1b]0;pwned\\x07" in out


@given(st.text())
def test_terminal_safe_leaves_no_control_and_keeps_printable_text(text: str) -> None:
    safe = terminal_safe(text)
    assert not [c for c in safe if c not in "\t\n" and _controls(c)], repr(safe)
    one_line = terminal_safe(text, one_line=True)
    assert not [c for c in one_line if _controls(c)], repr(one_line)
    if all(c.isprintable() for c in text) and not any(c in BIDI for c in text):
        assert one_line == text  # printable text, any script, passes unchanged


BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"


def _controls(c: str) -> bool:
    return unicodedata.category(c) in ("Cc", "Zl", "Zp") or c in BIDI


def test_stderr_messages_are_escaped(capsys: pytest.CaptureFixture[str]) -> None:
    from ossmeta.surfaces.cli.common import stderr

    stderr.print(f"  failed pkg:npm/x: {HOSTILE}")
    err = capsys.readouterr().err
    assert not any(raw in err for raw in RAW), repr(err)
    assert "\\x1b]0;pwned\\x07" in err


@pytest.mark.parametrize("fmt", ["json", "sarif"])
def test_scan_json_and_sarif(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], fmt: str
) -> None:
    requirements = tmp_path / "requirements.txt"
    requirements.write_text("hostile==1.0\n", encoding="utf-8")
    capsys.readouterr()
    assert main(["scan", str(requirements), "--db", db, "--format", fmt]) == 1
    out = capsys.readouterr().out
    assert not any(raw in out for raw in RAW), repr(out)
    assert f"CVE-2024-0001{TITLE}" in strings(json.loads(out))  # the same text, escaped


def test_json_show_commands(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    for args in (
        ["advisories", "show", "GHSA-hhhh-hhhh-hhhh", "--format", "json"],
        ["why", PURL, "description", "--format", "json"],
        ["packages", "show", PURL, "--format", "json"],
    ):
        assert main([*args, "--db", db]) == 0
        out = capsys.readouterr().out
        assert not any(raw in out for raw in RAW), (args, repr(out))
        # the hostile text survives as data (packages show has no description: its
        # declared licence carries the colour code)
        assert any(RED in text for text in strings(json.loads(out))), args


def strings(value: object) -> set[str]:
    """Every string in a JSON document, keys and values."""
    if isinstance(value, str):
        return {value}
    if isinstance(value, dict):
        return set().union(*(strings(k) | strings(v) for k, v in value.items()))
    if isinstance(value, list):
        return set().union(*(strings(v) for v in value))
    return set()


@given(st.recursive(st.text(), lambda inner: st.lists(inner) | st.dictionaries(st.text(), inner)))
def test_json_safe_keeps_the_document_and_leaves_no_c1_control(value: object) -> None:
    document = json_safe(json.dumps(value, ensure_ascii=False))
    assert json.loads(document) == value
    assert not [c for c in document if _controls(c)], repr(document)


def test_json_safe_escapes_a_del_in_an_otherwise_ascii_document() -> None:
    # DEL is ASCII: the shortcut for ASCII documents must still find it
    assert json_safe('{"a": "x\x7fy"}') == '{"a": "x\\u007fy"}'
    assert json_safe('{"a": "plain"}') == '{"a": "plain"}'


def test_error_lines_are_escaped(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # A file name is text the user does not always choose (an archive's member, a
    # generated path): the one-line error that names it must not reach the terminal raw.
    hostile = tmp_path / "evil\x1b]0;pwned\x07.txt"
    hostile.write_text("not a lockfile\n")
    code = main(["scan", str(hostile), "--db", db])
    err = capsys.readouterr().err
    assert code == 2, err
    assert err.startswith("ossmeta: error:")
    assert "\x1b" not in err and "\x07" not in err
    assert "evil\\x1b]0;pwned\\x07.txt" in err
