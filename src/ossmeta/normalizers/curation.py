"""Curations: human corrections of package metadata, validated and applied (pure functions).

A curation names a package (purl without a version), a field, a value, and for per-version
fields a ``versions`` selector. Only approved curations change anything; the effective
value of a field is the approved curation's value if there is one, else the normalized
value the registry gave.

Decisions worth knowing:

- **Which curation wins.** Among the approved curations of one field and one selector the
  newest approval wins (``reviewed_at``, then ``created_at``, then id). For a version's
  licence an exact-version selector beats a range; among matching ranges the newest
  approval wins again.
- **Package licence vs version licences.** A package-level licence curation (no
  selector) sets the package's licence only; it never changes a version's licence. A
  version's licence changes only through a curation whose selector matches it. This is
  the ClearlyDefined reading: a licence is a fact about a release, and relicensing is
  common, so a curator's finding about one release is never silently copied onto others.
  A curator who has checked every release says so with ``vers:<type>/*``.
- **Values.** A licence must already be a valid SPDX expression (it is stored in canonical
  form; free text such as "MIT License" and deprecated ids are refused with the expression
  to use instead). A repository is stored as ``host/owner/name``. ``status`` is one of
  ``PackageStatus``. For ``repository``, ``homepage`` and ``description`` an empty value
  means "upstream's value is wrong and there is none": the effective value is None.

Selectors (the subset of vers we support): either one exact version (``1.2.3``, compared as
text and, where the ecosystem's ordering parses both, by version equality), or
``vers:<purl type>/<constraints>`` where the purl type is the package's own (``pypi``,
``npm``, ``maven``, ``cargo``, ``golang``, ``gem``, ``nuget``, ``composer``) and the
constraints are ``*`` alone or ``|``-separated ``[comparator]version`` with comparators
``=`` (the default), ``!=``, ``<``, ``<=``, ``>``, ``>=``. Versions may be percent-encoded
and must parse under the ecosystem's ordering; they must be distinct; after sorting them,
the comparators must follow the vers validity rules (ignoring ``!=``: ``=`` is followed by
``=``, ``>`` or ``>=``; ``<``/``<=`` by ``=``, ``>`` or ``>=``; ``>``/``>=`` by ``<`` or
``<=``). A range of only ``!=`` constraints matches nothing and is refused. A version the
ordering cannot parse is in no range. Selectors are stored in canonical form (sorted,
``=`` omitted, spaces removed).
"""

from __future__ import annotations

import dataclasses
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from itertools import pairwise
from typing import Any, Final
from urllib.parse import unquote, urlsplit

from ossmeta.ecosystems import ECOSYSTEM_TO_PURL_TYPE
from ossmeta.errors import OssmetaError, UsageError
from ossmeta.model import LicenseValue, PackageRecord, PackageStatus, PackageVersion
from ossmeta.purls import package_purl
from ossmeta.versions import ordering_for, try_version_key

__all__ = [
    "CURATABLE_FIELDS",
    "STATUSES",
    "CuratableField",
    "Curation",
    "Step",
    "apply_curations",
    "canonical_package_purl",
    "check_text",
    "check_url",
    "curated_license",
    "explain",
    "field_rule",
    "matches",
    "rank",
    "validate",
    "validate_selector",
    "winner",
]

PROPOSED: Final = "proposed"
APPROVED: Final = "approved"
REJECTED: Final = "rejected"
STATUSES: Final = (PROPOSED, APPROVED, REJECTED)


@dataclass(frozen=True, slots=True)
class Curation:
    id: int
    purl: str  # the package, canonical, without a version
    versions: str | None  # None: the package; else one version or a vers range (canonical)
    field: str
    value: str  # canonical for the field; "" clears repository/homepage/description
    reason: str
    author: str
    evidence: str  # a URL
    status: str  # proposed | approved | rejected
    reviewer: str | None
    review_note: str | None
    created_at: datetime
    reviewed_at: datetime | None


@dataclass(frozen=True, slots=True)
class CuratableField:
    name: str
    per_version: bool  # whether a ``versions`` selector may narrow it to some versions
    clearable: bool  # whether "" (no value) is a valid correction


