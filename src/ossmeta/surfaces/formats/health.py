"""The health score (``ossmeta health``, ``ossmeta compare``, the API) as a table or as JSON.

JSON, the stable contract ``ossmeta.health/1`` (consumers ignore keys they do not know)::

    {"schema": "ossmeta.health/1",
     "purl": "pkg:pypi/requests", "version": "2.32.3", "as_of": "2026-12-07T06:00:00Z",
     "repository": "github.com/psf/requests" | null,
     "score": 0.7312 | null,         # null: no part has a score
     "coverage": 0.85,               # the share of the whole weight the score rests on
     "config": "default" | "<the --config file>",
     "parts": [{"name": "security"|"license"|"maintenance"|"community"|"adoption",
                "weight": 3, "score": 0.93 | null,   # null: unknown (no signal has a value)
                "coverage": 1.0,                     # share of the part's weight with a value
                "signals": [{"name": "open_critical", "scope": "version"|"package",
                             "value": 0 | null, "unit": "advisories",
                             "weight": 4, "threshold": 1, "smaller_is_better": true,
                             "normalized": 1.0 | null, "contribution": 0.0571 | null,
                             "missing": false, "detail": "how it was measured, or why missing"}]}],
     "missing": ["community.openrank", ...],       # "part.signal", weighted signals only
     "notes": ["..."]}

``compare`` prints ``{"schema": "ossmeta.health/1", "compare": [<the object above without
"schema">, ...]}`` in the order the packages were given. Scores, coverage, normalized values
and contributions are rounded to 4 places, values to 2; whole numbers are written as
integers. Times are UTC with ``Z``. Parts and signals come in a fixed order, and keys in the
order above, so one score always gives the same bytes.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ossmeta.analyses.health.model import HealthScore, PartScore, SignalScore
from ossmeta.times import utc_text

__all__ = [
    "MAX_COMPARED",
    "SCHEMA",
    "compare_document",
    "compare_table",
    "health_document",
    "health_table",
]

SCHEMA = "ossmeta.health/1"
MAX_COMPARED = 5  # packages side by side: more do not fit a terminal, nor a reader's eye


def _number(value: float | None, places: int) -> float | int | None:
    if value is None:
        return None
    rounded = round(value, places)
    return int(rounded) if float(rounded).is_integer() else rounded


def _signal(signal: SignalScore) -> dict[str, Any]:
    return {
        "name": signal.kind.name,
        "scope": "version" if signal.kind.version_scoped else "package",
        "value": _number(signal.value, 2),
        "unit": signal.kind.unit,
        "weight": _number(signal.weight, 4),
        "threshold": _number(signal.threshold, 4),
        "smaller_is_better": signal.kind.smaller_is_better,
        "normalized": _number(signal.normalized, 4),
        "contribution": _number(signal.contribution, 4),
        "missing": signal.value is None,
        "detail": signal.detail,
    }


def _part(part: PartScore) -> dict[str, Any]:
    return {
        "name": part.name,
        "weight": _number(part.weight, 4),
        "score": _number(part.score, 4),
        "coverage": _number(part.coverage, 4),
        "signals": [_signal(s) for s in part.signals],
    }


def _body(result: HealthScore) -> dict[str, Any]:
    return {
        "purl": result.purl,
        "version": result.version,
        "as_of": utc_text(result.as_of),
        "repository": result.repository,
        "score": _number(result.score, 4),
        "coverage": _number(result.coverage, 4),
        "config": result.config,
        "parts": [_part(p) for p in result.parts],
        "missing": list(result.missing),
        "notes": list(result.notes),
    }


def health_document(result: HealthScore) -> dict[str, Any]:
    return {"schema": SCHEMA, **_body(result)}


def compare_document(results: Sequence[HealthScore]) -> dict[str, Any]:
    return {"schema": SCHEMA, "compare": [_body(r) for r in results]}


# ------------------------------------------------------------------------------------ table


def _score_text(value: float | None) -> str:
    return "unknown" if value is None else f"{value:.2f}"


def _percent(share: float) -> str:
    return f"{share * 100:.0f}%"


#: Units that read better left out of the table (the detail column says what the value is).
_BARE_UNITS = frozenset({"level", "fit", "flag", "activity", "openrank"})


def _value_text(signal: SignalScore) -> str:
    if signal.value is None:
        return "missing"
    shown = _number(signal.value, 2)
    unit = signal.kind.unit
    return f"{shown}" if unit in _BARE_UNITS else f"{shown} {unit}"


def _columns(rows: Sequence[Sequence[str]]) -> list[str]:
    """Rows as left-aligned columns two spaces apart; the last column is not padded."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]) - 1)]
    return [
        "  ".join(
            [*(cell.ljust(w) for cell, w in zip(row, widths, strict=False)), row[-1]]
        ).rstrip()
        for row in rows
    ]


def _title(result: HealthScore) -> str:
    name = result.purl + (f"@{result.version}" if result.version else "")
    return name


def health_table(result: HealthScore) -> str:
    lines = [
        f"{_title(result)}  health {_score_text(result.score)}  "
        f"(rests on {_percent(result.coverage)} of the weight)",
        f"  as of {utc_text(result.as_of)}; repository {result.repository or '-'}; "
        f"config {result.config}",
        "",
    ]
    parts = [["part", "score", "weight", "coverage"]]
    parts += [
        [p.name, _score_text(p.score), f"{_number(p.weight, 4)}", _percent(p.coverage)]
        for p in result.parts
    ]
    lines += _columns(parts)
    lines.append("")
    signals = [["signal", "value", "normalized", "share", "detail"]]
    for part in result.parts:
        for s in part.signals:
            if s.weight <= 0:
                continue
            signals.append(
                [
                    f"{part.name}.{s.kind.name}",
                    _value_text(s),
                    "-" if s.normalized is None else f"{s.normalized:.2f}",
                    "-" if s.contribution is None else f"{s.contribution:.3f}",
                    s.detail,
                ]
            )
    lines += _columns(signals)
    lines += [f"note: {note}" for note in result.notes]
    return "\n".join(lines)


def compare_table(results: Sequence[HealthScore]) -> str:
    rows = [["", *(_title(r) for r in results)]]
    rows.append(["health", *(f"{_score_text(r.score)} ({_percent(r.coverage)})" for r in results)])
    for index, part in enumerate(results[0].parts):
        cells = []
        for result in results:
            mine = result.parts[index]
            cells.append(f"{_score_text(mine.score)} ({_percent(mine.coverage)})")
        rows.append([part.name, *cells])
    rows.append(["missing", *(str(len(r.missing)) for r in results)])
    lines = _columns(rows)
    lines.append("")
    lines.append("score (share of the weight with a value); 'ossmeta health PURL' explains one")
    return "\n".join(lines)
