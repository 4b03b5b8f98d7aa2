"""A stub PEP 691 upstream on 127.0.0.1 for the Python index tests, and wheels and sdists
built offline (zipfile/tarfile: no setuptools, no network).

The upstream serves JSON pages (with upload-time, size, core-metadata, yanked and an ETag it
revalidates) and HTML pages, the files, their ``.metadata`` sidecars and
``/pypi/<name>/json``. Knobs: ``yank``, ``delete``, ``tamper`` (serve other bytes than the
listed hash), ``offline`` (refuse connections). Every request is logged."""

from __future__ import annotations

import base64
import hashlib
import io
import tarfile
import threading
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import orjson

JSON = "application/vnd.pypi.simple.v1+json"


@dataclass
class Dist:
    filename: str
    content: bytes
    version: str
    uploaded: datetime
    metadata: bytes | None = None  # the .metadata sidecar (wheels)
    requires_python: str | None = None
    yanked: str | None = None
    license: str | None = None

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()


def _metadata(name: str, version: str, license: str | None, requires_python: str | None) -> bytes:
    lines = ["Metadata-Version: 2.4", f"Name: {name}", f"Version: {version}"]
    if license:
        lines.append(f"License-Expression: {license}")
    if requires_python:
        lines.append(f"Requires-Python: {requires_python}")
    return ("\n".join(lines) + "\n\n").encode()


def _record_line(path: str, data: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"{path},sha256={digest},{len(data)}"


def make_wheel(
    name: str,
    version: str,
    uploaded: datetime,
    *,
    license: str | None = "MIT",
    requires_python: str | None = None,
) -> Dist:
    """A valid pure-Python wheel: a module ``<name>_mod`` saying its version."""
    dist = name.replace("-", "_")
    info = f"{dist}-{version}.dist-info"
    metadata = _metadata(name, version, license, requires_python)
    files = {
        f"{dist}_mod.py": f"VERSION = {version!r}\n".encode(),
        f"{info}/METADATA": metadata,
        f"{info}/WHEEL": b"Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\n"
        b"Tag: py3-none-any\n\n",
    }
    record = [_record_line(path, data) for path, data in files.items()] + [f"{info}/RECORD,,"]
    files[f"{info}/RECORD"] = ("\n".join(record) + "\n").encode()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as wheel:
        for path, data in files.items():
            wheel.writestr(zipfile.ZipInfo(path, (2026, 1, 1, 0, 0, 0)), data)
    filename = f"{dist}-{version}-py3-none-any.whl"
    return Dist(
        filename, buffer.getvalue(), version, uploaded, metadata, requires_python, None, license
    )


def make_sdist(name: str, version: str, uploaded: datetime) -> Dist:
    dist = name.replace("-", "_")
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        data = _metadata(name, version, "MIT", None)
        member = tarfile.TarInfo(f"{dist}-{version}/PKG-INFO")
        member.size = len(data)
        archive.addfile(member, io.BytesIO(data))
    return Dist(f"{dist}-{version}.tar.gz", buffer.getvalue(), version, uploaded)


@dataclass
class Upstream:
    projects: dict[str, list[Dist]] = field(default_factory=dict)
    log: list[tuple[str, str]] = field(default_factory=list)  # (method, path)
    accepts: list[str] = field(default_factory=list)
    tampered: set[str] = field(default_factory=set)
    base: str = ""
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _server: Any = None

    def add(self, name: str, *dists: Dist) -> None:
        self.projects.setdefault(name, []).extend(dists)

    def yank(self, filename: str, reason: str) -> None:
        for dists in self.projects.values():
            for dist in dists:
                if dist.filename == filename:
                    dist.yanked = reason

    def delete(self, name: str, version: str) -> None:
        self.projects[name] = [d for d in self.projects[name] if d.version != version]

    def tamper(self, filename: str) -> None:
        self.tampered.add(filename)

    def requested(self, suffix: str) -> int:
        with self._lock:
            return sum(1 for _, path in self.log if path.endswith(suffix))

    def page(self, name: str) -> bytes:
        files = []
        for dist in self.projects[name]:
            entry: dict[str, Any] = {
                "filename": dist.filename,
                "url": f"../../files/{dist.filename}",
                "hashes": {"sha256": dist.sha256},
                "size": len(dist.content),
                "upload-time": dist.uploaded.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
                "requires-python": dist.requires_python,
                "yanked": dist.yanked if dist.yanked is not None else False,
            }
            if dist.metadata is not None:
                entry["core-metadata"] = {"sha256": hashlib.sha256(dist.metadata).hexdigest()}
            files.append(entry)
        versions = sorted({d.version for d in self.projects[name]})
        document = {"meta": {"api-version": "1.1"}, "name": name, "versions": versions}
        return orjson.dumps({**document, "files": files})

    def answer(self, path: str, headers: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        parts = [p for p in path.split("?")[0].split("/") if p]
        if len(parts) == 2 and parts[0] == "simple" and parts[1] in self.projects:
            if JSON not in headers.get("accept", ""):
                links = "".join(
                    f'<a href="../../files/{d.filename}#sha256={d.sha256}">{d.filename}</a>'
                    for d in self.projects[parts[1]]
                )
                return 200, {"Content-Type": "text/html"}, f"<html>{links}</html>".encode()
            body = self.page(parts[1])
            etag = '"' + hashlib.sha256(body).hexdigest() + '"'
            if headers.get("if-none-match") == etag:
                return 304, {"ETag": etag}, b""
            return 200, {"Content-Type": JSON, "ETag": etag}, body
        if len(parts) == 2 and parts[0] == "files":
            for dists in self.projects.values():
                for dist in dists:
                    if parts[1] == dist.filename:
                        content = dist.content
                        if dist.filename in self.tampered:
                            content = content[:-1] + bytes([content[-1] ^ 1])
                        return 200, {"Content-Type": "application/octet-stream"}, content
                    if parts[1] == dist.filename + ".metadata" and dist.metadata is not None:
                        return 200, {"Content-Type": "text/plain"}, dist.metadata
        if len(parts) == 3 and parts[0] == "pypi" and parts[2] == "json":
            known = self.projects.get(parts[1])
            if known:
                latest = known[-1]
                info = {"name": parts[1], "version": latest.version, "license": latest.license}
                return 200, {"Content-Type": "application/json"}, orjson.dumps({"info": info})
        return 404, {"Content-Type": "text/plain"}, b"not found"

    @contextmanager
    def serve(self) -> Iterator[Upstream]:
        upstream = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                headers = {k.lower(): v for k, v in self.headers.items()}
                with upstream._lock:
                    upstream.log.append(("GET", self.path))
                    upstream.accepts.append(headers.get("accept", ""))
                status, answer_headers, body = upstream.answer(self.path, headers)
                self.send_response(status)
                for key, value in answer_headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server = server
        self.base = f"http://127.0.0.1:{server.server_address[1]}"
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield self
        finally:
            self.offline()

    def offline(self) -> None:
        """Stop answering: connections are refused from now on."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
