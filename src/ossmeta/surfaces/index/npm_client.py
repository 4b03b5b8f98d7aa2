"""``python -m ossmeta.surfaces.index.npm_client``: the npm the project pins (for its
end-to-end tests and for operators who want the version the index was tested with), from
the registry's tarball, checked against the pinned sha512 before anything is unpacked, and
unpacked under the virtual environment. It runs with the machine's node; a second run does
nothing."""

from __future__ import annotations

import base64
import hashlib
import io
import os
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

import httpx

from ossmeta.errors import SourceError, UnavailableError, exit_code

__all__ = ["NPM_INTEGRITY", "NPM_VERSION", "install_npm", "npm_command", "npm_home"]

NPM_VERSION = "11.19.1"
NPM_INTEGRITY = (
    "sha512-ztsxKxt/kkIaAs+2i0GU6I+DRmUdrNasxTZKJe9TCdSjKxlhah/4r/"
    "hl5ygMD6XAg1qZ9c2TNomR4qgOydp10g=="
)
MAX_TARBALL = 64 * 1024 * 1024
DEFAULT_REGISTRY = "https://registry.npmjs.org/"


def registry_url() -> str:
    """``OSSMETA_NPM_REGISTRY``, else the machine's npm's registry (a mirror, behind one),
    else the public one."""
    configured = os.environ.get("OSSMETA_NPM_REGISTRY", "")
    npm = shutil.which("npm")
    if not configured and npm is not None:
        try:
            done = subprocess.run(
                [npm, "config", "get", "registry"],
                capture_output=True,
                text=True,
                timeout=60,
                check=False,
            )
            configured = done.stdout.strip() if done.returncode == 0 else ""
        except (OSError, subprocess.TimeoutExpired):
            configured = ""
    return configured if configured.startswith(("http://", "https://")) else DEFAULT_REGISTRY


def npm_home() -> Path:
    return Path(sys.prefix) / f"npm-{NPM_VERSION}"


def npm_command() -> list[str] | None:
    """``[node, npm-cli.js]`` of the pinned npm; None when it or node is missing."""
    node = shutil.which("node")
    cli = npm_home() / "bin" / "npm-cli.js"
    return [node, str(cli)] if node and cli.is_file() else None


def _download(url: str) -> bytes:
    try:
        with (
            httpx.Client(timeout=120, follow_redirects=True) as client,
            client.stream("GET", url) as answer,
        ):
            if answer.status_code != 200:
                raise UnavailableError(f"{url}: HTTP {answer.status_code}")
            body = bytearray()
            for chunk in answer.iter_bytes():
                body += chunk
                if len(body) > MAX_TARBALL:
                    raise SourceError(f"{url}: larger than {MAX_TARBALL} bytes")
            return bytes(body)
    except httpx.HTTPError as error:
        raise UnavailableError(f"{url}: {error}") from None


def install_npm(registry: str | None = None) -> Path | None:
    """Unpack the pinned npm; its directory, or None when it is there already."""
    home = npm_home()
    if (home / "bin" / "npm-cli.js").is_file():
        return None
    url = f"{(registry or registry_url()).rstrip('/')}/npm/-/npm-{NPM_VERSION}.tgz"
    body = _download(url)
    digest = "sha512-" + base64.b64encode(hashlib.sha512(body).digest()).decode()
    if digest != NPM_INTEGRITY:
        raise SourceError(f"{url}: the tarball's sha512 differs from the pinned integrity")
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
