"""The tenant's private packages and curations in its component join: a component of a
private package shows as private with the tenant's own metadata (the center's registry
data is not consulted for it), and a private curation replaces the licence or repository
the center knows, for this tenant only."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from ossmeta.model import ComponentReport
from ossmeta.store import inventories as rows
from ossmeta.store.private_packages import (
    PrivateCuration,
    PrivatePackage,
    curations_for,
    packages_for,
)
from ossmeta.store.tenancy import Transaction

__all__ = ["PRIVATE_STATUS", "PrivateOverlay", "load_overlay"]

#: The registry status a private package's component shows.
PRIVATE_STATUS = "private"

#: The repository and its metrics as the component view shows them, for a repository.
RepositoryFields = Callable[[str], dict[str, Any]]


@dataclass(frozen=True)
class PrivateOverlay:
    packages: dict[str, PrivatePackage] = field(default_factory=dict)
    curations: dict[str, dict[str, PrivateCuration]] = field(default_factory=dict)

    @property
    def private_purls(self) -> frozenset[str]:
        return frozenset(self.packages)

    @property
    def repositories(self) -> frozenset[str]:
        """The repositories the tenant's private packages and curations name."""
        named = {p.repository for p in self.packages.values() if p.repository}
        named |= {f["repository"].value for f in self.curations.values() if "repository" in f}
        return frozenset(named)

    def apply(
        self,
        view: dict[str, Any],
        component: ComponentReport,
        repository: RepositoryFields,
        unknown_repository: Callable[[str], dict[str, Any]],
    ) -> dict[str, Any]:
        """``view`` with the tenant's private data in it (a new dict)."""
        purl = rows.package_of(component.component)
        own = self.packages.get(purl) if purl is not None else None
        fixes = self.curations.get(purl, {}) if purl is not None else {}
        out = {**view, "private": own is not None}
        if own is not None:
            out["registry"] = {
                "status": {"value": PRIVATE_STATUS, "reason": None},
                "deprecated": None,
                "yanked": None,
            }
            out["licence"] = (
                _licence(own.license, "private-package", None)
                if own.license
                else {"value": None, "reason": "the tenant's private package names no licence"}
            )
            if own.repository:
                out.update(repository(own.repository))
            else:
                out.update(unknown_repository("the tenant's private package names no repository"))
        curated = fixes.get("license")
        if curated is not None:
            out["licence"] = _licence(curated.value, "private-curation", curated.id)
        moved = fixes.get("repository")
        if moved is not None:
            out.update(repository(moved.value))
            out["repository"] = {**out["repository"], "curation": moved.id}
        return out


def _licence(spdx: str, source: str, curation: int | None) -> dict[str, Any]:
    shown: dict[str, Any] = {
        "value": spdx,
        "reason": None,
        "raw": spdx,
        "confidence": "exact" if curation is None else "curated",
        "source": source,
    }
    if curation is not None:
        shown["curation"] = curation
    return shown


def load_overlay(
    tx: Transaction, tenant_id: int, reports: Iterable[ComponentReport]
) -> PrivateOverlay:
    """The tenant's private packages and curations among the packages of ``reports``."""
    purls = {p for p in (rows.package_of(r.component) for r in reports) if p is not None}
    if not purls:
        return PrivateOverlay()
    return PrivateOverlay(packages_for(tx, tenant_id, purls), curations_for(tx, tenant_id, purls))
