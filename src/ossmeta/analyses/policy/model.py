"""The policy decision, as every enforcing surface reads it.

A decision is made per release (package and version; a file inherits its release's
decision) and has three outcomes, as the research on real pip, uv and npm showed is needed:

* ``allow``: listed and served;
* ``hide``: not yet evaluated (absent from an index page; never served);
* ``deny``: listed as blocked with the reason (a PEP 592 yank with the reason on a Python
  page, ``policyRestrictions`` in an npm packument) and refused at the file route with 403.

A dry-run policy decides and records, but ``enforced`` is always ``allow``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

__all__ = [
    "Action",
    "Decider",
    "Decision",
    "Reason",
    "UpstreamRelease",
    "allow_everything",
]

Action = Literal["allow", "hide", "deny"]


@dataclass(frozen=True)
class Reason:
    """One rule that fired. ``rule`` is the dotted name of the policy key that fired
    (``security.deny_at_or_above``, ``licenses.deny``, ``cooldown.min_age_days``,
    ``malicious``, ...); ``message`` is one line a developer reads in pip's or npm's error."""

    rule: str
    message: str
    advisory: str | None = None


@dataclass(frozen=True)
class Decision:
    action: Action
    reasons: tuple[Reason, ...] = ()
    policy: str | None = None
    policy_version: int | None = None
    dry_run: bool = False
    waiver: str | None = None
    # When the decision changes by time alone (a cooldown ends, a waiver expires): an index
    # page built from it must be rebuilt then, whatever else changed.
    valid_until: datetime | None = None

    @property
    def enforced(self) -> Action:
        """What the surfaces do: a dry run never blocks."""
        return "allow" if self.dry_run else self.action

    def summary(self) -> str:
        """One line naming the policy, its version and every rule that fired, e.g.
        ``policy baseline v2: security.deny_at_or_above: GHSA-xxxx-xxxx-xxxx is high``."""
        head = (
            "no policy" if self.policy is None else f"policy {self.policy} v{self.policy_version}"
        )
        if not self.reasons:
            return f"{head}: {self.action}"
        return head + ": " + "; ".join(f"{r.rule}: {r.message}" for r in self.reasons)


@dataclass(frozen=True)
class UpstreamRelease:
    """What an index knows of a release from its upstream alone: the facts a policy reads
    beside the center's own (advisories, curations, health)."""

    ecosystem: str  # "pypi" or "npm"
    name: str  # as the registry spells it
    version: str
    published: datetime | None  # upstream upload time (UTC); None when upstream gave none
    license: str | None = None  # as declared upstream: an SPDX expression or free text
    yanked: bool = False  # yanked (PyPI) or deprecated (npm) upstream
    deprecated: bool = False


# An index asks for decisions on many releases at once and gets them back in order.
Decider = Callable[[Sequence[UpstreamRelease]], Sequence[Decision]]


def allow_everything(releases: Sequence[UpstreamRelease]) -> Sequence[Decision]:
    """The decider of an index without a policy."""
    return [Decision("allow") for _ in releases]
