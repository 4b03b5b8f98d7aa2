"""The index servers the index benchmarks compare, each started as a subprocess on a loopback
port and pointed at the stub upstream (``index_upstream.py``): proxpi (under gunicorn and
under Flask), devpi-server and ossmeta's own index. A server that cannot start, or whose page
does not answer 200 with the project's files, is skipped with the reason (``Skipped``), so a
bench still runs with the others (ossmeta's index routes may not be on this branch yet)."""

from __future__ import annotations

import base64
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

BIN = Path(sys.executable).parent
JSON_ACCEPT = "application/vnd.pypi.simple.v1+json"

# devpi's built-in admin user and the mirror index the bench creates under it (devpi URL
# paths are ``user/index``).
DEVPI_ADMIN = "root"
DEVPI_MIRROR = f"{DEVPI_ADMIN}/stub"


class Skipped(Exception):
    """This server is left out of the run; the message says why."""


@dataclass(frozen=True)
class Server:
    name: str
    #: The simple root pip is given (``.../simple/``-like, with the trailing slash).
    simple: str


def load_note() -> str:
    """The machine's load, printed with the figures: on a shared machine they move with it."""
    one, five, _ = os.getloadavg()
    return f"load average {one:.1f} (1 min), {five:.1f} (5 min) on {os.cpu_count()} CPUs"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _clean_env(**extra: str) -> dict[str, str]:
    """The environment without this machine's pip and ossmeta settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PIP_", "OSSMETA_", "PROXPI_"))}
    env.update(extra)
    return env


def _wait(url: str, process: subprocess.Popen[bytes], what: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise Skipped(f"{what} exited with {process.returncode} while starting")
        try:
            httpx.get(url, timeout=2)
            return
        except httpx.TransportError:
            time.sleep(0.2)
    raise Skipped(f"{what} did not answer within {seconds:.0f} s")


def check_page(server: Server, project: str, files: int) -> None:
    """Raise ``Skipped`` unless the project's page answers 200 in JSON with ``files`` files."""
    url = f"{server.simple}{project}/"
    try:
        answer = httpx.get(url, headers={"Accept": JSON_ACCEPT}, timeout=30, follow_redirects=True)
    except httpx.HTTPError as error:
        raise Skipped(f"GET {url} failed: {error}") from error
    if answer.status_code != 200:
        raise Skipped(f"GET {url} answered {answer.status_code}")
    try:
        listed = len(answer.json()["files"])
    except (ValueError, KeyError, TypeError) as error:
        raise Skipped(
            f"GET {url} is not a PEP 691 JSON page ({answer.headers.get('content-type')})"
        ) from error
    if listed != files:
        raise Skipped(f"GET {url} lists {listed} files, not {files}")


