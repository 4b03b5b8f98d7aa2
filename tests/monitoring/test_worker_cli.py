"""``ossmeta worker`` and ``ossmeta serve``'s in-process worker as real processes, on SQLite
and PostgreSQL: webhooks to a loopback receiver that verifies the Standard Webhooks
signature, e-mail to a real aiosmtpd server, a clean stop on SIGTERM/SIGINT, a worker
killed with SIGKILL mid-delivery replaced by another once its lease expires, and on
PostgreSQL two workers that never send the same delivery twice."""

from __future__ import annotations

import email
import email.policy
import re
import signal
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import httpx
import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session
from sqlalchemy import select

from ossmeta.service import jobs as worker
from ossmeta.service.accounts import Actor, create_tenant
from ossmeta.service.notify_worker import DeliverySettings
from ossmeta.store import Store
from ossmeta.store.jobs import Backoff
from ossmeta.store.outbox import Delivery, add_event, list_deliveries
from ossmeta.store.schema import deliveries
from ossmeta.store.tenancy import tenant_transaction
from ossmeta.store.webhooks import insert_email_rule
from tests.monitoring.processes import run_ossmeta, started
from tests.monitoring.receiver import SECRET, receiver, subscribe

OPERATOR = Actor("cli:test")
FINDING = {
    "project": "shop",
    "version": "1.0",
    "purl": "pkg:pypi/jinja2@2.10",
    "id": "GHSA-462w-v97r-4m45",
    "aliases": ["CVE-2019-10906", "PYSEC-2019-217"],
    "severity": "high",
}
WORKER_RUNNING = r"ossmeta worker (\S+) running"
FAST = worker.WorkerSettings(
    poll_interval_s=0.02,
    delivery=DeliverySettings(timeout_s=10.0, backoff=Backoff(base_s=0.05, cap_s=0.1)),
)
SUMMARY = re.compile(r"stopped: (\d+) job\(s\) run, (\d+) delivery attempt\(s\)")


def _tenant(store: Store, name: str = "acme") -> int:
    return create_tenant(store, name, OPERATOR).id


def _emit(store: Store, tenant: int, data: dict[str, Any] | None = None) -> str:
    with tenant_transaction(store, tenant) as tx:
        return add_event(tx, tenant_id=tenant, event_type="finding.new", data=data or FINDING)


def _deliveries(store: Store, tenant: int) -> tuple[Delivery, ...]:
    with tenant_transaction(store, tenant) as tx:
        return list_deliveries(tx, tenant)


def _leasing_workers(store: Store, tenant: int) -> set[str]:
    with tenant_transaction(store, tenant) as tx:
        found = tx.execute(
            select(deliveries.c.worker_id).where(deliveries.c.tenant_id == tenant).distinct()
        )
        return {str(worker) for (worker,) in found if worker is not None}


