"""A tenant's projects and the inventory of each project version.

An upload is read by the same typed parser table ``ossmeta scan`` uses (the file name
decides the format, as it does for scan), scanned by the same analysis against the
store's advisories, and stored in one transaction with its audit entry: the version's
components and findings are replaced whole. Uploading the same bytes again changes
nothing and answers the stored report.
"""

from __future__ import annotations

import hashlib
import re
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath

from ossmeta.analyses.scan import scan
from ossmeta.errors import InputError, NotFoundError, SourceError
from ossmeta.model import ComponentReport, ScanReport
from ossmeta.normalizers.components import normalize_components
from ossmeta.purls import package_purl
from ossmeta.service.accounts import Actor, audit
from ossmeta.sources.files import InputFile, max_input_bytes
from ossmeta.sources.inputs import detect, parse_file
from ossmeta.store import Store
from ossmeta.store import inventories as rows
from ossmeta.store.inventories import Project, ProjectVersion, UsedIn
from ossmeta.store.inventories_reeval import lock_tenant
from ossmeta.store.lookup import AdvisoryLookup
from ossmeta.store.private_lookup import TenantAdvisoryLookup
from ossmeta.store.tenancy import Transaction, tenant_transaction

__all__ = [
    "Project",
    "ProjectExists",
    "ProjectVersion",
    "Uploaded",
    "UsedIn",
    "advisory_lookup",
    "create_project",
    "findings_report",
    "get_project",
    "get_version",
    "list_projects",
    "list_versions",
    "project_version",
    "upload",
    "where_used",
]

_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._+@-]{0,127}")


class ProjectExists(InputError):
    """The tenant has a project of that name already (HTTP 409)."""


@dataclass(frozen=True)
class Uploaded:
    version: ProjectVersion
    report: ScanReport
    created: bool  # the version is new
    changed: bool  # the content differs from what was stored (False: a no-op)


def _check_name(what: str, name: str) -> str:
    if not _NAME.fullmatch(name):
        raise InputError(
            f"{what} name {name!r} must be 1-128 letters, digits or . _ + @ -, "
            "starting with a letter or digit"
        )
    return name


def _now() -> datetime:
    return datetime.now(UTC)


def _missing_project(name: str) -> NotFoundError:
    # The same words whether the project is absent or another tenant's.
    return NotFoundError(f"no project {name!r}")


def _project(tx: Transaction, tenant_id: int, name: str) -> Project:
    found = rows.find_project(tx, tenant_id, name)
    if found is None:
        raise _missing_project(name)
    return found


def _version(tx: Transaction, tenant_id: int, project: Project, name: str) -> ProjectVersion:
    found = rows.find_version(tx, tenant_id, project.id, name)
    if found is None:
        raise NotFoundError(f"no version {name!r} of project {project.name!r}")
    return found


# ------------------------------------------------------------------ projects


def create_project(store: Store, tenant_id: int, name: str, actor: Actor) -> Project:
    _check_name("project", name)
    with tenant_transaction(store, tenant_id) as tx:
        if rows.find_project(tx, tenant_id, name) is not None:
            raise ProjectExists(f"a project named {name!r} exists already")
        project = rows.insert_project(tx, tenant_id, name, _now())
        audit(tx, tenant_id, actor, "project.create", f"project:{name}")
    return project


def get_project(store: Store, tenant_id: int, name: str) -> Project:
    with tenant_transaction(store, tenant_id) as tx:
        return _project(tx, tenant_id, name)


def list_projects(store: Store, tenant_id: int, *, after: str, limit: int) -> list[Project]:
    with tenant_transaction(store, tenant_id) as tx:
        return rows.list_projects(tx, tenant_id, after=after, limit=limit)


def list_versions(
    store: Store, tenant_id: int, project: str, *, after: int, limit: int
) -> list[ProjectVersion]:
    with tenant_transaction(store, tenant_id) as tx:
        found = _project(tx, tenant_id, project)
        return rows.list_versions(tx, tenant_id, found.id, after=after, limit=limit)


def get_version(store: Store, tenant_id: int, project: str, version: str) -> ProjectVersion:
    with tenant_transaction(store, tenant_id) as tx:
        return project_version(tx, tenant_id, project, version)[1]


def project_version(
    tx: Transaction, tenant_id: int, project: str, version: str
) -> tuple[Project, ProjectVersion]:
    """A project and one of its versions, in the caller's transaction (``NotFoundError``
    alike for a missing project and another tenant's)."""
    found = _project(tx, tenant_id, project)
    return found, _version(tx, tenant_id, found, version)


# ------------------------------------------------------------------ inventories


def _report(version: ProjectVersion, reports: Sequence[ComponentReport]) -> ScanReport:
    return ScanReport(tuple(reports), (version.filename,), notes=version.notes)


def findings_report(store: Store, tenant_id: int, project: str, version: str) -> ScanReport:
    """The stored scan of a project version, as the ``ossmeta.scan/1`` report."""
    with tenant_transaction(store, tenant_id) as tx:
        found = _version(tx, tenant_id, _project(tx, tenant_id, project), version)
        stored = rows.load_inventory(tx, tenant_id, found)
    return _report(found, stored.reports)


