"""OSV ranges compiled for evaluation: events parsed with the range type's ordering and
sorted (``introduced: "0"`` below everything, ``limit: "*"`` above), and the spec's loop.

Used by the matcher, and at import to find which listed ``versions`` the ranges already
cover (those add nothing to matching, and the PyPA database lists hundreds per record).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from ossmeta.ecosystems import base_ecosystem, osv_version
from ossmeta.model import Range
from ossmeta.versions import InvalidVersion, key_function, ordering_for, version_key

_BOTTOM = object()  # introduced "0"
_TOP = object()  # limit "*"


def _scheme(range_type: str, ecosystem: str) -> str | None:
    if range_type == "SEMVER":
        return "SEMVER"
    if range_type == "ECOSYSTEM":
        return base_ecosystem(ecosystem)
    return None


@dataclass(frozen=True, slots=True)
class CompiledRange:
    """A range with its events parsed and sorted once (many versions are checked against
    the same ranges in one scan)."""

    type: str  # the OSV range type
    scheme: str | None
    events: tuple[tuple[str, Any], ...]  # (kind, key) sorted; key _BOTTOM for "0"
    limits: tuple[Any, ...]
    label: str
    problem: str | None  # why this range cannot be evaluated
    key_of: Callable[[str], Any | None] | None = None  # the scheme's cached parser


def describe(rng: Range) -> str:
    parts = ", ".join(f"{e.kind} {e.version}" for e in rng.events)
    return f"{rng.type} range ({parts})"


def compile_range(rng: Range, ecosystem: str) -> CompiledRange:
    label = describe(rng)

    def broken(problem: str) -> CompiledRange:
        return CompiledRange(rng.type, None, (), (), label, problem)

    if rng.type == "GIT":
        return broken("GIT range (evaluated through the versions list)")
    scheme = _scheme(rng.type, ecosystem)
    if scheme is None:
        return broken(f"unknown range type {rng.type!r}")
    if ordering_for(scheme) is None:
        return broken(f"no version ordering for {scheme}")
    if not any(e.kind == "introduced" for e in rng.events):
        return broken("range has no 'introduced' event")
    events: list[tuple[str, Any]] = []
    limits: list[Any] = []
    try:
        for event in rng.events:
            if event.kind == "introduced" and event.version == "0":
                events.append((event.kind, _BOTTOM))
            elif event.kind == "limit":
                limits.append(_TOP if event.version == "*" else version_key(scheme, event.version))
            else:
                events.append((event.kind, version_key(scheme, osv_version(scheme, event.version))))
    except InvalidVersion as error:
        return broken(f"event version not valid for {scheme}: {error}")
    bottom = [e for e in events if e[1] is _BOTTOM]
    try:
        rest = sorted((e for e in events if e[1] is not _BOTTOM), key=lambda e: _Ordered(e[1]))
    except TypeError as error:
        return broken(f"event versions cannot be ordered: {error}")
    return CompiledRange(
        rng.type, scheme, tuple(bottom + rest), tuple(limits), label, None, key_function(scheme)
    )


class _Ordered:
    """Sort adapter: keys only promise ``<``."""

    __slots__ = ("key",)

    def __init__(self, key: Any) -> None:
        self.key = key

    def __lt__(self, other: _Ordered) -> bool:
        return bool(self.key < other.key)


def in_range(compiled: CompiledRange, key: Any) -> bool:
    """The spec's loop for one parsed version (``compiled.problem`` must be None)."""
    if compiled.limits and not any(limit is _TOP or key < limit for limit in compiled.limits):
        return False
    vulnerable = False
    for kind, event_key in compiled.events:
        if kind == "introduced":
            if event_key is _BOTTOM or not key < event_key:
                vulnerable = True
        elif kind == "fixed":
            if not key < event_key:
                vulnerable = False
        elif kind == "last_affected" and event_key < key:
            vulnerable = False
    return vulnerable


def uncovered_versions(
    versions: Iterable[str], ranges: Iterable[Range], ecosystem: str
) -> list[str]:
    """The listed versions that no evaluable range of the same entry already contains."""
    compiled = [c for c in (compile_range(r, ecosystem) for r in ranges) if c.key_of is not None]
    base = base_ecosystem(ecosystem)
    out = []
    for version in versions:
        text = osv_version(base, version)
        inside = False
        for c in compiled:
            assert c.key_of is not None
            key = c.key_of(text)
            if key is not None and in_range(c, key):
                inside = True
                break
        if not inside:
            out.append(version)
    return out
