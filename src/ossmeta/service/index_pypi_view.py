"""A project of a Python index as served: the upstream's files and the uploaded ones, each
with the enforced decision on its release. Built from plain records (no I/O), so the rules
are tested on their own:

* allow: listed, the upstream's yank (and its reason) kept;
* deny: listed as yanked with the decision's summary, and refused at the file route;
* hide: absent from the page, and refused at the file route too.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from packaging.version import InvalidVersion, Version

from ossmeta.analyses.policy.model import Decider, Decision, UpstreamRelease
from ossmeta.normalizers.simple_pages import SimpleFile, version_of
from ossmeta.store.index_cache import StoredFile

__all__ = ["ProjectView", "ServedFile", "build_view"]


@dataclass(frozen=True, slots=True)
class ServedFile:
    filename: str
    version: str
    sha256: str
    size: int | None
    upload_time: datetime | None
    requires_python: str | None
    yanked: str | None  # None: not yanked; else the reason ("" for none given)
    metadata_sha256: str | None  # the .metadata sidecar, when there is one to verify
    origin: str  # upstream | upload | hardened
    upstream_url: str | None  # where an upstream file is fetched from
    decision: Decision

    @property
    def action(self) -> str:
        return self.decision.enforced


@dataclass(frozen=True, slots=True)
class ProjectView:
    name: str
    files: Mapping[str, ServedFile]  # every file by name, hidden and denied included
    listed: tuple[ServedFile, ...]  # what the page shows, in file-name order
    versions: tuple[str, ...]  # the listed versions, oldest first
    valid_until: datetime | None  # the first time a decision changes by time alone


def _sort_key(version: str) -> tuple[int, Version | str]:
    try:
        return (1, Version(version))
    except InvalidVersion:
        return (0, version)


def _upstream(file: SimpleFile) -> ServedFile | None:
    sha256, version = file.sha256, version_of(file.filename)
    if sha256 is None or version is None:
        return None  # nothing to verify the bytes against, or not an installable file
    return ServedFile(
        filename=file.filename,
        version=version,
        sha256=sha256,
        size=file.size,
        upload_time=file.upload_time,
        requires_python=file.requires_python,
        yanked=file.yanked,
        metadata_sha256=file.metadata_sha256,
        origin="upstream",
        upstream_url=file.url,
        decision=Decision("allow"),
    )


def _uploaded(file: StoredFile) -> ServedFile:
    return ServedFile(
        filename=file.filename,
        version=file.version,
        sha256=file.sha256,
        size=file.size,
        upload_time=file.uploaded_at,
        requires_python=file.requires_python,
        yanked=None,
        metadata_sha256=file.metadata_sha256,
        origin=file.origin,  # upload, or hardened (the foundation's rebuild)
        upstream_url=None,
        decision=Decision("allow"),
    )


def _releases(
    name: str, files: Iterable[ServedFile], licenses: Mapping[str, str | None]
) -> list[UpstreamRelease]:
    by_version: dict[str, list[ServedFile]] = {}
    for file in files:
        by_version.setdefault(file.version, []).append(file)
    releases = []
    for version, group in sorted(by_version.items(), key=lambda item: _sort_key(item[0])):
        times = [f.upload_time for f in group if f.upload_time is not None]
        releases.append(
            UpstreamRelease(
                ecosystem="pypi",
                name=name,
                version=version,
                published=min(times) if times else None,
                license=licenses.get(version),
                yanked=all(f.yanked is not None for f in group),
            )
        )
    return releases


def _apply(file: ServedFile, decision: Decision) -> ServedFile:
    from dataclasses import replace

    yanked = decision.summary() if decision.enforced == "deny" else file.yanked
    return replace(file, decision=decision, yanked=yanked)


def build_view(
    name: str,
    upstream_files: Sequence[SimpleFile],
    uploads: Sequence[StoredFile],
    licenses: Mapping[str, str | None],
    decide: Decider,
) -> ProjectView:
    """The project ``name`` (normalized) as the index serves it. An uploaded file (or a
    hardened one, among ``uploads`` with its own origin) wins over an upstream one of the
    same name (the index owner put it there on purpose)."""
    files: dict[str, ServedFile] = {}
    for upstream in upstream_files:
        served = _upstream(upstream)
        if served is not None:
            files[served.filename] = served
    for upload in uploads:
        files[upload.filename] = _uploaded(upload)
    releases = _releases(name, files.values(), licenses)
    decisions = list(decide(releases))
    if len(decisions) != len(releases):
        raise RuntimeError("the decider answered a different number of releases")
    by_version = {r.version: d for r, d in zip(releases, decisions, strict=True)}
    decided = {n: _apply(f, by_version[f.version]) for n, f in sorted(files.items())}
    listed = tuple(f for f in decided.values() if f.action != "hide")
    versions = sorted({f.version for f in listed}, key=_sort_key)
    until = [d.valid_until for d in decisions if d.valid_until is not None]
    return ProjectView(name, decided, listed, tuple(versions), min(until) if until else None)
