"""The last step of ``make demo``: bring up the center on the embedded store, with a demo tenant.

The earlier steps filled the store with advisories, the stand-in registries' packages, a
repository's activity and its metrics. This step adds a tenant ``demo`` with an admin user
``demo`` (its web password made once and kept in ``OSSMETA_HOME/demo-password``, readable by
its owner only) and a fresh API token (tokens are shown once, so each run makes a new one), starts
``ossmeta serve``, and uploads two projects through the API as any client would:

- ``shop`` 1.0: ``examples/project/requirements.txt`` (Python, with known advisories);
- ``storefront`` 1.0: ``examples/project/package-lock.json`` (npm).

Then it prints the address, the web login and the token and keeps serving until Ctrl-C (or SIGTERM).
``OSSMETA_DEMO_PORT`` picks the port (default 8000; 0 takes any free one).
"""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
OSSMETA = str(Path(sys.executable).with_name("ossmeta"))
PASSWORD_FILE = Path(os.environ.get("OSSMETA_HOME", ".ossmeta")) / "demo-password"
PROJECTS = (
    ("shop", "1.0", ROOT / "examples/project/requirements.txt"),
    ("storefront", "1.0", ROOT / "examples/project/package-lock.json"),
)


def demo_password() -> tuple[str, bool]:
    """The demo user's web password: made on the first run, read back on later ones (a
    password is set only when a user is created). Also whether it is new."""
    kept = PASSWORD_FILE
    if kept.is_file():
        return kept.read_text().strip(), False
    password = secrets.token_urlsafe(12)
    kept.parent.mkdir(parents=True, exist_ok=True)
    kept.touch(mode=0o600)
    kept.write_text(password + "\n")
    return password, True


def demo_token() -> tuple[str, str]:
    """The demo tenant and its admin (taken when a previous run made them), a new token,
    and the admin's web password."""
    from ossmeta.errors import InputError, NotFoundError
    from ossmeta.service.accounts import (
        Actor,
        create_tenant,
        create_token,
        create_user,
        tenant_named,
    )
    from ossmeta.store import open_store

    store = open_store(access="write")
    actor = Actor("cli:make-demo")
    try:
        tenant = tenant_named(store, "demo")
    except NotFoundError:
        tenant = create_tenant(store, "demo", actor)
    password, new = demo_password()
    try:
        create_user(store, "demo", "demo", "admin", password if new else None, actor)
    except InputError:  # made by a run before the demo had web passwords
        create_user(store, "demo", "demo", "admin", None, actor)
        PASSWORD_FILE.unlink()
        password = "unknown (the demo user predates it; `make clean` starts afresh)"
    issued = create_token(
        store,
        "demo",
        actor=actor,
        tenant_id=tenant.id,
        scopes=("read", "write", "admin"),
        name="demo",
    )
    return issued.secret, password


def start_server(port: str) -> tuple[subprocess.Popen[str], str]:
    server = subprocess.Popen(
        [OSSMETA, "serve", "--host", "127.0.0.1", "--port", port],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert server.stdout is not None
    line = server.stdout.readline()  # "ossmeta API listening on http://HOST:PORT"
    if "listening on " not in line:
        server.wait()
        raise SystemExit(f"ossmeta serve did not start (exit {server.returncode})")
    return server, line.rsplit(" ", 1)[-1].strip()


def upload_projects(base: str, token: str) -> None:
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=base, headers=headers, timeout=120) as http:
        for project, version, path in PROJECTS:
            created = http.post("/api/v1/projects", json={"name": project})
            if created.status_code not in (201, 409):  # 409: made by an earlier run
                raise SystemExit(f"POST /api/v1/projects: {created.status_code} {created.text}")
            answer = http.put(
                f"/api/v1/projects/{project}/versions/{version}/inventory",
                params={"filename": path.name},
                content=path.read_bytes(),
            )
            if answer.status_code not in (200, 201):
                raise SystemExit(f"upload of {path.name}: {answer.status_code} {answer.text}")
            summary = answer.json()["summary"]
            print(
                f"  {project} {version}: {path.name}, {summary['components']} components, "
                f"{summary['vulnerabilities']} vulnerabilities",
                flush=True,
            )


def main() -> None:
    token, password = demo_token()
    server, base = start_server(os.environ.get("OSSMETA_DEMO_PORT", "8000"))
    signal.signal(signal.SIGTERM, lambda *_: server.terminate())
    try:
        print("\nThe demo tenant's projects, uploaded through the API:", flush=True)
        upload_projects(base, token)
        print(
            f"\nossmeta is serving at {base}"
            f"  (API under {base}/api/v1, OpenAPI at {base}/openapi.json)"
        )
        print(f"web: {base}/  (log in at {base}/login as demo, password {password})")
        print(f"demo token (tenant demo, user demo, admin): {token}")
        print(f'try: curl -H "Authorization: Bearer {token}" {base}/api/v1/projects')
        print("Ctrl-C stops the server.", flush=True)
        server.wait()
    except KeyboardInterrupt:
        pass
    finally:
        if server.poll() is None:
            server.terminate()
            server.wait(timeout=30)


if __name__ == "__main__":
    main()