@contextmanager
def _process(argv: list[str], env: dict[str, str], log: Path) -> Iterator[subprocess.Popen[bytes]]:
    with log.open("wb") as out:
        process = subprocess.Popen(argv, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        yield process
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextmanager
def proxpi(upstream_simple: str, tmp: Path) -> Iterator[Server]:
    """proxpi as its container image runs it: gunicorn, one process, two threads."""
    if not (BIN / "gunicorn").exists():
        raise Skipped("gunicorn is not installed (the bench extra)")
    port = free_port()
    env = _clean_env(
        PROXPI_INDEX_URL=upstream_simple,
        PROXPI_INDEX_TTL="3600",
        PROXPI_CACHE_DIR=str(tmp / "proxpi-cache"),
    )
    argv = [
        str(BIN / "gunicorn"),
        "--bind",
        f"127.0.0.1:{port}",
        "--threads",
        "2",
        "proxpi.server:app",
    ]
    with _process(argv, env, tmp / "proxpi.log") as process:
        _wait(f"http://127.0.0.1:{port}/", process, "proxpi")
        yield Server("proxpi", f"http://127.0.0.1:{port}/index/")


@contextmanager
def proxpi_flask(upstream_simple: str, tmp: Path) -> Iterator[Server]:
    """proxpi as its README runs it locally: Flask's threaded server (one thread a request)."""
    port = free_port()
    env = _clean_env(
        PROXPI_INDEX_URL=upstream_simple,
        PROXPI_INDEX_TTL="3600",
        PROXPI_CACHE_DIR=str(tmp / "proxpi-cache"),
    )
    argv = [sys.executable, "-m", "flask", "--app", "proxpi.server", "run"]
    argv += ["--host", "127.0.0.1", "--port", str(port)]
    with _process(argv, env, tmp / "proxpi-flask.log") as process:
        _wait(f"http://127.0.0.1:{port}/", process, "proxpi (flask)")
        yield Server("proxpi-flask", f"http://127.0.0.1:{port}/index/")


@contextmanager
def devpi(upstream_simple: str, tmp: Path) -> Iterator[Server]:
    """devpi-server with a mirror index (``DEVPI_MIRROR``) of the upstream (no devpi-web)."""
    if not (BIN / "devpi-server").exists():
        raise Skipped("devpi-server is not installed (the bench extra)")
    serverdir = tmp / "devpi"
    env = _clean_env()
    init = subprocess.run(
        [str(BIN / "devpi-init"), "--serverdir", str(serverdir), "--no-root-pypi"],
        env=env,
        capture_output=True,
        check=False,
    )
    if init.returncode != 0:
        raise Skipped(f"devpi-init failed: {init.stderr.decode(errors='replace').strip()[-300:]}")
    port = free_port()
    argv = [
        str(BIN / "devpi-server"),
        "--serverdir",
        str(serverdir),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
    ]
    with _process(argv, env, tmp / "devpi.log") as process:
        base = f"http://127.0.0.1:{port}"
        _wait(f"{base}/+api", process, "devpi-server")
        with httpx.Client(
            base_url=base, headers={"Accept": "application/json"}, timeout=30
        ) as client:
            login = client.post("/+login", json={"user": DEVPI_ADMIN, "password": ""})
            if login.status_code != 200:
                raise Skipped(f"devpi login as its admin answered {login.status_code}")
            token = login.json()["result"]["password"]
            auth = base64.b64encode(f"{DEVPI_ADMIN}:{token}".encode()).decode()
            made = client.put(
                f"/{DEVPI_MIRROR}",
                json={"type": "mirror", "mirror_url": upstream_simple},
                headers={"X-Devpi-Auth": auth, "Content-Type": "application/json"},
            )
            if made.status_code not in (200, 201):
                raise Skipped(
                    f"devpi: creating the mirror index answered {made.status_code}: {made.text[:200]}"
                )
        yield Server("devpi-server", f"{base}/{DEVPI_MIRROR}/+simple/")


@contextmanager
def ossmeta(upstream_simple: str, tmp: Path) -> Iterator[Server]:
    """ossmeta's index ``bench`` over a fresh SQLite store under its own OSSMETA_HOME."""
    cli = BIN / "ossmeta"
    if not cli.exists():
        cli = Path(shutil.which("ossmeta") or cli)
    env = _clean_env(OSSMETA_HOME=str(tmp / "ossmeta-home"))
    for argv in (
        [str(cli), "db", "upgrade"],
        [str(cli), "index", "add", "bench", "--ecosystem", "pypi", "--upstream", upstream_simple],
    ):
        done = subprocess.run(argv, env=env, capture_output=True, check=False)
        if done.returncode != 0:
            message = done.stderr.decode(errors="replace").strip().splitlines()
            raise Skipped(
                f"'ossmeta {' '.join(argv[1:3])}' failed: {message[-1] if message else done.returncode}"
            )
    port = free_port()
    argv = [str(cli), "serve", "--host", "127.0.0.1", "--port", str(port)]
    with _process(argv, env, tmp / "ossmeta.log") as process:
        _wait(f"http://127.0.0.1:{port}/", process, "ossmeta serve")
        yield Server("ossmeta", f"http://127.0.0.1:{port}/index/bench/simple/")


STARTERS = {
    "proxpi": proxpi,
    "proxpi-flask": proxpi_flask,
    "devpi-server": devpi,
    "ossmeta": ossmeta,
}
