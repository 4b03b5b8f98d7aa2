"""Waivers as the engine reads them, and the version range a waiver is scoped to.

A waiver names a package (a purl without version, ``pkg:pypi/name``, or a bare name, which
matches in every ecosystem) and a version range: ``*`` (every version) or comparators
joined by commas, packaging-style (``>=1.0,<2``, ``==1.4.2``, ``!=1.5``), compared with the
ecosystem's own version ordering (PEP 440 for PyPI, SemVer for npm), never as text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from ossmeta.ecosystems import PURL_TYPE_TO_ECOSYSTEM, name_key
from ossmeta.errors import InputError
from ossmeta.versions import try_version_key

__all__ = ["Waiver", "check_range", "package_of", "waiver_covers"]

_COMPARATOR = re.compile(r"\s*(==|!=|>=|<=|>|<)\s*([^\s,<>=!]+)\s*")
_PURL = re.compile(r"pkg:(?P<type>[a-z0-9.+-]+)/(?P<name>[^@?#\s]+)")


@dataclass(frozen=True)
class Waiver:
    id: int
    package: str  # "pkg:pypi/name", "pkg:npm/%40scope/name" or a bare name
    versions: str  # "*" or comparators
    reason: str
    requested_by: str
    approved_by: str
    created_at: datetime
    expires_at: datetime | None = None
    revoked_at: datetime | None = None

    @property
    def label(self) -> str:
        return f"waiver {self.id}"


def package_of(package: str) -> tuple[str | None, str]:
    """(purl type or None for a bare name, name) of a waiver's package; an input error
    when it is neither a purl nor a name."""
    text = package.strip()
    if text.startswith("pkg:"):
        found = _PURL.fullmatch(text)
        if found is None:
            raise InputError(f"package {package!r}: a purl without version (pkg:pypi/name)")
        name = found["name"].replace("%40", "@").replace("%2F", "/").replace("%2f", "/")
        return found["type"], name
    if not text or any(c.isspace() for c in text) or "@" in text[1:]:
        raise InputError(f"package {package!r}: a name or a purl without version")
    return None, text


def _comparators(spec: str) -> list[tuple[str, str]] | None:
    text = spec.strip()
    if text in ("", "*"):
        return []
    out = []
    for part in text.split(","):
        found = _COMPARATOR.fullmatch(part)
        if found is None:
            return None
        out.append((found[1], found[2]))
    return out


def check_range(spec: str) -> str:
    """``spec`` when it is a version range a waiver can carry, else an input error."""
    if _comparators(spec) is None:
        raise InputError(
            f"version range {spec!r}: '*' or comparators joined by commas (>=1.0,<2, ==1.4.2)"
        )
    return spec.strip() or "*"


def _in_range(spec: str, ecosystem: str, version: str) -> bool:
    comparators = _comparators(spec)
    if not comparators:
        return comparators == []
    key = try_version_key(ecosystem, version)
    if key is None:  # an unparseable version is covered only by an exact ==
        return all(op == "==" and bound == version for op, bound in comparators)
    for op, bound in comparators:
        other = try_version_key(ecosystem, bound)
        if other is None:
            return False
        if not {
            "==": key == other,
            "!=": key != other,
            ">=": key >= other,
            "<=": key <= other,
            ">": key > other,
            "<": key < other,
        }[op]:
            return False
    return True


def waiver_covers(
    waiver: Waiver, ecosystem: str, name: str, version: str, now: datetime | None
) -> bool:
    """Whether ``waiver`` is in force at ``now`` for the release; ``ecosystem`` is the purl
    type (``pypi``, ``npm``)."""
    if waiver.revoked_at is not None and (now is None or waiver.revoked_at <= now):
        return False
    if waiver.expires_at is not None and (now is None or waiver.expires_at <= now):
        return False
    kind, wanted = package_of(waiver.package)
    if kind is not None and kind != ecosystem:
        return False
    osv = PURL_TYPE_TO_ECOSYSTEM.get(ecosystem, ecosystem)
    if name_key(osv, wanted) != name_key(osv, name):
        return False
    return _in_range(waiver.versions, osv, version)