#: The fields a curation may correct.
CURATABLE_FIELDS: Final[dict[str, CuratableField]] = {
    f.name: f
    for f in (
        CuratableField("license", per_version=True, clearable=False),
        CuratableField("repository", per_version=False, clearable=True),
        CuratableField("homepage", per_version=False, clearable=True),
        CuratableField("description", per_version=False, clearable=True),
        CuratableField("status", per_version=False, clearable=False),
    )
}

_MAX_SELECTOR = 255  # the column's width
_UNSAFE_VERSION = re.compile(r"[\s\x00-\x1f\x7f]")


def field_rule(name: str) -> CuratableField:
    """The rule of a curatable field; ``UsageError`` naming the valid ones otherwise."""
    found = CURATABLE_FIELDS.get(name)
    if found is None:
        raise UsageError(
            f"cannot curate field {name!r}: curatable fields are {', '.join(CURATABLE_FIELDS)}"
        )
    return found


# --------------------------------------------------------------------------- purls and values


def canonical_package_purl(purl: str) -> tuple[str, str]:
    """(canonical purl, OSV ecosystem) of a package purl; ``UsageError`` when it is not a
    purl, names a version, qualifiers or a subpath, or has a type we hold no packages for."""
    try:
        built, ecosystem, parsed = package_purl(purl)
    except OssmetaError as error:
        raise UsageError(str(error)) from None
    if parsed.version is not None:
        raise UsageError(
            f"{purl}: give the package without a version (select versions with a selector)"
        )
    if parsed.qualifiers or parsed.subpath:
        raise UsageError(f"{purl}: a package purl has no qualifiers or subpath")
    return built, ecosystem


def _license(value: str) -> str:
    # Imported here, as in ``validate``: applying curations (every ``packages show``) needs
    # neither licence nor repository normalization, and their tables take time to build.
    from ossmeta.normalizers.licenses import LicenseConfidence, normalize_license

    found = normalize_license(value)
    if found.confidence is LicenseConfidence.EXACT and found.spdx is not None:
        return found.spdx
    if found.spdx is not None:
        raise UsageError(
            f"licence {value!r} is not a current SPDX expression; write {found.spdx!r}"
        )
    raise UsageError(f"licence {value!r} is not a valid SPDX expression")


def check_text(value: str, what: str) -> str:
    """``value`` with its line breaks as ``\\n``; ``UsageError`` when it holds other control
    characters than line breaks and tabs (NUL cannot even be stored in PostgreSQL; the others
    are noise that breaks one-line output)."""
    text = value.replace("\r\n", "\n").replace("\r", "\n")
    bad = next((c for c in text if c not in "\n\t" and unicodedata.category(c) == "Cc"), None)
    if bad is not None:
        raise UsageError(f"{what} contains the control character {bad!r}")
    return text


def check_url(value: str, what: str) -> str:
    """``value`` when it is an http(s) URL with a host, else ``UsageError``."""
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc or _UNSAFE_VERSION.search(value):
        raise UsageError(f"{what} must be an http(s) URL, not {value!r}")
    return check_text(value, what)


def validate(field: str, value: str, ecosystem: str) -> str:
    """The canonical form of ``value`` for ``field``; ``UsageError`` (one line) when it is not
    a valid value. ``ecosystem`` is the package's (kept for fields whose rules depend on it)."""
    rule = field_rule(field)
    text = value.strip()
    if not text:
        if rule.clearable:
            return ""
        raise UsageError(f"{field}: an empty value is not a correction")
    if field == "license":
        return _license(text)
    if field == "repository":
        from ossmeta.normalizers.repos import canonical_repo_url

        repo = canonical_repo_url(text)
        if repo.canonical is None:
            raise UsageError(f"repository {text!r} is not a repository link: {repo.reason}")
        return repo.canonical
    if field == "homepage":
        return check_url(text, "homepage")
    if field == "status":
        allowed = [s.value for s in PackageStatus]
        if text not in allowed:
            raise UsageError(f"status must be one of {', '.join(allowed)}, not {text!r}")
        return text
    return check_text(text, field)


# --------------------------------------------------------------------------- selectors

