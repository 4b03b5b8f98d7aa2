"""Supplier VEX applied to a project version, and what its export needs.

Each statement of the document (``ossmeta.normalizers.vex`` reads it and holds the state
mapping table) becomes a decision recorded through ``ossmeta.service.decisions`` with the
importing actor as author and a comment naming the document. A statement is applied only
to a component the version holds (the purl's package, at the purl's version when it has
one) and only when its vulnerability (by name or any alias, and the store's alias groups)
is one of that component's findings; every other line is reported with its reason.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass

from ossmeta.errors import InputError
from ossmeta.model import ScanReport
from ossmeta.normalizers.vex import VexDocument, VexProblem, VexStatement, parse_vex
from ossmeta.purls import package_purl
from ossmeta.service import decisions
from ossmeta.service.accounts import Actor, audit
from ossmeta.service.inventories import advisory_lookup, findings_report, project_version
from ossmeta.store import Store
from ossmeta.store import inventories as rows
from ossmeta.store.inventories import ProjectVersion
from ossmeta.store.tenancy import tenant_transaction

__all__ = ["AppliedLine", "Exported", "SkippedLine", "VexImport", "export_data", "import_vex"]


@dataclass(frozen=True)
class AppliedLine:
    pointer: str
    vulnerability: str
    purl: str  # the component, with its version
    state: str
    justification: str | None
    decision: int


@dataclass(frozen=True)
class SkippedLine:
    pointer: str
    vulnerability: str | None
    target: str | None
    reason: str


@dataclass(frozen=True)
class VexImport:
    format: str
    document: str
    applied: tuple[AppliedLine, ...]
    skipped: tuple[SkippedLine, ...]


@dataclass(frozen=True)
class Exported:
    """What an export of a version is made of: its stored findings and the decisions in
    force on them."""

    version: ProjectVersion
    report: ScanReport
    applied: decisions.Applied


def export_data(store: Store, tenant_id: int, project: str, version: str) -> Exported:
    with tenant_transaction(store, tenant_id) as tx:
        found = project_version(tx, tenant_id, project, version)[1]
    report = findings_report(store, tenant_id, project, version)
    return Exported(found, report, decisions.in_force(store, tenant_id, found, report))


def _skip(problem: VexProblem) -> SkippedLine:
    return SkippedLine(problem.pointer, problem.vulnerability, problem.target, problem.reason)


@dataclass(frozen=True)
class _Held:
    version: str
    ids: frozenset[str]  # every id of every finding on the component


def _held(report: ScanReport) -> dict[str, list[_Held]]:
    """package purl -> the components of it the version holds, with their finding ids."""
    out: dict[str, list[_Held]] = defaultdict(list)
    for cr in report.components:
        package = rows.package_of(cr.component)
        if package is None or cr.component.version is None:
            continue
        ids = frozenset(i for f in (*cr.findings, *cr.unknown) for i in (f.id, *f.aliases))
        out[package].append(_Held(cr.component.version, ids))
    return out


class _Resolver:
    """Which components and findings a statement names, with the store's alias groups."""

    def __init__(
        self, store: Store, tenant_id: int, report: ScanReport, statements: tuple[VexStatement, ...]
    ) -> None:
        self.held = _held(report)
        lookup = advisory_lookup(store, tenant_id)
        names = {i for s in statements for i in (s.vulnerability, *s.aliases)}
        self.groups = lookup.groups_for(names)
        members = names | {m for group in self.groups.values() for m in group}
        self.known = set(lookup.advisories(members)) | {
            i for h in self.held.values() for c in h for i in c.ids
        }

    def group(self, statement: VexStatement) -> set[str]:
        ids = {statement.vulnerability, *statement.aliases}
        return {m for i in ids for m in self.groups.get(i, (i,))}

    def targets(self, statement: VexStatement) -> tuple[list[tuple[str, str]], str | None]:
        """((component purl with its version, the finding id to decide on) pairs, else the
        reason for none)."""
        try:
            package, _, parsed = package_purl(statement.target)
        except InputError as error:
            return [], f"not a purl of a known package type: {error}"
        held = [h for h in self.held.get(package, ()) if parsed.version in (None, h.version)]
        if not held:
            at = f" at {parsed.version}" if parsed.version else ""
            return [], f"unknown component: the version holds no {package}{at}"
        group = self.group(statement)
        hit = [h for h in held if h.ids & group]
        if not hit:
            if not group & self.known:
                return [], f"unknown vulnerability {statement.vulnerability!r}"
            return [], f"{statement.vulnerability} is not a finding of {package} here"
        out = []
        for h in hit:
            shared = h.ids & group
            chosen = statement.vulnerability if statement.vulnerability in shared else min(shared)
            out.append((f"{package}@{h.version}", chosen))
        return out, None


def _comment(document: VexDocument, statement: VexStatement) -> str:
    kind = "CycloneDX VEX" if document.format == "cyclonedx" else "OpenVEX"
    head = f"Imported from {kind} {document.name}"
    return f"{head}: {statement.detail}" if statement.detail else head


def import_vex(
    store: Store,
    tenant_id: int,
    project: str,
    version: str,
    body: bytes,
    actor: Actor,
    *,
    format: str | None = None,
) -> VexImport:
    """Apply a VEX document to a project version: decisions for the lines that apply, the
    others reported with their reason (``InputError`` for a document of the wrong shape,
    ``NotFoundError`` for a missing project or version)."""
    with tenant_transaction(store, tenant_id) as tx:
        project_version(tx, tenant_id, project, version)  # 404 before reading the body
    digest = hashlib.sha256(body).hexdigest()[:16]
    document = parse_vex(body, format, document=f"VEX document sha256:{digest}")
    report = findings_report(store, tenant_id, project, version)
    resolver = _Resolver(store, tenant_id, report, document.statements)
    skipped = [_skip(p) for p in document.problems]
    wanted: list[tuple[VexStatement, decisions.DecisionRequest]] = []
    for statement in document.statements:
        targets, reason = resolver.targets(statement)
        if reason is not None:
            skipped.append(
                SkippedLine(statement.pointer, statement.vulnerability, statement.target, reason)
            )
        comment = _comment(document, statement)
        for purl, advisory in targets:
            request = decisions.DecisionRequest(
                purl, advisory, statement.state, statement.justification, comment
            )
            wanted.append((statement, request))
    requests = [r for _, r in wanted]
    made = (
        decisions.decide_many(store, tenant_id, project, version, requests, actor=actor)
        if requests
        else []
    )
    applied: list[AppliedLine] = []
    for (statement, request), result in zip(wanted, made, strict=True):
        if isinstance(result, InputError):
            skipped.append(
                SkippedLine(statement.pointer, statement.vulnerability, request.purl, str(result))
            )
        else:
            applied.append(
                AppliedLine(
                    statement.pointer,
                    statement.vulnerability,
                    request.purl,
                    result.state,
                    result.justification,
                    result.id,
                )
            )
    with tenant_transaction(store, tenant_id) as tx:
        audit(
            tx,
            tenant_id,
            actor,
            "vex.import",
            f"project:{project}/version:{version}",
            {
                "format": document.format,
                "document": document.name[:200],
                "applied": len(applied),
                "skipped": len(skipped),
            },
        )
    return VexImport(document.format, document.name, tuple(applied), tuple(skipped))
