"""The scoring arithmetic on its own: criticality-score normalization, weighted means that drop
missing signals, unknown parts, coverage, and contributions that add up to the score."""

from __future__ import annotations

import math
from dataclasses import replace
from datetime import UTC, datetime

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from ossmeta.analyses.health import (
    SIGNALS,
    HealthInputs,
    HealthScore,
    Observation,
    default_config,
    normalize,
    score,
)

CONFIG = default_config()
SPECS = {spec.kind.name: spec for spec in CONFIG.signals}
NAMES = [kind.name for kind in SIGNALS]
WHEN = datetime(2026, 6, 30, tzinfo=UTC)


def inputs(values: dict[str, float | None]) -> HealthInputs:
    return HealthInputs(
        "pkg:pypi/x",
        "1.0",
        WHEN,
        None,
        tuple(
            Observation(name, value, "given" if value is not None else "missing")
            for name, value in values.items()
        ),
    )


def signal_of(result: HealthScore, name: str) -> tuple[float | None, float | None]:
    for part in result.parts:
        for signal in part.signals:
            if signal.kind.name == name:
                return signal.normalized, signal.contribution
    raise AssertionError(name)


def part_of(result: HealthScore, name: str) -> float | None:
    return next(p.score for p in result.parts if p.name == name)


# A value per signal: missing, or anything from below 0 to twice its threshold.
values = st.fixed_dictionaries(
    {
        name: st.one_of(
            st.none(),
            st.floats(-5, 2 * SPECS[name].threshold, allow_nan=False, allow_infinity=False),
        )
        for name in NAMES
    }
)


def test_normalization_is_the_criticality_score_formula() -> None:
    # log(1 + S) / log(1 + max(S, T)), for larger-is-better, and T - S for smaller-is-better
    assert normalize(0, 500, smaller_is_better=False) == 0
    assert normalize(500, 500, smaller_is_better=False) == 1
    assert normalize(5000, 500, smaller_is_better=False) == 1
    assert normalize(49, 500, smaller_is_better=False) == pytest.approx(
        math.log(50) / math.log(501)
    )
    assert normalize(60, 730, smaller_is_better=True) == pytest.approx(
        math.log(671) / math.log(731)
    )
    assert normalize(0, 1, smaller_is_better=True) == 1
    assert normalize(3, 1, smaller_is_better=True) == 0


def test_a_hand_computed_score() -> None:
    config = replace(
        CONFIG,
        part_weights=(
            ("security", 3.0),
            ("license", 1.0),
            ("maintenance", 0.0),
            ("community", 0.0),
            ("adoption", 0.0),
        ),
    )
    result = score(
        inputs({"open_critical": 0, "open_high": 1, "license_clarity": 2, "license_policy": None}),
        config,
    )
    high = math.log(3) / math.log(4)  # T - S = 2 of T = 3
    security = (4 * 1 + 3 * high) / (4 + 3)  # the other security signals are missing
    license_part = math.log(3) / math.log(4)  # clarity 2 of 3; policy missing, not 0
    assert part_of(result, "security") == pytest.approx(security)
    assert part_of(result, "license") == pytest.approx(license_part)
    assert part_of(result, "community") is None
    assert result.score == pytest.approx((3 * security + 1 * license_part) / 4)
    # security holds 7 of its 11 weight, licence 1 of 3; weighted by part weight
    assert result.coverage == pytest.approx((3 * 7 / 11 + 1 * 1 / 3) / 4)
    assert "license.license_policy" in result.missing
    assert "security.open_critical" not in result.missing


@given(values)
def test_score_and_its_parts_are_in_range_and_contributions_add_up(
    given_values: dict[str, float | None],
) -> None:
    result = score(inputs(given_values), CONFIG)
    assert 0 <= result.coverage <= 1
    for part in result.parts:
        assert part.score is None or 0 <= part.score <= 1
        assert 0 <= part.coverage <= 1
    if all(v is None for v in given_values.values()):
        assert result.score is None
        assert result.coverage == 0
        return
    assert result.score is not None
    assert 0 <= result.score <= 1
    shares = [s.contribution for p in result.parts for s in p.signals if s.contribution is not None]
    assert sum(shares) == pytest.approx(result.score)


