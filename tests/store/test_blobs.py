"""The content-addressed file store: bytes are named only after they match what their
source listed; a mismatch stores nothing."""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path

import pytest

from ossmeta.store.blobs import BlobMismatch, BlobStore, sri_hex


def test_stored_bytes_are_found_by_sha256_with_every_digest(tmp_path: Path) -> None:
    body = b"wheel bytes" * 1000
    sha256 = hashlib.sha256(body).hexdigest()
    blobs = BlobStore(tmp_path)
    blob = blobs.put([body[:7], body[7:]], {"sha256": sha256.upper()}, what="demo.whl")
    assert (blob.sha256, blob.size) == (sha256, len(body))
    assert blob.sha1 == hashlib.sha1(body).hexdigest()
    assert blob.integrity == "sha512-" + base64.b64encode(hashlib.sha512(body).digest()).decode()
    assert blobs.find(sha256) == blob.path and blob.path.read_bytes() == body
    again = blobs.put([body], {}, what="demo.whl")  # the same bytes: one copy
    assert again.path == blob.path
    assert list((tmp_path / "incoming").iterdir()) == []


def test_a_mismatch_names_the_file_and_stores_nothing(tmp_path: Path) -> None:
    blobs = BlobStore(tmp_path)
    wrong = hashlib.sha256(b"other").hexdigest()
    with pytest.raises(BlobMismatch, match=r"demo\.whl: sha256 .* differs from the listed"):
        blobs.put([b"tampered"], {"sha256": wrong}, what="demo.whl")
    assert blobs.find(hashlib.sha256(b"tampered").hexdigest()) is None
    assert list((tmp_path / "incoming").iterdir()) == []
    assert blobs.find("../../etc") is None


def test_sri_integrity_as_hex() -> None:
    digest = hashlib.sha512(b"tarball").digest()
    assert sri_hex("sha512-" + base64.b64encode(digest).decode()) == ("sha512", digest.hex())
    assert sri_hex("sha256-abc") is None
    assert sri_hex("sha512-not base64!") is None
