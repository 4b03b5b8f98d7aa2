"""``ossmeta advisories import PATH --tenant NAME``: a tenant's private advisories."""

from __future__ import annotations

from ossmeta.errors import OssmetaError
from ossmeta.sources.files import InputFile
from ossmeta.store import Store
from ossmeta.surfaces.cli.common import stderr
from ossmeta.surfaces.cli.interrupts import kept_on_interrupt


def import_private(
    store: Store, tenant: str, files: list[tuple[InputFile, bool]], data_license: str | None
) -> None:
    """Import the records of ``files`` as ``tenant``'s private advisories, all or nothing,
    reporting as the public import does; ids that are also public ids are allowed and
    named."""
    from ossmeta.service import private
    from ossmeta.service.accounts import tenant_named
    from ossmeta.sources import osv
    from ossmeta.store.advisories import RejectedImport
    from ossmeta.surfaces.cli.accounts import _actor

    found = tenant_named(store, tenant)
    problems: list[OssmetaError] = []
    nothing = "nothing stored (an import is one transaction); run the same command again"
    try:
        with kept_on_interrupt(lambda: nothing):
            records = osv.iter_records(files, data_license, problems)
            stats = private.import_advisories(store, found.id, records, _actor(), problems)
    except RejectedImport as rejected:
        for problem in rejected.problems:
            stderr.print(f"ossmeta: error: {problem}")
        raise
    for advisory_id in stats.shadowing:
        stderr.print(
            f"note: {advisory_id} is also a public advisory's id: the private record is "
            f"tenant {found.name}'s own and stands in for the public one inside it"
        )
    stderr.print(
        f"read {stats.read} records into tenant {found.name}'s private advisories: "
        f"{stats.added} new, {stats.updated} updated, {stats.unchanged} unchanged, "
        f"{stats.older} older than stored; {stats.withdrawn} withdrawn"
    )
    if stats.reevaluation is not None:
        stderr.print(
            f"queued re-evaluation job {stats.reevaluation} of tenant {found.name}'s "
            "inventories (ossmeta worker runs it)"
        )
