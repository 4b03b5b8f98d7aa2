"""The monitoring loop end to end, every part a real process on one store (a SQLite file,
and PostgreSQL): ``ossmeta serve`` and ``ossmeta worker`` run; a tenant uploads an inventory
holding pkg:pypi/jinja2@2.10 and registers a webhook through the API; ``ossmeta advisories
import`` of an advisory for jinja2 runs as another process; the webhook receiver (which
verifies the Standard Webhooks signature with the ``standardwebhooks`` package) gets one
signed ``finding.new`` naming the project, version, purl and the advisory's alias group."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import httpx

from ossmeta.service import accounts
from ossmeta.store import Store
from ossmeta.store.jobs import list_jobs
from ossmeta.store.outbox import list_deliveries
from ossmeta.store.tenancy import global_transaction, tenant_transaction
from tests.monitoring.processes import run_ossmeta, started
from tests.monitoring.receiver import receiver

OPERATOR = accounts.Actor("cli:test-operator")
ADVISORY_ID = "GHSA-e2e0-jinj-a210"
ALIASES = {"CVE-2099-0210", "PYSEC-2099-210"}
ADVISORY = {
    "schema_version": "1.6.0",
    "id": ADVISORY_ID,
    "modified": "2026-12-01T00:00:00Z",
    "published": "2026-12-01T00:00:00Z",
    "aliases": sorted(ALIASES),
    "summary": "Sandbox escape in a test of the monitoring loop",
    "severity": [{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}],
    "affected": [
        {
            "package": {"ecosystem": "PyPI", "name": "jinja2", "purl": "pkg:pypi/jinja2"},
            "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "2.10.1"}]}],
        }
    ],
}


def _wait(condition: Any, what: str, seconds: float = 180) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {what}")
        time.sleep(0.1)


def _token(store: Store) -> tuple[int, str]:
    tenant = accounts.create_tenant(store, "acme-e2e", OPERATOR)
    accounts.create_user(store, "alice", "acme-e2e", "admin", None, OPERATOR)
    issued = accounts.create_token(
        store, "alice", actor=OPERATOR, tenant_id=tenant.id, scopes=("read", "write")
    )
    return tenant.id, issued.secret


def _quiet(store: Store, tenant: int) -> bool:
    """No job queued or running, no delivery of the tenant pending."""
    with global_transaction(store) as tx:
        busy = list_jobs(tx, state="queued") + list_jobs(tx, state="running")
    with tenant_transaction(store, tenant) as tx:
        pending = list_deliveries(tx, tenant, state="pending")
    return not busy and not pending


def test_an_advisory_import_reaches_the_webhook_as_one_signed_finding_new(
    store: Store, tmp_path: Path
) -> None:
    tenant, token = _token(store)
    advisory = tmp_path / "advisories" / f"{ADVISORY_ID}.json"
    advisory.parent.mkdir()
    advisory.write_text(json.dumps(ADVISORY), encoding="utf-8")
    serve_args = ("serve", "--port", "0", "--db", store.url)
    with (
        receiver() as hook,
        started(*serve_args, wait_for=r"listening on (http://\S+)", on_stderr=False) as server,
        started(
            "worker",
            "--poll",
            "0.1",
            "--db",
            store.url,
            wait_for=r"ossmeta worker (\S+) running",
            on_stderr=True,
        ) as worker,  # fmt: skip
        httpx.Client(
            base_url=server.said, headers={"Authorization": f"Bearer {token}"}, timeout=120
        ) as http,
    ):
        assert http.post("/api/v1/projects", json={"name": "shop"}).status_code == 201
        uploaded = http.put(
            "/api/v1/projects/shop/versions/1.0/inventory",
            params={"filename": "requirements.txt"},
            content=b"jinja2==2.10\n",
        )
        assert uploaded.status_code in (200, 201), uploaded.text
        (component,) = uploaded.json()["components"]
        assert component["purl"] == "pkg:pypi/jinja2@2.10"
        assert component["vulnerabilities"] == []  # nothing known yet
        created = http.post(
            "/api/v1/webhooks",
            json={"url": hook.url, "events": ["finding.new", "finding.resolved"]},
        )
        assert created.status_code == 201, created.text
        hook.secret = created.json()["secret"]

        imported = run_ossmeta("advisories", "import", "--db", store.url, str(advisory.parent))
        assert imported.returncode == 0, imported.stderr

        _wait(lambda: bool(hook.accepted), "the finding.new webhook")
        _wait(lambda: _quiet(store, tenant), "the jobs and deliveries to settle")
        deliveries = http.get("/api/v1/deliveries").json()["items"]
        assert worker.stop() == 0, worker.stderr
        assert server.stop() == 0, server.stderr

    assert [(r.verified, r.status) for r in hook.received] == [(True, 200)]
    ((event_id, body),) = hook.accepted.items()
    assert hook.received[0].webhook_id == event_id
    assert set(body) == {"type", "timestamp", "data"}
    assert body["type"] == "finding.new"
    data = body["data"]
    assert {key: data[key] for key in ("project", "version", "purl", "severity")} == {
        "project": "shop",
        "version": "1.0",
        "purl": "pkg:pypi/jinja2@2.10",
        "severity": "critical",
    }
    assert {data["id"], *data["aliases"]} == {ADVISORY_ID, *ALIASES}
    assert [(d["event_id"], d["state"], d["attempts"]) for d in deliveries] == [
        (event_id, "delivered", 1)
    ]
    # The same import again changes nothing and sends nothing.
    again = run_ossmeta("advisories", "import", "--db", store.url, str(advisory.parent))
    assert again.returncode == 0, again.stderr
    done = run_ossmeta("worker", "--once", "--db", store.url)
    assert done.returncode == 0, done.stderr
    with tenant_transaction(store, tenant) as tx:
        assert [d.outbox_id for d in list_deliveries(tx, tenant)] == [event_id]
