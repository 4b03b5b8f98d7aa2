"""A stub npm registry on loopback: the upstream an npm index proxies in the tests.

Tarballs are built offline with the pinned ``npm pack``; packuments are full documents with
``time``, ``dist.integrity`` (sha512) and ``dist.shasum``, and revalidate with an ETag.
Knobs: ``deprecate``, ``delete``, ``tamper`` (serve other bytes than the listed integrity),
``offline`` (every request answers 503); ``requests`` logs what was asked."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from tests.loopback import Headers, Loopback, Response, serve


@dataclass(frozen=True)
class Spec:
    name: str
    version: str
    published: str  # ISO-8601 UTC
    license: str = "MIT"
    dependencies: dict[str, str] = field(default_factory=dict)


def npm_env(home: Path) -> dict[str, str]:
    """An environment with none of the machine's npm settings in it."""
    env = {k: v for k, v in os.environ.items() if not k.lower().startswith("npm_config_")}
    env["HOME"] = str(home)
    env["NO_UPDATE_NOTIFIER"] = "1"
    return env


def npm_isolation(work: Path) -> list[str]:
    """Flags that keep npm off the machine's config and cache (the research note's pitfalls)."""
    (work / "npmrc").write_text("")
    (work / "globalrc").write_text("")
    return [
        "--userconfig", str(work / "npmrc"),
        "--globalconfig", str(work / "globalrc"),
        "--cache", str(work / "cache"),
        "--update-notifier=false", "--fund=false",
    ]  # fmt: skip


def pack(npm: list[str], specs: list[Spec], work: Path) -> dict[tuple[str, str], bytes]:
    """Each spec packed by ``npm pack`` (offline: a folder needs no registry)."""
    folders = []
    for spec in specs:
        folder = work / "src" / f"{spec.name.replace('/', '+')}-{spec.version}"
        folder.mkdir(parents=True, exist_ok=True)
        manifest = {
            "name": spec.name,
            "version": spec.version,
            "license": spec.license,
            "description": f"{spec.name} for the index tests",
            "main": "index.js",
            "dependencies": spec.dependencies,
        }
        (folder / "package.json").write_text(json.dumps(manifest))
        (folder / "index.js").write_text(f"module.exports = {spec.version!r};\n")
        folders.append(str(folder))
    out = work / "packed"
    out.mkdir(exist_ok=True)
    subprocess.run(
        [*npm, "pack", *npm_isolation(work), "--offline", "--json", "--pack-destination",
         str(out), *folders],
        check=True, capture_output=True, env=npm_env(work), timeout=120,
    )  # fmt: skip
    packed = {}
    for spec in specs:
        base = spec.name.lstrip("@").replace("/", "-")
        packed[(spec.name, spec.version)] = (out / f"{base}-{spec.version}.tgz").read_bytes()
    return packed


class NpmUpstream:
    def __init__(self, specs: list[Spec], tarballs: dict[tuple[str, str], bytes]) -> None:
        self.specs = specs
        self.tarballs = tarballs
        self.deprecated: dict[tuple[str, str], str] = {}
        self.deleted: set[str] = set()
        self.tampered: set[tuple[str, str]] = set()
        self.offline = False
        self.loopback: Loopback | None = None

    @property
    def base(self) -> str:
        assert self.loopback is not None
        return self.loopback.base + "/"

    @property
    def requests(self) -> list[str]:
        """``METHOD path`` of every request, in order."""
        assert self.loopback is not None
        with self.loopback.lock:
            return [f"{r.method} {unquote(r.path)}" for r in self.loopback.requests]

    def tarball_hits(self, name: str, version: str) -> int:
        file = f"{name.rsplit('/', 1)[-1]}-{version}.tgz"
        return sum(1 for r in self.requests if r.endswith(f"/-/{file}"))

    def packument(self, name: str) -> dict[str, Any]:
        specs = [s for s in self.specs if s.name == name]
        versions: dict[str, Any] = {}
        time: dict[str, str] = {}
        for spec in specs:
            body = self.tarballs[(spec.name, spec.version)]
            manifest: dict[str, Any] = {
                "name": spec.name,
                "version": spec.version,
                "license": spec.license,
                "dependencies": spec.dependencies,
                "dist": {
                    "tarball": f"{self.base}{spec.name}/-/"
                    f"{spec.name.rsplit('/', 1)[-1]}-{spec.version}.tgz",
                    "integrity": "sha512-"
                    + base64.b64encode(hashlib.sha512(body).digest()).decode(),
                    "shasum": hashlib.sha1(body).hexdigest(),
                },
            }
            if (spec.name, spec.version) in self.deprecated:
                manifest["deprecated"] = self.deprecated[(spec.name, spec.version)]
            versions[spec.version] = manifest
            time[spec.version] = spec.published
        time["created"] = min(time.values())
        time["modified"] = max(time.values())
        return {
            "_id": name,
            "name": name,
            "description": f"{name} for the index tests",
            "dist-tags": {"latest": specs[-1].version},
            "versions": versions,
            "time": time,
            "license": specs[-1].license,
        }

    def handle(self, method: str, raw_path: str, headers: Headers, body: bytes) -> Response:
        if self.offline:
            return 503, {}, b"offline"
        path = unquote(raw_path.split("?", 1)[0]).lstrip("/")
        if "/-/" in path:
            name, _, file = path.partition("/-/")
            for (pname, version), data in self.tarballs.items():
                if pname == name and file == f"{name.rsplit('/', 1)[-1]}-{version}.tgz":
                    if (pname, version) in self.tampered:
                        data = data[:-1] + bytes([data[-1] ^ 0xFF])
                    return 200, {"Content-Type": "application/octet-stream"}, data
            return 404, {}, b'{"error":"not found"}'
        if path in self.deleted or not any(s.name == path for s in self.specs):
            return 404, {"Content-Type": "application/json"}, b'{"error":"not found"}'
        document = json.dumps(self.packument(path)).encode()
        etag = '"' + hashlib.sha256(document).hexdigest() + '"'
        if headers.get("if-none-match") == etag:
            return 304, {"ETag": etag}, b""
        return 200, {"Content-Type": "application/json", "ETag": etag}, document


@contextmanager
def running(upstream: NpmUpstream) -> Iterator[NpmUpstream]:
    with serve(upstream.handle, quiet=True) as loopback:
        upstream.loopback = loopback
        yield upstream
