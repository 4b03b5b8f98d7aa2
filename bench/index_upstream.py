"""A bench-only PyPI upstream on loopback: the simple API (PEP 503 HTML and PEP 691 JSON,
with hashes, sizes, upload times (PEP 700) and core metadata (PEP 658/714)), the ``.metadata``
files and the wheels, for one 300-version project and 30 small installable ones.

Wheels are built offline with ``zipfile`` (METADATA, WHEEL, RECORD, one module) into a temp
dir, byte-for-byte the same on every run (fixed zip times), and every answer is built once
at start-up: serving is a dict look-up, so the stub is not what a benchmark measures.

    .venv/bin/python bench/index_upstream.py [--port 0]   # prints its simple URL, serves

``start()`` runs it in a daemon thread of the calling process (the benches and the test).
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import html
import io
import json
import re
import tempfile
import threading
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

#: The project whose page the index benchmark asks for.
BIG = "many-ver"
BIG_VERSIONS = 300
#: The projects pip installs in the overhead benchmark (each needs the next: a resolver walk).
SMALL = tuple(f"bench-small-{n:02d}" for n in range(30))
SMALL_VERSIONS = 3
JSON_TYPE = "application/vnd.pypi.simple.v1+json"
HTML_TYPE = "application/vnd.pypi.simple.v1+html"
_ZIP_TIME = (2024, 1, 1, 0, 0, 0)
_EPOCH = datetime(2024, 1, 1, tzinfo=UTC)


def normalize(name: str) -> str:
    """PEP 503's normalized name."""
    return re.sub(r"[-_.]+", "-", name).lower()


@dataclass(frozen=True)
class Dist:
    project: str
    version: str
    filename: str
    sha256: str
    size: int
    metadata: bytes
    upload_time: str


