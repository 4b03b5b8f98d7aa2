"""What the data-quality page shows: the report ``ossmeta quality`` prints
(``service.quality``), its summary first (``formats.quality.attention``, the lines the CLI's
summary has, in the page's language), then completeness per registry and field and the GH
Archive months, each as a chart beside its table."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ossmeta.analyses.quality import QualityReport
from ossmeta.service.quality import quality
from ossmeta.store import Store
from ossmeta.surfaces.formats.quality import attention
from ossmeta.surfaces.web.words_public import SUMMARY

__all__ = ["QualityPage", "quality_page"]


@dataclass(frozen=True)
class QualityPage:
    report: QualityReport
    summary: tuple[tuple[int, str, str], ...]  # (count, the marked words, anchor)

    def chart_data(self) -> dict[str, Any]:
        """Package completeness per field (a bar per registry) and events per month."""
        registries = self.report.registries
        fields = (
            [f"field.{f.field}" for f in registries[0].fields if f.level == "package"]
            if registries
            else []
        )
        charts: list[dict[str, Any]] = []
        if registries:
            charts.append(
                {
                    "id": "completeness-chart",
                    "kind": "bars",
                    "labels": fields,
                    "series": [
                        {
                            "name": r.registry,
                            "values": [f.completeness for f in r.fields if f.level == "package"],
                        }
                        for r in registries
                    ],
                }
            )
        if self.report.archive_months:
            charts.append(
                {
                    "id": "archive-chart",
                    "kind": "line",
                    "labels": [m.month for m in self.report.archive_months],
                    "series": [
                        {"name": "events", "values": [m.events for m in self.report.archive_months]}
                    ],
                }
            )
        return {"charts": charts}


def quality_page(store: Store) -> QualityPage:
    report = quality(store)
    seen: dict[str, int] = {}
    lines: list[tuple[int, str, str]] = []
    for item in attention(report):
        place = seen.get(item.anchor, 0)
        seen[item.anchor] = place + 1
        lines.append((item.count, SUMMARY.get((item.anchor, place), item.what), item.anchor))
    return QualityPage(report, tuple(lines))
