"""crates.io raw records -> one ``PackageRecord``. Pure; re-runnable over stored records.

Inputs are the payloads of the ``crates-index`` record (the sparse-index file: ``{"name",
"versions": [index lines]}``) and, optionally, the ``crates-crate`` record (the web API's
crate document). The index is what Cargo resolves against and is fetched more often, so it
is authoritative; the crate document only adds what the index lacks.

Decisions (what the registry leaves open):

- Versions are the index lines, in Cargo's SemVer order (unparseable ones last, as given);
  a version twice in the index keeps its first line. Crate-document versions the index
  does not list (deleted since) are ignored, like every document field of those versions.
- ``yanked`` is the index line's. ``yanked_reason`` is the document's ``yank_message``
  (crates.io accepts one since 2023) only when the document says yanked too: a message
  beside ``"yanked": false`` belongs to an earlier yank, not to the one the index shows.
- ``published`` is the document's ``versions[].created_at``; without a document, None.
- Licence per version: the document's ``versions[].license``, an SPDX expression written
  by Cargo from ``package.license``, normalized by ``normalize_license`` with source
  ``crates:license``. The legacy ``MIT/Apache-2.0`` form comes back as ``MIT OR
  Apache-2.0`` with confidence ``mapped`` ("/" is the old Cargo spelling of OR). A
  null licence (the crate ships ``license-file`` instead), a blank one, or no document at
  all gives None: the index carries no licence.
- The package licence is the licence of the version crates.io shows by default, computed
  from the index: the newest non-yanked release without a pre-release tag, else
  ``latest_of``'s choice (newest non-yanked, else newest). The document's
  ``default_version`` / ``max_stable_version`` are not used: they may be staler than the
  index (a yank since).
- Dependencies, in index order (identical entries once): ``kind`` ``normal`` (or absent /
  null, as in a few old index lines) -> ``runtime``, ``dev`` -> ``dev``, ``build`` ->
  ``build``; an optional normal dependency has scope ``optional``, an optional build or
  dev dependency keeps its scope with the flag ``optional`` (as an optional npm peer
  does). ``package`` names the real crate of a renamed dependency: the purl is
  ``pkg:cargo/<package>`` and the flag ``renamed:<name in Cargo.toml>`` keeps the local
  name. ``target`` (a ``cfg(...)`` or a target triple) goes to ``markers`` as written. A
  ``registry`` (the dependency lives in another index) adds the flag ``registry:<url>``;
  the purl stays ``pkg:cargo/<name>``, as purl has no place for an index URL. ``req`` is
  the requirement as written; features and ``default_features`` are not kept.
- Files: one per version, ``<name>-<vers>.crate`` (the file Cargo downloads, name as the
  index spells it), with ``sha256:<cksum>``; no URL, since the download base belongs to
  the index's ``config.json``, not to this record.
- Repository: the document's ``repository``, else ``homepage``, the first that
  ``canonical_repo_url`` accepts (as the PyPI normalizer falls back to the home page);
  when none is accepted ``repository`` is None and ``repository_raw`` keeps the first
  given. Homepage and description are the document's, as given (stripped).
- Maintainers: crates.io's owners live behind another endpoint that is not stored, so
  they are not known here. What the document does say is who published each version:
  ``published_by.login`` (stable, unlike the display ``name``; the name when there is no
  login), distinct, newest listed version first. A publisher may since have lost
  ownership; that is the price of not guessing owners.
- Status: ``removed`` when the index lists no version, ``yanked-only`` when every version
  is yanked, else ``active``. crates.io has no deprecation flag.
- A record that is malformed (a field of the wrong type, a line without ``vers``, a
  dependency without a name or requirement, an unknown dependency kind, a document about
  another crate) raises ``NormalizeError`` naming the record, in one line.
"""

from __future__ import annotations

import re
from typing import Any

from ossmeta.ecosystems import CRATES
from ossmeta.model import Dependency, FileDigest, PackageRecord, PackageStatus, PackageVersion
from ossmeta.normalizers.licenses import normalize_license
from ossmeta.normalizers.package_fields import (
    Reader,
    distinct,
    ecosystem_order,
    first_repository,
    latest_of,
    license_value,
)
from ossmeta.purls import build_purl
from ossmeta.versions import try_version_key

