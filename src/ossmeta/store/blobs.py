"""Content-addressed files: the artifacts the package indexes serve (upstream wheels, sdists
and npm tarballs, uploaded and hardened ones), kept under ``OSSMETA_HOME/blobs`` by SHA-256.

A blob is written to a temporary file while its digests are computed, checked against the
digests its source promised, and only then named (durably): a torn download, or a file
whose bytes differ from what upstream listed, is never served."""

from __future__ import annotations

import base64
import hashlib
import os
import re
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from ossmeta.errors import UnavailableError
from ossmeta.store.durable import sync_directory, sync_file

__all__ = ["Blob", "BlobMismatch", "BlobStore", "default_blob_root", "sri_hex"]

_HEX64 = re.compile(r"[0-9a-f]{64}")
# The digests a source may promise: PEP 503/691 hashes (hex), npm's sha1 shasum (hex) and its
# SRI integrity (sha512, base64).
_ALGORITHMS = ("sha256", "sha512", "sha1")


class BlobMismatch(UnavailableError):
    """The bytes a source sent differ from the digest it listed: refused, never stored."""


@dataclass(frozen=True)
class Blob:
    sha256: str  # hex
    sha512: str  # hex
    sha1: str  # hex
    size: int
    path: Path

    @property
    def integrity(self) -> str:
        """The npm SRI form of the SHA-512 (``sha512-<base64>``)."""
        return "sha512-" + base64.b64encode(bytes.fromhex(self.sha512)).decode("ascii")


def default_blob_root() -> Path:
    return Path(os.environ.get("OSSMETA_HOME", ".ossmeta")) / "blobs"


class BlobStore:
    def __init__(self, root: Path | None = None) -> None:
        self.root = root or default_blob_root()

    def _path(self, sha256: str) -> Path:
        return self.root / "sha256" / sha256[:2] / sha256

    def find(self, sha256: str) -> Path | None:
        """The stored file with this SHA-256, if any."""
        if not _HEX64.fullmatch(sha256):
            return None
        path = self._path(sha256)
        return path if path.is_file() else None

    def put(self, chunks: Iterable[bytes], expected: Mapping[str, str], *, what: str) -> Blob:
        """Store the bytes of ``chunks`` if they match every digest in ``expected``
        (algorithm → hex digest); ``BlobMismatch`` naming ``what`` otherwise."""
        unknown = set(expected) - set(_ALGORITHMS)
        if unknown:
            raise ValueError(f"unknown digest algorithms {sorted(unknown)}")
        incoming = self.root / "incoming"
        incoming.mkdir(parents=True, exist_ok=True)
        temporary = incoming / f"{uuid.uuid4().hex}.part"
        digests = {name: hashlib.new(name) for name in _ALGORITHMS}
        size = 0
        try:
            with temporary.open("wb") as sink:
                for chunk in chunks:
                    sink.write(chunk)
                    size += len(chunk)
                    for digest in digests.values():
                        digest.update(chunk)
            got = {name: digest.hexdigest() for name, digest in digests.items()}
            for name, want in expected.items():
                if got[name] != want.lower():
                    raise BlobMismatch(
                        f"{what}: {name} {got[name]} differs from the listed {want.lower()}"
                    )
            target = self._path(got["sha256"])
            target.parent.mkdir(parents=True, exist_ok=True)
            if not target.is_file():  # the same bytes stored before need no second copy
                _name_durably(temporary, target)
            return Blob(got["sha256"], got["sha512"], got["sha1"], size, target)
        finally:
            temporary.unlink(missing_ok=True)


def _name_durably(temporary: Path, target: Path) -> None:
    """Name a complete file in another directory of the same file system, its bytes on disk
    before the name is, and the name on disk before the caller serves it."""
    sync_file(temporary)
    os.replace(temporary, target)
    sync_directory(target.parent)


def sri_hex(integrity: str) -> tuple[str, str] | None:
    """``sha512-<base64>`` (npm's ``dist.integrity``) as (algorithm, hex digest); None for
    a form this store does not check (another algorithm, or not SRI at all)."""
    algorithm, _, encoded = integrity.strip().partition("-")
    if algorithm not in ("sha512", "sha1") or not encoded:
        return None
    try:
        return algorithm, base64.b64decode(encoded, validate=True).hex()
    except ValueError:
        return None
