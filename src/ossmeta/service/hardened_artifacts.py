"""What a hardened artifact says about itself, checked against the upstream release it
replaces (pure: bytes in, facts or a one-line ``InputError`` naming the file out).

PyPI: a wheel or sdist whose version is the PEP 440 local version ``X+trusted.N`` of the
upstream ``X`` (Chainguard's ``+cgr.N`` scheme: installers take ``==X`` to match it and prefer
the higher local version). The version is read from the file name and, where the archive
has one, from its core metadata (a wheel's ``METADATA``, an sdist's ``PKG-INFO``); both must
agree with each other and with the purl.

npm: a tarball (``npm pack``) whose ``package/package.json`` names the package and the
prerelease ``X-trusted.N``. Build metadata (``X+trusted.N``) is not used: semver ignores it
for precedence, so two builds would be one version to npm."""

from __future__ import annotations

import io
import json
import re
import tarfile
import zipfile
from dataclasses import dataclass
from email.parser import BytesHeaderParser
from pathlib import Path

from packaging.utils import (
    InvalidSdistFilename,
    InvalidWheelFilename,
    canonicalize_name,
    parse_sdist_filename,
    parse_wheel_filename,
)
from packaging.version import InvalidVersion, Version

from ossmeta.errors import InputError

__all__ = ["Artifact", "inspect_npm", "inspect_pypi", "npm_tarball_name"]

_LOCAL = re.compile(r"trusted\.(\d+)")
_SEMVER_CORE = re.compile(r"(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-[0-9A-Za-z.-]+)?")
# A hardened package's metadata is small; an archive member larger than this is not one.
_MAX_MEMBER = 16 * 1024 * 1024


@dataclass(frozen=True)
class Artifact:
    version: str  # the hardened version, as the artifact spells it
    filename: str  # the name the index serves it under


def _fail(path: Path, message: str) -> InputError:
    return InputError(message, path=str(path))


def _pypi_version(path: Path, text: str, what: str) -> Version:
    try:
        return Version(text)
    except InvalidVersion:
        raise _fail(path, f"{what} {text!r} is not a PEP 440 version") from None


def _core_metadata(path: Path) -> tuple[str, bytes] | None:
    """(member name, bytes) of the archive's core metadata; None for an sdist without."""
    name = path.name
    try:
        if name.endswith(".whl"):
            with zipfile.ZipFile(path) as archive:
                found = [
                    info
                    for info in archive.infolist()
                    if re.fullmatch(r"[^/]+\.dist-info/METADATA", info.filename)
                ]
                if len(found) != 1:
                    raise _fail(path, "a wheel holds exactly one *.dist-info/METADATA")
                if found[0].file_size > _MAX_MEMBER:
                    raise _fail(path, f"{found[0].filename} is too large")
                return found[0].filename, archive.read(found[0])
        if name.endswith(".zip"):
            with zipfile.ZipFile(path) as archive:
                zipped = [
                    i for i in archive.infolist() if re.fullmatch(r"[^/]+/PKG-INFO", i.filename)
                ]
                if not zipped or zipped[0].file_size > _MAX_MEMBER:
                    return None
                return zipped[0].filename, archive.read(zipped[0])
        with tarfile.open(path, "r:gz") as tar:
            for member in tar:
                if re.fullmatch(r"[^/]+/PKG-INFO", member.name) and member.isfile():
                    if member.size > _MAX_MEMBER:
                        return None
                    extracted = tar.extractfile(member)
                    return (member.name, extracted.read()) if extracted else None
        return None
    except (zipfile.BadZipFile, tarfile.TarError, OSError, EOFError) as error:
        raise _fail(path, f"cannot read the archive: {error}") from None


def inspect_pypi(path: Path, name: str, upstream: str) -> Artifact:
    """The hardened version of a wheel or sdist of ``name`` replacing ``upstream``."""
    filename = path.name
    try:
        if filename.endswith(".whl"):
            file_name, file_version, _, _ = parse_wheel_filename(filename)
        else:
            file_name, file_version = parse_sdist_filename(filename)
    except (InvalidWheelFilename, InvalidSdistFilename) as error:
        raise _fail(path, f"not a wheel or sdist name: {error}") from None
    if file_name != canonicalize_name(name):
        raise _fail(path, f"the file is of {file_name!r}, not of {name!r}")
    upstream_version = _pypi_version(path, upstream, "the purl's version")
    if upstream_version.local is not None:
        raise _fail(path, f"the purl names {upstream!r}: give the upstream version, without +local")
    if file_version.local is None or not _LOCAL.fullmatch(file_version.local):
        raise _fail(
            path,
            f"version {file_version} is not a hardened version: use the local version "
            f"{upstream}+trusted.N",
        )
    if Version(file_version.public) != upstream_version:
        raise _fail(path, f"version {file_version} is not a rebuild of upstream {upstream}")
    core = _core_metadata(path)
    if core is not None:
        member, body = core
        headers = BytesHeaderParser().parsebytes(body)
        meta_name, meta_version = headers.get("Name"), headers.get("Version")
        if meta_name is None or meta_version is None:
            raise _fail(path, f"{member} gives no Name or no Version")
        if canonicalize_name(str(meta_name)) != file_name:
            raise _fail(path, f"{member} names {meta_name!r}, the file name {file_name!r}")
        if _pypi_version(path, str(meta_version), f"{member}'s Version") != file_version:
            raise _fail(path, f"{member} says version {meta_version}, the file name {file_version}")
    return Artifact(str(file_version), filename)


def npm_tarball_name(name: str, version: str) -> str:
    """The registry's tarball name: ``<name without scope>-<version>.tgz``."""
    return f"{name.rpartition('/')[2]}-{version}.tgz"


def _package_json(path: Path) -> dict[str, object]:
    try:
        with tarfile.open(path, "r:gz") as tar:
            for member in tar:
                if member.name in ("package/package.json", "./package/package.json"):
                    if not member.isfile() or member.size > _MAX_MEMBER:
                        break
                    extracted = tar.extractfile(member)
                    if extracted is None:
                        break
                    loaded = json.load(io.TextIOWrapper(extracted, encoding="utf-8"))
                    if not isinstance(loaded, dict):
                        raise _fail(path, "package/package.json is not a JSON object")
                    return loaded
    except (tarfile.TarError, OSError, EOFError) as error:
        raise _fail(path, f"cannot read the tarball: {error}") from None
    except (ValueError, UnicodeDecodeError) as error:
        raise _fail(path, f"package/package.json is not JSON: {error}") from None
    raise _fail(path, "no package/package.json in the tarball (make it with npm pack)")


def inspect_npm(path: Path, name: str, upstream: str) -> Artifact:
    """The hardened version of an npm tarball of ``name`` replacing ``upstream``."""
    if not _SEMVER_CORE.fullmatch(upstream):
        raise _fail(path, f"the purl names {upstream!r}: not a semver version without build")
    manifest = _package_json(path)
    got_name, version = manifest.get("name"), manifest.get("version")
    if got_name != name:
        raise _fail(path, f"package.json names {got_name!r}, the purl {name!r}")
    if not isinstance(version, str):
        raise _fail(path, "package.json gives no version")
    # A prerelease upstream gains one more identifier; a release gains the prerelease.
    joiner = "." if "-" in upstream else "-"
    prefix = f"{upstream}{joiner}"
    if not (version.startswith(prefix) and _LOCAL.fullmatch(version[len(prefix) :])):
        raise _fail(
            path,
            f"package.json version {version!r} is not a hardened version: use "
            f"{upstream}{joiner}trusted.N",
        )
    return Artifact(version, npm_tarball_name(name, version))
