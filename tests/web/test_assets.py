"""The front-end fetcher against a registry on loopback: it downloads the pinned tarballs,
checks their sha512 against the lockfile before writing anything, extracts only the files
the pages serve, and does nothing on a second run."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import tarfile
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from ossmeta.errors import InputError, SourceError, UnavailableError
from ossmeta.surfaces.web.assets import fetch

REAL_LOCK = Path(fetch.__file__).with_name("package-lock.json")


def _tarball(files: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w:gz") as archive:
        for name, content in files.items():
            info = tarfile.TarInfo(f"package/{name}")
            info.size = len(content)
            archive.addfile(info, io.BytesIO(content))
    return out.getvalue()


def _integrity(body: bytes) -> str:
    return "sha512-" + base64.b64encode(hashlib.sha512(body).digest()).decode()


TARBALLS = {
    "/echarts/-/echarts-6.1.0.tgz": _tarball(
        {"dist/echarts.min.js": b"/* echarts */", "LICENSE": b"Apache-2.0", "src/x.ts": b"no"}
    ),
    "/axe-core/-/axe-core-4.11.0.tgz": _tarball(
        {"axe.min.js": b"/* axe */", "LICENSE": b"MPL-2.0"}
    ),
}


class _Registry(BaseHTTPRequestHandler):
    served: list[str] = []  # noqa: RUF012 - one test's requests, reset by the fixture

    def do_GET(self) -> None:
        body = TARBALLS.get(self.path)
        type(self).served.append(self.path)
        self.send_response(200 if body else 404)
        self.send_header("Content-Length", str(len(body or b"")))
        self.end_headers()
        self.wfile.write(body or b"")

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def registry() -> Iterator[str]:
    _Registry.served = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Registry)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


def _lockfile(tmp_path: Path, **integrity: str) -> Path:
    lock = {
        "name": "t",
        "lockfileVersion": 3,
        "requires": True,
        "packages": {
            "": {"dependencies": {"echarts": "6.1.0", "axe-core": "4.11.0"}},
            "node_modules/echarts": {
                "version": "6.1.0",
                "integrity": integrity.get(
                    "echarts", _integrity(TARBALLS["/echarts/-/echarts-6.1.0.tgz"])
                ),
            },
            "node_modules/axe-core": {
                "version": "4.11.0",
                "integrity": _integrity(TARBALLS["/axe-core/-/axe-core-4.11.0.tgz"]),
            },
        },
    }
    path = tmp_path / "package-lock.json"
    path.write_text(json.dumps(lock))
    return path


def test_fetches_verifies_and_extracts_only_what_is_served(registry: str, tmp_path: Path) -> None:
    vendor = tmp_path / "vendor"
    written = fetch.fetch_assets(_lockfile(tmp_path), vendor, registry)
    assert sorted(p.name for p in written) == [
        "axe-core.LICENSE",
        "axe.min.js",
        "echarts.LICENSE",
        "echarts.min.js",
    ]
    assert (vendor / "echarts.min.js").read_bytes() == b"/* echarts */"
    assert not (vendor / "x.ts").exists()
    assert sorted(_Registry.served) == sorted(TARBALLS)
    # the same lockfile again: nothing downloaded, nothing written
    assert fetch.fetch_assets(_lockfile(tmp_path), vendor, registry) == []
    assert len(_Registry.served) == 2


def test_a_tarball_that_does_not_match_its_integrity_writes_nothing(
    registry: str, tmp_path: Path
) -> None:
    vendor = tmp_path / "vendor"
    wrong = _integrity(b"something else")
    with pytest.raises(SourceError, match="echarts: the tarball's sha512 does not match"):
        fetch.fetch_assets(_lockfile(tmp_path, echarts=wrong), vendor, registry)
    assert not vendor.exists()


def test_a_registry_without_the_tarball_is_unavailable(registry: str, tmp_path: Path) -> None:
    lock = json.loads(_lockfile(tmp_path).read_text())
    lock["packages"]["node_modules/echarts"]["version"] = "0.0.1"
    path = tmp_path / "other.json"
    path.write_text(json.dumps(lock))
    with pytest.raises(UnavailableError, match="HTTP 404"):
        fetch.fetch_assets(path, tmp_path / "vendor", registry)


def test_a_lockfile_that_is_not_version_3_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "package-lock.json"
    path.write_text(json.dumps({"lockfileVersion": 2, "packages": {}}))
    with pytest.raises(InputError, match="lockfileVersion must be 3"):
        fetch.fetch_assets(path, tmp_path / "vendor", "http://127.0.0.1:9/")


def test_the_repository_lockfile_pins_what_the_pages_need() -> None:
    lock = json.loads(REAL_LOCK.read_text())
    assert lock["lockfileVersion"] == 3
    for name in fetch.NEEDED:
        entry = lock["packages"][f"node_modules/{name}"]
        assert entry["integrity"].startswith("sha512-") and entry["version"]


def test_the_registry_is_the_environments_then_npms_then_the_default(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from ossmeta.sources import npm_tarballs

    monkeypatch.setattr(npm_tarballs.shutil, "which", lambda _name: None)
    monkeypatch.setenv("OSSMETA_NPM_REGISTRY", "http://127.0.0.1:4873/")
    assert npm_tarballs.registry_url() == "http://127.0.0.1:4873/"
    monkeypatch.delenv("OSSMETA_NPM_REGISTRY")
    assert npm_tarballs.registry_url() == npm_tarballs.DEFAULT_REGISTRY
