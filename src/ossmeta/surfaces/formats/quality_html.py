"""The data-quality report as one self-contained HTML page: inline CSS, a
Content-Security-Policy that forbids loading anything, every value from the store through
``html.escape``. It opens with what needs a curator's attention, each count a link to the
section that lists the cases."""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import TextIO

from ossmeta.analyses.quality import QualityReport
from ossmeta.surfaces.formats.quality import ATTENTION_HEADING, attention, sections
from ossmeta.times import utc_text

_STYLE = """
body{font:14px/1.4 system-ui,sans-serif;margin:2em;color:#222}
h1{font-size:1.4em}h2{font-size:1.1em;margin-top:2em}
table{border-collapse:collapse}th,td{padding:.2em .6em;border-bottom:1px solid #ddd;
text-align:left;vertical-align:top;overflow-wrap:anywhere;max-width:40em}
th{background:#f3f3f3}p.empty{color:#777}
ul.attention{list-style:none;padding:0}ul.attention li{margin:.2em 0}
ul.attention .count{display:inline-block;min-width:4em;text-align:right;margin-right:.6em;
font-weight:bold}ul.attention li.none{color:#777}ul.attention li.none .count{font-weight:normal}
"""


def _html_rows(rows: Sequence[tuple[str, ...]]) -> str:
    return "".join(
        "<tr>" + "".join(f"<td>{html.escape(cell)}</td>" for cell in cells) + "</tr>\n"
        for cells in rows
    )


def _summary(report: QualityReport) -> str:
    items = attention(report)
    lines = [f'<section id="attention"><h2>{html.escape(ATTENTION_HEADING)}</h2>']
    if not any(item.count for item in items):
        lines.append('<p class="empty">nothing: every check below came back clean</p>')
    lines.append('<ul class="attention">')
    for item in sorted(items, key=lambda item: item.count == 0):  # the open cases first
        css = "" if item.count else ' class="none"'
        lines.append(
            f'<li{css}><a href="#{item.anchor}"><span class="count">{item.count}</span>'
            f"{html.escape(item.what)}</a></li>"
        )
    lines.append("</ul></section>")
    return "\n".join(lines)


def write_html(report: QualityReport, stream: TextIO) -> None:
    title = f"ossmeta data-quality report, {utc_text(report.generated_at)}"
    parts = [
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">',
        '<meta http-equiv="Content-Security-Policy" '
        "content=\"default-src 'none'; style-src 'unsafe-inline'\">",
        f"<title>{html.escape(title)}</title><style>{_STYLE}</style></head><body>",
        f"<h1>{html.escape(title)}</h1>",
        _summary(report),
    ]
    for section in sections(report):
        parts.append(f'<h2 id="{section.anchor}">{html.escape(section.heading)}</h2>')
        if not section.rows:
            parts.append('<p class="empty">nothing to report</p>')
            continue
        header = "".join(f"<th>{html.escape(name)}</th>" for name in section.columns)
        parts.append(f"<table><thead><tr>{header}</tr></thead><tbody>\n")
        parts.append(_html_rows(section.rows))
        parts.append("</tbody></table>")
    parts.append("</body></html>\n")
    stream.write("\n".join(parts))
