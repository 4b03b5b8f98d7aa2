"""A tenant's private data: advisories it imports under ids of its choosing (OSV, read and
checked by the same source and normalizer as public imports), packages of its own (purls
that are never looked up in the center's registry data and show as private, not unknown)
and curations (licence and repository corrections that apply only in its component join).

Everything runs in the tenant's transaction with its audit entry; nothing here is visible
to another tenant or to the public API. Matching sees the private advisories through
``ossmeta.service.inventories.advisory_lookup``.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from ossmeta.errors import InputError, NotFoundError, OssmetaError
from ossmeta.model import RawRecord
from ossmeta.normalizers.licenses import normalize_license
from ossmeta.normalizers.repos import canonical_repo_url
from ossmeta.purls import package_purl, purl_package
from ossmeta.service.accounts import Actor, audit
from ossmeta.service.inventories import advisory_lookup
from ossmeta.sources import osv
from ossmeta.store import Store
from ossmeta.store import inventories_regroup as regroup
from ossmeta.store import private_advisories as advisories
from ossmeta.store import private_packages as packages
from ossmeta.store.inventories_reeval import enqueue_reevaluation, lock_tenant
from ossmeta.store.private_advisories import PrivateAdvisory, PrivateImportStats
from ossmeta.store.private_packages import CURATED_FIELDS, PrivateCuration, PrivatePackage
from ossmeta.store.tenancy import Transaction, tenant_transaction

__all__ = [
    "CURATED_FIELDS",
    "PrivateAdvisory",
    "PrivateCuration",
    "PrivateImportStats",
    "PrivatePackage",
    "curate",
    "delete_advisory",
    "delete_curation",
    "delete_package",
    "get_advisory",
    "get_package",
    "import_advisories",
    "import_json",
    "list_advisories",
    "list_curations",
    "list_packages",
    "register_package",
]


def _now() -> datetime:
    return datetime.now(UTC)


# ------------------------------------------------------------------ advisories


def import_advisories(
    store: Store,
    tenant_id: int,
    records: Iterable[RawRecord],
    actor: Actor,
    problems: list[OssmetaError] | None = None,
) -> PrivateImportStats:
    """Import OSV records as the tenant's, all or nothing: ``RejectedImport`` (listing every
    bad record, including those already in ``problems``) when any is bad."""
    found: list[OssmetaError] = problems if problems is not None else []
    with tenant_transaction(store, tenant_id) as tx:
        # Two imports of one new id would both find it absent and both insert it: the
        # second waits for the first and then finds it stored.
        lock_tenant(tx, tenant_id)
        linked = regroup.private_aliases(tx, tenant_id)
        stats = advisories.import_private_advisories(
            tx, tenant_id, records, imported_by=actor.name, problems=found
        )
        linked_now = regroup.private_aliases(tx, tenant_id, stats.changed)
        stats.packages.update(_regrouped(store, tx, tenant_id, stats.changed, [linked, linked_now]))
        # In the import's transaction: this tenant's components of the packages the
        # changed records name are matched again (no other tenant's).
        stats.reevaluation = enqueue_reevaluation(tx, stats.packages, tenant_id=tenant_id)
        audit(
            tx,
            tenant_id,
            actor,
            "private_advisory.import",
            "private-advisories",
            {
                "read": stats.read,
                "added": stats.added,
                "updated": stats.updated,
                "unchanged": stats.unchanged,
                "older": stats.older,
                "changed": stats.changed[:100],
                "shadowing": stats.shadowing[:100],
                "reevaluation_job": stats.reevaluation,
            },
        )
    return stats


def _regrouped(
    store: Store,
    tx: Transaction,
    tenant_id: int,
    changed: Iterable[str],
    aliases: Iterable[dict[str, tuple[str, ...]]],
) -> set[tuple[str, str]]:
    """The packages of every record in the alias groups that the ``changed`` private
    records joined or left: their ids and aliases, before and after, with their groups
    (as the tenant's matching sees them: an alias group of the old links, or one that the
    new links merge)."""
    ids = set(changed)
    touched = set(ids)
    for known in aliases:
        for advisory_id in ids:
            touched.update(known.get(advisory_id, ()))
    if touched == ids:  # no alias named: no group but the record's own changes
        return set()
    groups = advisory_lookup(store, tenant_id).groups_for(sorted(touched))
    members = {member for group in groups.values() for member in group}
    return regroup.packages_of_advisories(tx, tenant_id, members | touched)


def import_json(store: Store, tenant_id: int, body: object, actor: Actor) -> PrivateImportStats:
    """Import an API request body: one OSV record, or a list of them."""
    if isinstance(body, list) and not body:
        raise InputError("the body is an empty list: no OSV records to import")
    problems: list[OssmetaError] = []
    records = osv.records_from_json(body, "request body", None, problems)
    return import_advisories(store, tenant_id, records, actor, problems)


def get_advisory(store: Store, tenant_id: int, advisory_id: str) -> PrivateAdvisory:
    with tenant_transaction(store, tenant_id) as tx:
        found = advisories.find_private_advisory(tx, tenant_id, advisory_id)
    if found is None:
        raise NotFoundError(f"no private advisory {advisory_id!r}")
    return found


def list_advisories(
    store: Store, tenant_id: int, *, after: str, limit: int
) -> list[PrivateAdvisory]:
    with tenant_transaction(store, tenant_id) as tx:
        return advisories.list_private_advisories(tx, tenant_id, after=after, limit=limit)


def delete_advisory(store: Store, tenant_id: int, advisory_id: str, actor: Actor) -> None:
    with tenant_transaction(store, tenant_id) as tx:
        linked = regroup.private_aliases(tx, tenant_id, [advisory_id])
        regrouped = _regrouped(store, tx, tenant_id, [advisory_id], [linked])
        named = advisories.delete_private_advisory(tx, tenant_id, advisory_id)
        if named is None:
            raise NotFoundError(f"no private advisory {advisory_id!r}")
        enqueue_reevaluation(tx, named | regrouped, tenant_id=tenant_id)
        audit(tx, tenant_id, actor, "private_advisory.delete", f"private-advisory:{advisory_id}")


# ------------------------------------------------------------------ packages


def _package(purl: str) -> tuple[str, str, str]:
    """(canonical purl without version, ecosystem, name) of a package purl."""
    try:
        canonical, ecosystem, parsed = package_purl(purl)
    except InputError as error:
        raise InputError(f"purl {purl!r}: {error}") from None
    if parsed.version is not None:
        raise InputError(f"purl {purl!r} names a version; give the package's purl without one")
    return canonical, ecosystem, purl_package(parsed)[1] or parsed.name


def _licence(value: str) -> str:
    found = normalize_license(value)
    if found.spdx is None:
        why = f" ({found.note})" if found.note else ""
        raise InputError(
            f"licence {value!r} is no SPDX expression{why}; use LicenseRef-... for your own"
        )
    return found.spdx


def _repository(value: str) -> str:
    found = canonical_repo_url(value)
    if found.canonical is None:
        raise InputError(f"repository {value!r} is not a repository link: {found.reason}")
    return found.canonical


def register_package(
    store: Store,
    tenant_id: int,
    purl: str,
    actor: Actor,
    *,
    description: str | None = None,
    license: str | None = None,
    repository: str | None = None,
) -> tuple[PrivatePackage, bool]:
    """Register one of the tenant's own packages (or replace its metadata): its components
    show as private, with this metadata, and the center's registry data is never asked
    about it. True when it is new."""
    canonical, ecosystem, name = _package(purl)
    values = {
        "purl": canonical,
        "ecosystem": ecosystem,
        "name": name,
        "description": description,
        "license": _licence(license) if license else None,
        "repository": _repository(repository) if repository else None,
        "created_at": _now(),
        "created_by": actor.name,
    }
    with tenant_transaction(store, tenant_id) as tx:
        found, created = packages.put_private_package(tx, tenant_id, values)
        if created:  # public advisories about the name no longer apply to its components
            enqueue_reevaluation(tx, [(ecosystem, name)], tenant_id=tenant_id)
        audit(
            tx,
            tenant_id,
            actor,
            "private_package.register",
            f"private-package:{canonical}",
            {"license": found.license, "repository": found.repository, "created": created},
        )
    return found, created


def get_package(store: Store, tenant_id: int, purl: str) -> PrivatePackage:
    canonical = _package(purl)[0]
    with tenant_transaction(store, tenant_id) as tx:
        found = packages.find_private_package(tx, tenant_id, canonical)
    if found is None:
        raise NotFoundError(f"no private package {canonical!r}")
    return found


def list_packages(store: Store, tenant_id: int, *, after: str, limit: int) -> list[PrivatePackage]:
    with tenant_transaction(store, tenant_id) as tx:
        return packages.list_private_packages(tx, tenant_id, after=after, limit=limit)


def delete_package(store: Store, tenant_id: int, purl: str, actor: Actor) -> None:
    canonical, ecosystem, name = _package(purl)
    with tenant_transaction(store, tenant_id) as tx:
        if not packages.delete_private_package(tx, tenant_id, canonical):
            raise NotFoundError(f"no private package {canonical!r}")
        enqueue_reevaluation(tx, [(ecosystem, name)], tenant_id=tenant_id)
        audit(tx, tenant_id, actor, "private_package.delete", f"private-package:{canonical}")


# ------------------------------------------------------------------ curations


def curate(
    store: Store, tenant_id: int, purl: str, field: str, value: str, reason: str, actor: Actor
) -> tuple[PrivateCuration, bool]:
    """Correct ``field`` (license or repository) of a package for this tenant only,
    replacing its earlier correction of that field. True when there was none."""
    canonical = _package(purl)[0]
    if field not in CURATED_FIELDS:
        fields = " or ".join(CURATED_FIELDS)
        raise InputError(f"field {field!r}: a private curation corrects {fields}")
    checked = _licence(value) if field == "license" else _repository(value)
    if not reason.strip():
        raise InputError("a curation needs a reason")
    values = {
        "purl": canonical,
        "field": field,
        "value": checked,
        "reason": reason,
        "author": actor.name,
        "created_at": _now(),
    }
    with tenant_transaction(store, tenant_id) as tx:
        found, created = packages.put_private_curation(tx, tenant_id, values)
        audit(
            tx,
            tenant_id,
            actor,
            "private_curation.put",
            f"private-curation:{found.id}",
            {"purl": canonical, "field": field, "value": checked},
        )
    return found, created


def list_curations(
    store: Store, tenant_id: int, *, after: int, limit: int
) -> list[PrivateCuration]:
    with tenant_transaction(store, tenant_id) as tx:
        return packages.list_private_curations(tx, tenant_id, after=after, limit=limit)


def delete_curation(store: Store, tenant_id: int, curation_id: int, actor: Actor) -> None:
    with tenant_transaction(store, tenant_id) as tx:
        if not packages.delete_private_curation(tx, tenant_id, curation_id):
            raise NotFoundError(f"no private curation {curation_id}")
        audit(tx, tenant_id, actor, "private_curation.delete", f"private-curation:{curation_id}")
