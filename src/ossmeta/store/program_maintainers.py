"""Who maintains a project's repository, as far as the center knows: the maintainers the
registries list for every package whose repository link is that repository."""

from __future__ import annotations

from datetime import datetime

import orjson
from sqlalchemy import func, select

from ossmeta.normalizers.repos import canonical_repo_url
from ossmeta.store.schema import packages, program_years
from ossmeta.store.tenancy import Transaction
from ossmeta.times import as_utc

__all__ = ["package_maintainers", "year_created"]


def package_maintainers(connection: Transaction, repository: str) -> list[str]:
    """The registry maintainer entries (``Name <email>``, a login or a name) of the packages
    linked to ``repository`` (``host/owner/name``)."""
    tail = repository.rsplit("/", 2)[-2:]
    # The LIKE only narrows the rows; the canonical form decides (links come in many shapes).
    pattern = "%" + "/".join(tail).lower() + "%"
    rows = connection.execute(
        select(packages.c.repository, packages.c.maintainers).where(
            func.lower(packages.c.repository).like(pattern)
        )
    )
    found: list[str] = []
    for link, maintainers in rows:
        canonical = canonical_repo_url(link).canonical
        if canonical is not None and canonical.lower() == repository.lower():
            found.extend(str(m) for m in orjson.loads(maintainers))
    return found


def year_created(connection: Transaction, year_id: int) -> datetime:
    """When the program year was created: the top committers are counted before it."""
    value = connection.execute(
        select(program_years.c.created_at).where(program_years.c.id == year_id)
    ).scalar_one()
    created = as_utc(value)
    assert created is not None
    return created
