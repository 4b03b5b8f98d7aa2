"""Hardened releases in an npm index's packument: each ``X-trusted.N`` version the foundation
added (``ossmeta hardened add``) is listed beside upstream's versions, with its manifest read
from its own tarball's ``package.json``, its own integrity and a ``time`` entry (when it was
added), and is decided by the policy like any version.

npm has no "prefer this build" rule: ``X-trusted.N`` is a prerelease, so a pin ``X`` or a
range ``^X`` never picks it (npm semantics). The preference is given through dist-tags
instead (``index_npm_document._dist_tags``): a tag naming a version the policy denies names
the highest allowed hardened version replacing it, and ``trusted`` names the highest allowed
hardened version of the package."""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import tarfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ossmeta.ecosystems import NPM, name_key
from ossmeta.store.blobs import BlobStore
from ossmeta.store.engine import Store
from ossmeta.store.hardened import HardenedRow, hardened_of
from ossmeta.store.tenancy import global_transaction

__all__ = ["HardenedVersion", "hardened_marker", "hardened_rows", "hardened_versions", "merged"]

log = logging.getLogger(__name__)

_MAX_MANIFEST = 1024 * 1024  # a package.json larger than this is not one npm wrote


@dataclass(frozen=True)
class HardenedVersion:
    version: str
    upstream_version: str
    path: Path  # the tarball, in the blob store
    manifest: dict[str, Any]  # package.json with its dist
    published: str  # when it was added, as npm's ``time`` map writes it


def hardened_rows(store: Store, name: str) -> list[HardenedRow]:
    with global_transaction(store) as tx:
        return hardened_of(tx, NPM, name_key(NPM, name))


def hardened_marker(rows: Sequence[HardenedRow]) -> str:
    """Changes when a hardened release is added: a kept packument is rebuilt then."""
    return ",".join(f"{r.version}:{r.sha256}" for r in rows)


def _package_json(path: Path) -> dict[str, Any] | None:
    try:
        with tarfile.open(path, "r:gz") as tar:
            for member in tar:
                if member.name.removeprefix("./") == "package/package.json":
                    if not member.isfile() or member.size > _MAX_MANIFEST:
                        return None
                    extracted = tar.extractfile(member)
                    loaded = json.load(extracted) if extracted is not None else None
                    return loaded if isinstance(loaded, dict) else None
    except (tarfile.TarError, OSError, EOFError, ValueError):
        return None
    return None


def _sha1(path: Path) -> str:
    digest = hashlib.sha1(usedforsecurity=False)  # npm's legacy shasum, beside the sha512
    with path.open("rb") as source:
        while chunk := source.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def hardened_versions(rows: Sequence[HardenedRow], blobs: BlobStore) -> list[HardenedVersion]:
    """The hardened versions whose tarball this machine's blob store holds (the others are
    left out, with a warning: a version listed must be installable)."""
    out = []
    for row in rows:
        path = blobs.find(row.sha256)
        manifest = _package_json(path) if path is not None else None
        if path is None or manifest is None:
            log.warning("npm index: hardened %s@%s has no readable tarball", row.name, row.version)
            continue
        manifest = dict(manifest)
        manifest["name"], manifest["version"] = row.name, row.version  # as checked when added
        manifest["dist"] = {
            "integrity": "sha512-" + base64.b64encode(bytes.fromhex(row.sha512)).decode(),
            "shasum": _sha1(path),
            "tarball": "",  # the index's URL, set when the packument is built
        }
        published = row.created_at.isoformat(timespec="milliseconds").replace("+00:00", "Z")
        out.append(HardenedVersion(row.version, row.upstream_version, path, manifest, published))
    return out


def merged(document: Mapping[str, Any], hardened: Sequence[HardenedVersion]) -> dict[str, Any]:
    """A copy of upstream's packument with the hardened versions and their ``time`` entries
    added; upstream's own versions are never replaced."""
    if not hardened:
        return dict(document)
    copy = dict(document)
    versions = dict(copy.get("versions") or {})
    times = dict(copy.get("time") or {}) if isinstance(copy.get("time"), dict) else {}
    for each in hardened:
        if each.version in versions:
            continue
        versions[each.version] = each.manifest
        times[each.version] = each.published
    copy["versions"], copy["time"] = versions, times
    return copy
