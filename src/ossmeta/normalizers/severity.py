"""Severity from OSV ``severity`` entries: CVSS vectors are parsed and scored (the vector
is kept); without a usable vector, the database's own rating is used."""

from __future__ import annotations

from functools import lru_cache

from cvss import CVSS2, CVSS3, CVSS4
from cvss.exceptions import CVSSError

from ossmeta.model import UNKNOWN_SEVERITY, Severity, SeverityLevel

#: Newest CVSS version first: when a record gives several, the newest is what its
#: authors scored most recently.
_CVSS_PREFERENCE = ("CVSS_V4", "CVSS_V3", "CVSS_V2")

_WORDS = {
    "critical": SeverityLevel.CRITICAL,
    "high": SeverityLevel.HIGH,
    "important": SeverityLevel.HIGH,
    "moderate": SeverityLevel.MEDIUM,
    "medium": SeverityLevel.MEDIUM,
    "low": SeverityLevel.LOW,
    "negligible": SeverityLevel.LOW,
    "none": SeverityLevel.NONE,
}


def level_from_score(score: float) -> SeverityLevel:
    """CVSS v3/v4 qualitative bands (v2 scores are banded the same way, which only
    differs from v2's own bands in calling 9.0-10.0 critical)."""
    if score == 0:
        return SeverityLevel.NONE
    if score < 4.0:
        return SeverityLevel.LOW
    if score < 7.0:
        return SeverityLevel.MEDIUM
    if score < 9.0:
        return SeverityLevel.HIGH
    return SeverityLevel.CRITICAL


def level_from_word(word: str) -> SeverityLevel:
    return _WORDS.get(word.strip().lower(), SeverityLevel.UNKNOWN)


@lru_cache(maxsize=65536)
def score_vector(kind: str, vector: str) -> Severity | None:
    """Score one CVSS vector; None when it does not parse."""
    try:
        if kind == "CVSS_V4":
            score = float(CVSS4(vector).base_score)
        elif kind == "CVSS_V3":
            score = float(CVSS3(vector).base_score)
        elif kind == "CVSS_V2":
            score = float(CVSS2(vector).base_score)
        else:
            return None
    except (CVSSError, ValueError, KeyError, IndexError, TypeError, ArithmeticError):
        return None
    return Severity(level_from_score(score), score, vector, kind)


def from_osv(
    entries: object, database_rating: object = None, origin: str | None = None
) -> Severity:
    """Severity of an OSV record (or of one affected package) from its ``severity`` list,
    falling back to a database rating (``database_specific.severity``, e.g. GHSA's
    ``MODERATE``)."""
    candidates: dict[str, str] = {}
    words: list[str] = []
    if isinstance(entries, list):
        for entry in entries:
            if not isinstance(entry, dict):
                continue
            kind, score = entry.get("type"), entry.get("score")
            if isinstance(kind, str) and isinstance(score, str):
                if kind in _CVSS_PREFERENCE:
                    candidates.setdefault(kind, score.strip())
                else:  # "Ubuntu" and other rating words
                    words.append(score)
    for kind in _CVSS_PREFERENCE:
        if kind in candidates:
            scored = score_vector(kind, candidates[kind])
            if scored is not None:
                return Severity(scored.level, scored.score, scored.vector, scored.type, origin)
    for word in [*words, database_rating]:
        if isinstance(word, str):
            level = level_from_word(word)
            if level is not SeverityLevel.UNKNOWN:
                return Severity(level, None, None, "database", origin)
    return UNKNOWN_SEVERITY
