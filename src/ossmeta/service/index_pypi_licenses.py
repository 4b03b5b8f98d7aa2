"""The licence each upstream release declares, read from the upstream alone: the release's
core metadata (the ``.metadata`` file of PEP 658, verified against its listed hash and kept
as a blob, since the ``.metadata`` route serves the same bytes), else ``/pypi/<name>/json``
where the upstream serves it. A licence once read is kept: a release's metadata never
changes. Only gated indexes read licences (a policy may rule on them)."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

import orjson

from ossmeta.normalizers.simple_pages import SimpleFile, license_from_metadata, version_of
from ossmeta.sources.simple_index import UpstreamUnavailable
from ossmeta.store.blobs import BlobMismatch
from ossmeta.store.index_cache import keep_licenses
from ossmeta.store.indexes import IndexDefinition
from ossmeta.store.tenancy import global_transaction

if TYPE_CHECKING:
    from ossmeta.service.index_pypi import PythonIndexes

__all__ = ["license_from_project_json", "read_licenses"]

log = logging.getLogger("ossmeta.index")


def license_from_project_json(body: bytes, version: str) -> str | None:
    """The licence ``/pypi/<name>/json`` gives, when its ``info`` is about ``version``."""
    try:
        info: Any = orjson.loads(body).get("info")
    except (orjson.JSONDecodeError, AttributeError):
        return None
    if not isinstance(info, dict) or info.get("version") != version:
        return None
    for key in ("license_expression", "license"):
        value = info.get(key)
        if isinstance(value, str) and value.strip() and "\n" not in value.strip():
            return value.strip()
    prefix = "License :: OSI Approved :: "
    classifiers = info.get("classifiers")
    offered = [
        c[len(prefix) :] for c in classifiers or [] if isinstance(c, str) and c.startswith(prefix)
    ]
    return " OR ".join(offered) if offered else None


def _metadata_file(files: Sequence[SimpleFile]) -> SimpleFile | None:
    with_metadata = [f for f in files if f.metadata_sha256 is not None]
    wheels = [f for f in with_metadata if f.filename.endswith(".whl")]
    chosen = wheels or with_metadata
    return chosen[0] if chosen else None


def read_licenses(
    indexes: PythonIndexes,
    definition: IndexDefinition,
    project: str,
    files: Sequence[SimpleFile],
    kept: Mapping[str, str | None],
    now: datetime,
) -> dict[str, str | None]:
    """``kept`` completed with the releases not read yet (while the upstream answers)."""
    by_version: dict[str, list[SimpleFile]] = {}
    for file in files:
        version = version_of(file.filename)
        if version is not None and version not in kept:
            by_version.setdefault(version, []).append(file)
    if not by_version:
        return dict(kept)
    client = indexes.client(definition)
    found: dict[str, str | None] = {}
    project_json: bytes | None = None
    try:
        for version, group in by_version.items():
            source = _metadata_file(group)
            if source is not None and source.metadata_sha256 is not None:
                text = client.small(source.url + ".metadata")
                if text is not None:
                    indexes.blobs.put(
                        [text],
                        {"sha256": source.metadata_sha256},
                        what=source.filename + ".metadata",
                    )
                    found[version] = license_from_metadata(text)
                    continue
            release_json = client.release_json(project, version)
            if release_json is not None:
                found[version] = license_from_project_json(release_json, version)
                continue
            if project_json is None:
                project_json = client.project_json(project) or b"{}"
            found[version] = license_from_project_json(project_json, version)
    except (UpstreamUnavailable, BlobMismatch) as exc:
        # What was read is kept; the rest is read on a later build.
        log.warning("index %s: licences of %s not read: %s", definition.name, project, exc)
    if found:
        with global_transaction(indexes.store) as tx:
            keep_licenses(tx, definition.name, project, found.items(), now)
    return {**kept, **found}
