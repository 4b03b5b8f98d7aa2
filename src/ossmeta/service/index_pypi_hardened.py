"""The hardened releases a Python index lists beside the upstream files of a project.

Each hardened file is served from the blob store with its own digests, size and upload
time (when it was added); a wheel's core metadata is extracted once into the blob store so
the page can offer it (PEP 658) and its licence and Requires-Python can be read. The
policy then decides it like any other release."""

from __future__ import annotations

import hashlib
import logging
import zipfile
from dataclasses import dataclass
from email.parser import BytesHeaderParser
from pathlib import Path

from ossmeta.service.hardened import hardened_releases
from ossmeta.store.blobs import BlobStore
from ossmeta.store.engine import Store
from ossmeta.store.index_cache import StoredFile

__all__ = ["hardened_files"]

log = logging.getLogger("ossmeta.index")
# Core metadata is a few kilobytes; a larger member is not read into memory.
_MAX_METADATA = 1024 * 1024


@dataclass(frozen=True, slots=True)
class _Metadata:
    sha256: str
    license: str | None
    requires_python: str | None


def _metadata(blobs: BlobStore, wheel: Path, filename: str) -> _Metadata | None:
    """The wheel's ``*.dist-info/METADATA``, stored as a blob; None when it has none."""
    try:
        with zipfile.ZipFile(wheel) as archive:
            found = [
                i
                for i in archive.infolist()
                if i.filename.count("/") == 1 and i.filename.endswith(".dist-info/METADATA")
            ]
            if len(found) != 1 or found[0].file_size > _MAX_METADATA:
                return None
            body = archive.read(found[0])
    except (OSError, zipfile.BadZipFile) as exc:
        log.warning("hardened %s: no core metadata read: %s", filename, exc)
        return None
    sha256 = hashlib.sha256(body).hexdigest()
    if blobs.find(sha256) is None:  # pages are rebuilt; the sidecar is written once
        blobs.put([body], {"sha256": sha256}, what=filename + ".metadata")
    headers = BytesHeaderParser().parsebytes(body)
    licence = headers.get("License-Expression") or headers.get("License")
    return _Metadata(sha256, licence or None, headers.get("Requires-Python") or None)


def hardened_files(store: Store, blobs: BlobStore, project: str) -> list[StoredFile]:
    """The hardened files of ``project`` this machine holds the bytes of."""
    out = []
    for release in hardened_releases(store, "pypi", project):
        path = blobs.find(release.sha256)
        if path is None:
            # Listing a file that cannot be served would fail installs instead of falling
            # back to another version.
            log.warning("hardened %s: not in the blob store, not listed", release.filename)
            continue
        meta = None
        if release.filename.endswith(".whl"):
            meta = _metadata(blobs, path, release.filename)
        out.append(
            StoredFile(
                project=project,
                filename=release.filename,
                origin="hardened",
                version=release.version,
                sha256=release.sha256,
                size=release.size,
                requires_python=None if meta is None else meta.requires_python,
                metadata_sha256=None if meta is None else meta.sha256,
                license=None if meta is None else meta.license,
                uploaded_at=release.created_at,
            )
        )
    return out