def safe_filename(filename: str) -> str:
    """The file name alone: it decides the format and names the file in errors, and it
    must never lead anywhere on the server's disk."""
    name = PurePosixPath(filename.replace("\\", "/")).name
    if not filename or name in ("", ".", "..") or name != filename or "\x00" in name:
        raise InputError(f"filename {filename!r} must be a bare file name such as uv.lock")
    if len(name) > 255:
        raise InputError("filename is longer than 255 characters")
    return name


def parse_inventory(filename: str, body: bytes) -> tuple[ScanReport, list[str]]:
    """Parse ``body`` as the file ``filename`` into components (``SourceError`` naming the
    file and line when it is not a valid one). Returns an unscanned report and notes."""
    name = safe_filename(filename)
    limit = max_input_bytes()
    if len(body) > limit:
        raise SourceError(f"larger than the {limit}-byte input limit", path=name)
    # The parsers read files (some look beside them, as go.mod does for go.sum): the bytes
    # go into a private directory of their own, under the name the client gave.
    with tempfile.TemporaryDirectory(prefix="ossmeta-upload-") as folder:
        path = Path(folder) / name
        path.write_bytes(body)
        file = InputFile(path, name)
        parsed = parse_file(file, detect(file))
    components = normalize_components(parsed.packages)
    notes = [str(skip) for skip in parsed.skipped]
    empty = ScanReport(tuple(ComponentReport(c, ()) for c in components), (name,))
    return empty, notes


def upload(
    store: Store,
    tenant_id: int,
    project: str,
    version: str,
    filename: str,
    body: bytes,
    actor: Actor,
) -> Uploaded:
    """Store ``body`` as the inventory of ``project``'s ``version`` (created when new)."""
    _check_name("version", version)
    name = safe_filename(filename)
    digest = hashlib.sha256(body).hexdigest()
    with tenant_transaction(store, tenant_id) as tx:
        found = _project(tx, tenant_id, project)
        existing = rows.find_version(tx, tenant_id, found.id, version)
        if existing is not None and existing.sha256 == digest:
            stored = rows.load_inventory(tx, tenant_id, existing)
            return Uploaded(existing, _report(existing, stored.reports), False, False)
    parsed, notes = parse_inventory(name, body)
    components = [r.component for r in parsed.components]
    with tenant_transaction(store, tenant_id) as tx:
        # Matched and stored under the lock re-evaluations take: an advisory import that
        # commits meanwhile has its re-evaluation wait for this upload, and then sees it.
        lock_tenant(tx, tenant_id)
        found = _project(tx, tenant_id, project)  # it may have gone meanwhile
        report = scan(components, advisory_lookup(store, tenant_id), inputs=(name,))
        saved, created = rows.save_inventory(
            tx,
            tenant_id,
            found.id,
            version,
            sha256=digest,
            filename=name,
            uploaded_by=actor.name,
            now=_now(),
            notes=[*notes, *report.notes],
            reports=report.components,
        )
        findings = sum(len(r.findings) for r in report.components)
        audit(
            tx,
            tenant_id,
            actor,
            "inventory.upload",
            f"project:{project}/version:{version}",
            {
                "filename": name,
                "sha256": digest,
                "components": len(report.components),
                "findings": findings,
                "created": created,
            },
        )
    return Uploaded(saved, _report(saved, report.components), created, True)


def advisory_lookup(store: Store, tenant_id: int) -> AdvisoryLookup:
    """The advisories a tenant's inventories are matched against: every matching of a
    tenant's components (upload, re-evaluation) goes through here, so that the tenant's
    private advisories take part in its matching in one place: the public advisories and
    the tenant's private ones (a private id equal to a public one stands in for it)."""
    return TenantAdvisoryLookup(store, tenant_id)


# ------------------------------------------------------------------ where-used


def _package_query(purl: str) -> tuple[str, str | None]:
    try:
        package, _, parsed = package_purl(purl)
    except InputError as error:
        raise InputError(f"purl {purl!r}: {error}") from None
    return package, parsed.version


def where_used(
    store: Store,
    tenant_id: int,
    *,
    purl: str | None,
    advisory: str | None,
    after: tuple[str, str],
    limit: int,
) -> list[UsedIn]:
    """Project versions holding ``purl`` (a package, or a package at a version) and/or
    affected by ``advisory`` (any id of its alias group)."""
    if purl is None and advisory is None:
        raise InputError("where-used needs a purl or an advisory id")
    package, version = _package_query(purl) if purl is not None else (None, None)
    group: tuple[str, ...] = ()
    if advisory is not None:
        group = advisory_lookup(store, tenant_id).groups_for([advisory])[advisory]
    with tenant_transaction(store, tenant_id) as tx:
        return rows.where_used(
            tx,
            tenant_id,
            package_purl=package,
            version=version,
            advisory_ids=group,
            after=after,
            limit=limit,
        )
