"""Maven raw records (``maven-metadata`` and the stored ``maven-pom`` records) -> one
``PackageRecord``. Pure; re-runnable over stored records (no network).

Inputs are the payload of the artifact's ``maven-metadata`` record and every stored
``maven-pom`` payload by ``group:artifact:version``: the artifact's versions and the
parents and BOMs they use. Each version's effective POM is built offline from those
(``maven.stored.resolve_stored``: the collector's own inheritance, interpolation and
dependencyManagement rules), and everything per version is read from it.

Decisions (what the repository leaves open):

- Versions are those ``versioning.versions`` lists, in Maven order (unparseable ones
  last, as given); a stored POM of a version the metadata does not list is ignored.
  ``published`` is None: the metadata has one ``lastUpdated`` for the file, no time per
  version, and POMs carry none. Maven has no yank.
- Only a malformed metadata payload raises ``NormalizeError``. A POM that is not stored,
  not readable, or whose effective POM cannot be built (a parent or BOM missing, a parent
  or import cycle, a chain too deep) costs that version only: it keeps what its own POM
  states for certain (``maven.effective.declared_only``: licences, scm, url and
  developers it writes itself, dependencies whose coordinates and version are literal)
  and gets nothing the missing part would have given. The reason is not kept here (the
  model has no place for it); ``resolve_stored`` over the same records tells it.
- Licence per version from the effective ``<licenses>``: each licence by its name, or by
  its URL when the name is missing or does not map to SPDX and the URL does; several are
  joined with OR, as the POM reference says a list means a choice (``normalize_licenses``).
- Repository: the first of the effective ``<scm>`` url, connection, developerConnection
  and the project ``<url>`` that ``canonical_repo_url`` accepts (it reads the ``scm:git:``
  prefix); ``repository_raw`` is that value as written, or the first candidate when none
  is accepted. Inherited URLs carry the artifactIds Maven appends; the canonical form
  drops that tail on the known hosts. The homepage is the effective ``<url>`` unless it
  still holds an unexpanded ``${...}``. The description's line breaks and indentation
  are XML layout and collapse to single spaces.
- Package-level fields (repository, homepage, description, maintainers) come from the
  latest version's effective POM, or from the newest version that has one when the
  latest's POM is not stored; the package licence is the latest version's. ``source``
  names ``maven-pom`` only when some version's POM was read.
- The latest version is ``versioning.release`` (the newest non-snapshot release), else
  ``versioning.latest``, when it is listed; else the newest listed.
- Dependencies: Maven scope ``compile`` (the default) and ``runtime`` -> runtime,
  ``test`` -> dev, ``provided`` and ``system`` -> build with the Maven scope kept as a
  flag (a provided dependency is needed at run time but supplied by the environment, and
  Maven does not pass either on to dependents). ``optional`` makes a runtime dependency
  optional; other scopes are not passed on to dependents anyway, so it changes nothing
  there. An unknown scope counts as runtime (over-reporting a dependency beats losing
  one); ``import`` entries are not dependencies. The requirement is the effective version
  as written, ranges (``[1.0,2.0)``) included; one that cannot be resolved keeps the
  expression as written (``${x.version}``, or "" when no version is written or managed
  anywhere) with the flag ``unparsed``. An entry whose groupId or artifactId is not a
  literal Maven id names no package and is dropped. The purl is the package's, without
  type or classifier, so a test-jar and the jar of one artifact in the same scope are
  one dependency.
- Maintainers are the effective ``<developers>``, ``name <email>`` (the id when there is
  no name); contributors are not maintainers.
- Status: ``removed`` when the metadata lists no version; ``deprecated`` when the latest
  version's POM relocates the artifact (``distributionManagement/relocation``: "use those
  coordinates instead"); else ``active``. A relocated version's ``deprecated`` says
  ``relocated to group:artifact:version`` plus the relocation message; a relocation that
  names the artifact's own coordinates moves nothing and is ignored.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from ossmeta.ecosystems import MAVEN
from ossmeta.errors import SourceError
from ossmeta.model import Dependency, LicenseValue, PackageRecord, PackageVersion
from ossmeta.normalizers.licenses import normalize_license, normalize_licenses
from ossmeta.normalizers.maven.effective import EffectiveDependency, EffectivePom, declared_only
from ossmeta.normalizers.maven.stored import StoredPoms, resolve_stored
from ossmeta.normalizers.package_fields import (
    Reader,
    distinct,
    ecosystem_order,
    latest_of,
    license_value,
    person,
    status_of,
)
from ossmeta.normalizers.repos import canonical_repo_url
from ossmeta.purls import build_purl
from ossmeta.sources.maven.pom import Developer, Licence, Relocation
from ossmeta.sources.maven.repo import KIND_METADATA, KIND_POM

#: What Maven's model validator accepts in a groupId or artifactId.
_ID = re.compile(r"[A-Za-z0-9_.-]+\Z")
_SCOPES = {"compile": "runtime", "runtime": "runtime", "test": "dev"}
_BUILD_SCOPES = ("provided", "system")


def _declared_licence(licence: Licence) -> str | None:
    """The text that best names one ``<license>``: its name, unless only its URL maps."""
    name, url = licence.name, licence.url
    if name and normalize_license(name).spdx is not None:
        return name
    if url and normalize_license(url).spdx is not None:
        return url
    return name or url


def _license(licences: Sequence[Licence]) -> LicenseValue | None:
    declared = distinct(_declared_licence(licence) for licence in licences)
    if not declared:
        return None
    return license_value(normalize_licenses(declared, operator="OR"), "maven:licenses")


def _dependency(dep: EffectiveDependency) -> Dependency | None:
    scope_written = (dep.scope or "compile").strip().lower()
    if scope_written == "import":
        return None
    if not (_ID.match(dep.group_id) and _ID.match(dep.artifact_id)):
        return None  # an unexpanded ${...}: no package to point at
    purl = build_purl(MAVEN, f"{dep.group_id}:{dep.artifact_id}", None)
    if purl is None:  # pragma: no cover - a valid Maven id always makes a purl
        return None
    flags: list[str] = []
    if scope_written in _BUILD_SCOPES:
        scope = "build"
        flags.append(scope_written)
    else:
        scope = _SCOPES.get(scope_written, "runtime")
    if dep.optional and scope == "runtime":
        scope = "optional"
    requirement = dep.version
    if not requirement:
        requirement = dep.requirement or ""
        flags.append("unparsed")
    return Dependency(purl, requirement, scope, flags=tuple(flags))


def _dependencies(pom: EffectivePom) -> tuple[Dependency, ...]:
    found = (_dependency(dep) for dep in pom.dependencies)
    return tuple(dict.fromkeys(dep for dep in found if dep is not None))


def _relocated(
    relocation: Relocation | None, group: str, artifact: str, version: str
) -> str | None:
    if relocation is None:
        return None
    target = (
        relocation.group_id or group,
        relocation.artifact_id or artifact,
        relocation.version or version,
    )
    if target == (group, artifact, version):
        return None
    moved = "relocated to " + ":".join(target)
    return f"{moved}: {relocation.message}" if relocation.message else moved


def _effective(stored: StoredPoms, group: str, artifact: str, version: str) -> EffectivePom | None:
    """The version's effective POM; what its own POM states when that cannot be built;
    None when its POM is not stored or not readable."""
    try:
        return resolve_stored(stored, group, artifact, version)
    except SourceError:
        pass
    try:
        pom, _ = stored.read(group, artifact, version)
    except SourceError:
        return None
    return declared_only(pom, group, artifact, version)


def _repository(pom: EffectivePom) -> tuple[str | None, str | None]:
    """(canonical, raw): the first candidate ``canonical_repo_url`` accepts, else
    (None, the first candidate)."""
    scm = pom.scm
    found = [scm.url, scm.connection, scm.developer_connection] if scm is not None else []
    candidates = [c for c in (*found, pom.url) if c]
    for raw in candidates:
        canonical = canonical_repo_url(raw).canonical
        if canonical is not None:
            return canonical, raw
    return None, candidates[0] if candidates else None


def _maintainers(developers: Sequence[Developer]) -> tuple[str, ...]:
    return distinct(person(d.name or d.id, d.email) for d in developers)


def _coordinates(r: Reader, metadata: dict[str, Any], external_id: str | None) -> tuple[str, str]:
    """groupId and artifactId as the file names them, else as the record's id does."""
    from_id: tuple[str | None, str | None] = (None, None)
    if external_id is not None:
        group, colon, artifact = external_id.partition(":")
        if not colon:
            r.fail(f"the record id is not group:artifact: {external_id!r}")
        from_id = (group, artifact)
    found: list[str] = []
    for field, known in zip(("groupId", "artifactId"), from_id, strict=True):
        value = r.text(metadata.get(field), field)
        if value is not None and known is not None and value != known:
            r.fail(f"{field} {value!r} is not the record's {known!r}")
        value = value or known
        if value is None:
            r.fail(f"{field} is missing")
        if not _ID.match(value):
            r.fail(f"not a Maven {field}: {value!r}")
        found.append(value)
    return found[0], found[1]


