"""OSV's evaluation algorithm (osv-schema "Evaluation"), with a third answer.

For one package version and one ``affected`` entry: the version is affected if it is listed
in ``versions`` or lies in any range. A range is evaluated by sorting its events in the
range type's order (``introduced: "0"`` below everything, ``limit: "*"`` above), checking
``limit``s first, then walking the events: ``introduced`` opens, ``fixed`` (exclusive) and
``last_affected`` (inclusive) close. GIT ranges are evaluated through ``versions``.

Where the ecosystem's ordering cannot parse the version or an event, the answer is
``unknown`` (never "not affected"); versions are never compared as text.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ossmeta.ecosystems import base_ecosystem, osv_version
from ossmeta.model import Affected, Range, Verdict
from ossmeta.versions import InvalidVersion, ordering_for, try_version_key, version_key

_BOTTOM = object()  # introduced "0"
_TOP = object()  # limit "*"


@dataclass(frozen=True, slots=True)
class Outcome:
    verdict: Verdict
    reason: str


NOT_AFFECTED = Outcome(Verdict.NOT_AFFECTED, "outside every range")


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


def _describe(rng: Range) -> str:
    parts = ", ".join(f"{e.kind} {e.version}" for e in rng.events)
    return f"{rng.type} range ({parts})"


def compile_range(rng: Range, ecosystem: str) -> CompiledRange:
    label = _describe(rng)
    if rng.type == "GIT":
        return CompiledRange(
            rng.type, None, (), (), label, "GIT range (evaluated through the versions list)"
        )
    scheme = _scheme(rng.type, ecosystem)
    if scheme is None:
        return CompiledRange(rng.type, None, (), (), label, f"unknown range type {rng.type!r}")
    if ordering_for(scheme) is None:
        return CompiledRange(rng.type, None, (), (), label, f"no version ordering for {scheme}")
    if not any(e.kind == "introduced" for e in rng.events):
        return CompiledRange(rng.type, None, (), (), label, "range has no 'introduced' event")
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
        return CompiledRange(
            rng.type, None, (), (), label, f"event version not valid for {scheme}: {error}"
        )
    bottom = [e for e in events if e[1] is _BOTTOM]
    try:
        rest = sorted((e for e in events if e[1] is not _BOTTOM), key=lambda e: _Ordered(e[1]))
    except TypeError as error:
        return CompiledRange(
            rng.type, None, (), (), label, f"event versions cannot be ordered: {error}"
        )
    return CompiledRange(rng.type, scheme, tuple(bottom + rest), tuple(limits), label, None)


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


class CompiledAffected:
    """An ``affected`` entry ready for many evaluations."""

    __slots__ = ("ecosystem", "entry", "listed", "listed_keys", "ranges")

    def __init__(self, entry: Affected) -> None:
        self.entry = entry
        self.ecosystem = ecosystem = base_ecosystem(entry.ecosystem)
        self.listed = frozenset(osv_version(ecosystem, v) for v in entry.versions)
        # Listed versions also match by the ecosystem's equality (PyPI "1.0" == "1.0.0").
        self.listed_keys = frozenset(
            key for v in self.listed if (key := try_version_key(ecosystem, v)) is not None
        )
        self.ranges = tuple(compile_range(r, entry.ecosystem) for r in entry.ranges)

    def evaluate(self, version: str) -> Outcome:
        text = osv_version(self.ecosystem, version)
        if text in self.listed or (
            self.listed_keys and try_version_key(self.ecosystem, text) in self.listed_keys
        ):
            return Outcome(Verdict.AFFECTED, f"{version} is listed in the affected versions")
        unknown: str | None = None
        for compiled in self.ranges:
            if compiled.problem is not None:
                if compiled.type == "GIT":
                    continue  # judged through the versions list above
                unknown = unknown or f"{compiled.label}: {compiled.problem}"
                continue
            assert compiled.scheme is not None
            try:
                key = version_key(compiled.scheme, text)
            except InvalidVersion:
                unknown = unknown or f"{version} is not a valid {compiled.scheme} version"
                continue
            if in_range(compiled, key):
                return Outcome(Verdict.AFFECTED, f"{version} is in the {compiled.label}")
        if unknown is not None:
            return Outcome(Verdict.UNKNOWN, unknown)
        if not self.listed and all(c.type == "GIT" for c in self.ranges):
            what = "only GIT ranges" if self.ranges else "neither ranges nor versions"
            return Outcome(Verdict.UNKNOWN, f"the advisory gives {what} and no versions list")
        return NOT_AFFECTED
