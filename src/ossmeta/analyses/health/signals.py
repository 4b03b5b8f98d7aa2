"""Gathering a package's health inputs from the store, through its read interfaces: the
curated package (``Curations``), its dependents (``Packages``), advisories
(``AdvisoryLookup``) and its repository's metrics (``Metrics``). No SQL here.

The version scored is the one the purl names, else the newest version (in the ecosystem's
order) that is not yanked, else the newest. Every input that cannot be known is an
observation without a value and with the reason; none is replaced by 0.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from boolean.boolean import ParseError
from license_expression import (
    AND,
    OR,
    ExpressionError,
    LicenseSymbol,
    LicenseWithExceptionSymbol,
    Licensing,
)

from ossmeta.analyses.health.model import HealthConfig, HealthInputs, Observation
from ossmeta.analyses.health.repository import METRICS_READ, repository_observations
from ossmeta.analyses.health.security import AdvisoryReader, open_advisories, time_to_fix
from ossmeta.errors import NotFoundError
from ossmeta.model import PackageRecord, PackageStatus, PackageVersion
from ossmeta.purls import package_purl
from ossmeta.store import Store
from ossmeta.store.curation_store import Curations
from ossmeta.store.lookup import AdvisoryLookup
from ossmeta.store.metrics import Metrics, MetricValue
from ossmeta.store.packages import Packages

__all__ = ["gather", "inputs_of", "license_fits", "pick_version"]

_DAY = timedelta(days=1)
#: How clear a licence is, by the normalizer's (or a curator's) confidence in it.
_CLARITY = {"curated": 3.0, "exact": 3.0, "mapped": 2.0, "ambiguous": 1.0}


def pick_version(record: PackageRecord, asked: str | None) -> PackageVersion | None:
    """The version asked for (``NotFoundError`` when the store does not hold it), else the
    newest that is not yanked, else the newest; None when the store holds no version."""
    if asked is not None:
        for held in record.versions:
            if held.version == asked:
                return held
        raise NotFoundError(
            f"no version {asked} of {record.purl} in the store "
            f"({len(record.versions)} versions held; see 'ossmeta packages show')"
        )
    standing = [v for v in record.versions if not v.yanked]
    chosen = standing or list(record.versions)
    return chosen[-1] if chosen else None


def license_fits(expression: str, allowed: frozenset[str]) -> bool | None:
    """Whether an SPDX expression can be used with only ``allowed`` licences (an OR needs
    one fitting choice, an AND all of its terms; ``X WITH e`` fits when X does); None when
    the expression does not parse."""
    try:
        parsed = Licensing().parse(expression, validate=False)
    except (ExpressionError, ParseError, ValueError, TypeError, KeyError, RecursionError):
        return None
    # boolean.py expressions refuse truth-testing: compare with None
    if parsed is None:
        return None
    wanted = {name.lower() for name in allowed}

    def fits(node: Any) -> bool:
        if isinstance(node, LicenseWithExceptionSymbol):
            node = node.license_symbol
        if isinstance(node, LicenseSymbol):
            return str(node.key).lower() in wanted
        if isinstance(node, OR):
            return any(fits(arg) for arg in node.args)
        if isinstance(node, AND):
            return all(fits(arg) for arg in node.args)
        return False

    return fits(parsed)


def _license(
    record: PackageRecord, version: PackageVersion | None, allowed: frozenset[str]
) -> list[Observation]:
    value = version.license if version is not None and version.license else record.license
    if value is None:
        return [
            Observation("license_clarity", 0.0, "no licence declared"),
            Observation("license_policy", None, "no licence to check against the policy"),
        ]
    clarity = _CLARITY.get(value.confidence, 0.0) if value.spdx else 0.0
    said = f"{value.spdx or 'unmapped'} ({value.confidence}, {value.source})"
    out = [Observation("license_clarity", clarity, said)]
    if not allowed:
        out.append(Observation("license_policy", None, "no allow list in the health config"))
    elif not value.spdx:
        out.append(Observation("license_policy", None, f"no SPDX expression for {value.raw!r}"))
    else:
        fit = license_fits(value.spdx, allowed)
        if fit is None:
            out.append(Observation("license_policy", None, f"cannot parse {value.spdx!r}"))
        else:
            verdict = "fits the allow list" if fit else "does not fit the allow list"
            out.append(Observation("license_policy", float(fit), f"{value.spdx} {verdict}"))
    return out


def _releases(record: PackageRecord, as_of: datetime) -> list[Observation]:
    """Recency (of the newest release that is not yanked) and cadence (every release of the
    year before ``as_of``); releases dated after ``as_of`` are not seen."""
    released = [v for v in record.versions if v.published is not None and v.published <= as_of]
    standing = [(v.published, v.version) for v in released if not v.yanked]
    if standing:
        when, name = max((t, n) for t, n in standing if t is not None)
        recency = Observation(
            "days_since_release", (as_of - when) / _DAY, f"{name} on {when:%Y-%m-%d}"
        )
    else:
        recency = Observation(
            "days_since_release", None, "no release time for a version that is not yanked"
        )
    if not released:
        return [recency, Observation("releases_last_year", None, "no release times given")]
    year_ago = as_of - 365 * _DAY
    recent = sum(1 for v in released if v.published is not None and v.published > year_ago)
    cadence = Observation(
        "releases_last_year", float(recent), f"in the 365 days to {as_of:%Y-%m-%d}"
    )
    return [recency, cadence]


def _maintainers(record: PackageRecord) -> Observation:
    if not record.maintainers:  # no registry has packages without one: it did not say
        return Observation("maintainers", None, "the registry lists no maintainers")
    count = float(len(record.maintainers))
    return Observation("maintainers", count, ", ".join(record.maintainers))


def _deprecation(record: PackageRecord, version: PackageVersion | None) -> Observation:
    reasons = []
    if record.status is not PackageStatus.ACTIVE:
        reasons.append(f"package {record.status.value}")
    if version is not None and version.yanked:
        why = f": {version.yanked_reason}" if version.yanked_reason else ""
        reasons.append(f"{version.version} yanked{why}")
    if version is not None and version.deprecated:
        reasons.append(f"{version.version} deprecated: {version.deprecated}")
    return Observation("deprecated", float(bool(reasons)), "; ".join(reasons) or "no")


def gather(
    store: Store, purl: str, config: HealthConfig, *, as_of: datetime | None = None
) -> HealthInputs:
    """Every input of the health score of ``purl`` (a package purl, with or without a
    version); an unknown package or version is a ``NotFoundError`` (a 404 in the API)."""
    key, _, parsed = package_purl(purl)
    record = Curations(store).effective_package(key)
    if record is None:
        raise NotFoundError(f"no package {key} in the store (run 'ossmeta sync' first)")
    advisories = AdvisoryLookup(store)
    packages = Packages(store)
    metrics = Metrics(store).monthly(record.repository, METRICS_READ) if record.repository else []
    others = packages.count_in_ecosystem(record.ecosystem) > 1
    return inputs_of(
        record,
        parsed.version,
        config,
        advisories=advisories,
        held=advisories.count(),
        metrics=metrics,
        dependents=packages.count_dependents(key) if others else None,
        as_of=as_of,
    )


def inputs_of(
    record: PackageRecord,
    asked: str | None,
    config: HealthConfig,
    *,
    advisories: AdvisoryReader,
    held: int,
    metrics: Sequence[MetricValue],
    dependents: int | None,
    as_of: datetime | None = None,
) -> HealthInputs:
    """The inputs of the health score of ``record`` at version ``asked`` (else the newest
    that is not yanked) from what the caller read: ``held`` advisories in the store, the
    repository's monthly ``metrics``, and how many stored packages depend on it (None when
    the store holds no other package of its ecosystem, so that no count says anything)."""
    moment = as_of or datetime.now(UTC)
    version = pick_version(record, asked)
    notes = []
    if version is not None and asked is None and version.yanked:
        notes.append(f"every version is yanked; scored the newest, {version.version}")
    observations = [
        *open_advisories(record, version.version if version else None, advisories, held),
        time_to_fix(record, advisories),
        *_license(record, version, config.license_allow),
        *_releases(record, moment),
        _maintainers(record),
        _deprecation(record, version),
    ]
    monthly = [v for v in metrics if len(v.period) == 7 and v.period[4] == "-"]
    observations += repository_observations(
        record.repository, monthly, moment, config.window_months
    )
    if dependents is not None:
        observations.append(
            Observation(
                "dependents", float(dependents), f"among the stored {record.ecosystem} packages"
            )
        )
    else:
        observations.append(
            Observation("dependents", None, f"the store holds no other {record.ecosystem} package")
        )
    return HealthInputs(
        purl=record.purl,
        version=version.version if version else None,
        as_of=moment,
        repository=record.repository,
        observations=tuple(observations),
        notes=tuple(notes),
    )
