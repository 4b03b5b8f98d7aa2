"""Metrics as JSON: the ``metrics show`` contract and OpenDigger's export layout.

``metrics show REPO --format json`` prints::

    {"repo": "github.com/owner/name",
     "metrics": {"activity": {"2024-01": 12.34, "2024Q1": 30.1, "2024": 99.9},
                 "issue_response_time": {"avg": {...}, "quantile_0": {...}, "levels": {...}},
                 ...}}

A composite metric (stored as ``name.part`` rows) nests its parts under its name, as
OpenDigger's files do. A value is the stored number, or the stored JSON detail (a list of
levels, a status word, a login → value map) when the part is not a number. Periods appear
only where a value was stored: zeros are not stored, as OpenDigger omits them.

The export layout is OpenDigger's: ``<dir>/<host>/<owner>/<repo>/<metric>.json`` holding the
same per-metric object, and ``<dir>/<host>/<login>/<metric>.json`` for developers; tools that
read OpenDigger's files read ours. Keys are ordered: periods sorted, parts sorted.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any, TextIO

from ossmeta.errors import UsageError
from ossmeta.store.metrics import MetricValue

__all__ = ["export_subject", "metrics_document", "nest", "write_show_json", "write_show_table"]


def _value(item: MetricValue) -> Any:
    if item.value is not None:
        return int(item.value) if item.value.is_integer() else item.value
    return item.detail


def nest(values: Iterable[MetricValue]) -> dict[str, Any]:
    """``{metric: {period: value}}``, composite metrics as ``{metric: {part: {period: value}}}``."""
    nested: dict[str, Any] = {}
    for item in values:
        name, _, part = item.metric.partition(".")
        series = nested.setdefault(name, {})
        if part:
            series = series.setdefault(part, {})
        series[item.period] = _value(item)
    ordered: dict[str, Any] = _sorted(nested)
    return ordered


def _sorted(node: Any) -> Any:
    if isinstance(node, dict):
        return {key: _sorted(node[key]) for key in sorted(node)}
    return node


def metrics_document(subject: str, values: Iterable[MetricValue]) -> dict[str, Any]:
    return {"repo": subject, "metrics": nest(values)}


def write_show_json(subject: str, values: Iterable[MetricValue], stream: TextIO) -> None:
    json.dump(metrics_document(subject, values), stream, ensure_ascii=False, indent=1)
    stream.write("\n")


def write_show_table(subject: str, values: list[MetricValue], stream: TextIO) -> None:
    """A terse human view: per metric, the last six months and the years."""
    from ossmeta.surfaces.formats.tables import TextTable, write_tables

    table = TextTable(subject, "metric", "recent months", "years", wrap=("recent months",))
    for name, series in nest(values).items():
        parts = series if _is_composite(series) else {"": series}
        for part, periods in parts.items():
            months = [(p, v) for p, v in periods.items() if "-" in p][-6:]
            years = [(p, v) for p, v in periods.items() if len(p) == 4][-3:]
            table.add_row(
                f"{name}.{part}" if part else name,
                "  ".join(f"{p}: {_short(v)}" for p, v in months),
                "  ".join(f"{p}: {_short(v)}" for p, v in years),
            )
    write_tables(stream, table)


def _is_composite(series: dict[str, Any]) -> bool:
    return bool(series) and all(not key[:1].isdigit() for key in series)


def _short(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, list | dict):
        text = json.dumps(value, ensure_ascii=False)
        return text if len(text) <= 24 else text[:21] + "..."
    return str(value)


def export_subject(directory: Path, subject: str, values: Iterable[MetricValue]) -> int:
    """Write one subject's files; returns how many. Each file is written beside its target
    and renamed, so a reader never sees half a file."""
    parts = subject.split("/")
    if any(part in ("", ".", "..") or "\\" in part for part in parts):
        raise UsageError(f"cannot export {subject!r}: not a host/owner/name or host/login key")
    folder = directory.joinpath(*parts)
    folder.mkdir(parents=True, exist_ok=True)
    written = 0
    for name, series in nest(values).items():
        target = folder / f"{name}.json"
        temporary = folder / f".{name}.json.tmp"
        temporary.write_text(json.dumps(series, ensure_ascii=False), encoding="utf-8")
        os.replace(temporary, target)
        written += 1
    return written
