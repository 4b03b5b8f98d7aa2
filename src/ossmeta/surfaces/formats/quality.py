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
                             "licenses": [{"license", "versions"}]}]},
     "gharchive_months": [{"month", "events", "hours_present", "hours_expected",
                           "missing_hours", "trimmed_share", "api_share"}]}

Shares are fractions in [0, 1] rounded to 4 places, null when their denominator is 0
(``completeness`` = present / total, ``high_confidence_share`` = high_confidence / present).
Times are UTC ISO 8601 with ``Z``; ages are days rounded to 2 places. Registries come in
the order pypi, npm, maven, crates, then others by name; the definitions of every figure are
in ``ossmeta.analyses.quality``. Key order is fixed, so one report always gives the same
bytes.

Table and HTML lead with a summary of what needs a curator's attention (differing
curations, licence conflicts, low-confidence licences, stale and failed packages), each
count linked to its section in HTML (:mod:`ossmeta.surfaces.formats.quality_html`). Their
``complete`` column counts trusted values only: a placeholder description, an unmapped
licence or a malformed URL is declared, not complete (the JSON keeps both figures).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, TextIO

import orjson

from ossmeta.analyses.quality import QualityReport, RegistryQuality
from ossmeta.errors import UsageError
from ossmeta.surfaces.formats.terminal import json_safe
from ossmeta.times import utc_text

SCHEMA = "ossmeta.quality/1"
FORMATS = ("table", "json", "html")
ATTENTION_HEADING = "Needs a curator's attention"
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
        "gharchive_months": [
            {
                "month": m.month,
                "events": m.events,
                "hours_present": m.hours_present,
                "hours_expected": m.hours_expected,
                "missing_hours": m.missing_hours,
                "trimmed_share": _share(m.trimmed_share),
                "api_share": _share(m.api_share),
            }
            for m in report.archive_months
        ],
    }


def write_json(report: QualityReport, stream: TextIO) -> None:
    document = orjson.dumps(to_json(report), option=orjson.OPT_INDENT_2).decode()
    stream.write(json_safe(document) + "\n")


# --------------------------------------------------------------------------- the sections
# Table and HTML draw the same sections: a heading, column names, rows of plain strings.

Row = tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Section:
    anchor: str  # the HTML id the summary links to
    heading: str
    columns: Row
    rows: tuple[Row, ...]


@dataclass(frozen=True, slots=True)
class Attention:
    """One line of the summary: how many of what need a curator, and where they are."""

    count: int
    what: str
    anchor: str


def attention(report: QualityReport) -> list[Attention]:
    """What needs a curator's attention, most actionable first; zero counts included, so
    the summary always says what was checked."""
    regs = report.registries

    untrusted_licences = sum(
        f.present - f.high_confidence for r in regs for f in r.fields if f.field == "license"
    )
    stale_after = _day_text(report.stale_after)
    return [
        Attention(
            sum(c.differs for r in regs for c in r.curations),
            "approved curations that differ from the source",
            "curation-differences",
        ),
        Attention(
            report.repository_conflicts_total,
            "repositories whose packages disagree on the licence across registries",
            "repository-licences",
        ),
        Attention(
            sum(r.packages_with_several_licenses for r in regs),
            "packages whose versions carry more than one licence",
            "version-licences",
        ),
        Attention(
            untrusted_licences,
            "declared licences (packages and versions) with low confidence: unmapped, "
            "ambiguous or placeholder text",
            "completeness",
        ),
        Attention(
            sum(r.unmapped_distinct for r in regs),
            "distinct licence texts no SPDX mapping covers",
            "unmapped",
        ),
        Attention(
            sum(r.staleness.stale for r in regs),
            f"stale packages (last success older than {stale_after})",
            "staleness",
        ),
        Attention(
            sum(r.staleness.never_succeeded for r in regs),
            "packages never fetched successfully",
            "staleness",
        ),
        Attention(sum(r.failures_total for r in regs), "failed fetches", "failures"),
    ]


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
            _cells(r.registry, f.level, f.field, f.total, f.present, f.high_confidence)
            + _cells(_percent(f.high_confidence / f.total if f.total else None))
            + _cells(f.present - f.high_confidence)
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

    def section(anchor: str, heading: str, columns: Row, rows: Iterable[Row]) -> Section:
        return Section(anchor, heading, columns, tuple(rows))

    return [
        section(
            "completeness",
            "Completeness and confidence (complete = trusted / total: a placeholder, an "
            "unmapped licence or a malformed URL is declared but not complete)",
            ("registry", "level", "field", "total", "declared", "trusted", "complete", "untrusted"),
            per.get("fields", ()),
        ),
        section(
            "curations",
            "Approved curations against source values",
            ("registry", "level", "field", "approved", "differs", "fills", "agrees", "unchecked"),
            per.get("curations", ()),
        ),
        section(
            "curation-differences",
            "Curations that differ from the source",
            ("registry", "purl", "field", "version", "curated", "source"),
            (
                _cells(d.registry, d.purl, d.field, d.version, d.curated, d.source)
                for d in report.curation_differences
            ),
        ),
        section(
            "repository-licences",
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
            "version-licences",
            "Versions whose licences disagree",
            ("registry", "packages with several", "versions unlike the package"),
            per.get("drift", ()),
        ),
        section(
            "version-licence-packages",
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
            "staleness",
            f"Staleness (last success older than {_day_text(report.stale_after)})",
            ("registry", "tracked", "stale", "never succeeded", "oldest success", "median age"),
            per.get("staleness", ()),
        ),
        section(
            "unmapped",
            "Unmapped licence strings",
            ("registry", "raw text", "packages", "versions"),
            per.get("unmapped", ()),
        ),
        section(
            "failure-kinds",
            "Failed fetches by kind",
            ("registry", "kind", "count"),
            per.get("kinds", ()),
        ),
        section(
            "failures",
            "Failed fetches",
            ("registry", "name", "kind", "attempted", "message"),
            per.get("failures", ()),
        ),
        section(
            "gharchive-months",
            "GH Archive events per month (missing hours: lost or not imported)",
            ("month", "events", "hours", "of", "missing", "trimmed", "from API"),
            (
                _cells(m.month, m.events, m.hours_present, m.hours_expected, m.missing_hours)
                + _cells(_percent(m.trimmed_share), _percent(m.api_share))
                for m in report.archive_months
            ),
        ),
    ]


def write_table(report: QualityReport, stream: TextIO) -> None:
    from ossmeta.surfaces.formats.tables import TextTable, write_tables

    summary = TextTable(ATTENTION_HEADING, "count", "what", wrap=("what",))
    for item in attention(report):
        summary.add_row(str(item.count), item.what)
    tables = [summary]
    for section in sections(report):
        table = TextTable(section.heading, *section.columns, wrap=section.columns)
        for cells in section.rows:
            table.add_row(*cells)
        tables.append(table)
    title = f"ossmeta data-quality report, {utc_text(report.generated_at)}"
    write_tables(stream, title, "", *tables)


def write_html(report: QualityReport, stream: TextIO) -> None:
    from ossmeta.surfaces.formats.quality_html import write_html as write

    write(report, stream)


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
