"""The home page's one search box: packages by name or purl, repositories by key, over the
public tables. Advisories are found by id or alias through ``AdvisoryLookup.show``."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select, union

from ossmeta.store.engine import Store
from ossmeta.store.schema import packages, repo_metrics
from ossmeta.store.tenancy import global_transaction

__all__ = ["PackageHit", "search_packages", "search_repositories"]


@dataclass(frozen=True, slots=True)
class PackageHit:
    purl: str
    ecosystem: str
    name: str
    description: str | None


def _pattern(text: str) -> str:
    # LIKE's own wildcards in the query are taken literally.
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def search_packages(store: Store, text: str, limit: int) -> list[PackageHit]:
    """Packages whose purl or name contains ``text`` (case-insensitive); exact names first,
    then shorter names, then by purl."""
    wanted = text.strip().lower()
    if not wanted:
        return []
    pattern = _pattern(wanted)
    name = func.lower(packages.c.name)
    query = (
        select(packages.c.purl, packages.c.ecosystem, packages.c.name, packages.c.description)
        .where(
            (name.like(pattern, escape="\\"))
            | (func.lower(packages.c.purl).like(pattern, escape="\\"))
        )
        .order_by((name != wanted), func.length(packages.c.name), packages.c.purl)
        .limit(limit)
    )
    with global_transaction(store) as tx:
        return [PackageHit(*row) for row in tx.execute(query).all()]


def search_repositories(store: Store, text: str, limit: int) -> list[str]:
    """Repository keys (``host/owner/name``) that packages name or that have metrics,
    containing ``text``."""
    wanted = text.strip().lower()
    if not wanted:
        return []
    pattern = _pattern(wanted)
    named = select(packages.c.repository.label("repo")).where(
        func.lower(packages.c.repository).like(pattern, escape="\\")
    )
    measured = select(repo_metrics.c.repo.label("repo")).where(
        func.lower(repo_metrics.c.repo).like(pattern, escape="\\")
    )
    both = union(named, measured).subquery()
    query = select(both.c.repo).order_by(func.length(both.c.repo), both.c.repo).limit(limit)
    with global_transaction(store) as tx:
        return [row.repo for row in tx.execute(query).all() if row.repo]
