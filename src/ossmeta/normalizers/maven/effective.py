"""The effective POM as the metadata center keeps it: ``EffectivePom`` and its
``EffectiveDependency`` entries, and the pure steps that make them from a merged model
(interpolating an entry, Maven's management injection, interpolating licences and scm).
``resolve`` gets the chain and BOMs and puts these together; ``declared_only`` is
what one POM states for certain when its parents or BOMs cannot be had.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from ossmeta.model import RawRecord
from ossmeta.normalizers.maven.inherit import Interpolator, Unresolved
from ossmeta.sources.maven.pom import (
    Dependency,
    Developer,
    Key,
    Licence,
    Pom,
    Relocation,
    Scm,
)

__all__ = [
    "EffectiveDependency",
    "EffectivePom",
    "apply_management",
    "declared_only",
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
    ``<scm>`` element came from (SCM fields are inherited one by one, see ``inherit``);
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


def _literal(text: str | None) -> str | None:
    """``text`` when it holds no ``${...}``: a reference may name a value from the part
    that is missing, so no value is better than a wrong one."""
    return None if text is None or "${" in text else text


def declared_only(pom: Pom, group: str, artifact: str, version: str) -> EffectivePom:
    """What ``pom`` (of ``group:artifact:version``) states for certain on its own, for when
    its effective POM cannot be built (a parent or BOM missing, a cycle).

    A value the POM writes itself wins over any inherited one (licences and developers as
    a list, url and each scm field one by one), so those are kept as written when literal.
    Nothing is inherited, nothing interpolated, nothing managed: a dependency is kept only
    when its coordinates and version are literal, with its scope and optional flag as
    written (a missing parent's dependencyManagement could have set them; that cannot be
    known). Relocation is never inherited and is kept whole."""
    coordinate = f"{group}:{artifact}:{version}"
    own_scm = pom.scm
    scm = None
    if own_scm is not None:
        scm = replace(
            own_scm,
            url=_literal(own_scm.url),
            connection=_literal(own_scm.connection),
            developer_connection=_literal(own_scm.developer_connection),
            tag=_literal(own_scm.tag),
        )
    dependencies = tuple(
        EffectiveDependency(
            group_id=dep.group_id or "",
            artifact_id=dep.artifact_id or "",
            version=dep.version,
            requirement=None,
            unresolved=None,
            scope=_literal(dep.scope),
            type=_literal(dep.type) or "jar",
            classifier=_literal(dep.classifier),
            optional=dep.optional == "true",
            exclusions=tuple(f"{g or '*'}:{a or '*'}" for g, a in dep.exclusions),
            declared_in=coordinate,
        )
        for dep in pom.dependencies
        if all(_literal(value) for value in (dep.group_id, dep.artifact_id, dep.version))
    )
    return EffectivePom(
        group_id=group,
        artifact_id=artifact,
        version=version,
        packaging=_literal(pom.packaging) or "jar",
        name=_literal(pom.name),
        description=_literal(pom.description),
        url=_literal(pom.url),
        licenses=tuple(
            Licence(_literal(lic.name), _literal(lic.url), lic.distribution, lic.comments)
            for lic in pom.licenses
        ),
        licenses_from=coordinate if pom.licenses else None,
        scm=scm,
        scm_from=coordinate if scm is not None else None,
        developers=pom.developers,
        dependencies=dependencies,
        managed=(),
        imports=(),
        relocation=pom.relocation,
        chain=(coordinate,),
        records=(),
    )
