"""Files uploaded to a Python index (``twine upload``, the legacy upload API): checked against
what the form says, kept content-addressed like upstream files, a wheel's ``METADATA``
kept beside it as its ``.metadata`` sidecar (PEP 658), and listed on the project's page."""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from datetime import datetime

from packaging.version import InvalidVersion, Version

from ossmeta.errors import InputError
from ossmeta.normalizers.simple_pages import normalize_project, version_of
from ossmeta.service.index_pypi import PythonIndexes
from ossmeta.store.blobs import BlobMismatch
from ossmeta.store.index_cache import StoredFile, store_file, stored_files
from ossmeta.store.tenancy import global_transaction

__all__ = ["Upload", "upload_file"]


@dataclass(frozen=True, slots=True)
class Upload:
    name: str
    version: str
    filename: str
    content: bytes
    sha256_digest: str | None
    requires_python: str | None
    license: str | None


def _same_version(left: str, right: str) -> bool:
    try:
        return Version(left) == Version(right)
    except InvalidVersion:
        return left == right


def _project_of(filename: str) -> str:
    # Wheels and sdists both start with the distribution name and a '-' before the version.
    stem = filename.split("-", 1)[0]
    return normalize_project(stem)


def _wheel_metadata(upload: Upload) -> bytes | None:
    if not upload.filename.endswith(".whl"):
        return None
    try:
        with zipfile.ZipFile(io.BytesIO(upload.content)) as wheel:
            names = [n for n in wheel.namelist() if n.count("/") == 1]
            found = [n for n in names if n.endswith(".dist-info/METADATA")]
            return wheel.read(found[0]) if len(found) == 1 else None
    except (zipfile.BadZipFile, KeyError) as exc:
        raise InputError(f"{upload.filename}: not a readable wheel ({exc})") from exc


def upload_file(indexes: PythonIndexes, index: str, upload: Upload, now: datetime) -> StoredFile:
    indexes.definition(index)
    version = version_of(upload.filename)
    if version is None or "/" in upload.filename:
        raise InputError(f"{upload.filename!r}: not a wheel or sdist file name")
    project = _project_of(upload.filename)
    if normalize_project(upload.name) != project:
        raise InputError(f"{upload.filename}: the form names the project {upload.name!r}")
    if not _same_version(upload.version, version):
        raise InputError(f"{upload.filename}: the form names version {upload.version!r}")
    expected = {"sha256": upload.sha256_digest.lower()} if upload.sha256_digest else {}
    with global_transaction(indexes.store) as tx:
        existing = {f.filename for f in stored_files(tx, index, project, origin="upload")}
    if upload.filename in existing:
        raise InputError(f"{upload.filename}: file already exists on index {index!r}")
    try:
        blob = indexes.blobs.put([upload.content], expected, what=upload.filename)
    except BlobMismatch as exc:  # a digest that differs is the uploader's mistake here
        raise InputError(str(exc)) from exc
    metadata = _wheel_metadata(upload)
    metadata_sha256 = None
    if metadata is not None:
        metadata_sha256 = indexes.blobs.put(
            [metadata], {}, what=upload.filename + ".metadata"
        ).sha256
    stored = StoredFile(
        project=project,
        filename=upload.filename,
        origin="upload",
        version=version,
        sha256=blob.sha256,
        size=blob.size,
        requires_python=upload.requires_python or None,
        metadata_sha256=metadata_sha256,
        license=upload.license or None,
        uploaded_at=now,
    )
    with global_transaction(indexes.store) as tx:
        store_file(tx, index, stored, now)
    indexes.forget(index, project)
    return stored
