"""The worker sends a batch of deliveries a few at once: a failing or hanging receiver
holds up none of the rest, and a batch leased by a worker killed with SIGKILL (a real
process) is delivered by another worker once the leases expire."""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import replace

from ossmeta.service import jobs as worker
from ossmeta.service.accounts import Actor, create_tenant
from ossmeta.service.notify_worker import DeliverySettings
from ossmeta.store import Store
from ossmeta.store.jobs import Backoff
from ossmeta.store.outbox import Delivery, list_deliveries
from ossmeta.store.outbox_many import add_events
from ossmeta.store.tenancy import tenant_transaction
from tests.monitoring.processes import started
from tests.monitoring.receiver import SECRET, receiver, subscribe

WORKER_RUNNING = r"ossmeta worker (\S+) running"
#: Failures are retried a minute later: a test sees the state after one attempt.
SETTINGS = worker.WorkerSettings(
    poll_interval_s=0.02,
    delivery=DeliverySettings(timeout_s=60.0, backoff=Backoff(base_s=60.0)),
)


def _tenant(store: Store) -> int:
    return create_tenant(store, "acme", Actor("cli:test")).id


def _emit(store: Store, tenant: int, count: int) -> list[str]:
    """``count`` events in one transaction: the worker's first round takes them all."""
    purl = "pkg:pypi/jinja2@2.10"
    findings = [("finding.new", {"purl": purl, "id": f"X-{n}"}) for n in range(count)]
    with tenant_transaction(store, tenant) as tx:
        return add_events(tx, tenant, findings)


def _deliveries(store: Store, tenant: int, webhook: int | None = None) -> list[Delivery]:
    with tenant_transaction(store, tenant) as tx:
        return list(list_deliveries(tx, tenant, webhook_id=webhook))


def _wait(condition: Callable[[], bool], what: str, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {what}")
        time.sleep(0.05)


def test_one_failed_delivery_leaves_the_rest_of_its_batch_delivered(store: Store) -> None:
    with receiver([500]) as hook:  # the first request that arrives fails, the rest succeed
        hook.secret = SECRET
        tenant = _tenant(store)
        subscribe(store, tenant, hook.url)
        events = _emit(store, tenant, 8)
        summary = worker.run_worker(store, once=True, settings=SETTINGS)
    assert summary.deliveries == 8
    assert sorted(r.webhook_id for r in hook.received) == sorted(events)
    rows = _deliveries(store, tenant)
    assert Counter((d.state, d.last_status, d.attempts) for d in rows) == {
        ("delivered", 200, 1): 7,
        ("pending", 500, 1): 1,
    }
    (failed,) = (r for r in hook.received if r.status == 500)
    assert set(hook.accepted) == set(events) - {failed.webhook_id}


def test_a_hanging_receiver_does_not_hold_up_the_rest_of_the_batch(store: Store) -> None:
    with receiver() as slow, receiver() as fast:
        slow.secret = fast.secret = SECRET
        slow.hold.set()  # every request to it stays open until released
        tenant = _tenant(store)
        slow_hook, fast_hook = (
            subscribe(store, tenant, slow.url),
            subscribe(store, tenant, fast.url),
        )
        events = _emit(store, tenant, 6)  # 12 deliveries, one batch
        stop = threading.Event()
        thread = threading.Thread(
            target=worker.run_worker,
            args=(store,),
            kwargs={"stop_event": stop, "settings": SETTINGS, "worker_id": "w"},
        )
        thread.start()
        try:
            _wait(
                lambda: all(d.state == "delivered" for d in _deliveries(store, tenant, fast_hook)),
                "the other receiver's deliveries",
            )
            assert slow.arrived.is_set()
            held = _deliveries(store, tenant, slow_hook)
            # Sent in the same round (leased, attempt 1) and still waiting for an answer.
            assert [(d.state, d.attempts) for d in held] == [("pending", 1)] * 6
            slow.release.set()
            _wait(
                lambda: all(d.state == "delivered" for d in _deliveries(store, tenant)),
                "the hanging receiver's deliveries",
            )
        finally:
            slow.release.set()
            stop.set()
            thread.join()
    assert set(fast.accepted) == set(events) == set(slow.accepted)
    assert all(d.attempts == 1 for d in _deliveries(store, tenant))


def test_a_batch_of_a_killed_worker_is_delivered_by_another_after_its_lease(
    store: Store,
) -> None:
    short_lease = {"OSSMETA_WORKER_LEASE_S": "3"}
    args = ("worker", "--poll", "0.05", "--db", store.url)
    with receiver() as hook:
        hook.secret = SECRET
        hook.hold.set()  # the first worker's requests stay open: it never hears back
        tenant = _tenant(store)
        subscribe(store, tenant, hook.url)
        events = _emit(store, tenant, 6)
        with started(*args, wait_for=WORKER_RUNNING, on_stderr=True, env=short_lease) as first:
            assert hook.arrived.wait(120), "the first worker never sent anything"
            first.process.kill()  # SIGKILL: nothing recorded, nothing given back
            first.process.wait(timeout=60)
        # The whole batch was leased in one statement before the first send.
        leased = _deliveries(store, tenant)
        assert [(d.state, d.attempts) for d in leased] == [("pending", 1)] * 6
        hook.hold.clear()
        hook.release.set()
        with started(*args, wait_for=WORKER_RUNNING, on_stderr=True, env=short_lease) as second:
            _wait(
                lambda: all(d.state == "delivered" for d in _deliveries(store, tenant)),
                "the second worker",
            )
            code = second.stop()
    assert code == 0, second.stderr
    assert "6 delivery attempt(s)" in second.stderr
    assert [(d.state, d.attempts) for d in _deliveries(store, tenant)] == [("delivered", 2)] * 6
    assert all(r.verified for r in hook.received)
    assert set(Counter(r.webhook_id for r in hook.received)) == set(events)
    assert set(hook.accepted) == set(events)  # de-duplicated by webhook-id


def test_a_stopped_worker_gives_back_what_it_had_not_sent(store: Store) -> None:
    with receiver() as hook:
        hook.secret = SECRET
        hook.hold.set()
        tenant = _tenant(store)
        subscribe(store, tenant, hook.url)
        _emit(store, tenant, 8)
        limited = replace(
            SETTINGS,
            delivery=replace(
                SETTINGS.delivery, sending=replace(SETTINGS.delivery.sending, concurrency=2)
            ),
        )
        stop = threading.Event()
        thread = threading.Thread(
            target=worker.run_worker,
            args=(store,),
            kwargs={"stop_event": stop, "settings": limited, "worker_id": "w"},
        )
        thread.start()
        try:
            _wait(lambda: hook.arrivals == 2, "both sends in flight")
            stop.set()  # two sends in flight, six not started
            hook.release.set()
        finally:
            hook.release.set()
            stop.set()
            thread.join()
    rows = _deliveries(store, tenant)
    assert Counter((d.state, d.attempts) for d in rows) == {("delivered", 1): 2, ("pending", 0): 6}
