"""PyPI raw records -> one ``PackageRecord``: versions, files, yanks, licences,
dependencies, repository, maintainers and status. Pure; re-runnable over stored records.

Inputs are the payloads of the ``pypi-project`` record (JSON API), optionally the
``pypi-simple`` page (PEP 691/700), ``pypi-release`` records keyed by version and
``pypi-core-metadata`` records keyed by file name (PEP 658, ``{field: [values]}``).

Decisions (what upstream leaves open):

- Versions are those the project document (``releases``) and the simple page (PEP 700
  ``versions``) list; stored release and core-metadata records only add detail to those,
  so a stale record never brings back a deleted version. Without either list the record
  is malformed: "no versions" and "no listing" must not be confused.
- A file is yanked when any record says so; a version is yanked only when all its files
  are (that is what makes installers skip it). A version without files is not yanked.
- Per version, each metadata field comes from the first record that has it: the release
  record, then its core metadata (files by name), then the project document when it
  describes that version. The licence is the first of ``license_expression`` (PEP 639),
  ``license``, ``License ::`` classifiers that maps to SPDX; see ``pick_license``.
- Dependencies: ``extra == "x"`` makes one optional dependency for extra ``x`` (the
  extra canonicalized, as packaging does) with the rest of the marker kept; a marker
  that uses extras in any other way is kept whole. A requirement packaging cannot parse
  is kept as runtime with its raw text and the flag ``unparsed`` when a name can be read
  from it (better to over-report a dependency than to lose one), else dropped.
- PyPI has no deprecation flag, so ``Development Status :: 7 - Inactive`` is NOT read as
  deprecated: it says nobody works on it, not "do not use"; maintenance status is the
  analyses' business. A PEP 792 ``project-status`` on the simple page is honoured:
  ``deprecated`` -> deprecated, ``quarantined`` (no files served) -> removed.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from email.utils import getaddresses
from typing import Any

from packaging.utils import (
    canonicalize_name,
)

from ossmeta.ecosystems import PYPI
from ossmeta.model import FileDigest, LicenseValue, PackageRecord, PackageStatus, PackageVersion
from ossmeta.normalizers.licenses import (
    license_from_classifiers,
    normalize_license,
    normalize_licenses,
)
from ossmeta.normalizers.package_fields import (
    Reader,
    distinct,
    ecosystem_order,
    first_repository,
    is_placeholder,
    latest_of,
    license_value,
    ordered_hashes,
    person,
    pick_license,
)
from ossmeta.normalizers.pypi_files import Files, add_api_file, add_simple_file
from ossmeta.normalizers.pypi_requirements import dependencies
from ossmeta.purls import build_purl
from ossmeta.versions import try_version_key

#: project_urls labels that name the repository, best first (compared lower-case, letters
#: only, so "Source Code" and "source_code" are one label).
_REPO_LABELS = ("source", "sourcecode", "repository", "repo", "code", "github", "gitlab")
_HOME_LABELS = ("homepage", "home")
#: core metadata header -> JSON API ``info`` key
_CORE_FIELDS = {
    "License-Expression": "license_expression",
    "License": "license",
    "Summary": "summary",
    "Home-page": "home_page",
    "Author": "author",
    "Author-email": "author_email",
    "Maintainer": "maintainer",
    "Maintainer-email": "maintainer_email",
}
_LABEL = re.compile(r"[^a-z]")


class _Meta:
    """One record's metadata in JSON API ``info`` terms, every value checked."""

    def __init__(self, r: Reader, info: Mapping[str, Any], where: str) -> None:
        self.text = {key: r.text(info.get(key), f"{where}.{key}") for key in _CORE_FIELDS.values()}
        self.classifiers = r.texts(info.get("classifiers"), f"{where}.classifiers")
        self.requires = r.texts(info.get("requires_dist"), f"{where}.requires_dist")
        urls = r.mapping(info.get("project_urls"), f"{where}.project_urls")
        self.urls = {k: u for k, v in urls.items() if (u := r.text(v, f"{where}.project_urls"))}


