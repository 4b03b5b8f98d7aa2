"""What the health score is made of, as frozen dataclasses handed from stage to stage:
the signal catalogue and the configuration (``config``), the gathered inputs (``signals``)
and the explained score (``score``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Final

__all__ = [
    "PARTS",
    "SIGNALS",
    "HealthConfig",
    "HealthInputs",
    "HealthScore",
    "Observation",
    "PartScore",
    "SignalKind",
    "SignalScore",
    "SignalSpec",
]

PARTS: Final = ("security", "license", "maintenance", "community", "adoption")


@dataclass(frozen=True, slots=True)
class SignalKind:
    """What a signal measures; fixed by the code that gathers it (the config tunes only its
    weight and threshold)."""

    name: str
    part: str
    unit: str
    smaller_is_better: bool
    version_scoped: bool  # differs from one version of the package to another


SIGNALS: Final = (
    SignalKind("open_critical", "security", "advisories", True, True),
    SignalKind("open_high", "security", "advisories", True, True),
    SignalKind("open_medium", "security", "advisories", True, True),
    SignalKind("open_low", "security", "advisories", True, True),
    SignalKind("time_to_fix_days", "security", "days", True, False),
    SignalKind("license_clarity", "license", "level", False, True),
    SignalKind("license_policy", "license", "fit", False, True),
    SignalKind("days_since_release", "maintenance", "days", True, False),
    SignalKind("releases_last_year", "maintenance", "releases", False, False),
    SignalKind("commits_per_month", "maintenance", "commits", False, False),
    SignalKind("maintainers", "maintenance", "people", False, False),
    SignalKind("deprecated", "maintenance", "flag", True, True),
    SignalKind("activity", "community", "activity", False, False),
    SignalKind("openrank", "community", "openrank", False, False),
    SignalKind("contributors", "community", "people", False, False),
    SignalKind("bus_factor", "community", "people", False, False),
    SignalKind("issue_response_days", "community", "days", True, False),
    SignalKind("change_request_response_days", "community", "days", True, False),
    SignalKind("dependents", "adoption", "packages", False, False),
)


@dataclass(frozen=True, slots=True)
class SignalSpec:
    kind: SignalKind
    weight: float  # >= 0; 0 switches the signal off
    threshold: float  # > 0; the value at (or beyond) which the signal is at its best or worst


@dataclass(frozen=True, slots=True)
class HealthConfig:
    part_weights: tuple[tuple[str, float], ...]  # in PARTS order
    signals: tuple[SignalSpec, ...]  # in SIGNALS order
    license_allow: frozenset[str]
    window_months: int
    source: str  # "default", or the file given

    def part_weight(self, part: str) -> float:
        return dict(self.part_weights)[part]


@dataclass(frozen=True, slots=True)
class Observation:
    """One gathered input: a value, or None with the reason it is missing."""

    name: str
    value: float | None
    detail: str  # how it was measured, or why it is missing

    @property
    def missing(self) -> bool:
        return self.value is None


@dataclass(frozen=True, slots=True)
class HealthInputs:
    purl: str  # the package, without a version
    version: str | None  # the version scored (None when the store holds no version)
    as_of: datetime
    repository: str | None
    observations: tuple[Observation, ...]
    notes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class SignalScore:
    kind: SignalKind
    weight: float
    threshold: float
    value: float | None
    detail: str
    normalized: float | None  # in [0, 1]; None when missing
    contribution: float | None  # its share of the overall score; the shares add up to it


@dataclass(frozen=True, slots=True)
class PartScore:
    name: str
    weight: float
    score: float | None  # None: unknown (no signal of the part has a value)
    coverage: float  # the share of the part's signal weight that has a value
    signals: tuple[SignalScore, ...]


@dataclass(frozen=True, slots=True)
class HealthScore:
    purl: str
    version: str | None
    as_of: datetime
    repository: str | None
    score: float | None  # None when no part has a score
    coverage: float  # the share of the whole weight the score rests on
    parts: tuple[PartScore, ...]
    notes: tuple[str, ...]
    config: str

    @property
    def missing(self) -> tuple[str, ...]:
        return tuple(
            f"{part.name}.{signal.kind.name}"
            for part in self.parts
            for signal in part.signals
            if signal.value is None and signal.weight > 0
        )