def package_from_maven(
    metadata: dict[str, Any],
    poms: Mapping[str, dict[str, Any]],
    *,
    external_id: str | None = None,
) -> PackageRecord:
    """The package the Maven records describe: ``metadata`` is the ``maven-metadata``
    payload, ``poms`` every stored ``maven-pom`` payload by ``group:artifact:version``,
    ``external_id`` the metadata record's id (``group:artifact``), needed only when the
    file does not name the artifact. ``NormalizeError`` (naming the metadata record)
    when the metadata is malformed; see the module docstring for everything else."""
    named: object = external_id
    if isinstance(metadata, dict):
        group_id, artifact_id = metadata.get("groupId"), metadata.get("artifactId")
        if isinstance(group_id, str) and isinstance(artifact_id, str):
            named = f"{group_id}:{artifact_id}"
    r = Reader(KIND_METADATA, named)
    if not isinstance(metadata, dict):
        r.fail(f"the document must be an object, not {type(metadata).__name__}")
    group, artifact = _coordinates(r, metadata, external_id)
    name = f"{group}:{artifact}"
    purl = build_purl(MAVEN, name, None) or r.fail(f"not a Maven package name: {name!r}")
    versioning = r.mapping(metadata.get("versioning"), "versioning")
    listed = r.texts(versioning.get("versions"), "versioning.versions")
    preferred = r.text(versioning.get("release"), "versioning.release") or r.text(
        versioning.get("latest"), "versioning.latest"
    )
    if not isinstance(poms, Mapping):
        r.fail(f"the POMs given must be a mapping, not {type(poms).__name__}")
    # Not copied: a caller's mapping may look POMs up only when asked (parents and BOMs
    # filed under other artifacts), and only ``get`` is used on it.
    stored = StoredPoms(poms)

    effective: dict[str, EffectivePom | None] = {}
    versions: list[PackageVersion] = []
    for version in ecosystem_order(MAVEN, listed):
        pom = effective[version] = _effective(stored, group, artifact, version)
        versions.append(
            PackageVersion(
                version=version,
                published=None,
                yanked=False,
                yanked_reason=None,
                license=_license(pom.licenses) if pom else None,
                dependencies=_dependencies(pom) if pom else (),
                deprecated=_relocated(pom.relocation, group, artifact, version) if pom else None,
            )
        )
    latest = latest_of(versions, preferred)
    order = [latest.version] if latest else []
    order += [v.version for v in reversed(versions)]
    view = next((pom for v in order if (pom := effective[v]) is not None), None)

    repository, repository_raw = _repository(view) if view else (None, None)
    homepage = view.url if view and view.url and "${" not in view.url else None
    # Line breaks and indentation in <description> are the XML's layout, not the text's.
    description = (
        (" ".join(view.description.split()) or None) if view and view.description else None
    )
    status = status_of(latest)
    return PackageRecord(
        purl=purl,
        ecosystem=MAVEN,
        name=name,
        repository=repository,
        repository_raw=repository_raw,
        homepage=homepage,
        description=description,
        status=status,
        license=latest.license if latest else None,
        versions=tuple(versions),
        maintainers=_maintainers(view.developers) if view else (),
        source=KIND_METADATA + f"+{KIND_POM}" * any(p is not None for p in effective.values()),
    )