def _core_info(r: Reader, fields: Mapping[str, Any]) -> dict[str, Any]:
    """Core metadata headers (lists of values) as a JSON API ``info`` object."""
    values = {k: r.texts(v, k) for k, v in fields.items()}
    info: dict[str, Any] = {k: next(iter(values.get(h, ())), None) for h, k in _CORE_FIELDS.items()}
    info["classifiers"] = values.get("Classifier")
    info["requires_dist"] = values.get("Requires-Dist")
    pairs = [u.partition(",") for u in values.get("Project-URL", [])]
    info["project_urls"] = {label.strip(): url.strip() for label, _, url in pairs}
    return info


def _first(metas: list[_Meta], key: str) -> str | None:
    return next((m.text[key] for m in metas if m.text[key]), None)


def _license(metas: list[_Meta]) -> LicenseValue | None:
    candidates: list[LicenseValue] = []
    if expression := _first(metas, "license_expression"):
        candidates.append(license_value(normalize_license(expression), "pypi:license_expression"))
    declared = [m.text["license"] for m in metas if m.text["license"]]
    # A placeholder ("UNKNOWN") in one record must not hide a real licence in another.
    text = next((t for t in declared if not is_placeholder(t)), declared[0] if declared else None)
    if text:
        candidates.append(license_value(normalize_license(text), "pypi:license"))
    classifiers = next((m.classifiers for m in metas if m.classifiers), [])
    if names := license_from_classifiers(classifiers):
        candidates.append(license_value(normalize_licenses(names), "pypi:classifiers"))
    return pick_license(candidates)


def _maintainers(info: Mapping[str, str | None]) -> tuple[str, ...]:
    people: list[str | None] = []
    for role in ("author", "maintainer"):
        name, emails = info[role], info[f"{role}_email"]
        try:
            parsed = getaddresses([emails or ""])
        except (ValueError, IndexError, TypeError):  # older email parsers trip on odd text
            parsed = []
        addresses = [(n.strip(), a.strip()) for n, a in parsed if n or a]
        if emails and not addresses:
            addresses = [("", emails)]  # not an address list: keep it as given
        if name and len(addresses) == 1 and not addresses[0][0]:
            people.append(person(name, addresses[0][1]))
            continue
        if name and name not in {n for n, _ in addresses}:
            people.append(name)
        people += [person(n or None, a or None) for n, a in addresses]
    return distinct(people)


def _repository(urls: Mapping[str, str], home: str | None) -> tuple[str | None, str | None]:
    """(canonical, raw): the first candidate ``canonical_repo_url`` accepts, by label
    preference then the home page; (None, first candidate) when none is accepted."""
    by_label = {_LABEL.sub("", label.lower()): url for label, url in urls.items()}
    labels = (*_REPO_LABELS, *_HOME_LABELS)
    return first_repository(
        [by_label[k] for k in labels if k in by_label] + ([home] if home else [])
    )


def _version(
    version: str, files: Files, metas: list[_Meta], release_yanks: Mapping[str, str | None]
) -> PackageVersion:
    own = sorted((name, f) for name, f in files.items() if f.version == version)
    yanked = bool(own) and all(f.yanked for _, f in own)  # installers skip it only then
    reason = next((f.reason for _, f in own if f.reason), None) if yanked else None
    if not own and version in release_yanks:
        yanked, reason = True, release_yanks[version]
    times = [t for _, f in own for t in f.uploaded]
    return PackageVersion(
        version=version,
        published=min(times) if times else None,
        yanked=yanked,
        yanked_reason=reason,
        license=_license(metas),
        dependencies=dependencies(next((m.requires for m in metas if m.requires), ())),
        files=tuple(
            FileDigest(name, ordered_hashes(f.hashes), f.url)
            for name, f in own
            if f.hashes or f.url
        ),
    )


def _status(versions: list[PackageVersion], marker: str | None) -> PackageStatus:
    """PEP 792 marker first (``quarantined``: no file is served any more), then the yanks."""
    if not versions or (marker or "").lower() == "quarantined":
        return PackageStatus.REMOVED
    if (marker or "").lower() == "deprecated":
        return PackageStatus.DEPRECATED
    if all(v.yanked for v in versions):
        return PackageStatus.YANKED_ONLY
    return PackageStatus.ACTIVE


