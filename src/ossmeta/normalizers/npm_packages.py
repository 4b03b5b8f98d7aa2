"""npm packument (``npm-packument`` raw record) -> one ``PackageRecord``. Pure; re-runnable.

Decisions (what the registry leaves open):

- Versions come from ``versions``, in npm's SemVer order (unparseable ones last, as
  given); ``published`` is ``time[version]``. npm has no yank: an unpublished version is
  simply gone, so ``yanked`` is always false.
- Status: ``removed`` when no version is left (``time.unpublished``, or an emptied
  packument), ``deprecated`` when the version ``dist-tags.latest`` names is deprecated
  (that is what ``npm install`` warns about), else ``active``. An empty ``deprecated``
  message is npm's way of un-deprecating and counts as not deprecated.
- Licence per version from that version's manifest only: ``license`` (any legacy shape)
  before ``licenses`` (the legacy array); several values are joined with AND by
  ``normalize_licenses``. The top-level ``license`` is a copy of the latest's and is not
  a fallback: a version that declares nothing has no licence.
- Dependencies: ``dependencies`` runtime, ``optionalDependencies`` optional (npm also
  writes them into ``dependencies``; that duplicate is dropped), ``peerDependencies`` peer
  (flag ``optional`` when ``peerDependenciesMeta`` says so; a name only in the meta is an
  optional peer on ``*``, as npm reads it), ``devDependencies`` dev. Bundled dependencies
  (``bundleDependencies`` or ``bundledDependencies``, a list or ``true`` for all) keep
  their scope and get the flag ``bundled``; one bundled but not declared is runtime on
  ``*``. Requirements are kept as declared.
- Files: the tarball, named by the last segment of its URL, with ``integrity`` (SRI,
  re-encoded as hex) and ``shasum`` (``sha1``) as hashes.
- Maintainers are the top-level ``maintainers`` (the accounts that may publish), as
  ``name <email>``; the ``author`` field is not a maintainer.
- Key order never matters: versions and dependencies are read in sorted key order, as the
  stored canonical JSON has them, so the sync can normalize the packument it just parsed
  and get what ``ossmeta normalize`` gets later from the stored copy.
"""

from __future__ import annotations

from typing import Any

from ossmeta.ecosystems import NPM
from ossmeta.model import (
    Dependency,
    FileDigest,
    LicenseValue,
    PackageRecord,
    PackageVersion,
)
from ossmeta.normalizers.licenses import license_from_npm, normalize_licenses
from ossmeta.normalizers.package_fields import (
    Reader,
    distinct,
    ecosystem_order,
    latest_of,
    license_value,
    ordered_hashes,
    person,
    pick_license,
    status_of,
)
from ossmeta.normalizers.repos import canonical_repo_url, repo_from_npm
from ossmeta.purls import build_purl

_SCOPES = (
    ("dependencies", "runtime"),
    ("optionalDependencies", "optional"),
    ("peerDependencies", "peer"),
    ("devDependencies", "dev"),
)


def _license(manifest: dict[str, Any]) -> LicenseValue | None:
    candidates: list[LicenseValue] = []
    for field in ("license", "licenses"):
        values = license_from_npm(manifest.get(field))
        if values:
            candidates.append(license_value(normalize_licenses(values), f"npm:{field}"))
    return pick_license(candidates)


def _bundled(r: Reader, manifest: dict[str, Any], where: str) -> set[str] | bool:
    """The bundled names, or True when every dependency is bundled."""
    for field in ("bundleDependencies", "bundledDependencies"):
        value = manifest.get(field)
        if isinstance(value, bool):
            return value
        if value is not None:
            return set(r.texts(value, f"{where}.{field}"))
    return set()


def _dependencies(r: Reader, manifest: dict[str, Any], where: str) -> tuple[Dependency, ...]:
    # Sorted copies: the implied entries added below must not change the caller's payload,
    # and the order must not depend on the document's key order.
    declared: dict[str, dict[str, Any]] = {
        field: dict(sorted(r.mapping(manifest.get(field), f"{where}.{field}").items()))
        for field, _ in _SCOPES
    }
    meta = r.mapping(manifest.get("peerDependenciesMeta"), f"{where}.peerDependenciesMeta")
    optional_peers = {
        name
        for name, value in meta.items()
        if r.flag(r.mapping(value, f"{where}.peerDependenciesMeta").get("optional"), "optional")
    }
    for name in sorted(optional_peers):
        declared["peerDependencies"].setdefault(name, "*")
    bundled = _bundled(r, manifest, where)
    if isinstance(bundled, set):
        known = {**declared["dependencies"], **declared["optionalDependencies"]}
        for name in sorted(bundled - known.keys()):
            declared["dependencies"][name] = "*"
    found: list[Dependency] = []
    for field, scope in _SCOPES:
        for name, requirement in declared[field].items():
            if not isinstance(requirement, str):
                r.fail(f"{where}.{field}[{name!r}] must be a string")
            if field == "dependencies" and name in declared["optionalDependencies"]:
                continue  # npm's copy of an optional dependency
            purl = build_purl(NPM, name, None)
            if purl is None:
                continue  # not a name any package can have: nothing to point at
            flags: list[str] = []
            in_bundle = bundled is True or (isinstance(bundled, set) and name in bundled)
            if in_bundle and scope in ("runtime", "optional"):
                flags.append("bundled")
            if scope == "peer" and name in optional_peers:
                flags.append("optional")
            found.append(Dependency(purl, requirement.strip(), scope, flags=tuple(flags)))
    return tuple(found)