def _wait(condition: Any, what: str, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {what}")
        time.sleep(0.05)


def test_worker_once_delivers_a_signed_webhook_and_exits_0(store: Store) -> None:
    with receiver() as hook:
        hook.secret = SECRET
        tenant = _tenant(store)
        subscribe(store, tenant, hook.url)
        event_id = _emit(store, tenant)
        done = run_ossmeta("worker", "--once", "--db", store.url)
    assert done.returncode == 0, done.stderr
    assert SUMMARY.search(done.stderr) is not None and "1 delivery attempt(s)" in done.stderr
    assert [(r.verified, r.webhook_id, r.status) for r in hook.received] == [(True, event_id, 200)]
    assert hook.accepted[event_id]["data"] == FINDING
    (delivery,) = _deliveries(store, tenant)
    assert (delivery.state, delivery.attempts) == ("delivered", 1)


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_worker_stops_cleanly_on_a_signal(store: Store, sig: int) -> None:
    with started("worker", "--poll", "0.05", "--db", store.url, wait_for=WORKER_RUNNING,
                 on_stderr=True) as running:  # fmt: skip
        code = running.stop(sig)
    assert code == 0, running.stderr
    assert f"ossmeta worker {running.said} stopped" in running.stderr
    assert "Traceback" not in running.stderr


def test_worker_without_a_store_is_exit_4(tmp_path: Path) -> None:
    done = run_ossmeta("worker", "--once", "--db", f"sqlite:///{tmp_path / 'none.db'}")
    assert done.returncode == 4, done.stderr
    assert "ossmeta db upgrade" in done.stderr and "Traceback" not in done.stderr


@pytest.mark.parametrize(
    ("name", "value"), [("OSSMETA_WORKER_LEASE_S", "soon"), ("OSSMETA_WORKER_BATCH", "0")]
)
def test_worker_with_a_bad_setting_is_exit_2(store: Store, name: str, value: str) -> None:
    done = run_ossmeta("worker", "--once", "--db", store.url, env={name: value})
    assert done.returncode == 2, done.stderr
    assert name in done.stderr and "Traceback" not in done.stderr


def test_a_worker_killed_mid_delivery_is_replaced_once_its_lease_expires(store: Store) -> None:
    """At least once: the first worker's attempt reached the receiver but was never
    recorded; after its lease another worker sends the same event (same webhook-id), and the
    de-duplicating receiver processes it once."""
    with receiver() as hook:
        hook.secret = SECRET
        hook.hold.set()  # the receiver keeps the first request open
        tenant = _tenant(store)
        subscribe(store, tenant, hook.url)
        event_id = _emit(store, tenant)
        with started("worker", "--poll", "0.05", "--db", store.url, wait_for=WORKER_RUNNING,
                     on_stderr=True, env={"OSSMETA_WORKER_LEASE_S": "3"}) as first:  # fmt: skip
            assert hook.arrived.wait(120), "the first worker never sent the delivery"
            first.process.kill()  # SIGKILL: no chance to record anything
            first.process.wait(timeout=60)
        hook.hold.clear()
        hook.release.set()
        (taken,) = _deliveries(store, tenant)
        assert (taken.state, taken.attempts) == ("pending", 1)  # leased to the dead worker
        stop = threading.Event()
        second = threading.Thread(
            target=worker.run_worker,
            args=(store,),
            kwargs={"stop_event": stop, "settings": FAST, "worker_id": "second"},
        )
        second.start()
        try:
            _wait(lambda: _deliveries(store, tenant)[0].state != "pending", "the second worker")
        finally:
            stop.set()
            second.join()
    (delivery,) = _deliveries(store, tenant)
    assert (delivery.state, delivery.attempts) == ("delivered", 2)
    assert [(r.webhook_id, r.verified) for r in hook.received] == [(event_id, True)] * 2
    assert list(hook.accepted) == [event_id]  # de-duplicated by webhook-id


@pytest.mark.postgres
def test_two_workers_on_postgresql_never_send_the_same_delivery(pg_url: str) -> None:
    """Both workers hold leases at once (the receiver keeps the first requests open until
    the second worker has leased a batch of its own), and no delivery is sent twice."""
    from ossmeta.store import open_store

    store = open_store(pg_url)
    store.upgrade()
    try:
        with receiver() as hook:
            hook.secret = SECRET
            hook.hold.set()  # requests stay open until both workers hold a lease
            tenant = _tenant(store)
            subscribe(store, tenant, hook.url)
            args = ("worker", "--poll", "0.02", "--db", pg_url)
            env = {"OSSMETA_WORKER_BATCH": "5"}
            with (
                started(*args, wait_for=WORKER_RUNNING, on_stderr=True, env=env) as one,
                started(*args, wait_for=WORKER_RUNNING, on_stderr=True, env=env) as two,
            ):
                events = [_emit(store, tenant, FINDING | {"id": f"X-{n}"}) for n in range(40)]
                _wait(lambda: len(_leasing_workers(store, tenant)) == 2, "two workers leasing")
                hook.release.set()
                _wait(
                    lambda: all(d.state == "delivered" for d in _deliveries(store, tenant)),
                    "every delivery",
                )
                codes = (one.stop(), two.stop())
        assert codes == (0, 0), one.stderr + two.stderr
        sent = [int(SUMMARY.search(w.stderr).group(2)) for w in (one, two)]  # type: ignore[union-attr]
        assert sum(sent) == 40 and min(sent) > 0, sent  # both worked, none twice
        assert sorted(r.webhook_id for r in hook.received) == sorted(events)
        assert all(d.attempts == 1 for d in _deliveries(store, tenant))
    finally:
        store.dispose()


# ------------------------------------------------------------------ e-mail over SMTP


@dataclass
class Inbox:
    """What a real SMTP server (aiosmtpd) on loopback accepted; refuses ``refuse``."""

    refuse: set[str] = field(default_factory=set)
    messages: list[tuple[list[str], EmailMessage]] = field(default_factory=list)

    async def handle_RCPT(
        self, _server: SMTP, _session: Session, envelope: Envelope, address: str, _options: Any
    ) -> str:
        if address in self.refuse:
            return "550 5.1.1 no such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, _server: SMTP, _session: Session, envelope: Envelope) -> str:
        content = envelope.content
        raw = content if isinstance(content, bytes) else str(content).encode()
        self.messages.append(
            (list(envelope.rcpt_tos), email.message_from_bytes(raw, policy=email.policy.default))
        )
        return "250 Message accepted"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, dict[str, str]]]:
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    try:
        env = {
            "OSSMETA_SMTP_HOST": "127.0.0.1",
            "OSSMETA_SMTP_PORT": str(controller.port),
            "OSSMETA_SMTP_FROM": "ossmeta@center.test",
        }
        yield inbox, env
    finally:
        controller.stop()


