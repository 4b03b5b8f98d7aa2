"""Releases built from what the center knows, as ``ossmeta policy check`` builds them:
what a tenant's inventory and the re-decision job hand to the policy engine.

Each release asked for comes with the version just before it among those the center
knows, so that the cooldown's security-fix exemption ("fixes an advisory affecting the
version before it") is judged as ``policy check`` judges it, without deciding every
version of every package."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from ossmeta.analyses.policy.model import UpstreamRelease
from ossmeta.model import PackageRecord
from ossmeta.service.policy_facts import package_id
from ossmeta.store.curations import effective_packages
from ossmeta.store.engine import Store
from ossmeta.store.tenancy import global_transaction
from ossmeta.versions import try_version_key

__all__ = ["CenterReleases", "center_releases"]


@dataclass(frozen=True)
class CenterReleases:
    releases: list[UpstreamRelease]
    asked: list[bool]  # parallel: True for a release asked for, False for a version before
    unknown: int  # releases asked for that the center does not know (left out if asked)


def _before(record: PackageRecord, ecosystem: str, version: str) -> str | None:
    key = try_version_key(ecosystem, version)
    if key is None:
        return None
    earlier = [
        (k, v.version)
        for v in record.versions
        if (k := try_version_key(ecosystem, v.version)) is not None and k < key
    ]
    return max(earlier)[1] if earlier else None


def _release(kind: str, name: str, version: str, record: PackageRecord | None) -> UpstreamRelease:
    known = next((v for v in record.versions if v.version == version), None) if record else None
    if known is None:
        return UpstreamRelease(kind, name, version, None)
    # The licence is left to the center's (after curations), as ``policy check`` does.
    return UpstreamRelease(
        kind, name, version, known.published, None, known.yanked, bool(known.deprecated)
    )


def center_releases(
    store: Store,
    wanted: Mapping[tuple[str, str], Iterable[str]],
    *,
    known_only: bool = False,
) -> CenterReleases:
    """Releases of ``wanted`` ((purl type, name) -> versions) with the version before each;
    ``known_only`` leaves out versions the center does not know (their facts would be
    guesses). One package load for all of them."""
    purls = {package_id(kind, name).purl for kind, name in wanted}
    with global_transaction(store) as tx:
        records = effective_packages(tx, purls)
    chosen: dict[tuple[str, str, str], bool] = {}
    unknown = 0
    for (kind, name), versions in wanted.items():
        pid = package_id(kind, name)
        record = records.get(pid.purl)
        known = {v.version for v in record.versions} if record else set()
        for version in sorted(set(versions)):
            if version not in known:
                unknown += 1
                if known_only:
                    continue
            chosen[(kind, name, version)] = True
            before = _before(record, pid.osv, version) if record else None
            if before is not None:
                chosen.setdefault((kind, name, before), False)
    releases = [
        _release(kind, name, version, records.get(package_id(kind, name).purl))
        for kind, name, version in chosen
    ]
    return CenterReleases(releases, list(chosen.values()), unknown)
