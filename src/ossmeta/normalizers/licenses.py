"""Declared licences -> an SPDX expression with a confidence, the raw text always kept.

- ``exact``: the text already is a valid SPDX expression (ids in any case, operators in any
  case, redundant parentheses); it comes back in canonical form.
- ``mapped``: a deprecated id was upgraded (``GPL-3.0+`` -> ``GPL-3.0-or-later``), or free
  text, a licence URL or a legacy ``MIT/Apache-2.0`` was mapped through the tables in
  ``licensemap``.
- ``ambiguous``: a family without a version ("BSD", "GPL", "Apache"): no expression, and the
  note lists the candidates. Flagged, never guessed.
- ``unknown``: nothing declared ("", "UNKNOWN"), no licence granted ("UNLICENSED",
  proprietary), a pointer to a file ("SEE LICENSE IN ..."), or text nothing maps.

Every function is pure; the tables are built once at first use and results are cached per
raw string.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal
from urllib.parse import urlsplit

from boolean.boolean import ParseError
from license_expression import ExpressionError

from ossmeta.normalizers.licensemap import (
    CLASSIFIERS,
    CLASSIFIERS_WITHOUT_LICENSE,
    FILE_HOSTS,
    PLACEHOLDERS,
    PROPRIETARY,
    URL_RULES,
    LicenseTables,
    phrase_key,
    tables,
)


class LicenseConfidence(enum.StrEnum):
    EXACT = "exact"
    MAPPED = "mapped"
    AMBIGUOUS = "ambiguous"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class NormalizedLicense:
    spdx: str | None
    raw: str
    confidence: LicenseConfidence
    note: str | None = None


@dataclass(frozen=True, slots=True)
class _Result:
    """A result plus what combining needs: the family candidates of an ambiguous value and
    whether the value said nothing at all (a placeholder such as "UNKNOWN")."""

    license: NormalizedLicense
    candidates: tuple[str, ...] = ()
    placeholder: bool = False


_RANK = {c: n for n, c in enumerate(LicenseConfidence)}  # exact < mapped < ambiguous < unknown
_OPERATORS = {"and": "AND", "or": "OR", "with": "WITH"}
_SPDX_TOKEN = re.compile(r"[()]|[^\s()]+")
_SPDX_CHARS = re.compile(r"^[A-Za-z0-9.+:()\s-]+$")
_USER_REF = re.compile(
    r"^(?:DocumentRef-[A-Za-z0-9.-]+:)?LicenseRef-[A-Za-z0-9.-]+$", re.IGNORECASE
)
_URL = re.compile(
    r"^(?:[a-z][a-z0-9+.-]*://|www\.)|^[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}/", re.IGNORECASE
)
_FILE_POINTER = re.compile(
    r"^see\s+licen[cs]e\s+in\b|^see\b.*\blicen[cs]e|^licen[cs]e(?:\.\w+)?(?:\s+file)?$"
    r"|^(?:see\s+)?(?:the\s+)?licen[cs]e\s+file|\bcopying(?:\.\w+)?$",
    re.IGNORECASE,
)
_LEADING_NOISE = re.compile(
    r"^(?:licen[cs]e\s*:\s*|(?:this\s+\w+\s+is\s+)?(?:dual[\s-]*)?(?:licen[cs]ed|released|"
    r"distributed|available)\s+under\s+(?:the\s+)?(?:terms\s+of\s+(?:the\s+)?)?|dual[\s-]+"
    r"(?:licen[cs]ed?\s*:?\s*)?)",
    re.IGNORECASE,
)
_TRAILING_PAREN = re.compile(r"^(.*?)\s*\(([^()]*)\)\s*$")
_OR_LATER = re.compile(r"\s+or\s+(?:any\s+)?(?:later|newer)(?:\s+versions?)?\b", re.IGNORECASE)
#: Free-text conjunctions, loosest first (SPDX: OR binds loosest). "/" between two licence
#: names is the legacy Cargo/npm way of saying "dual-licensed", i.e. OR.
_SPLITS: tuple[tuple[re.Pattern[str], Literal["AND", "OR"], str | None], ...] = (
    (re.compile(r"\s+and/or\s+|\s+or\s+", re.IGNORECASE), "OR", None),
    (re.compile(r"\s*/\s*"), "OR", "'/' read as OR (dual licence)"),
    (re.compile(r"\s+and\s+|\s*&\s*", re.IGNORECASE), "AND", None),
    (re.compile(r"\s*[,;]\s*"), "AND", "a list without a conjunction read as AND"),
)
_MAX_TEXT = 300  # longer values are licence texts or statements, not names
_MAX_SPLIT_DEPTH = 3


def _ok(spdx: str, raw: str, confidence: LicenseConfidence, note: str | None) -> _Result:
    return _Result(NormalizedLicense(spdx, raw, confidence, note))


def _unknown(raw: str, note: str, *, placeholder: bool = False) -> _Result:
    return _Result(NormalizedLicense(None, raw, LicenseConfidence.UNKNOWN, note), (), placeholder)


@lru_cache(maxsize=16384)
def _render(expression: str) -> str | None:
    """Canonical text of an expression whose symbols are already resolved, or None when
    its structure does not parse (``MIT AND``, ``()``, two ids without an operator).
    Cached: the free-text tables lead to a few hundred distinct targets."""
    try:
        parsed = tables().licensing.parse(expression)
    except (
        ExpressionError,
        ParseError,
        IndexError,
        AttributeError,
        TypeError,
        ValueError,
        KeyError,
        RecursionError,
    ):
        return None
    # boolean.py expressions refuse truth-testing: compare with None, never `if parsed:`
    if parsed is None:
        return None
    rendered: str = parsed.render()
    return rendered


def _spdx(text: str, t: LicenseTables) -> tuple[str, list[str]] | None:
    """(canonical expression, upgrades) when ``text`` is an SPDX expression, else None.
    Every id is resolved here, not by license-expression, so that its ScanCode aliases
    ("GPL" -> GPL-1.0-or-later) never turn a family name into a guess."""
    if not _SPDX_CHARS.match(text):
        return None
    parts: list[str] = []
    upgrades: list[str] = []
    after_with = False
    for token in _SPDX_TOKEN.findall(text):
        operator = _OPERATORS.get(token.lower())
        if token in "()" or operator is not None:
            parts.append(operator or token)
            after_with = operator == "WITH"
            continue
        lower = token.lower()
        resolved = t.ids.get(lower)
        if resolved is None and lower in t.deprecated:
            resolved = t.deprecated[lower]
            upgrades.append(f"deprecated id {token} upgraded to {resolved}")
            resolved = f"({resolved})" if " " in resolved else resolved
        elif resolved is None and lower.endswith("+") and lower[:-1] in t.ids:
            base = t.ids[lower[:-1]]  # SPDX's "+" works on any id: Apache-2.0+
            if base in t.exceptions or base.endswith(("-only", "-or-later")):
                return None
            resolved = base + "+"
        elif resolved is None and _USER_REF.match(token) and not after_with:
            resolved = token  # a licence the document defines itself (PEP 639 allows it)
        if resolved is None or (resolved in t.exceptions) != after_with:
            return None  # unknown id, an exception used as a licence, or the reverse
        parts.append(resolved)
        after_with = False
    if len(parts) == 1 and " " not in parts[0]:
        return parts[0], upgrades  # a lone id: nothing for the parser to do
    rendered = _render(" ".join(parts))
    return None if rendered is None else (rendered, upgrades)


def _from_phrase(text: str, raw: str, t: LicenseTables) -> _Result | None:
    """The free-text tables: whole text, then without / only its trailing parenthesis
    ("ISC License (ISCL)", "GNU General Public License v2 or later (GPLv2+)")."""
    attempts = [text]
    rest = text
    # peel trailing parentheses one by one: "LGPLv3+ (see LICENSE file)", "X (Y) (Z)"
    while (paren := _TRAILING_PAREN.match(rest)) and paren.group(1):
        rest = paren.group(1)
        attempts += [rest, paren.group(2)]
    for attempt in attempts:
        key = phrase_key(attempt)
        if key in t.ambiguous:
            name, candidates = t.ambiguous[key]
            listed = ", ".join(candidates[:-1]) + " or " + candidates[-1]
            note = f"ambiguous: {raw.strip()!r} names the {name} family; could be {listed}"
            return _Result(
                NormalizedLicense(None, raw, LicenseConfidence.AMBIGUOUS, note), candidates
            )
        target = t.phrases.get(key)
        if target is not None:
            rendered = _render(target)
            if rendered is not None:
                return _ok(rendered, raw, LicenseConfidence.MAPPED, t.phrase_notes.get(key))
    return None


def _from_url(text: str, raw: str, t: LicenseTables) -> _Result:
    try:
        split = urlsplit(text if "://" in text else "https://" + text)
    except ValueError:  # "http://[::1" and other malformed netlocs
        return _unknown(raw, f"unknown: not a usable URL {text!r}")
    host = (split.hostname or "").removeprefix("www.")
    path = re.sub(r"(?:\.(?:en|html?|php|txt|md|json))+$", "", split.path.lower().rstrip("/"))
    for pattern, template in URL_RULES.get(host, []):
        match = pattern.match(path)
        if match:
            found = _normalize(match.expand(template), depth=_MAX_SPLIT_DEPTH)
            if found.license.spdx is not None:
                return _ok(
                    found.license.spdx, raw, LicenseConfidence.MAPPED, "from the licence URL"
                )
            if found.license.confidence is LicenseConfidence.AMBIGUOUS:
                return _Result(
                    NormalizedLicense(None, raw, LicenseConfidence.AMBIGUOUS, found.license.note),
                    found.candidates,
                )
    if host in FILE_HOSTS or host.endswith(".github.io"):
        return _unknown(raw, "URL of a licence file; its text is not read")
    return _unknown(raw, f"unknown: no mapping for the URL {text!r}")


def _split(text: str, raw: str, depth: int) -> _Result | None:
    """Free text naming several licences ("MIT or Apache 2.0", "MIT/Apache-2.0"): each part
    must resolve on its own; the parts are joined with the operator the text used."""
    if depth >= _MAX_SPLIT_DEPTH:
        return None
    text = _OR_LATER.sub("+", text)  # "GPLv2 or later or MIT": "or later" is not an OR
    for pattern, operator, how in _SPLITS:
        pieces = [p for p in pattern.split(text) if p.strip()]
        if len(pieces) < 2:
            continue
        results = [_normalize(p, depth=depth + 1) for p in pieces]
        if any(r.license.spdx is None for r in results):
            worst = max(results, key=lambda r: _RANK[r.license.confidence])
            return _Result(
                NormalizedLicense(None, raw, worst.license.confidence, worst.license.note),
                worst.candidates,
            )
        combined = _join([r.license.spdx for r in results if r.license.spdx], operator)
        if combined is None:
            return None
        notes = [n for n in (how, *(r.license.note for r in results)) if n]
        return _ok(combined, raw, LicenseConfidence.MAPPED, "; ".join(notes) or None)
    return None


def _join(expressions: Iterable[str], operator: str) -> str | None:
    parts = [f"({e})" if " " in e else e for e in expressions]
    return _render(f" {operator} ".join(parts))


def _normalize(raw: str, *, depth: int = 0) -> _Result:
    t = tables()
    text = raw.strip()
    key = phrase_key(text) if len(text) <= _MAX_TEXT else ""
    if not text or key in PLACEHOLDERS:
        return _unknown(
            raw, "no licence declared" + (f" ({text!r})" if text else ""), placeholder=True
        )
    if text.upper() == "UNLICENSED":
        return _unknown(raw, "UNLICENSED: the package grants no licence (npm)")
    if len(text) > _MAX_TEXT or text.count("\n") > 1:
        return _unknown(raw, f"a licence text or statement ({len(text)} characters), not a name")
    spdx = _spdx(text, t)
    if spdx is not None:
        expression, upgrades = spdx
        if upgrades:
            return _ok(expression, raw, LicenseConfidence.MAPPED, "; ".join(upgrades))
        return _ok(expression, raw, LicenseConfidence.EXACT, None)
    cleaned = _LEADING_NOISE.sub("", text).strip(" .:;,")
    if _URL.match(cleaned):
        return _from_url(cleaned, raw, t)
    if _FILE_POINTER.search(cleaned):
        return _unknown(raw, "points at a licence file; its text is not read")
    if key in PROPRIETARY:
        return _unknown(raw, "proprietary: no open-source licence declared")
    found = _from_phrase(cleaned, raw, t) or _split(cleaned, raw, depth)
    if found is not None:
        return found
    return _unknown(raw, f"unknown: no mapping for {text!r}")


@lru_cache(maxsize=65536)
def _normalize_cached(raw: str) -> _Result:
    return _normalize(raw)


def normalize_license(raw: str) -> NormalizedLicense:
    """One declared licence string (an SPDX expression, a PEP 639 ``License-Expression``,
    free text, a URL) -> its SPDX expression and confidence."""
    return _normalize_cached(raw).license


@lru_cache(maxsize=16384)
def _combine(values: tuple[str, ...], operator: Literal["AND", "OR"]) -> NormalizedLicense:
    raw = " | ".join(values)
    results = [_normalize_cached(v) for v in values]
    declared = [r for r in results if not r.placeholder]
    if not declared:
        return NormalizedLicense(None, raw, LicenseConfidence.UNKNOWN, "no licence declared")
    resolved = {r.license.spdx for r in declared if r.license.spdx is not None}
    notes: list[str] = []
    remaining: list[_Result] = []
    for r in declared:
        # A family name next to one of its members ("BSD License" classifier beside
        # "BSD-3-Clause") is that member, not a second licence.
        members = sorted(resolved & set(r.candidates))
        if r.license.spdx is None and members:
            notes.append(f"{r.license.raw!r} taken as the {members[0]} declared beside it")
            continue
        remaining.append(r)
    blocking = [r for r in remaining if r.license.spdx is None]
    if blocking:
        worst = max(blocking, key=lambda r: _RANK[r.license.confidence])
        return NormalizedLicense(None, raw, worst.license.confidence, worst.license.note)
    expressions = sorted({r.license.spdx for r in remaining if r.license.spdx is not None})
    combined = expressions[0] if len(expressions) == 1 else _join(expressions, operator)
    if combined is None:  # pragma: no cover - canonical parts always join
        return NormalizedLicense(None, raw, LicenseConfidence.UNKNOWN, "parts do not combine")
    exact = all(r.license.confidence is LicenseConfidence.EXACT for r in remaining)
    notes += [n for r in remaining if (n := r.license.note)]
    if len(expressions) > 1:
        notes.append(f"{len(expressions)} declared licences combined with {operator}")
    # Every part already valid SPDX (and nothing absorbed): the join is as exact as they are.
    confidence = (
        LicenseConfidence.EXACT
        if exact and len(remaining) == len(declared)
        else LicenseConfidence.MAPPED
    )
    return NormalizedLicense(combined, raw, confidence, "; ".join(notes) or None)


def normalize_licenses(
    values: Sequence[str], *, operator: Literal["AND", "OR"] = "AND"
) -> NormalizedLicense:
    """Several licences declared for one version (npm ``licenses``, POM ``<licenses>``,
    several trove classifiers) -> one expression.

    They are joined with AND by default: the sources do not say whether a list means "all
    apply" or "choose one", and AND never claims a permission the author did not grant.
    The Maven POM reference does say it ("if multiple licenses are listed, it is assumed
    that the user can select any of them"), so POM callers pass ``operator="OR"``.

    Duplicates collapse, the parts are sorted (the result does not depend on the order),
    placeholders ("", "UNKNOWN") are skipped, a family name beside one of its members is
    that member, and any other part without an expression makes the whole ambiguous or
    unknown (a partial expression would understate the terms). ``raw`` is the values
    joined with `` | ``."""
    items = (values,) if isinstance(values, str) else tuple(values)
    if len(items) == 1:
        return normalize_license(items[0])
    return _combine(items, operator)


def license_from_npm(value: object) -> list[str]:
    """Licence strings from any npm shape: ``"MIT"``, ``{"type": "MIT", "url": ...}``, a
    list of those (the legacy ``licenses`` array), or a whole manifest/version object with
    ``license`` and/or ``licenses``. An object without ``type`` falls back to ``name``,
    then to its ``url`` (which ``normalize_license`` can map). Order kept, duplicates and
    empty strings dropped, anything else ignored."""
    found: list[str] = []

    def visit(item: object, depth: int) -> None:
        if depth > 3:
            return
        if isinstance(item, str):
            if item.strip() and item.strip() not in found:
                found.append(item.strip())
        elif isinstance(item, list | tuple):
            for element in item:
                visit(element, depth + 1)
        elif isinstance(item, dict):
            if "license" in item or "licenses" in item:
                visit(item.get("license"), depth + 1)
                visit(item.get("licenses"), depth + 1)
                return
            for field in ("type", "name", "url"):
                text = item.get(field)
                if isinstance(text, str) and text.strip():
                    visit(text, depth + 1)
                    return

    visit(value, 0)
    return found


def license_from_classifiers(classifiers: Sequence[str]) -> list[str]:
    """``License :: ...`` trove classifiers -> licence strings: the SPDX id where the
    classifier names exactly one licence (``licensemap.CLASSIFIERS``), else its last
    segment ("BSD License", "Freeware"), which ``normalize_license`` flags ambiguous or
    unknown. Other classifiers are ignored; order kept, duplicates dropped."""
    found: list[str] = []
    for classifier in classifiers:
        head, _, rest = classifier.partition("::")
        if head.strip() != "License" or not rest.strip():
            continue
        name = " :: ".join(part.strip() for part in rest.split("::"))
        if name in CLASSIFIERS_WITHOUT_LICENSE:
            continue
        value = CLASSIFIERS.get(name) or name.rsplit(" :: ", 1)[-1]
        if value not in found:
            found.append(value)
    return found
