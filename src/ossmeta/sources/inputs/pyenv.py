"""An installed Python environment (``ossmeta scan --python-env PATH``).

PATH is a virtual environment (``lib/python3.*/site-packages``, ``lib64/...``, or the
Windows layout ``Lib/site-packages``) or a ``site-packages`` directory itself. Every
``*.dist-info/METADATA`` and ``*.egg-info/PKG-INFO`` (or a bare ``*.egg-info`` file, as
distutils wrote) gives a Name and a Version, read as email headers the way
``importlib.metadata`` reads them. The files are read here, not through
``importlib.metadata``, so that each one goes through the input size limit and the
location names the very file. Distributions installed from a local directory
(``direct_url.json`` with ``dir_info``: ``pip install .``, ``pip install -e .``) are the
project's own code and are skipped, as is a metadata directory without its metadata file
(a broken or half-removed install); each skip is said in a note. An environment does not
say what was asked for, so ``direct`` is None. This is not a file format: there is no ``parse``.
"""

from __future__ import annotations

import json
import posixpath
from pathlib import Path
from typing import TYPE_CHECKING

from ossmeta.ecosystems import PYPI
from ossmeta.errors import SourceError
from ossmeta.model import DeclaredPackage
from ossmeta.sources.files import InputFile
from ossmeta.sources.inputs.skipped import Skipped

if TYPE_CHECKING:
    from email.parser import HeaderParser

_SUFFIXES = (".dist-info", ".egg-info")


def _has_metadata(directory: Path) -> bool:
    return any(child.name.endswith(_SUFFIXES) for child in directory.iterdir())


def site_packages(path: Path, display: str) -> list[Path]:
    """The site-packages directories of an environment (or the directory itself)."""
    try:
        if not path.is_dir():
            raise SourceError(
                "not a directory (expected a virtualenv or site-packages)", path=display
            )
        if path.name in ("site-packages", "dist-packages") or _has_metadata(path):
            return [path]
        found = [
            *sorted(path.glob("lib/python3*/site-packages")),
            *sorted(path.glob("lib64/python3*/site-packages")),
            *sorted(path.glob("Lib/site-packages")),
        ]
    except OSError as error:
        raise SourceError(f"cannot read: {error.strerror or error}", path=display) from None
    # lib64 is often a symlink to lib: keep each directory once, under its given path
    unique = list({p.resolve(): p for p in reversed(found) if p.is_dir()}.values())[::-1]
    if not unique:
        raise SourceError("neither a virtualenv nor a site-packages directory", path=display)
    return unique


def _metadata_file(entry: Path) -> Path | None:
    if entry.name.endswith(".dist-info") and entry.is_dir():
        return entry / "METADATA"
    if entry.name.endswith(".egg-info"):
        return entry / "PKG-INFO" if entry.is_dir() else entry
    return None


def _installed_from_directory(dist_info: Path, shown: str) -> str | None:
    """The URL of the local directory a distribution was installed from, if it was
    (``""`` when ``direct_url.json`` names none)."""
    direct_url = dist_info / "direct_url.json"
    if not direct_url.is_file():
        return None
    try:
        data = json.loads(InputFile(direct_url, shown).read_text())
    except (SourceError, json.JSONDecodeError, RecursionError):
        return None  # a broken direct_url.json does not make the package local
    if not isinstance(data, dict) or "dir_info" not in data:
        return None
    url = data.get("url")
    return url if isinstance(url, str) else ""


def parse_environment(path: Path, display: str) -> list[DeclaredPackage | Skipped]:
    out: list[DeclaredPackage | Skipped] = []
    for directory in site_packages(path, display):
        try:
            entries = sorted(directory.iterdir())
        except OSError as error:
            raise SourceError(f"cannot read: {error.strerror or error}", path=display) from None
        for entry in entries:
            metadata = _metadata_file(entry)
            if metadata is None:
                continue  # not a distribution's metadata: a module, a package, a .pth file
            relative = metadata.relative_to(path) if metadata.is_relative_to(path) else metadata
            shown = posixpath.join(display, relative.as_posix())
            if not metadata.is_file():
                why = f"skipped {entry.name}: no {metadata.name} file in it (a broken install)"
                out.append(Skipped(InputFile(entry, posixpath.dirname(shown)).at(), why))
                continue
            direct_url = posixpath.join(posixpath.dirname(shown), "direct_url.json")
            local = _installed_from_directory(entry, direct_url)
            if local is not None:
                source = f" {local}" if local else ""
                why = f"skipped {entry.name}: installed from the local directory{source}"
                why += ", the project's own code"
                out.append(Skipped(InputFile(entry, direct_url).at(), why))
                continue
            file = InputFile(metadata, shown)
            headers = _header_parser().parsestr(file.read_text())
            name, version = headers.get("Name"), headers.get("Version")
            if not isinstance(name, str) or not name.strip():
                file.fail("no Name header in the distribution metadata", 1)
            version = version.strip() if isinstance(version, str) and version.strip() else None
            out.append(
                DeclaredPackage(
                    PYPI,
                    name.strip(),
                    version,
                    file.at(),
                    requirement=None if version else "*",
                )
            )
    return out


def _header_parser() -> HeaderParser:
    # The e-mail package is imported when an environment is scanned, not by every scan.
    import email.parser

    return email.parser.HeaderParser()