_COMPARATORS = (">=", "<=", "!=", "<", ">", "=")  # two-character ones first
_LOWER = frozenset({">", ">="})
_UPPER = frozenset({"<", "<="})
_INCLUSIVE = frozenset({"=", "<=", ">="})
#: What may follow each comparator once "!=" constraints are set aside.
_FOLLOWERS = {
    "=": frozenset({"=", ">", ">="}),
    "<": frozenset({"=", ">", ">="}),
    "<=": frozenset({"=", ">", ">="}),
    ">": frozenset({"<", "<="}),
    ">=": frozenset({"<", "<="}),
}


@dataclass(frozen=True, slots=True)
class _Range:
    ecosystem: str
    star: bool
    constraints: tuple[tuple[str, str, Any], ...]  # (comparator, version, key) sorted


def _quote(version: str) -> str:
    return "".join(f"%{ord(c):02X}" if c in "%<>=!*|" else c for c in version)


def _constraint(text: str) -> tuple[str, str]:
    for comparator in _COMPARATORS:
        if text.startswith(comparator):
            return comparator, unquote(text[len(comparator) :])
    return "=", unquote(text)


@lru_cache(maxsize=4096)
def _parse_range(selector: str, ecosystem: str) -> _Range:
    body = re.sub(r"[ \t]", "", selector)[len("vers:") :]
    scheme, slash, constraints = body.partition("/")
    expected = ECOSYSTEM_TO_PURL_TYPE.get(ecosystem)
    if not slash or scheme != expected:
        raise UsageError(f"{selector}: a {ecosystem} range starts with vers:{expected}/")
    if ordering_for(ecosystem) is None:
        raise UsageError(f"{selector}: no version ordering for {ecosystem}; select one version")
    if constraints == "*":
        return _Range(ecosystem, True, ())
    parts = [_constraint(p) for p in constraints.strip("|").split("|") if p]
    if not parts:
        raise UsageError(f"{selector}: no constraints")
    keyed: list[tuple[str, str, Any]] = []
    for comparator, version in parts:
        key = try_version_key(ecosystem, version) if version else None
        if key is None:
            raise UsageError(f"{selector}: {version!r} is not a {ecosystem} version")
        keyed.append((comparator, version, key))
    keyed.sort(key=lambda c: c[2])
    for (_, first, a), (_, second, b) in pairwise(keyed):
        if a == b:
            raise UsageError(f"{selector}: {first!r} and {second!r} are the same version")
    bounds = [c for c in keyed if c[0] != "!="]
    if not bounds:
        raise UsageError(f"{selector}: only '!=' constraints, which match nothing")
    for (before, v1, _), (after, v2, _) in pairwise(bounds):
        if after not in _FOLLOWERS[before]:
            raise UsageError(
                f"{selector}: '{before}{v1}' cannot be followed by '{after}{v2}' "
                "(an empty or redundant range)"
            )
    return _Range(ecosystem, False, tuple(keyed))


def _canonical_range(parsed: _Range) -> str:
    scheme = ECOSYSTEM_TO_PURL_TYPE[parsed.ecosystem]
    if parsed.star:
        return f"vers:{scheme}/*"
    written = "|".join(
        (comparator if comparator != "=" else "") + _quote(version)
        for comparator, version, _ in parsed.constraints
    )
    return f"vers:{scheme}/{written}"


def validate_selector(selector: str, ecosystem: str) -> str:
    """The canonical form of a versions selector; ``UsageError`` when it is not one."""
    text = selector.strip()
    if text.startswith("vers:"):
        canonical = _canonical_range(_parse_range(text, ecosystem))
    elif not text or _UNSAFE_VERSION.search(text) or text[0] in "<>=!*|~^":
        raise UsageError(f"{selector!r} is neither one version nor a vers:<type>/... range")
    else:
        canonical = text
    if len(canonical) > _MAX_SELECTOR:
        raise UsageError(f"versions selector longer than {_MAX_SELECTOR} characters")
    return canonical


def _in_range(parsed: _Range, key: Any) -> bool:
    if parsed.star:
        return True
    bounds: list[tuple[str, Any]] = []
    for comparator, _, bound in parsed.constraints:
        if bound == key:
            return comparator in _INCLUSIVE
        if comparator != "=" and comparator != "!=":
            bounds.append((comparator, bound))
    if not bounds:
        return False
    if bounds[0][0] in _UPPER and key < bounds[0][1]:
        return True
    if bounds[-1][0] in _LOWER and key > bounds[-1][1]:
        return True
    return any(
        low in _LOWER and high in _UPPER and lower < key < upper
        for (low, lower), (high, upper) in pairwise(bounds)
    )


