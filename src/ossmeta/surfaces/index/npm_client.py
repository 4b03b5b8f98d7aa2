"""``python -m ossmeta.surfaces.index.npm_client``: the npm the project pins (for its
end-to-end tests and for operators who want the version the index was tested with), from
the registry's tarball, checked against the pinned sha512 before anything is unpacked, and
unpacked under the virtual environment. It runs with the machine's node; a second run does
nothing."""

from __future__ import annotations

import io
import shutil
import sys
import tarfile
from pathlib import Path

import httpx

from ossmeta.errors import SourceError, UnavailableError, exit_code
from ossmeta.sources.npm_tarballs import fetch_verified, registry_url, tarball_url

__all__ = ["NPM_INTEGRITY", "NPM_VERSION", "install_npm", "npm_command", "npm_home"]

NPM_VERSION = "11.19.1"
NPM_INTEGRITY = (
    "sha512-ztsxKxt/kkIaAs+2i0GU6I+DRmUdrNasxTZKJe9TCdSjKxlhah/4r/"
    "hl5ygMD6XAg1qZ9c2TNomR4qgOydp10g=="
)


def npm_home() -> Path:
    return Path(sys.prefix) / f"npm-{NPM_VERSION}"


def npm_command() -> list[str] | None:
    """``[node, npm-cli.js]`` of the pinned npm; None when it or node is missing."""
    node = shutil.which("node")
    cli = npm_home() / "bin" / "npm-cli.js"
    return [node, str(cli)] if node and cli.is_file() else None


def install_npm(registry: str | None = None) -> Path | None:
    """Unpack the pinned npm; its directory, or None when it is there already."""
    home = npm_home()
    if (home / "bin" / "npm-cli.js").is_file():
        return None
    url = tarball_url(registry or registry_url(), "npm", NPM_VERSION)
    with httpx.Client(timeout=120, follow_redirects=True) as client:
        body = fetch_verified(client, url, f"npm {NPM_VERSION}", NPM_INTEGRITY)
    partial = home.with_name(home.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    try:
        with tarfile.open(fileobj=io.BytesIO(body), mode="r:gz") as archive:
            # npm's tarball is rooted at package/; the data filter refuses links and paths
            # that would leave the directory.
            archive.extractall(partial, filter="data")
    except (tarfile.TarError, OSError) as error:
        raise SourceError(f"{url}: not a readable tarball ({error})") from None
    shutil.rmtree(home, ignore_errors=True)  # a copy left incomplete by an earlier run
    (partial / "package").replace(home)
    shutil.rmtree(partial, ignore_errors=True)
    return home


def main(argv: list[str]) -> int:
    registry = argv[argv.index("--registry") + 1] if "--registry" in argv else None
    try:
        installed = install_npm(registry)
    except (SourceError, UnavailableError) as error:
        print(f"ossmeta: npm {NPM_VERSION}: {error}", file=sys.stderr)
        return exit_code(error)
    if installed is not None:
        print(f"ossmeta: npm {NPM_VERSION} in {installed.parent.name}/{installed.name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
