"""The files of a Python index: enforced per file (hiding a version is not access control),
fetched from upstream on first request, verified against the upstream's SHA-256 before they
are served, and kept content-addressed; ``.metadata`` sidecars the same way."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from ossmeta.errors import ForbiddenError, NotFoundError
from ossmeta.service.index_pypi import PythonIndexes
from ossmeta.service.index_pypi_view import ServedFile
from ossmeta.store.blobs import BlobMismatch
from ossmeta.store.index_cache import StoredFile, store_file
from ossmeta.store.tenancy import global_transaction

__all__ = ["FileDenied", "IndexFile", "index_file", "metadata_file"]

log = logging.getLogger("ossmeta.index")


class FileDenied(ForbiddenError):
    """The policy denies the file's release: ``message`` is the decision's summary."""


@dataclass(frozen=True, slots=True)
class IndexFile:
    path: Path
    sha256: str
    filename: str


def _allowed(indexes: PythonIndexes, index: str, project: str, filename: str) -> ServedFile:
    view = indexes.project(index, project)
    file = None if view is None else view.files.get(filename)
    if file is None:
        raise NotFoundError(f"{project} has no file {filename!r} on index {index!r}")
    if file.action == "deny":
        raise FileDenied(file.decision.summary())
    if file.action == "hide":
        # Not listed, so not served either; a 404 says no more than the page does.
        raise NotFoundError(f"{project} has no file {filename!r} on index {index!r}")
    return file


def _fetch(indexes: PythonIndexes, index: str, url: str, sha256: str, what: str) -> Path:
    definition = indexes.definition(index)
    client = indexes.client(definition)
    try:
        with client.stream(url) as chunks:
            return indexes.blobs.put(chunks, {"sha256": sha256}, what=what).path
    except BlobMismatch as exc:
        log.error("index %s: refused %s: %s", index, what, exc)
        raise


def index_file(indexes: PythonIndexes, index: str, project: str, filename: str) -> IndexFile:
    """The verified file, fetched from upstream if not kept yet. FileDenied (403),
    NotFoundError, BlobMismatch (a tampered upstream file) or UpstreamUnavailable."""
    file = _allowed(indexes, index, project, filename)
    path = indexes.blobs.find(file.sha256)
    if path is None:
        if file.upstream_url is None:
            raise NotFoundError(f"the bytes of {filename!r} are missing from the blob store")
        path = _fetch(indexes, index, file.upstream_url, file.sha256, filename)
        kept = StoredFile(
            project=project,
            filename=filename,
            origin="upstream",
            version=file.version,
            sha256=file.sha256,
            size=path.stat().st_size,
            requires_python=file.requires_python,
            metadata_sha256=file.metadata_sha256,
            license=None,
            uploaded_at=file.upload_time,
        )
        with global_transaction(indexes.store) as tx:
            store_file(tx, index, kept, indexes.clock())
    return IndexFile(path, file.sha256, filename)


def metadata_file(indexes: PythonIndexes, index: str, project: str, filename: str) -> IndexFile:
    """The ``.metadata`` sidecar of ``filename`` (PEP 658), verified like the file."""
    file = _allowed(indexes, index, project, filename)
    sha256 = file.metadata_sha256
    if sha256 is None:
        raise NotFoundError(f"{filename!r} has no core metadata file")
    path = indexes.blobs.find(sha256)
    if path is None:
        if file.upstream_url is None:
            raise NotFoundError(f"the core metadata of {filename!r} is missing")
        what = filename + ".metadata"
        path = _fetch(indexes, index, file.upstream_url + ".metadata", sha256, what)
    return IndexFile(path, sha256, filename + ".metadata")
