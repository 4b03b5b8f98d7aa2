"""The health score from gathered inputs: pure arithmetic, no I/O.

Each signal is normalized the way OpenSSF's criticality score normalizes its inputs: the
value is clamped to [0, T] (T its threshold), turned round to T - value when smaller is
better, and mapped to log(1 + value) / log(1 + T). A part's score is the weighted mean of its
signals that have a value; the overall score is the weighted mean, by part weight, of the
parts that have a score. A missing signal drops out of the mean (from the numerator and the
denominator, as in the criticality score's weighted arithmetic mean) instead of counting as
0; a part none of whose signals has a value is unknown, and the overall score says which
share of the whole weight it rests on (``coverage``).

A signal's ``contribution`` is its part of the overall score: part weight over the known
parts' weight, times its weight over its part's present weight, times its normalized value.
The contributions add up to the overall score.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from ossmeta.analyses.health.model import (
    PARTS,
    HealthConfig,
    HealthInputs,
    HealthScore,
    Observation,
    PartScore,
    SignalScore,
    SignalSpec,
)

__all__ = ["normalize", "score"]


def normalize(value: float, threshold: float, *, smaller_is_better: bool) -> float:
    """``value`` on [0, 1] against ``threshold`` (see the module notes)."""
    clamped = min(max(value, 0.0), threshold)
    if smaller_is_better:
        clamped = threshold - clamped
    return min(1.0, math.log1p(clamped) / math.log1p(threshold))


def _mean(pairs: Sequence[tuple[float, float]]) -> float | None:
    """The weighted mean of (weight, value) pairs; None when the weights add up to 0."""
    total = sum(weight for weight, _ in pairs)
    if total <= 0:
        return None
    return sum(weight * value for weight, value in pairs) / total


def score(inputs: HealthInputs, config: HealthConfig) -> HealthScore:
    observed = {o.name: o for o in inputs.observations}
    by_part: dict[str, list[tuple[SignalSpec, Observation, float | None]]] = {p: [] for p in PARTS}
    for spec in config.signals:
        seen = observed.get(spec.kind.name)
        if seen is None:
            seen = Observation(spec.kind.name, None, "not gathered")
        normalized = (
            None
            if seen.value is None
            else normalize(
                seen.value, spec.threshold, smaller_is_better=spec.kind.smaller_is_better
            )
        )
        by_part[spec.kind.part].append((spec, seen, normalized))

    part_scores: dict[str, float | None] = {}
    present_weight: dict[str, float] = {}
    coverage_pairs: list[tuple[float, float]] = []
    for part, entries in by_part.items():
        weighted = [(s.weight, n) for s, _, n in entries if n is not None and s.weight > 0]
        all_weight = sum(s.weight for s, _, _ in entries)
        present_weight[part] = sum(weight for weight, _ in weighted)
        part_scores[part] = _mean(weighted)
        part_weight = config.part_weight(part)
        if part_weight > 0 and all_weight > 0:
            coverage_pairs.append((part_weight, present_weight[part] / all_weight))

    known = [(config.part_weight(p), s) for p, s in part_scores.items() if s is not None]
    overall = _mean(known)
    known_weight = sum(weight for weight, _ in known)
    parts = []
    for part, entries in by_part.items():
        part_weight = config.part_weight(part)
        signals = []
        for spec, seen, normalized in entries:
            contribution = None
            if normalized is not None and part_scores[part] is not None and known_weight > 0:
                contribution = (
                    part_weight / known_weight * spec.weight / present_weight[part] * normalized
                )
            signals.append(
                SignalScore(
                    spec.kind,
                    spec.weight,
                    spec.threshold,
                    seen.value,
                    seen.detail,
                    normalized,
                    contribution,
                )
            )
        all_weight = sum(s.weight for s, _, _ in entries)
        parts.append(
            PartScore(
                part,
                part_weight,
                part_scores[part],
                present_weight[part] / all_weight if all_weight > 0 else 0.0,
                tuple(signals),
            )
        )
    return HealthScore(
        purl=inputs.purl,
        version=inputs.version,
        as_of=inputs.as_of,
        repository=inputs.repository,
        score=overall,
        coverage=_mean(coverage_pairs) or 0.0,
        parts=tuple(parts),
        notes=inputs.notes,
        config=config.source,
    )
