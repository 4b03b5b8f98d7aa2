"""``python -m ossmeta.surfaces.web.assets.fetch``: the vendored front-end files, from the
tarballs ``package-lock.json`` pins, checked against the lockfile's sha512 integrity before
anything is extracted. Needs only Python: no npm, no node.

The registry is ``OSSMETA_NPM_REGISTRY``, else npm's configured one when npm is installed,
else npm's public default, so a machine behind a mirror fetches from the mirror. Only the
packages whose files the pages serve are downloaded (ECharts' bundle already contains its
own dependencies). A second run with the same lockfile does nothing.
"""

from __future__ import annotations

import hashlib
import io
import json
import sys
import tarfile
from collections.abc import Mapping
from pathlib import Path

import httpx

from ossmeta.errors import InputError, SourceError, UnavailableError, exit_code
from ossmeta.sources.npm_tarballs import fetch_verified, registry_url, tarball_url

__all__ = ["NEEDED", "VENDOR", "fetch_assets"]

HERE = Path(__file__).parent
LOCKFILE = HERE / "package-lock.json"
VENDOR = HERE.parent / "static" / "vendor"
#: What the pages serve from each package: file in the tarball -> name under /static/vendor/.
NEEDED: Mapping[str, Mapping[str, str]] = {
    "echarts": {"dist/echarts.min.js": "echarts.min.js", "LICENSE": "echarts.LICENSE"},
    "axe-core": {"axe.min.js": "axe.min.js", "LICENSE": "axe-core.LICENSE"},
}
STAMP = ".lock-sha256"


def _pins(lockfile: Path) -> dict[str, tuple[str, str]]:
    """(version, integrity) of each needed package, from a lockfileVersion 3 lockfile."""
    try:
        lock = json.loads(lockfile.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise InputError(f"{lockfile}: not a readable lockfile ({error})") from None
    if lock.get("lockfileVersion") != 3:
        raise InputError(f"{lockfile}: lockfileVersion must be 3")
    pins: dict[str, tuple[str, str]] = {}
    for name in NEEDED:
        entry = lock.get("packages", {}).get(f"node_modules/{name}")
        if not entry or not entry.get("version") or not entry.get("integrity"):
            raise InputError(f"{lockfile}: no pinned version and integrity for {name}")
        pins[name] = (entry["version"], entry["integrity"])
    return pins


def _extract(name: str, body: bytes, wanted: Mapping[str, str]) -> dict[str, bytes]:
    """The wanted regular files of an npm tarball (rooted at ``package/``), by target name."""
    found: dict[str, bytes] = {}
    try:
        with tarfile.open(fileobj=io.BytesIO(body), mode="r:gz") as archive:
            for member in archive:
                inner = member.name.split("/", 1)[-1]
                if inner in wanted and member.isfile():
                    handle = archive.extractfile(member)
                    if handle is not None:
                        found[wanted[inner]] = handle.read()
    except (tarfile.TarError, OSError, EOFError) as error:
        raise SourceError(f"{name}: not a readable tarball ({error})") from None
    missing = [inner for inner, target in wanted.items() if target not in found]
    if missing:
        raise SourceError(f"{name}: the tarball has no {', '.join(missing)}")
    return found


def fetch_assets(
    lockfile: Path = LOCKFILE,
    vendor: Path = VENDOR,
    registry: str | None = None,
    *,
    force: bool = False,
) -> list[Path]:
    """Brings the needed files into ``vendor``; the paths written (none when the files of
    this lockfile are there already). Every tarball is verified before any file is written."""
    stamp = hashlib.sha256(
        lockfile.read_bytes() + json.dumps(NEEDED, sort_keys=True).encode()
    ).hexdigest()
    targets = [vendor / target for files in NEEDED.values() for target in files.values()]
    marker = vendor / STAMP
    if (
        not force
        and marker.exists()
        and marker.read_text().strip() == stamp
        and all(t.exists() for t in targets)
    ):
        return []
    pins = _pins(lockfile)
    base = registry or registry_url()
    files: dict[str, bytes] = {}
    with httpx.Client(timeout=120, follow_redirects=True) as client:
        for name, (version, integrity) in pins.items():
            body = fetch_verified(client, tarball_url(base, name, version), name, integrity)
            files.update(_extract(name, body, NEEDED[name]))
    vendor.mkdir(parents=True, exist_ok=True)
    written = []
    for target, content in files.items():
        path = vendor / target
        partial = path.with_name(path.name + ".partial")
        partial.write_bytes(content)
        partial.replace(path)  # a page being served never reads half a file
        written.append(path)
    marker.write_text(stamp + "\n")
    return written


def main(argv: list[str]) -> int:
    registry = None
    force = "--force" in argv
    if "--registry" in argv:
        registry = argv[argv.index("--registry") + 1]
    try:
        written = fetch_assets(registry=registry, force=force)
    except (InputError, UnavailableError) as error:
        print(f"ossmeta: web assets: {error}", file=sys.stderr)
        return exit_code(error)
    if written:
        print(f"ossmeta: web assets: {len(written)} files in {VENDOR.name}/")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
