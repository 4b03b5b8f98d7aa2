"""What the compare page shows: the health of two to five packages part by part, each
score computed as the API's ``/api/v1/compare`` computes it (``analyses.health.health`` as of
the start of the current UTC day, with the shipped weights)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time
from functools import cache
from typing import Any

from ossmeta.analyses.health import HealthConfig, HealthScore, default_config, health
from ossmeta.store import Store
from ossmeta.surfaces.formats.health import MAX_COMPARED

__all__ = ["MAX_COMPARED", "MIN_COMPARED", "Comparison", "compare"]

MIN_COMPARED = 2


@dataclass(frozen=True)
class Comparison:
    scores: tuple[HealthScore, ...]

    @property
    def parts(self) -> tuple[str, ...]:
        return tuple(part.name for part in self.scores[0].parts) if self.scores else ()

    def part(self, score: HealthScore, name: str) -> float | None:
        return next((p.score for p in score.parts if p.name == name), None)

    def chart_data(self) -> dict[str, Any]:
        """One bar per package in each part, for the page's data island."""
        return {
            "charts": [
                {
                    "id": "compare-chart",
                    "kind": "bars",
                    "labels": [f"part.{name}" for name in self.parts],
                    "series": [
                        {"name": s.purl, "values": [self.part(s, n) for n in self.parts]}
                        for s in self.scores
                    ],
                }
            ]
        }


@cache
def _config() -> HealthConfig:
    return default_config()


def compare(store: Store, purls: list[str]) -> Comparison:
    """``InputError`` for a purl that is not one, ``NotFoundError`` for a package the
    center does not hold (as the API's 400 and 404)."""
    today = datetime.combine(datetime.now(UTC).date(), time(), tzinfo=UTC)
    return Comparison(tuple(health(store, purl, _config(), as_of=today) for purl in purls))