KIND_INDEX = "crates-index"
KIND_CRATE = "crates-crate"
LICENSE_SOURCE = "crates:license"

#: index ``kind`` -> scope; None is the absent or null kind of a few old index lines.
_SCOPES: dict[str | None, str] = {
    None: "runtime",
    "normal": "runtime",
    "dev": "dev",
    "build": "build",
}
#: Cargo's package-name rule (Unicode letters and digits, ``-``, ``_``): anything else,
#: ``a/b`` or ``x y`` say, would make a purl that names another package or none.
_CARGO_NAME = re.compile(r"[\w-]+\Z")


def _same_crate(a: str, b: str) -> bool:
    """crates.io's equality of names: case-insensitive, ``-`` and ``_`` alike."""
    return a.lower().replace("-", "_") == b.lower().replace("-", "_")


def _purl(r: Reader, name: str, what: str) -> str:
    purl = build_purl(CRATES, name, None) if _CARGO_NAME.match(name) else None
    return purl or r.fail(f"{what} is not a crate name: {name[:60]!r}")


def _dependency(r: Reader, entry: object, where: str) -> Dependency:
    dep = r.mapping(entry, where)
    local = r.text(dep.get("name"), f"{where}.name") or r.fail(f"{where}.name is missing")
    package = r.text(dep.get("package"), f"{where}.package")
    requirement = r.text(dep.get("req"), f"{where}.req") or r.fail(f"{where}.req is missing")
    kind = r.text(dep.get("kind"), f"{where}.kind")
    if kind not in _SCOPES:
        r.fail(f"{where}.kind is not normal, dev or build: {(kind or '')[:30]!r}")
    scope = _SCOPES[kind]
    flags: list[str] = []
    if r.flag(dep.get("optional"), f"{where}.optional"):
        if scope == "runtime":
            scope = "optional"
        else:
            flags.append("optional")
    if package is not None and package != local:
        flags.append(f"renamed:{local}")
    registry = r.text(dep.get("registry"), f"{where}.registry")
    if registry is not None:
        flags.append(f"registry:{registry}")
    return Dependency(
        purl=_purl(r, package or local, f"{where}.{'package' if package else 'name'}"),
        requirement=requirement,
        scope=scope,
        markers=r.text(dep.get("target"), f"{where}.target"),
        flags=tuple(flags),
    )


def _index_lines(r: Reader, index: dict[str, Any], name: str) -> dict[str, dict[str, Any]]:
    """Index lines by version, first line of a version kept, each checked to be this crate."""
    lines: dict[str, dict[str, Any]] = {}
    for n, entry in enumerate(r.items(index.get("versions"), "versions")):
        line = r.mapping(entry, f"versions[{n}]")
        version = r.text(line.get("vers"), f"versions[{n}].vers")
        if version is None:
            r.fail(f"versions[{n}].vers is missing")
        given = r.text(line.get("name"), f"versions[{n}].name")
        if given is not None and not _same_crate(given, name):
            r.fail(f"versions[{n}] names {given[:60]!r}, not {name!r}")
        lines.setdefault(version, line)
    return lines


class _Document:
    """The crate document's fields, every one checked, versions by ``num``."""

    def __init__(self, crate: dict[str, Any] | None, name: str) -> None:
        raw_crate = crate.get("crate") if isinstance(crate, dict) else None
        given = raw_crate.get("name") if isinstance(raw_crate, dict) else None
        self.r = r = Reader(KIND_CRATE, given if isinstance(given, str) else name)
        self.given = crate is not None
        document = r.mapping(crate, "the document")
        about = r.mapping(document.get("crate"), "crate")
        if crate is not None and not about:
            r.fail("no 'crate' object")
        spelled = r.text(about.get("name"), "crate.name")
        if spelled is not None and not _same_crate(spelled, name):
            r.fail(f"crate.name is not the index's crate {name!r}")
        self.description = r.text(about.get("description"), "crate.description")
        self.homepage = r.text(about.get("homepage"), "crate.homepage")
        self.repository = r.text(about.get("repository"), "crate.repository")
        self.versions: dict[str, dict[str, Any]] = {}
        for n, entry in enumerate(r.items(document.get("versions"), "versions")):
            version = r.mapping(entry, f"versions[{n}]")
            num = r.text(version.get("num"), f"versions[{n}].num")
            if num is None:
                r.fail(f"versions[{n}].num is missing")
            self.versions.setdefault(num, version)

    def publisher(self, version: str) -> str | None:
        doc, where = self.versions.get(version, {}), f"versions[{version!r}].published_by"
        by = self.r.mapping(doc.get("published_by"), where)
        login = self.r.text(by.get("login"), f"{where}.login")
        return login or self.r.text(by.get("name"), f"{where}.name")

    def repository_pair(self) -> tuple[str | None, str | None]:
        """(canonical, raw): the first of repository and homepage that is a repository."""
        return first_repository([url for url in (self.repository, self.homepage) if url])