def test_worker_mails_a_finding_to_a_real_smtp_server(
    store: Store, smtp: tuple[Inbox, dict[str, str]]
) -> None:
    inbox, env = smtp
    inbox.refuse.add("gone@acme.test")
    tenant = _tenant(store)
    with tenant_transaction(store, tenant) as tx:
        for address in ("security@acme.test", "gone@acme.test"):
            insert_email_rule(
                tx,
                tenant_id=tenant,
                address=address,
                events=("finding.new",),
                now=datetime.now(UTC),
            )
    event_id = _emit(store, tenant)
    done = run_ossmeta("worker", "--once", "--db", store.url, env=env)
    assert done.returncode == 0, done.stderr
    ((recipients, message),) = inbox.messages
    assert recipients == ["security@acme.test"]
    assert message["Message-ID"] == f"<{event_id}@ossmeta>"
    assert (message["From"], message["To"]) == ("ossmeta@center.test", "security@acme.test")
    assert message["Subject"].strip() == (
        "[ossmeta] finding.new pkg:pypi/jinja2@2.10 GHSA-462w-v97r-4m45 in shop/1.0"
    )
    assert "CVE-2019-10906" in message.get_content()
    states = {d.email_id: (d.state, d.last_status) for d in _deliveries(store, tenant)}
    assert sorted(states.values()) == [("dead", 550), ("delivered", 250)]


def test_without_an_smtp_server_configured_mail_waits(store: Store) -> None:
    tenant = _tenant(store)
    with tenant_transaction(store, tenant) as tx:
        insert_email_rule(
            tx, tenant_id=tenant, address="sec@acme.test", events=("finding.new",),
            now=datetime.now(UTC),
        )  # fmt: skip
    _emit(store, tenant)
    done = run_ossmeta("worker", "--once", "--db", store.url)
    assert done.returncode == 0, done.stderr
    (delivery,) = _deliveries(store, tenant)
    assert (delivery.state, delivery.attempts) == ("pending", 1)
    assert delivery.last_error is not None and "OSSMETA_SMTP_HOST" in delivery.last_error


# ------------------------------------------------------------------ serve's worker


# SQLite only: on PostgreSQL serve runs no worker by default (the next test says so).
@pytest.mark.parametrize("store_url", ["sqlite"], indirect=True)
def test_serve_on_sqlite_delivers_in_process_by_default(store: Store) -> None:
    assert store.dialect == "sqlite"
    with receiver() as hook:
        hook.secret = SECRET
        tenant = _tenant(store)
        subscribe(store, tenant, hook.url)
        event_id = _emit(store, tenant)
        with started("serve", "--port", "0", "--db", store.url,
                     wait_for=r"listening on (http://\S+)", on_stderr=False) as server:  # fmt: skip
            _wait(lambda: bool(hook.accepted), "the in-process worker")
            code = server.stop()
    assert code == 0, server.stderr
    assert "worker running in process" in server.stderr
    assert list(hook.accepted) == [event_id]


@pytest.mark.parametrize("flag", [None, "--no-worker", "--worker"])
def test_serve_runs_a_worker_as_asked(store: Store, flag: str | None) -> None:
    args = ("serve", "--port", "0", "--db", store.url, *([flag] if flag else []))
    with started(*args, wait_for=r"listening on (http://\S+)", on_stderr=False) as server:
        assert httpx.get(server.said + "/openapi.json", timeout=60).status_code == 200
        code = server.stop()
    assert code == 0, server.stderr
    expected = flag == "--worker" or (flag is None and store.dialect == "sqlite")
    assert ("worker running in process" in server.stderr) == expected
