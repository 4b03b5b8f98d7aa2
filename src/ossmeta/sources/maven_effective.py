"""The effective POM as the metadata center keeps it: ``EffectivePom`` and its
``EffectiveDependency`` entries, and the pure steps that make them from a merged model
(interpolating an entry, Maven's management injection, interpolating licences and scm).
``maven_resolve`` fetches the chain and BOMs and puts these together.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from ossmeta.model import RawRecord
from ossmeta.sources.maven_pom import (
    Dependency,
    Developer,
    Interpolator,
    Key,
    Licence,
    Relocation,
    Scm,
    Unresolved,
)

__all__ = [
    "EffectiveDependency",
    "EffectivePom",
    "apply_management",
    "effective_entry",
    "effective_licence",
    "effective_scm",
]


@dataclass(frozen=True, slots=True)
class EffectiveDependency:
    """A dependency (or a dependencyManagement entry) after inheritance and interpolation.

    ``version`` is the resolved text, which may still be a range such as ``[1.0,2.0)``:
    reading it is the normalizer's job. When it cannot be resolved ``version`` is None,
    ``requirement`` holds the expression as written (None when no version was written
    anywhere) and ``unresolved`` says why. ``declared_in`` is the POM whose XML lists
    the entry; ``managed_by`` the POM whose dependencyManagement supplied the version
    (None when the entry wrote its own); ``imported_from`` the BOM that brought a
    managed entry in."""

    group_id: str
    artifact_id: str
    version: str | None
    requirement: str | None
    unresolved: str | None
    scope: str | None  # as written or managed; None means Maven's default, compile
    type: str
    classifier: str | None
    optional: bool
    exclusions: tuple[str, ...]  # "group:artifact", "*" as written
    declared_in: str
    managed_by: str | None = None
    imported_from: str | None = None

    def key(self) -> Key:
        return (self.group_id, self.artifact_id, self.type, self.classifier or "")


@dataclass(frozen=True, slots=True)
class EffectivePom:
    """The effective POM of one coordinate, as far as the metadata center needs it.

    ``chain`` lists the coordinates of the POM and its parents, the POM first;
    ``licenses_from`` / ``scm_from`` name the POM in the chain the licences / the
    ``<scm>`` element came from (SCM fields are inherited one by one, see ``maven_inherit``);
    ``imports`` the BOMs imported by this POM's effective dependencyManagement, in order;
    ``records`` every POM used (the chain, every BOM and the BOMs' chains), each once,
    in the order first used, whether fetched now or taken from a ``PomCache``."""

    group_id: str
    artifact_id: str
    version: str
    packaging: str
    name: str | None
    description: str | None
    url: str | None
    licenses: tuple[Licence, ...]
    licenses_from: str | None
    scm: Scm | None
    scm_from: str | None
    developers: tuple[Developer, ...]
    dependencies: tuple[EffectiveDependency, ...]
    managed: tuple[EffectiveDependency, ...]
    imports: tuple[str, ...]
    relocation: Relocation | None
    chain: tuple[str, ...]
    records: tuple[RawRecord, ...]


def effective_entry(interp: Interpolator, dep: Dependency, origin: str) -> EffectiveDependency:
    """One written entry interpolated in the model's context; no management applied."""
    version: str | None = None
    requirement: str | None = None
    reason: str | None = None
    if dep.version is not None:
        try:
            version = interp.expand(dep.version)
        except Unresolved as why:
            requirement, reason = dep.version, str(why)
    return EffectiveDependency(
        group_id=interp.keep(dep.group_id) or "",
        artifact_id=interp.keep(dep.artifact_id) or "",
        version=version,
        requirement=requirement,
        unresolved=reason,
        scope=interp.keep(dep.scope),
        type=interp.keep(dep.type) or "jar",
        classifier=interp.keep(dep.classifier),
        optional=interp.keep(dep.optional) == "true",
        exclusions=tuple(
            f"{interp.keep(g) or '*'}:{interp.keep(a) or '*'}" for g, a in dep.exclusions
        ),
        declared_in=origin,
    )


def apply_management(
    dep: EffectiveDependency, written: Dependency, table: dict[Key, EffectiveDependency]
) -> EffectiveDependency:
    """Maven's management injection: what the dependency leaves out (version, scope,
    optional, exclusions) comes from the managed entry with the same key."""
    managed = table.get(dep.key())
    if managed is None:
        if written.version is None:
            return replace(
                dep,
                unresolved="no version written, and no dependencyManagement in the parent "
                "chain or an imported BOM manages it",
            )
        return dep
    if written.version is None:
        dep = replace(
            dep,
            version=managed.version,
            requirement=managed.requirement,
            unresolved=managed.unresolved,
            managed_by=managed.declared_in,
            imported_from=managed.imported_from,
        )
    return replace(
        dep,
        scope=dep.scope if written.scope is not None else managed.scope,
        optional=dep.optional if written.optional is not None else managed.optional,
        exclusions=dep.exclusions if written.exclusions else managed.exclusions,
    )


def effective_licence(interp: Interpolator, licence: Licence) -> Licence:
    return Licence(
        interp.keep(licence.name),
        interp.keep(licence.url),
        interp.keep(licence.distribution),
        interp.keep(licence.comments),
    )


def effective_scm(interp: Interpolator, scm: Scm) -> Scm:
    # URLs such as scm:git:git@host:org/${project.artifactId}.git are common; a reference
    # that cannot be expanded is left in place for the normalizer to reject with a reason.
    return replace(
        scm,
        url=interp.keep(scm.url),
        connection=interp.keep(scm.connection),
        developer_connection=interp.keep(scm.developer_connection),
        tag=interp.keep(scm.tag),
    )