def _version(
    r: Reader, name: str, version: str, line: dict[str, Any], doc: _Document
) -> PackageVersion:
    where = f"versions[{version!r}]"
    yanked = r.flag(line.get("yanked"), f"{where}.yanked")
    deps = r.items(line.get("deps"), f"{where}.deps")
    dependencies = [_dependency(r, dep, f"{where}.deps[{n}]") for n, dep in enumerate(deps)]
    files: tuple[FileDigest, ...] = ()
    if r.text(line.get("cksum"), f"{where}.cksum") is not None:
        digest = r.hex_digest("sha256", line["cksum"], f"{where}.cksum")
        files = (FileDigest(f"{name}-{version}.crate", (digest,)),)

    d = doc.r
    info = doc.versions.get(version, {})
    declared = d.text(info.get("license"), f"{where}.license")
    reason = None
    if yanked and d.flag(info.get("yanked"), f"{where}.yanked"):
        reason = d.text(info.get("yank_message"), f"{where}.yank_message")
    return PackageVersion(
        version=version,
        published=d.timestamp(info.get("created_at"), f"{where}.created_at"),
        yanked=yanked,
        yanked_reason=reason,
        license=license_value(normalize_license(declared), LICENSE_SOURCE) if declared else None,
        dependencies=tuple(dict.fromkeys(dependencies)),
        files=files,
    )


def _default_version(versions: list[PackageVersion]) -> str | None:
    """The newest non-yanked release that Cargo can parse and that is not a pre-release."""
    for version in reversed(versions):
        release = "-" not in version.version.partition("+")[0]
        parsed = try_version_key(CRATES, version.version) is not None
        if not version.yanked and release and parsed:
            return version.version
    return None


def _status(versions: list[PackageVersion]) -> PackageStatus:
    if not versions:
        return PackageStatus.REMOVED
    if all(v.yanked for v in versions):
        return PackageStatus.YANKED_ONLY
    return PackageStatus.ACTIVE


def package_from_crates(
    index: dict[str, Any], crate: dict[str, Any] | None = None
) -> PackageRecord:
    """The crate its index file (and, when given, its web API document) describes;
    ``NormalizeError`` naming the record when one of them is malformed."""
    raw_name = index.get("name") if isinstance(index, dict) else None
    r = Reader(KIND_INDEX, raw_name)
    if not isinstance(index, dict):
        r.fail(f"the document must be an object, not {type(index).__name__}")
    name = r.text(raw_name, "name") or r.fail("name is missing")
    purl = _purl(r, name, "name")
    lines = _index_lines(r, index, name)
    doc = _Document(crate, name)

    versions = [
        _version(r, name, version, lines[version], doc)
        for version in ecosystem_order(CRATES, lines)
    ]
    latest = latest_of(versions, _default_version(versions))
    repository, repository_raw = doc.repository_pair()
    publishers = [doc.publisher(v.version) for v in reversed(versions)]
    return PackageRecord(
        purl=purl,
        ecosystem=CRATES,
        name=name,
        repository=repository,
        repository_raw=repository_raw,
        homepage=doc.homepage,
        description=doc.description,
        status=_status(versions),
        license=latest.license if latest else None,
        versions=tuple(versions),
        maintainers=distinct(publishers),
        source=KIND_INDEX + (f"+{KIND_CRATE}" if doc.given else ""),
    )
