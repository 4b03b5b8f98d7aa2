"""Curations of package fields, as callers outside the store use them: ``Curations``
proposes, reviews, lists, explains (``why``) and exchanges them as YAML files, each call
its own transaction. The SQL is in ``curations``, ``curation_files`` and ``curation_why``.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from ossmeta.store import curations
from ossmeta.store.engine import Store

if TYPE_CHECKING:
    from ossmeta.model import PackageRecord
    from ossmeta.normalizers.curation import Curation
    from ossmeta.store.curation_files import ImportStats
    from ossmeta.store.curation_why import Why

# The YAML files (and YAML itself) and the ``why`` chain are imported by the calls that
# use them: ``packages show`` reads curations on every run and needs neither.

__all__ = ["Curations"]


class Curations:
    """Curations of package fields: each call is its own transaction (a proposal or a
    review commits on its own; a read uses one connection)."""

    def __init__(self, store: Store) -> None:
        self._engine = store.engine

    def propose(
        self,
        purl: str,
        field: str,
        value: str,
        *,
        reason: str,
        author: str,
        evidence: str,
        versions: str | None = None,
    ) -> int:
        with self._engine.begin() as connection:
            return curations.propose(
                connection,
                purl,
                field,
                value,
                reason=reason,
                author=author,
                evidence=evidence,
                versions=versions,
            )

    def review(
        self, curation_id: int, approve: bool, reviewer: str, note: str | None = None
    ) -> Curation:
        """An approval queues the re-evaluation of the package's stored components in the
        same transaction (``ossmeta.store.inventories_reeval``)."""
        with self._engine.begin() as connection:
            done = curations.review(connection, curation_id, approve, reviewer, note)
            if approve:
                from ossmeta.store.inventories_reeval import enqueue_reevaluation, packages_of_purls
                from ossmeta.store.policy_jobs import enqueue_redecision

                enqueue_reevaluation(connection, packages_of_purls([done.purl]))
                enqueue_redecision(connection, packages_of_purls([done.purl]))
            return done

    def find(self, purl: str | None = None, status: str | None = None) -> tuple[Curation, ...]:
        """Curations by id, of one package and/or one status."""
        with self._engine.connect() as connection:
            return curations.list_curations(connection, purl, status)

    def effective_package(self, purl: str) -> PackageRecord | None:
        """The stored package with its approved curations applied, or None."""
        with self._engine.connect() as connection:
            return curations.effective_package(connection, purl)

    def why(self, purl: str, field: str, version: str | None = None) -> Why:
        """The chain behind one field of a package (see ``curation_why``)."""
        from ossmeta.store.curation_why import why

        with self._engine.connect() as connection:
            return why(connection, purl, field, version)

    def export_yaml(self, directory: Path) -> list[Path]:
        """One YAML file per package that has curations; the paths written, sorted."""
        from ossmeta.store import curation_files

        with self._engine.connect() as connection:
            return curation_files.export_yaml(connection, directory)

    def import_yaml(self, paths: Sequence[Path]) -> ImportStats:
        """Curation files (or directories of them), in one transaction: all or nothing. As
        for an approval, the packages whose curations the import approves are queued for
        re-evaluation in that transaction."""
        from ossmeta.store import curation_files
        from ossmeta.store.inventories_reeval import enqueue_reevaluation, packages_of_purls
        from ossmeta.store.policy_jobs import enqueue_redecision

        with self._engine.begin() as connection:
            stats = curation_files.import_yaml(connection, paths)
            enqueue_reevaluation(connection, packages_of_purls(stats.approved))
            enqueue_redecision(connection, packages_of_purls(stats.approved))
            return stats
