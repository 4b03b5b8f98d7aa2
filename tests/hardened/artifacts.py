"""Hardened artifacts built offline: a wheel (with its dist-info, as a build backend writes
one: pip installs it), an sdist and an npm tarball laid out as ``npm pack`` lays it out."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import tarfile
import zipfile
from pathlib import Path

from packaging.utils import canonicalize_name


def _record_hash(data: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"sha256={digest}"


def wheel(
    folder: Path,
    name: str,
    version: str,
    *,
    metadata_version: str | None = None,
    metadata_name: str | None = None,
    file_version: str | None = None,
) -> Path:
    """A pure-Python wheel of ``name`` ``version`` holding one module. The METADATA may say
    another version or name (a mismatch the check must catch)."""
    dist = canonicalize_name(name).replace("-", "_")
    shown = file_version or version
    path = folder / f"{dist}-{shown}-py3-none-any.whl"
    info = f"{dist}-{shown}.dist-info"
    files = {
        f"{dist}.py": f"VERSION = {version!r}\n".encode(),
        f"{info}/METADATA": (
            f"Metadata-Version: 2.1\nName: {metadata_name or name}\n"
            f"Version: {metadata_version or version}\n"
        ).encode(),
        f"{info}/WHEEL": b"Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\n"
        b"Tag: py3-none-any\n",
    }
    record = "".join(f"{n},{_record_hash(d)},{len(d)}\n" for n, d in files.items())
    record += f"{info}/RECORD,,\n"
    folder.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w") as archive:
        for member, data in files.items():
            archive.writestr(member, data)
        archive.writestr(f"{info}/RECORD", record)
    return path


def _tar(path: Path, members: dict[str, bytes]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with tarfile.open(path, "w:gz") as tar:
        for member, data in members.items():
            info = tarfile.TarInfo(member)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return path


def sdist(folder: Path, name: str, version: str, *, pkg_info_version: str | None = None) -> Path:
    base = f"{canonicalize_name(name).replace('-', '_')}-{version}"
    pkg_info = f"Metadata-Version: 2.1\nName: {name}\nVersion: {pkg_info_version or version}\n"
    return _tar(folder / f"{base}.tar.gz", {f"{base}/PKG-INFO": pkg_info.encode()})


def npm_tarball(folder: Path, name: str, version: str, filename: str = "package.tgz") -> Path:
    manifest = json.dumps({"name": name, "version": version, "main": "index.js"}).encode()
    return _tar(
        folder / filename,
        {"package/package.json": manifest, "package/index.js": b"module.exports = 1;\n"},
    )


def patch(folder: Path, name: str = "fix-cve.patch") -> Path:
    path = folder / name
    folder.mkdir(parents=True, exist_ok=True)
    path.write_text(
        "--- a/demo.py\n+++ b/demo.py\n@@ -1 +1 @@\n-unsafe()\n+safe()\n", encoding="utf-8"
    )
    return path
