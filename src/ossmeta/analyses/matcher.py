"""OSV's evaluation algorithm (osv-schema "Evaluation"), with a third answer.

For one package version and one ``affected`` entry: the version is affected if it is listed
in ``versions`` or lies in any range. A range is evaluated by sorting its events in the
range type's order (``introduced: "0"`` below everything, ``limit: "*"`` above), checking
``limit``s first, then walking the events: ``introduced`` opens, ``fixed`` (exclusive) and
``last_affected`` (inclusive) close. GIT ranges are evaluated through ``versions``.

Where the ecosystem's ordering cannot parse the version or an event, the answer is
``unknown`` (never "not affected"); versions are never compared as text. The range
machinery itself lives in ``ossmeta.ranges``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ossmeta.ecosystems import GO, base_ecosystem, osv_version
from ossmeta.model import Affected, Verdict
from ossmeta.ranges import compile_range, in_range
from ossmeta.versions import key_function


@dataclass(frozen=True, slots=True)
class Outcome:
    verdict: Verdict
    reason: str


NOT_AFFECTED = Outcome(Verdict.NOT_AFFECTED, "outside every range")


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