@given(values, st.sampled_from(NAMES), st.floats(0, 1000, allow_nan=False))
def test_a_better_value_never_lowers_the_score(
    given_values: dict[str, float | None], name: str, step: float
) -> None:
    current = given_values[name]
    assume(current is not None)
    assert current is not None
    better = current - step if SPECS[name].kind.smaller_is_better else current + step
    before = score(inputs(given_values), CONFIG)
    after = score(inputs({**given_values, name: better}), CONFIG)
    assert before.score is not None and after.score is not None
    assert after.score >= before.score - 1e-12
    part = SPECS[name].kind.part
    assert (part_of(after, part) or 0) >= (part_of(before, part) or 0) - 1e-12


@given(values, st.sampled_from(NAMES))
def test_missing_is_not_zero(given_values: dict[str, float | None], name: str) -> None:
    """A missing signal drops out; it is not the worst value. The part keeps the mean of the
    others (or is unknown), and the missing signal is listed."""
    spec = SPECS[name]
    worst = spec.threshold if spec.kind.smaller_is_better else 0.0
    missing = score(inputs({**given_values, name: None}), CONFIG)
    zero = score(inputs({**given_values, name: worst}), CONFIG)
    assert f"{spec.kind.part}.{name}" in missing.missing
    assert f"{spec.kind.part}.{name}" not in zero.missing
    assert zero.coverage > missing.coverage
    part = spec.kind.part
    others = [
        n for n in NAMES if n != name and SPECS[n].kind.part == part and given_values[n] is not None
    ]
    if not others:
        assert part_of(missing, part) is None
        assert part_of(zero, part) == 0
        return
    assert part_of(missing, part) is not None
    assert part_of(missing, part) >= (part_of(zero, part) or 0)  # type: ignore[operator]
    normalized = [signal_of(missing, n)[0] for n in others]
    if any(n and n > 0 for n in normalized):
        assert part_of(missing, part) > part_of(zero, part)  # type: ignore[operator]


@given(values, st.sampled_from(NAMES), st.floats(0.5, 10))
def test_a_heavier_signal_pulls_its_part_towards_its_own_value(
    given_values: dict[str, float | None], name: str, extra: float
) -> None:
    assume(given_values[name] is not None)
    heavier = replace(
        CONFIG,
        signals=tuple(
            replace(s, weight=s.weight + extra) if s.kind.name == name else s
            for s in CONFIG.signals
        ),
    )
    part = SPECS[name].kind.part
    before = score(inputs(given_values), CONFIG)
    after = score(inputs(given_values), heavier)
    own = signal_of(before, name)[0]
    assert own is not None
    before_part, after_part = part_of(before, part), part_of(after, part)
    assert before_part is not None and after_part is not None
    assert abs(after_part - own) <= abs(before_part - own) + 1e-12


@given(values, st.sampled_from(NAMES), st.floats(0, 1000, allow_nan=False))
def test_a_signal_weighted_zero_changes_nothing(
    given_values: dict[str, float | None], name: str, other: float
) -> None:
    off = replace(
        CONFIG,
        signals=tuple(replace(s, weight=0.0) if s.kind.name == name else s for s in CONFIG.signals),
    )
    first = score(inputs(given_values), off)
    second = score(inputs({**given_values, name: other}), off)
    assert first.score == second.score
    assert f"{SPECS[name].kind.part}.{name}" not in first.missing


def test_part_weights_decide_the_overall_mean() -> None:
    given_values: dict[str, float | None] = {"open_critical": 0, "license_clarity": 0}
    heavy_security = replace(
        CONFIG,
        part_weights=tuple((p, 9.0 if p == "security" else 1.0) for p in dict(CONFIG.part_weights)),
    )
    light_security = replace(
        CONFIG,
        part_weights=tuple((p, 1.0 if p == "security" else 9.0) for p in dict(CONFIG.part_weights)),
    )
    heavy = score(inputs(given_values), heavy_security).score
    light = score(inputs(given_values), light_security).score
    assert heavy == pytest.approx(0.9)  # security 1, licence 0, nothing else known
    assert light == pytest.approx(0.1)


def test_signals_not_gathered_are_missing_with_a_reason() -> None:
    result = score(inputs({}), CONFIG)
    assert result.score is None
    assert all(p.score is None for p in result.parts)
    assert {s.detail for p in result.parts for s in p.signals} == {"not gathered"}
    assert len(result.missing) == len(SIGNALS)