def matches(selector: str, ecosystem: str, version: str) -> bool:
    """Whether ``version`` of a package of ``ecosystem`` is selected by ``selector``."""
    if selector.startswith("vers:"):
        key = try_version_key(ecosystem, version)
        return key is not None and _in_range(_parse_range(selector, ecosystem), key)
    if selector == version:
        return True
    mine = try_version_key(ecosystem, selector)
    return mine is not None and mine == try_version_key(ecosystem, version)


# --------------------------------------------------------------------------- applying


def rank(curation: Curation) -> tuple[datetime, datetime, int]:
    """Sort key of approved curations: the greatest is the newest approval."""
    reviewed = curation.reviewed_at or curation.created_at
    return (reviewed, curation.created_at, curation.id)


def winner(
    curations: Iterable[Curation], field: str, ecosystem: str, version: str | None = None
) -> Curation | None:
    """The approved curation in effect for ``field`` of the package (``version`` None) or of
    one version: exact-version selectors before ranges, then the newest approval."""
    best: tuple[int, tuple[datetime, datetime, int]] | None = None
    chosen: Curation | None = None
    for c in curations:
        if c.status != APPROVED or c.field != field:
            continue
        if version is None:
            if c.versions is not None:
                continue
            precedence = 0
        elif c.versions is None or not matches(c.versions, ecosystem, version):
            continue
        else:
            precedence = 0 if c.versions.startswith("vers:") else 1
        candidate = (precedence, rank(c))
        if best is None or candidate > best:
            best, chosen = candidate, c
    return chosen


def curated_license(curation: Curation) -> LicenseValue:
    return LicenseValue(
        spdx=curation.value,
        raw=curation.value,
        confidence="curated",
        source=f"curation:{curation.id}",
    )


def _package_value(curation: Curation) -> Any:
    if curation.field == "license":
        return curated_license(curation)
    if curation.field == "status":
        return PackageStatus(curation.value)
    return curation.value or None


def apply_curations(record: PackageRecord, curations: Sequence[Curation]) -> PackageRecord:
    """``record`` with the approved curations of its purl applied (see the module notes)."""
    mine = [c for c in curations if c.purl == record.purl and c.status == APPROVED]
    if not mine:
        return record
    changes: dict[str, Any] = {}
    for name in CURATABLE_FIELDS:
        found = winner(mine, name, record.ecosystem)
        if found is not None:
            changes[name] = _package_value(found)
    if any(c.versions is not None for c in mine):
        versions: list[PackageVersion] = []
        for v in record.versions:
            found = winner(mine, "license", record.ecosystem, v.version)
            versions.append(
                v if found is None else dataclasses.replace(v, license=curated_license(found))
            )
        changes["versions"] = tuple(versions)
    return dataclasses.replace(record, **changes)


@dataclass(frozen=True, slots=True)
class Step:
    """One curation of a field, and what it does to the value asked about."""

    curation: Curation
    applied: bool
    note: str


def explain(
    curations: Iterable[Curation], field: str, ecosystem: str, version: str | None = None
) -> tuple[Step, ...]:
    """Every curation of ``field`` (oldest first) with whether it sets the package's value
    (``version`` None) or that version's, and why not when it does not."""
    relevant = sorted(
        (c for c in curations if c.field == field), key=lambda c: (c.created_at, c.id)
    )
    chosen = winner(relevant, field, ecosystem, version)
    steps: list[Step] = []
    for c in relevant:
        if c is chosen:
            note = "in effect"
        elif c.status == PROPOSED:
            note = "proposed, not reviewed yet"
        elif c.status == REJECTED:
            note = f"rejected by {c.reviewer}" + (f": {c.review_note}" if c.review_note else "")
        elif version is None and c.versions is not None:
            note = f"sets the licence of versions {c.versions}, not the package's"
        elif version is not None and c.versions is None:
            note = "sets the package's licence, not a version's"
        elif (
            version is not None
            and c.versions is not None
            and not matches(c.versions, ecosystem, version)
        ):
            note = f"{c.versions} does not select {version}"
        else:
            note = f"superseded by #{chosen.id}" if chosen is not None else "not in effect"
        steps.append(Step(c, c is chosen, note))
    return tuple(steps)
