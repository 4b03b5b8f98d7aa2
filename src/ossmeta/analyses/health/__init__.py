"""The explained health score of a package (issue 10 §5): five parts (security, licence,
maintenance, community, adoption), each a weighted mean of log-normalized signals as in
OpenSSF's criticality score, every input listed with its value, its normalized value and
its share of the score, and the missing ones listed as missing.

``config`` reads the weights and thresholds, ``signals`` gathers the inputs from the store,
``score`` is the arithmetic.
"""

from __future__ import annotations

from datetime import datetime

from ossmeta.analyses.health.config import default_config, load_config
from ossmeta.analyses.health.model import (
    PARTS,
    SIGNALS,
    HealthConfig,
    HealthInputs,
    HealthScore,
    Observation,
    PartScore,
    SignalScore,
)
from ossmeta.analyses.health.score import normalize, score
from ossmeta.analyses.health.signals import gather
from ossmeta.store import Store

__all__ = [
    "PARTS",
    "SIGNALS",
    "HealthConfig",
    "HealthInputs",
    "HealthScore",
    "Observation",
    "PartScore",
    "SignalScore",
    "default_config",
    "gather",
    "health",
    "load_config",
    "normalize",
    "score",
]


def health(
    store: Store, purl: str, config: HealthConfig, *, as_of: datetime | None = None
) -> HealthScore:
    """The explained health score of ``purl`` (the version it names, else the newest
    version that is not yanked)."""
    return score(gather(store, purl, config, as_of=as_of), config)
