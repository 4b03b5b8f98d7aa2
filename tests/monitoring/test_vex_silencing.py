"""VEX silences notifications, as Dependency-Track does for suppressed findings: a finding
whose alias group has a decision in force saying it does not matter (not_affected,
false_positive) is still stored and shown, but no re-evaluation sends anything about it.
Here a real worker runs the re-evaluation an advisory import queues, and delivers to a
real webhook receiver on loopback that verifies every signature."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ossmeta.service import inventories
from ossmeta.service import jobs as worker
from ossmeta.service.accounts import Actor, create_tenant
from ossmeta.service.decisions import decide
from ossmeta.service.notify_worker import DeliverySettings
from ossmeta.store import Store
from ossmeta.store.jobs import Backoff, list_jobs
from ossmeta.store.outbox import list_deliveries
from ossmeta.store.tenancy import global_transaction, tenant_transaction
from ossmeta.store.webhooks import insert_webhook
from tests.monitoring.receiver import SECRET, Receiver, receiver
from tests.service.inventories_data import (
    JINJA,
    JINJA_ALIASES,
    import_records,
    jinja_record,
    load_advisories,
)

ACTOR = Actor("cli:test")
FAST = worker.WorkerSettings(
    poll_interval_s=0.01,
    job_backoff=Backoff(base_s=0.01, cap_s=0.02),
    delivery=DeliverySettings(timeout_s=5.0, backoff=Backoff(base_s=0.01, cap_s=0.05)),
)
LOW = "CVSS:3.0/AV:L/AC:H/PR:H/UI:R/S:U/C:L/I:N/A:N"
JINJA_210 = b"jinja2==2.10\n"


def _settled(store: Store, tenant: int) -> bool:
    with global_transaction(store) as tx:
        busy = list_jobs(tx, state="queued") + list_jobs(tx, state="running")
    with tenant_transaction(store, tenant) as tx:
        pending = list_deliveries(tx, tenant, state="pending")
    return not busy and not pending


def _work_until_settled(store: Store, tenant: int) -> None:
    """A worker in a thread until no job is left and no delivery pending (at most a minute)."""
    stop = threading.Event()
    thread = threading.Thread(
        target=worker.run_worker, args=(store,), kwargs={"stop_event": stop, "settings": FAST}
    )
    thread.start()
    try:
        deadline = time.monotonic() + 60
        while not _settled(store, tenant) and time.monotonic() < deadline:
            time.sleep(0.02)
    finally:
        stop.set()
        thread.join()


def _severities(store: Store, tenant: int, project: str, version: str) -> list[tuple[str, str]]:
    report = inventories.findings_report(store, tenant, project, version)
    return [(f.id, f.severity.level.label) for cr in report.components for f in cr.findings]


def _delivered(hook: Receiver) -> list[tuple[str, str, str, str]]:
    out = []
    for body in hook.accepted.values():
        data: dict[str, Any] = body["data"]
        out.append((body["type"], data["project"], data["version"], data["severity"]))
    return sorted(out)


def test_a_not_affected_decision_silences_its_finding_and_not_its_sibling(
    store: Store, tmp_path: Path
) -> None:
    load_advisories(store, tmp_path)  # jinja2 < 2.10.1: high
    acme = create_tenant(store, "acme", ACTOR).id
    for project in ("shop", "kiosk"):
        inventories.create_project(store, acme, project, ACTOR)
        inventories.upload(store, acme, project, "1.0", "requirements.txt", JINJA_210, ACTOR)
    decide(
        store,
        acme,
        "shop",
        "1.0",
        purl="pkg:pypi/jinja2@2.10",
        advisory=JINJA_ALIASES[0],  # any alias names the group
        state="not_affected",
        justification="code_not_reachable",
        comment="we never render untrusted templates",
        carry_over_versions=False,
        actor=ACTOR,
    )
    # The next version of shop holds the same jinja2: the decision carries over to it.
    inventories.upload(store, acme, "shop", "2.0", "requirements.txt", JINJA_210, ACTOR)
    with receiver() as hook:
        hook.secret = SECRET
        with tenant_transaction(store, acme) as tx:
            insert_webhook(
                tx,
                tenant_id=acme,
                url=hook.url,
                events=("finding.new", "finding.changed", "finding.resolved"),
                secret=SECRET,
                now=datetime.now(UTC),
            )
        lower = jinja_record(modified="2025-06-01T00:00:00Z")
        lower["severity"] = [{"type": "CVSS_V3", "score": LOW}]
        import_records(store, tmp_path / "lower", lower)  # queues the re-evaluation
        _work_until_settled(store, acme)
        assert _delivered(hook) == [("finding.changed", "kiosk", "1.0", "low")]
        # Silenced is not forgotten: the change is stored on the silenced versions too.
        for version in ("1.0", "2.0"):
            assert _severities(store, acme, "shop", version) == [(JINJA, "low")]

        withdrawn = jinja_record(modified="2025-07-01T00:00:00Z")
        withdrawn["withdrawn"] = "2025-07-01T00:00:00Z"
        import_records(store, tmp_path / "withdrawn", withdrawn)
        _work_until_settled(store, acme)
        assert _delivered(hook) == [
            ("finding.changed", "kiosk", "1.0", "low"),
            ("finding.resolved", "kiosk", "1.0", "low"),
        ]
        assert all(r.verified for r in hook.received)
    for version in ("1.0", "2.0"):
        assert _severities(store, acme, "shop", version) == []
