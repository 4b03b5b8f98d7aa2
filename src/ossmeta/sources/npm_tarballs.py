"""Pinned npm tarballs fetched from a registry: where the registry is, the tarball's URL,
and its bytes, checked against the pinned sha512 integrity before anyone unpacks them.
Shared by the web pages' vendored assets and the pinned npm of the index's tests."""

from __future__ import annotations

import base64
import hashlib
import os
import shutil
import subprocess

import httpx

from ossmeta.errors import SourceError, UnavailableError

__all__ = ["DEFAULT_REGISTRY", "MAX_TARBALL", "fetch_verified", "registry_url", "tarball_url"]

DEFAULT_REGISTRY = "https://registry.npmjs.org/"
#: Larger than any tarball we pin by far; a registry answering more is not answering one.
MAX_TARBALL = 64 * 1024 * 1024


def registry_url() -> str:
    """``OSSMETA_NPM_REGISTRY``, else the machine's npm's configured registry (a mirror,
    behind one), else npm's public default."""
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


def tarball_url(registry: str, name: str, version: str) -> str:
    base = name.rsplit("/", 1)[-1]  # a scoped package's tarball drops the scope
    return f"{registry.rstrip('/')}/{name}/-/{base}-{version}.tgz"


def _download(client: httpx.Client, url: str) -> bytes:
    try:
        with client.stream("GET", url) as answer:
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


def fetch_verified(client: httpx.Client, url: str, name: str, integrity: str) -> bytes:
    """The tarball at ``url`` if its sha512 is the pinned ``integrity`` (``sha512-<b64>``)."""
    algorithm, _, expected = integrity.partition("-")
    if algorithm != "sha512":
        raise SourceError(f"{name}: the pinned integrity is {algorithm}, not sha512")
    body = _download(client, url)
    actual = base64.b64encode(hashlib.sha512(body).digest()).decode()
    if actual != expected:
        raise SourceError(f"{name}: the tarball's sha512 does not match the pinned integrity")
    return body
