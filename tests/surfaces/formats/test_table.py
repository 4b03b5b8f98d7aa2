"""The human table: the interesting rows, sections and the one-line summary."""

from __future__ import annotations

import io
import re
from dataclasses import replace

import pytest

from ossmeta.model import ScanReport
from ossmeta.surfaces.formats import write_report
from ossmeta.surfaces.formats._common import Summary
from ossmeta.surfaces.formats.table import summary_line
from tests.surfaces.formats import reports as R

ANSI = "\x1b["


@pytest.fixture(autouse=True)
def _plain_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("FORCE_COLOR", "NO_COLOR", "TTY_COMPATIBLE", "COLUMNS", "TERM"):
        monkeypatch.delenv(name, raising=False)


def render(report: ScanReport) -> str:
    out = io.StringIO()
    write_report(report, "table", out)
    return out.getvalue()


HEADINGS = (
    "Vulnerable components", "Unknown verdicts", "Unresolved requirements",
    "Unidentified SBOM entries", "Ignored findings", "Expired ignore entries",
    "Unused ignore entries", "Note: ",
)  # fmt: skip


def section(text: str, heading: str) -> list[str]:
    """The non-blank table rows under ``heading``, up to the next heading."""
    lines = text.splitlines()[:-1]  # the summary line
    start = next(i for i, line in enumerate(lines) if line.startswith(heading))
    body: list[str] = []
    for line in lines[start + 3 :]:  # heading, column titles, rule
        if line.startswith(HEADINGS):
            break
        if line.strip():
            body.append(line)
    return body


def cells(line: str) -> list[str]:
    return re.split(r"\s{2,}", line.strip())


def test_vulnerable_rows() -> None:
    text = render(R.REPORT)
    rows = section(text, "Vulnerable components")
    assert cells(rows[0]) == [
        "django", "3.2", "PYSEC-2021-98", "high 7.5", "2.2.24, 3.1.12,", "3.2.25",
        "requirements.txt:4",
    ]  # fmt: skip
    assert cells(rows[1]) == ["CVE-2021-33203", "3.2.4", "poetry.lock:88"]
    assert cells(rows[2]) == ["GHSA-68w8-qjq3-2gfm"]
    assert cells(rows[3]) == ["PYSEC-2022-190", "critical 9.8", "3.2.14, 4.0.6"]
    lodash = next(r for r in rows if r.startswith("lodash    4.17.15"))
    assert cells(lodash)[:6] == [
        "lodash", "4.17.15", "GHSA-p6mc-m468-83gw", "high 7.4", "4.17.19", "4.17.21",
    ]  # fmt: skip
    assert any(cells(r)[:3] == ["GHSA-x5rq-j2xg-h7qm", "unknown", "none"] for r in rows)
    assert any(cells(r)[:3] == ["GHSA-low0-0000-0000", "low 2.1", "4.17.12"] for r in rows)
    # the ignored finding and the unknown verdict are not in this table
    assert not any("GHSA-29mw-wpgm-hmr9" in r or "PYSEC-2020-77" in r for r in rows)
    # components without findings are never listed
    assert "requests" not in text


def test_other_sections() -> None:
    text = render(R.REPORT)
    unknown = section(text, "Unknown verdicts")
    assert cells(unknown[0]) == [
        "weird", "1.0-custom!", "PYSEC-2020-77", "medium 6.1",
        "'1.0-custom!' is not a valid PEP 440 version", "requirements.txt:6",
    ]  # fmt: skip
    assert cells(section(text, "Unresolved requirements")[0]) == [
        "flask", ">=2.0", "requirements.txt:7",
    ]  # fmt: skip
    assert cells(section(text, "Unidentified SBOM entries")[0]) == [
        "libfoo", "1.2", "vendor/bom.json:$.components[3]",
    ]  # fmt: skip
    ignored = section(text, "Ignored findings")
    assert cells(ignored[0])[:4] == ["lodash", "4.17.15", "GHSA-29mw-wpgm-hmr9", "medium 5.3"]
    assert cells(ignored[0])[-2:] == ["2099-12-31", "ossmeta.toml:2"]
    assert "ReDoS needs untrusted input" in ignored[0]
    assert cells(section(text, "Expired ignore entries")[0]) == [
        "PYSEC-2019-1", "waiting for upstream", "2020-01-31", "ossmeta.toml:7",
    ]  # fmt: skip
    assert cells(section(text, "Unused ignore entries")[0]) == [
        "GHSA-aaaa-bbbb-cccc", "old exception", "never", "ossmeta.toml:12",
    ]  # fmt: skip
    assert "Note: weird: version not parseable" in text.splitlines()


def test_summary_line_is_last_and_unwrapped() -> None:
    lines = render(R.REPORT).splitlines()
    assert lines[-1] == (
        "3 vulnerable of 7 components; 6 vulnerabilities (1 critical, 3 high, 1 low, "
        "1 unknown); 1 unknown verdict, 1 unresolved, 1 unidentified, 1 ignored"
    )


def test_summary_line_wording() -> None:
    assert summary_line(Summary.of(R.EMPTY)) == "No known vulnerabilities in 0 components"
    one = ScanReport((R.REQUESTS,), ())
    assert summary_line(Summary.of(one)) == "No known vulnerabilities in 1 component"
    single = ScanReport((replace(R.DJANGO, findings=(R.DJANGO_98,)), R.REQUESTS), ())
    assert summary_line(Summary.of(single)) == (
        "1 vulnerable of 2 components; 1 vulnerability (1 high)"
    )


def test_empty_sections_are_left_out() -> None:
    text = render(ScanReport((R.REQUESTS,), ("requirements.txt",)))
    assert text == "No known vulnerabilities in 1 component\n"


def test_no_colour_and_no_trailing_blanks_into_a_pipe() -> None:
    text = render(R.REPORT)
    assert ANSI not in text
    assert all(line == line.rstrip() for line in text.splitlines())
    assert max(len(line) for line in text.splitlines()[:-1]) <= 120


def test_markup_in_data_is_shown_literally() -> None:
    odd = replace(R.FLASK, component=replace(R.FLASK.component, name="[bold]x[/bold]"))
    text = render(ScanReport((odd,), ()))
    assert "[bold]x[/bold]" in text


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_colour_on_a_terminal() -> None:
    out = _Terminal()
    write_report(R.REPORT, "table", out)
    assert ANSI in out.getvalue()
    assert "PYSEC-2022-190" in out.getvalue()


def test_colour_honours_no_color(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    out = _Terminal()
    write_report(R.REPORT, "table", out)
    assert "\x1b[31m" not in out.getvalue() and "\x1b[1;31m" not in out.getvalue()


def test_large_report_lists_only_interesting_rows() -> None:
    report = R.generated(2000, 100)  # 20 vulnerable components, 40 findings
    lines = render(report).splitlines()
    assert lines[-1].startswith("20 vulnerable of 2000 components; 40 vulnerabilities")
    assert len(lines) < 200
    assert not any(line.startswith("pkg-1 ") for line in lines)  # no findings: not listed
