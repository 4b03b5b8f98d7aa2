"""The data-quality report (``ossmeta quality``) as ``table`` (Rich), ``json`` or ``html``.

JSON, the stable contract ``ossmeta.quality/1`` (consumers ignore keys they do not know)::

    {"schema": "ossmeta.quality/1",
     "generated_at": "2026-01-31T12:00:00Z", "stale_after_days": 30,
     "registries": [
       {"registry": "pypi", "packages": int, "versions": int,
        "fields": [{"level": "package"|"version", "field", "total", "present",
                    "high_confidence", "completeness", "high_confidence_share"}],
        "curations": [{"level", "field", "approved", "differs", "fills", "agrees",
                       "unchecked"}],
        "version_licenses": {"packages_with_several": int, "versions_differing": int},
        "staleness": {"tracked", "stale", "never_succeeded", "oldest_success",
                      "median_age_days"},
        "unmapped_licenses": {"distinct": int,
                              "top": [{"raw", "packages", "versions", "total"}]},
        "failures": {"total": int, "by_kind": [{"kind", "count"}],
                     "list": [{"name", "kind", "message", "attempted_at"}]}}],
     "conflicts": {
       "curations": [{"registry", "purl", "field", "version", "curated", "source"}],
       "repository_licenses": {"total": int,
                               "top": [{"repository",
                                        "sides": [{"registry", "purl", "license"}]}]},
       "version_licenses": [{"registry", "purl", "package_license",
                             "licenses": [{"license", "versions"}]}]}}

Shares are fractions in [0, 1] rounded to 4 places, null when their denominator is 0
(``completeness`` = present / total, ``high_confidence_share`` = high_confidence / present).
Times are UTC ISO 8601 with ``Z``; ages are days rounded to 2 places. Registries come in
the order pypi, npm, maven, crates, then others by name; the definitions of every figure are
in ``ossmeta.analyses.quality``. Key order is fixed, so one report always gives the same
bytes.

HTML is one self-contained page (inline CSS, a Content-Security-Policy that forbids loading
anything) in which every value from the store goes through ``html.escape``.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, TextIO

import orjson

from ossmeta.analyses.quality import QualityReport, RegistryQuality
from ossmeta.errors import UsageError
from ossmeta.times import utc_text

SCHEMA = "ossmeta.quality/1"
FORMATS = ("table", "json", "html")
RAW_SHOWN = 80  # characters of an unmapped licence text in the table and HTML cells

Json = dict[str, Any]


def _days(value: timedelta | None) -> float | None:
    return None if value is None else round(value.total_seconds() / 86400, 2)


def _share(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def _registry_json(r: RegistryQuality) -> Json:
    s = r.staleness
    return {
        "registry": r.registry,
        "packages": r.packages,
        "versions": r.versions,
        "fields": [
            {
                "level": f.level,
                "field": f.field,
                "total": f.total,
                "present": f.present,
                "high_confidence": f.high_confidence,
                "completeness": _share(f.completeness),
                "high_confidence_share": _share(f.high_confidence_share),
            }
            for f in r.fields
        ],
        "curations": [
            {
                "level": c.level,
                "field": c.field,
                "approved": c.approved,
                "differs": c.differs,
                "fills": c.fills,
                "agrees": c.agrees,
                "unchecked": c.unchecked,
            }
            for c in r.curations
        ],
        "version_licenses": {
            "packages_with_several": r.packages_with_several_licenses,
            "versions_differing": r.versions_differing_from_package,
        },
        "staleness": {
            "tracked": s.tracked,
            "stale": s.stale,
            "never_succeeded": s.never_succeeded,
            "oldest_success": utc_text(s.oldest_success),
            "median_age_days": _days(s.median_age),
        },
        "unmapped_licenses": {
            "distinct": r.unmapped_distinct,
            "top": [
                {
                    "raw": u.raw,
                    "packages": u.packages,
                    "versions": u.versions,
                    "total": u.packages + u.versions,
                }
                for u in r.unmapped
            ],
        },
        "failures": {
            "total": r.failures_total,
            "by_kind": [{"kind": kind, "count": n} for kind, n in r.failures_by_kind],
            "list": [
                {
                    "name": f.name,
                    "kind": f.kind,
                    "message": f.message,
                    "attempted_at": utc_text(f.attempted_at),
                }
                for f in r.failures
            ],
        },
    }


def to_json(report: QualityReport) -> Json:
    """The ``ossmeta.quality/1`` document of ``report`` (plain dicts and lists)."""
    return {
        "schema": SCHEMA,
        "generated_at": utc_text(report.generated_at),
        "stale_after_days": _days(report.stale_after),
        "registries": [_registry_json(r) for r in report.registries],
        "conflicts": {
            "curations": [
                {
                    "registry": d.registry,
                    "purl": d.purl,
                    "field": d.field,
                    "version": d.version,
                    "curated": d.curated,
                    "source": d.source,
                }
                for d in report.curation_differences
            ],
            "repository_licenses": {
                "total": report.repository_conflicts_total,
                "top": [
                    {
                        "repository": c.repository,
                        "sides": [
                            {"registry": s.registry, "purl": s.purl, "license": s.license}
                            for s in c.sides
                        ],
                    }
                    for c in report.repository_conflicts
                ],
            },
            "version_licenses": [
                {
                    "registry": d.registry,
                    "purl": d.purl,
                    "package_license": d.package_license,
                    "licenses": [{"license": spdx, "versions": n} for spdx, n in d.licenses],
                }
                for d in report.license_drift
            ],
        },
    }


def write_json(report: QualityReport, stream: TextIO) -> None:
    stream.write(orjson.dumps(to_json(report), option=orjson.OPT_INDENT_2).decode() + "\n")


# --------------------------------------------------------------------------- the sections
# Table and HTML draw the same sections: a heading, column names, rows of plain strings.

Row = tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Section:
    heading: str
    columns: Row
    rows: tuple[Row, ...]


def _percent(value: float | None) -> str:
    return "-" if value is None else f"{value:.1%}"


def _short(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= RAW_SHOWN else flat[: RAW_SHOWN - 1] + "…"


def _day_text(value: timedelta | None) -> str:
    days = _days(value)
    return "-" if days is None else f"{days:g} d"


def _cells(*values: object) -> Row:
    return tuple("" if v is None else str(v) for v in values)


def _registry_rows(r: RegistryQuality) -> dict[str, list[Row]]:
    """The rows one registry adds to each per-registry section, by section key."""
    s = r.staleness
    return {
        "fields": [
            _cells(r.registry, f.level, f.field, f.total, f.present, _percent(f.completeness))
            + _cells(f.high_confidence, _percent(f.high_confidence_share))
            for f in r.fields
        ],
        "curations": [
            _cells(r.registry, c.level, c.field, c.approved, c.differs, c.fills)
            + _cells(c.agrees, c.unchecked)
            for c in r.curations
        ],
        "drift": [
            _cells(r.registry, r.packages_with_several_licenses, r.versions_differing_from_package)
        ],
        "staleness": [
            _cells(r.registry, s.tracked, s.stale, s.never_succeeded)
            + _cells(utc_text(s.oldest_success) or "-", _day_text(s.median_age))
        ],
        "unmapped": [_cells(r.registry, _short(u.raw), u.packages, u.versions) for u in r.unmapped],
        "kinds": [_cells(r.registry, kind, n) for kind, n in r.failures_by_kind],
        "failures": [
            _cells(r.registry, f.name, f.kind, utc_text(f.attempted_at), f.message)
            for f in r.failures
        ],
    }


def sections(report: QualityReport) -> list[Section]:
    """Every section of the report as text cells, in reading order."""
    per: dict[str, list[Row]] = {}
    for registry in report.registries:
        for key, rows in _registry_rows(registry).items():
            per.setdefault(key, []).extend(rows)

    def section(heading: str, columns: Row, rows: Iterable[Row]) -> Section:
        return Section(heading, columns, tuple(rows))

    return [
        section(
            "Completeness and confidence",
            ("registry", "level", "field", "total", "present", "complete", "high conf.", "share"),
            per.get("fields", ()),
        ),
        section(
            "Approved curations against source values",
            ("registry", "level", "field", "approved", "differs", "fills", "agrees", "unchecked"),
            per.get("curations", ()),
        ),
        section(
            "Curations that differ from the source",
            ("registry", "purl", "field", "version", "curated", "source"),
            (
                _cells(d.registry, d.purl, d.field, d.version, d.curated, d.source)
                for d in report.curation_differences
            ),
        ),
        section(
            "Same repository, different licences across registries "
            f"({report.repository_conflicts_total} repositories)",
            ("repository", "registry", "purl", "licence"),
            (
                _cells(c.repository if n == 0 else "", side.registry, side.purl, side.license)
                for c in report.repository_conflicts
                for n, side in enumerate(c.sides)
            ),
        ),
        section(
            "Versions whose licences disagree",
            ("registry", "packages with several", "versions unlike the package"),
            per.get("drift", ()),
        ),
        section(
            "Packages with the most version licences",
            ("registry", "purl", "package licence", "version licences"),
            (
                _cells(
                    d.registry,
                    d.purl,
                    d.package_license,
                    ", ".join(f"{spdx} ({n})" for spdx, n in d.licenses),
                )
                for d in report.license_drift
            ),
        ),
        section(
            f"Staleness (last success older than {_day_text(report.stale_after)})",
            ("registry", "tracked", "stale", "never succeeded", "oldest success", "median age"),
            per.get("staleness", ()),
        ),
        section(
            "Unmapped licence strings",
            ("registry", "raw text", "packages", "versions"),
            per.get("unmapped", ()),
        ),
        section("Failed fetches by kind", ("registry", "kind", "count"), per.get("kinds", ())),
        section(
            "Failed fetches",
            ("registry", "name", "kind", "attempted", "message"),
            per.get("failures", ()),
        ),
    ]


def write_table(report: QualityReport, stream: TextIO) -> None:
    from ossmeta.surfaces.formats.tables import TextTable, write_tables

    tables = []
    for section in sections(report):
        table = TextTable(section.heading, *section.columns, wrap=section.columns)
        for cells in section.rows:
            table.add_row(*cells)
        tables.append(table)
    title = f"ossmeta data-quality report, {utc_text(report.generated_at)}"
    write_tables(stream, title, "", *tables)


_STYLE = """
body{font:14px/1.4 system-ui,sans-serif;margin:2em;color:#222}
h1{font-size:1.4em}h2{font-size:1.1em;margin-top:2em}
table{border-collapse:collapse}th,td{padding:.2em .6em;border-bottom:1px solid #ddd;
text-align:left;vertical-align:top;overflow-wrap:anywhere;max-width:40em}
th{background:#f3f3f3}p.empty{color:#777}
"""


def _html_rows(rows: Sequence[tuple[str, ...]]) -> str:
    return "".join(
        "<tr>" + "".join(f"<td>{html.escape(cell)}</td>" for cell in cells) + "</tr>\n"
        for cells in rows
    )


def write_html(report: QualityReport, stream: TextIO) -> None:
    title = f"ossmeta data-quality report, {utc_text(report.generated_at)}"
    parts = [
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">',
        '<meta http-equiv="Content-Security-Policy" '
        "content=\"default-src 'none'; style-src 'unsafe-inline'\">",
        f"<title>{html.escape(title)}</title><style>{_STYLE}</style></head><body>",
        f"<h1>{html.escape(title)}</h1>",
    ]
    for section in sections(report):
        parts.append(f"<h2>{html.escape(section.heading)}</h2>")
        if not section.rows:
            parts.append('<p class="empty">nothing to report</p>')
            continue
        header = "".join(f"<th>{html.escape(name)}</th>" for name in section.columns)
        parts.append(f"<table><thead><tr>{header}</tr></thead><tbody>\n")
        parts.append(_html_rows(section.rows))
        parts.append("</tbody></table>")
    parts.append("</body></html>\n")
    stream.write("\n".join(parts))


WRITERS: dict[str, Callable[[QualityReport, TextIO], None]] = {
    "table": write_table,
    "json": write_json,
    "html": write_html,
}


def write_quality(report: QualityReport, fmt: str, stream: TextIO) -> None:
    """Write ``report`` to ``stream`` as ``fmt`` (one of :data:`FORMATS`)."""
    try:
        writer = WRITERS[fmt]
    except KeyError:
        raise UsageError(
            f"unknown quality report format {fmt!r} (known: {', '.join(FORMATS)})"
        ) from None
    writer(report, stream)
