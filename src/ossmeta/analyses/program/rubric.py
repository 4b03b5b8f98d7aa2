"""The defense's rubric (a TOML file per year) and the published rule that turns reviewers'
scores into one score per pair. Pure: no I/O.

::

    [[criterion]]
    key = "quality"
    label = "Quality of the merged work"
    label_zh = "合入工作的质量"
    weight = 2          # > 0
    max = 10            # the highest score a reviewer may give (> 0)

The rule (``DEFENSE_RULE``): each reviewer's scores become one number, the weighted sum of
score / max normalised to 100; a pair's score is the median of its reviewers' numbers, so one
reviewer far from the others moves it little; equal scores share a rank. Exact arithmetic
(fractions) so that ties are real ties, never rounding noise.
"""

from __future__ import annotations

import re
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction

from ossmeta.analyses.program.forms import Sections, read_toml
from ossmeta.errors import InputError

__all__ = [
    "DEFENSE_RULE",
    "Criterion",
    "Ranked",
    "aggregate",
    "check_scores",
    "parse_rubric",
    "rank",
    "reviewer_score",
]

DEFENSE_RULE = (
    "Each reviewer's scores become one number: the sum over the criteria of weight × score ÷ "
    "maximum, divided by the sum of the weights, times 100. A pair's defense score is the "
    "median of its reviewers' numbers (with an even count, the mean of the middle two), so a "
    "single outlying reviewer cannot move it past the others. Equal scores share a rank."
)

_KEY = re.compile(r"[a-z][a-z0-9_]{0,63}")
_LIMIT = 10**6


@dataclass(frozen=True, slots=True)
class Criterion:
    key: str
    label: str
    label_zh: str
    weight: Fraction
    max: Fraction


@dataclass(frozen=True, slots=True)
class Ranked:
    subject: str
    score: Fraction
    reviewers: int
    rank: int


def _positive(value: object) -> Fraction | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if not 0 < value <= _LIMIT:  # NaN fails this too
        return None
    return Fraction(value).limit_denominator(10**6)


def parse_rubric(text: str, where: str) -> tuple[Criterion, ...]:
    data = read_toml(text, where)
    sections = Sections(text)
    for name in data:
        if name != "criterion":
            line = sections.line(None, key=name) or sections.line(name)
            raise InputError(f"unknown setting {name!r} (criterion)", path=where, line=line)
    entries = data.get("criterion")
    if not isinstance(entries, list) or not entries:
        raise InputError("a rubric lists its criteria as [[criterion]] tables", path=where)
    criteria: list[Criterion] = []
    for index, entry in enumerate(entries):

        def fail(key: str | None, message: str, index: int = index) -> InputError:
            line = sections.line("criterion", index, key)
            return InputError(f"criterion {index + 1}: {message}", path=where, line=line)

        if not isinstance(entry, dict):
            raise fail(None, "a table with key, label, label_zh, weight, max")
        for name in entry:
            if name not in ("key", "label", "label_zh", "weight", "max"):
                raise fail(name, f"unknown field {name!r} (key, label, label_zh, weight, max)")
        key = entry.get("key")
        if not isinstance(key, str) or not _KEY.fullmatch(key):
            raise fail("key", "key is lower-case letters, digits and _ (up to 64)")
        if any(c.key == key for c in criteria):
            raise fail("key", f"criterion key {key!r} is used twice")
        labels = []
        for name in ("label", "label_zh"):
            value = entry.get(name)
            if not isinstance(value, str) or not value.strip() or len(value) > 500:
                raise fail(name, f"{name} is a text of 1 to 500 characters")
            labels.append(value.strip())
        weight, most = _positive(entry.get("weight")), _positive(entry.get("max"))
        if weight is None:
            raise fail("weight", f"weight is a number above 0, at most {_LIMIT}")
        if most is None:
            raise fail("max", f"max is a number above 0, at most {_LIMIT}")
        criteria.append(Criterion(key, labels[0], labels[1], weight, most))
    return tuple(criteria)


def check_scores(rubric: Sequence[Criterion], scores: Mapping[str, object]) -> dict[str, Fraction]:
    """One reviewer's scores, every criterion from 0 to its max; an ``InputError`` names the
    criterion."""
    known = {c.key for c in rubric}
    for key in scores:
        if key not in known:
            raise InputError(f"no criterion {key!r} in the rubric ({', '.join(sorted(known))})")
    checked: dict[str, Fraction] = {}
    for criterion in rubric:
        value = scores.get(criterion.key)
        if isinstance(value, str):
            try:
                value = float(value)
            except ValueError:
                value = None
        if isinstance(value, bool) or not isinstance(value, int | float) or value != value:
            raise InputError(f"criterion {criterion.key!r}: give a score from 0 to {criterion.max}")
        given = Fraction(value).limit_denominator(10**6)
        if not 0 <= given <= criterion.max:
            raise InputError(f"criterion {criterion.key!r}: a score from 0 to {criterion.max}")
        checked[criterion.key] = given
    return checked


def reviewer_score(rubric: Sequence[Criterion], scores: Mapping[str, Fraction]) -> Fraction:
    """One reviewer's number from 0 to 100: the weighted mean of score / max, times 100."""
    weights = sum((c.weight for c in rubric), Fraction(0))
    total = sum((c.weight * scores[c.key] / c.max for c in rubric), Fraction(0))
    return 100 * total / weights


def aggregate(numbers: Sequence[Fraction]) -> Fraction:
    """The median of the reviewers' numbers (the mean of the middle two for an even count)."""
    if not numbers:
        raise ValueError("no reviewer has scored")
    return Fraction(statistics.median(sorted(numbers)))


def rank(scored: Mapping[str, Sequence[Fraction]]) -> list[Ranked]:
    """Pairs by their aggregated score, best first; equal scores share a rank (1, 1, 3)."""
    results = sorted(
        (
            (subject, aggregate(numbers), len(numbers))
            for subject, numbers in scored.items()
            if numbers
        ),
        key=lambda item: (-item[1], item[0]),
    )
    ranked: list[Ranked] = []
    for position, (subject, score, count) in enumerate(results, 1):
        shared = ranked[-1].rank if ranked and ranked[-1].score == score else position
        ranked.append(Ranked(subject, score, count, shared))
    return ranked