def _files(r: Reader, manifest: dict[str, Any], where: str) -> tuple[FileDigest, ...]:
    dist = r.mapping(manifest.get("dist"), f"{where}.dist")
    hashes = r.sri_digests(dist.get("integrity"), f"{where}.dist.integrity")
    shasum = r.text(dist.get("shasum"), f"{where}.dist.shasum")
    if shasum is not None:
        hashes.append(r.hex_digest("sha1", shasum, f"{where}.dist"))
    tarball = r.text(dist.get("tarball"), f"{where}.dist.tarball")
    if tarball is None:
        return ()
    filename = tarball.partition("?")[0].rstrip("/").rsplit("/", 1)[-1]
    return (FileDigest(filename, ordered_hashes(hashes), tarball),)


def _deprecated(r: Reader, value: object, where: str) -> str | None:
    if value is None or value is False:
        return None
    if value is True:  # seen in old packuments: deprecated without a message
        return "deprecated"
    return r.text(value, where)


def _people(r: Reader, value: object) -> tuple[str, ...]:
    found: list[str | None] = []
    for n, item in enumerate([value] if isinstance(value, str) else r.items(value, "maintainers")):
        if isinstance(item, str):
            found.append(item.strip())
        else:
            entry = r.mapping(item, f"maintainers[{n}]")
            name = r.text(entry.get("name"), f"maintainers[{n}].name")
            found.append(person(name, r.text(entry.get("email"), f"maintainers[{n}].email")))
    return distinct(found)


def package_from_npm(packument: dict[str, Any]) -> PackageRecord:
    """The package a full packument describes; ``NormalizeError`` naming the packument
    when it is malformed."""
    raw_name = packument.get("name") if isinstance(packument, dict) else None
    r = Reader("npm-packument", raw_name)
    if not isinstance(packument, dict):
        r.fail(f"the document must be an object, not {type(packument).__name__}")
    name = r.text(raw_name, "name") or r.text(packument.get("_id"), "_id") or r.fail("no name")
    purl = build_purl(NPM, name, None) or r.fail(f"not an npm package name: {name!r}")
    manifests = {
        version: r.mapping(doc, f"versions[{version!r}]")
        for version, doc in sorted(r.mapping(packument.get("versions"), "versions").items())
    }
    times = r.mapping(packument.get("time"), "time")
    latest_tag = r.text(r.mapping(packument.get("dist-tags"), "dist-tags").get("latest"), "latest")

    versions: list[PackageVersion] = []
    for version in ecosystem_order(NPM, manifests):
        manifest, where = manifests[version], f"versions[{version!r}]"
        versions.append(
            PackageVersion(
                version=version,
                published=r.timestamp(times.get(version), f"time[{version!r}]"),
                yanked=False,
                yanked_reason=None,
                license=_license(manifest),
                dependencies=_dependencies(r, manifest, where),
                files=_files(r, manifest, where),
                deprecated=_deprecated(r, manifest.get("deprecated"), f"{where}.deprecated"),
            )
        )
    latest = latest_of(versions, latest_tag)
    latest_manifest = manifests.get(latest.version, {}) if latest else {}

    def field(key: str) -> str | None:
        """A top-level field, else the latest manifest's (old packuments lack some)."""
        top = r.text(packument.get(key), key)
        return top if top is not None else r.text(latest_manifest.get(key), f"latest.{key}")

    repository_raw = repo_from_npm(packument.get("repository"))
    if repository_raw is None:
        repository_raw = repo_from_npm(latest_manifest.get("repository"))
    repository = canonical_repo_url(repository_raw).canonical if repository_raw else None

    status = status_of(latest)
    return PackageRecord(
        purl=purl,
        ecosystem=NPM,
        name=name,
        repository=repository,
        repository_raw=repository_raw,
        homepage=field("homepage"),
        description=field("description"),
        status=status,
        license=latest.license if latest else None,
        versions=tuple(versions),
        maintainers=_people(r, packument.get("maintainers") or latest_manifest.get("maintainers")),
        source="npm-packument",
    )
