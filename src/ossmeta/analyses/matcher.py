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

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ossmeta.ecosystems import GO, base_ecosystem, osv_version
from ossmeta.model import Affected, Range, Verdict
from ossmeta.versions import InvalidVersion, key_function, ordering_for, version_key

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
    key_of: Callable[[str], Any | None] | None = None  # the scheme's cached parser


def _describe(rng: Range) -> str:
    parts = ", ".join(f"{e.kind} {e.version}" for e in rng.events)
    return f"{rng.type} range ({parts})"


def compile_range(rng: Range, ecosystem: str) -> CompiledRange:
    label = _describe(rng)

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


class CompiledAffected:
    """An ``affected`` entry ready for many evaluations."""

    __slots__ = ("_git_only", "_listed_keys", "ecosystem", "entry", "key_of", "listed", "ranges")

    def __init__(self, entry: Affected) -> None:
        self.entry = entry
        self.ecosystem = ecosystem = base_ecosystem(entry.ecosystem)
        if ecosystem == GO:
            self.listed = frozenset(osv_version(ecosystem, v) for v in entry.versions)
        else:
            self.listed = frozenset(entry.versions)
        self.key_of = key_function(ecosystem)
        self._listed_keys: frozenset[Any] | None = None
        self.ranges = tuple(compile_range(r, entry.ecosystem) for r in entry.ranges)
        self._git_only = all(c.type == "GIT" for c in self.ranges)

    @property
    def listed_keys(self) -> frozenset[Any]:
        """Listed versions also match by the ecosystem's equality (PyPI "1.0" == "1.0.0");
        parsed on first need, since many entries are never asked."""
        if self._listed_keys is None:
            self._listed_keys = frozenset(map(self.key_of, self.listed)) - {None}
        return self._listed_keys

    def evaluate(self, version: str) -> Outcome:
        text = osv_version(self.ecosystem, version)
        if text in self.listed:
            return Outcome(Verdict.AFFECTED, f"{version} is listed in the affected versions")
        unknown: str | None = None
        for compiled in self.ranges:
            if compiled.key_of is None:  # a range that cannot be evaluated
                if compiled.type != "GIT":  # GIT ranges are judged through the list above
                    unknown = unknown or f"{compiled.label}: {compiled.problem}"
                continue
            key = compiled.key_of(text)
            if key is None:
                unknown = unknown or f"{version} is not a valid {compiled.scheme} version"
            elif in_range(compiled, key):
                return Outcome(Verdict.AFFECTED, f"{version} is in the {compiled.label}")
        if self.listed and self.key_of(text) in self.listed_keys:
            return Outcome(Verdict.AFFECTED, f"{version} is listed in the affected versions")
        if unknown is not None:
            return Outcome(Verdict.UNKNOWN, unknown)
        if self._git_only and not self.listed:
            what = "only GIT ranges" if self.ranges else "neither ranges nor versions"
            return Outcome(Verdict.UNKNOWN, f"the advisory gives {what} and no versions list")
        return NOT_AFFECTED