def package_from_pypi(
    project: dict[str, Any],
    simple: dict[str, Any] | None = None,
    releases: Mapping[str, dict[str, Any]] | None = None,
    core_metadata: Mapping[str, dict[str, Any]] | None = None,
) -> PackageRecord:
    """The package the PyPI records describe; ``NormalizeError`` (naming the record) when
    one of them is malformed."""
    info_raw = project.get("info") if isinstance(project, dict) else None
    r = Reader("pypi-project", info_raw.get("name") if isinstance(info_raw, dict) else None)
    if not isinstance(project, dict):
        r.fail(f"the document must be an object, not {type(project).__name__}")
    info = r.mapping(info_raw, "info")
    name = r.text(info.get("name"), "info.name") or r.fail("info.name is missing")
    purl = build_purl(PYPI, name, None) or r.fail(f"info.name is not a PyPI name: {name!r}")
    key = canonicalize_name(name)
    order: list[str] = []
    files: Files = {}
    if project.get("releases") is not None:
        for version, entries in r.mapping(project["releases"], "releases").items():
            order.append(version)
            for n, entry in enumerate(r.items(entries, f"releases[{version!r}]")):
                add_api_file(r, files, entry, version, f"releases[{version!r}][{n}]")
    s = Reader("pypi-simple", key)
    page = s.mapping(simple, "the page")
    order += s.texts(page.get("versions"), "versions")
    if project.get("releases") is None and page.get("versions") is None:
        r.fail("no version list: neither 'releases' nor a PEP 700 simple page")
    listed = {k: v for v in reversed(order) if (k := try_version_key(PYPI, v)) is not None}

    metas: dict[str, list[_Meta]] = {}
    release_yanks: dict[str, str | None] = {}
    for version, doc in r.mapping(releases, "releases given").items():
        rr = Reader("pypi-release", f"{key}@{version}")
        doc = rr.mapping(doc, "the document")
        release_info = rr.mapping(doc.get("info"), "info")
        metas.setdefault(version, []).append(_Meta(rr, release_info, "info"))
        for n, entry in enumerate(rr.items(doc.get("urls"), "urls")):
            add_api_file(rr, files, entry, version, f"urls[{n}]")
        if rr.flag(release_info.get("yanked"), "info.yanked"):
            reason = rr.text(release_info.get("yanked_reason"), "info.yanked_reason")
            release_yanks[version] = reason
    for filename, fields in sorted(r.mapping(core_metadata, "core metadata given").items()):
        c = Reader("pypi-core-metadata", filename)
        fields = c.mapping(fields, "the metadata")
        core = _core_info(c, fields)
        declared = next(iter(c.texts(fields.get("Version"), "Version")), "")
        # filed under the listed spelling of the same PEP 440 version ("1.0" vs "1.0.0")
        declared = listed.get(try_version_key(PYPI, declared), declared)
        metas.setdefault(declared, []).append(_Meta(c, core, "metadata"))
    for entry in s.items(page.get("files"), "files"):
        add_simple_file(s, files, entry, listed)
    project_meta = _Meta(r, info, "info")
    info_version = r.text(info.get("version"), "info.version")
    if info_version is not None:
        metas.setdefault(info_version, []).append(project_meta)

    versions = [
        _version(version, files, metas.get(version, []), release_yanks)
        for version in ecosystem_order(PYPI, order)
    ]
    latest = latest_of(versions, info_version)
    view = [project_meta, *(metas.get(latest.version, []) if latest else [])]
    urls = next((m.urls for m in view if m.urls), {})
    home = next((u for k, u in urls.items() if _LABEL.sub("", k.lower()) in _HOME_LABELS), None)
    pages = (_first(view, "home_page"), home)
    homepage = next((h for h in pages if h and not is_placeholder(h)), None)
    repository, repository_raw = _repository(urls, _first(view, "home_page"))
    summary = _first(view, "summary")
    roles = ("author", "author_email", "maintainer", "maintainer_email")
    people = {k: _first(view, k) for k in roles}

    marker = s.mapping(page.get("project-status"), "project-status")
    status = _status(versions, s.text(marker.get("status"), "project-status.status"))
    kinds = ["pypi-project"] + ["pypi-simple"] * (simple is not None)
    kinds += ["pypi-release"] * bool(releases) + ["pypi-core-metadata"] * bool(core_metadata)
    return PackageRecord(
        purl=purl,
        ecosystem=PYPI,
        name=key,
        repository=repository,
        repository_raw=repository_raw,
        homepage=homepage,
        description=summary if summary and not is_placeholder(summary) else None,
        status=status,
        license=latest.license if latest else None,
        versions=tuple(versions),
        maintainers=_maintainers(people),
        source="+".join(kinds),
    )
