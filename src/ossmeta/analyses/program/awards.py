"""Awards of a program year, as pure computation: the award titles a year's TOML file
declares, and the published rule that turns the reviewers' cross-review rankings into one
order (normalized Borda count, ties broken by the year's seed).

The titles file::

    per_community = 3          # N: the most pairs one community recommends (default 3)

    [[title]]
    key = "gold"
    name = "Outstanding Project"
    name_zh = "优秀项目"
"""

from __future__ import annotations

import random
import re
import tomllib
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

__all__ = [
    "DEFAULT_PER_COMMUNITY",
    "AwardTitle",
    "Ranked",
    "TitlesError",
    "aggregate",
    "aggregation_rule",
    "read_titles",
]

DEFAULT_PER_COMMUNITY = 3
_KEY = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}")
_MAX_NAME = 255


class TitlesError(ValueError):
    """A mistake in a titles file: the message and the line it is on (when known)."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


@dataclass(frozen=True, slots=True)
class AwardTitle:
    key: str
    name: str  # English
    name_zh: str  # Chinese
    per_community: int  # N, the same for every title of a year


@dataclass(frozen=True, slots=True)
class Ranked:
    """One recommended pair in the aggregated order."""

    place: int  # 1 the best
    pair: str
    score: Fraction  # mean normalized Borda points, 0 to 1
    reviews: int  # how many reviewers ranked it


def _line_of(text: str, pattern: str, occurrence: int = 0) -> int | None:
    found = list(re.finditer(pattern, text, re.MULTILINE))
    if len(found) <= occurrence:
        return None
    return text.count("\n", 0, found[occurrence].start()) + 1


def _title_line(text: str, index: int, field: str | None = None) -> int | None:
    """The line of the ``index``-th ``[[title]]`` header, or of ``field`` inside it."""
    headers = list(re.finditer(r"^\s*\[\[\s*title\s*\]\]", text, re.MULTILINE))
    if len(headers) <= index:
        return None
    start = headers[index].start()
    end = headers[index + 1].start() if index + 1 < len(headers) else len(text)
    if field is not None:
        found = re.compile(rf"^\s*\"?{re.escape(field)}\"?\s*=", re.MULTILINE).search(
            text, start, end
        )
        if found is not None:
            start = found.start()
    return text.count("\n", 0, start) + 1


def _toml(text: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        found = re.search(r"line (\d+)", str(error))
        message = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(error))
        line = int(found.group(1)) if found else None
        raise TitlesError(f"not valid TOML: {message}", line) from None


def _name(text: str, entry: Mapping[str, Any], field: str, index: int) -> str:
    value = entry.get(field)
    if not isinstance(value, str) or not value.strip() or len(value) > _MAX_NAME:
        raise TitlesError(
            f"title {index + 1}: {field} must be text of 1 to {_MAX_NAME} characters",
            _title_line(text, index, field),
        )
    return value.strip()


def read_titles(text: str) -> tuple[AwardTitle, ...]:
    """The titles a file declares, in its order; ``TitlesError`` names the line."""
    data = _toml(text)
    for setting in data:
        if setting not in ("per_community", "title"):
            raise TitlesError(
                f"unknown setting {setting!r} (per_community, [[title]])",
                _line_of(text, rf"^\s*\[*\s*\"?{re.escape(setting)}\b"),
            )
    per_community = data.get("per_community", DEFAULT_PER_COMMUNITY)
    if (
        not isinstance(per_community, int)
        or isinstance(per_community, bool)
        or not 1 <= per_community <= 100
    ):
        raise TitlesError(
            "per_community must be a whole number from 1 to 100",
            _line_of(text, r"^\s*per_community\s*="),
        )
    entries = data.get("title")
    if not isinstance(entries, list) or not entries:
        raise TitlesError("declare at least one award title as a [[title]] table")
    titles: list[AwardTitle] = []
    seen: set[str] = set()
    for index, entry in enumerate(entries):
        line = _title_line(text, index)
        where = f"title {index + 1}"
        if not isinstance(entry, dict):
            raise TitlesError(f"{where}: a [[title]] is a table", line)
        for field in entry:
            if field not in ("key", "name", "name_zh"):
                raise TitlesError(
                    f"{where}: unknown field {field!r} (key, name, name_zh)",
                    _title_line(text, index, field),
                )
        key = entry.get("key")
        key_line = _title_line(text, index, "key")
        if not isinstance(key, str) or not _KEY.fullmatch(key):
            raise TitlesError(
                f"{where}: key must be lower-case letters, digits, '-' or '_' (1 to 64)", key_line
            )
        if key in seen:
            raise TitlesError(f"{where}: key {key!r} is declared twice", key_line)
        seen.add(key)
        name = _name(text, entry, "name", index)
        name_zh = _name(text, entry, "name_zh", index)
        titles.append(AwardTitle(key, name, name_zh, per_community))
    return tuple(titles)


def aggregation_rule(seed: int) -> str:
    """The published aggregation rule, in words, with its seed."""
    return (
        "Normalized Borda count: a reviewer who ranks k pairs gives the pair at place p "
        "(k - p) / (k - 1) points (1 to the first, 0 to the last; 1 when k = 1). A pair's score "
        "is the mean of its points over the reviewers who ranked it (0 when none did); pairs "
        "are ordered by score, highest first. Ties: the tied pairs are sorted by pair id and "
        f"shuffled by Python's random.Random seeded with the text '{seed}:awards' "
        f"(random.shuffle); seed {seed}."
    )


def aggregate(
    pairs: Sequence[str], rankings: Mapping[str, Sequence[str]], seed: int
) -> list[Ranked]:
    """The order of ``pairs`` under :func:`aggregation_rule`; ``rankings`` maps each
    reviewer to the pairs it ranked, best first (pairs not in ``pairs`` are ignored)."""
    wanted = set(pairs)
    points: dict[str, list[Fraction]] = defaultdict(list)
    for order in rankings.values():
        ranked = [pair for pair in order if pair in wanted]
        count = len(ranked)
        for place, pair in enumerate(ranked, 1):
            given = Fraction(1) if count == 1 else Fraction(count - place, count - 1)
            points[pair].append(given)
    score = {
        pair: (sum(points[pair], Fraction(0)) / len(points[pair])) if points[pair] else Fraction(0)
        for pair in wanted
    }
    # Shuffle once, then a stable sort by score: the shuffle decides only among equals.
    order = sorted(wanted)
    random.Random(f"{seed}:awards").shuffle(order)
    order.sort(key=lambda pair: score[pair], reverse=True)
    return [
        Ranked(place, pair, score[pair], len(points[pair])) for place, pair in enumerate(order, 1)
    ]