def _record_hash(data: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=")
    return "sha256=" + digest.decode()


def build_wheel(
    project: str, version: str, requires: tuple[str, ...] = ()
) -> tuple[str, bytes, bytes]:
    """(file name, wheel bytes, METADATA bytes) of a pure-Python wheel, deterministic."""
    dist = normalize(project).replace("-", "_")
    info = f"{dist}-{version}.dist-info"
    metadata = "".join(
        [
            "Metadata-Version: 2.1\n",
            f"Name: {project}\n",
            f"Version: {version}\n",
            "Summary: a bench-only package\n",
            "Requires-Python: >=3.8\n",
            *(f"Requires-Dist: {r}\n" for r in requires),
        ]
    ).encode()
    members = {
        f"{dist}/__init__.py": f"VERSION = {version!r}\n".encode(),
        f"{info}/METADATA": metadata,
        f"{info}/WHEEL": b"Wheel-Version: 1.0\nGenerator: ossmeta-bench\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
    }
    record = "".join(f"{n},{_record_hash(d)},{len(d)}\n" for n, d in members.items())
    members[f"{info}/RECORD"] = (record + f"{info}/RECORD,,\n").encode()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(zipfile.ZipInfo(name, _ZIP_TIME), data)
    return f"{dist}-{version}-py3-none-any.whl", buffer.getvalue(), metadata


def build_dists(target: Path) -> dict[str, list[Dist]]:
    """Write every wheel into ``target``; the dists per normalized project name."""
    plan: list[tuple[str, str, tuple[str, ...]]] = [
        (BIG, f"{n // 100}.{n // 10 % 10}.{n % 10}", ()) for n in range(BIG_VERSIONS)
    ]
    for i, name in enumerate(SMALL):
        needs = (f"{SMALL[i + 1]}>=1.0",) if i + 1 < len(SMALL) else ()
        plan += [(name, f"1.{v}.0", needs) for v in range(SMALL_VERSIONS)]
    projects: dict[str, list[Dist]] = {}
    for n, (project, version, needs) in enumerate(plan):
        filename, wheel, metadata = build_wheel(project, version, needs)
        (target / filename).write_bytes(wheel)
        uploaded = (_EPOCH + timedelta(hours=n)).strftime("%Y-%m-%dT%H:%M:%S.000000Z")
        projects.setdefault(normalize(project), []).append(
            Dist(
                project,
                version,
                filename,
                hashlib.sha256(wheel).hexdigest(),
                len(wheel),
                metadata,
                uploaded,
            )
        )
    return projects


def _json_page(name: str, dists: list[Dist], base: str) -> bytes:
    files = [
        {
            "filename": d.filename,
            "url": f"{base}/files/{d.filename}",
            "hashes": {"sha256": d.sha256},
            "requires-python": ">=3.8",
            "core-metadata": {"sha256": hashlib.sha256(d.metadata).hexdigest()},
            "data-dist-info-metadata": {"sha256": hashlib.sha256(d.metadata).hexdigest()},
            "size": d.size,
            "upload-time": d.upload_time,
            "yanked": False,
        }
        for d in dists
    ]
    page = {
        "meta": {"api-version": "1.1"},
        "name": name,
        "versions": [d.version for d in dists],
        "files": files,
    }
    return json.dumps(page).encode()


def _html_page(name: str, dists: list[Dist], base: str) -> bytes:
    links = []
    for d in dists:
        meta = "sha256=" + hashlib.sha256(d.metadata).hexdigest()
        links.append(
            f'<a href="{base}/files/{d.filename}#sha256={d.sha256}" data-requires-python="&gt;=3.8" '
            f'data-core-metadata="{meta}" data-dist-info-metadata="{meta}">{html.escape(d.filename)}</a><br/>'
        )
    return (
        '<!DOCTYPE html>\n<html><head><meta name="pypi:repository-version" content="1.1">'
        f"<title>Links for {html.escape(name)}</title></head><body><h1>Links for {html.escape(name)}</h1>\n"
        + "\n".join(links)
        + "\n</body></html>\n"
    ).encode()


class Upstream:
    """Every answer, precomputed for one base URL."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.projects = build_dists(folder)
        self.base = ""
        self.pages: dict[tuple[str, bool], bytes] = {}
        self.files: dict[str, tuple[str, bytes]] = {}

    def prepare(self, base: str) -> None:
        self.base = base
        names = sorted(self.projects)
        self.pages[("", True)] = json.dumps(
            {"meta": {"api-version": "1.1"}, "projects": [{"name": n} for n in names]}
        ).encode()
        self.pages[("", False)] = (
            "<!DOCTYPE html>\n<html><body>\n"
            + "\n".join(f'<a href="{n}/">{n}</a>' for n in names)
            + "\n</body></html>\n"
        ).encode()
        for name, dists in self.projects.items():
            self.pages[(name, True)] = _json_page(name, dists, base)
            self.pages[(name, False)] = _html_page(name, dists, base)
            for d in dists:
                wheel = (self.folder / d.filename).read_bytes()
                self.files[d.filename] = ("application/octet-stream", wheel)
                self.files[d.filename + ".metadata"] = ("application/octet-stream", d.metadata)

    def answer(self, path: str, accept: str) -> tuple[int, str, bytes]:
        """(status, content type, body) of a GET."""
        path = path.split("?", 1)[0].split("#", 1)[0]
        if path.startswith("/files/") and path[7:] in self.files:
            kind, body = self.files[path[7:]]
            return 200, kind, body
        if path.startswith("/simple/"):
            rest = path[8:].strip("/")
            wants_json = JSON_TYPE in accept
            page = self.pages.get((normalize(rest), wants_json))
            if page is not None:
                return 200, JSON_TYPE if wants_json else HTML_TYPE, page
        return 404, "text/plain", b"not found\n"


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as an upstream registry
    # Headers and body go out in separate writes: without this, Nagle's algorithm and the
    # client's delayed ACK hold each keep-alive answer back ~40 ms.
    disable_nagle_algorithm = True
    upstream: Upstream

    def do_GET(self) -> None:
        status, kind, body = self.upstream.answer(self.path, self.headers.get("Accept", ""))
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_HEAD(self) -> None:
        status, kind, body = self.upstream.answer(self.path, self.headers.get("Accept", ""))
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:  # quiet: a bench prints figures
        return


@contextmanager
def start(port: int = 0, folder: Path | None = None) -> Iterator[Upstream]:
    """The stub serving on 127.0.0.1 (``upstream.base`` + ``/simple/``) until the block ends."""
    with tempfile.TemporaryDirectory(prefix="ossmeta-bench-upstream-") as tmp:
        upstream = Upstream(folder or Path(tmp))
        handler = type("Handler", (_Handler,), {"upstream": upstream})
        server = ThreadingHTTPServer(("127.0.0.1", port), handler)
        server.daemon_threads = True
        upstream.prepare(f"http://127.0.0.1:{server.server_address[1]}")
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield upstream
        finally:
            server.shutdown()
            server.server_close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    with start(args.port) as upstream:
        print(f"{upstream.base}/simple/", flush=True)
        threading.Event().wait()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
