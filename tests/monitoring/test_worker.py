"""The worker in process: jobs by registered handler, and outbox deliveries to real webhook
receivers on loopback that verify the Standard Webhooks signature."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from ossmeta.service import jobs as worker
from ossmeta.service.accounts import Actor, create_tenant
from ossmeta.service.notify_worker import DeliverySettings
from ossmeta.store import Store
from ossmeta.store.jobs import Backoff, Job, enqueue, load_job
from ossmeta.store.outbox import add_event, list_deliveries
from ossmeta.store.tenancy import global_transaction, tenant_transaction
from ossmeta.store.webhooks import insert_webhook, list_webhooks
from tests.monitoring.receiver import SECRET, receiver

OPERATOR = Actor("cli:test")
FAST = worker.WorkerSettings(
    poll_interval_s=0.01,
    job_backoff=Backoff(base_s=0.01, cap_s=0.02),
    delivery=DeliverySettings(timeout_s=5.0, backoff=Backoff(base_s=0.01, cap_s=0.05)),
)
#: Retries a minute later: a test sees the state after one attempt.
SLOW_RETRY = replace(FAST, delivery=replace(FAST.delivery, backoff=Backoff(base_s=60.0)))
FINDING = {
    "project": "shop",
    "version": "1.0",
    "purl": "pkg:pypi/jinja2@2.10",
    "id": "GHSA-462w-v97r-4m45",
    "aliases": ["CVE-2019-10906", "PYSEC-2019-217"],
    "severity": "high",
}


@pytest.fixture
def calls() -> Iterator[list[Job]]:
    seen: list[Job] = []

    def record(_store: Store, job: Job) -> None:
        seen.append(job)
        if job.payload.get("fail_times", 0) >= job.attempts:
            raise RuntimeError(f"attempt {job.attempts} fails")

    worker.register("test.record")(record)
    yield seen
    worker._HANDLERS.pop("test.record", None)


def _run_until(
    store: Store, done: Callable[[], bool], settings: worker.WorkerSettings = FAST
) -> None:
    """Run a worker in a thread until ``done()`` holds (at most a minute), then stop it."""
    stop = threading.Event()
    thread = threading.Thread(
        target=worker.run_worker, args=(store,), kwargs={"stop_event": stop, "settings": settings}
    )
    thread.start()
    try:
        deadline = time.monotonic() + 60
        while not done() and time.monotonic() < deadline:
            time.sleep(0.02)
    finally:
        stop.set()
        thread.join()


def _settled(store: Store, tenant: int) -> Callable[[], bool]:
    """No delivery of the tenant is pending any more."""

    def check() -> bool:
        with tenant_transaction(store, tenant) as tx:
            return not list_deliveries(tx, tenant, state="pending")

    return check


def test_a_registered_handler_runs_and_its_job_is_done(store: Store, calls: list[Job]) -> None:
    with global_transaction(store) as tx:
        job_id = enqueue(tx, "test.record", {"n": 1})
    summary = worker.run_worker(store, once=True, settings=FAST)
    assert summary.jobs == 1
    assert [job.payload for job in calls] == [{"n": 1}]
    with global_transaction(store) as tx:
        job = load_job(tx, job_id)
    assert job is not None and job.state == "done"


def test_a_failing_handler_is_retried_until_it_succeeds(store: Store, calls: list[Job]) -> None:
    with global_transaction(store) as tx:
        job_id = enqueue(tx, "test.record", {"fail_times": 2})
    _run_until(store, lambda: len(calls) == 3 and _state(store, job_id) == "done")
    assert [job.attempts for job in calls] == [1, 2, 3]
    with global_transaction(store) as tx:
        job = load_job(tx, job_id)
    assert job is not None and (job.state, job.attempts) == ("done", 3)


def test_a_job_of_an_unknown_kind_fails_at_once_and_stays_visible(store: Store) -> None:
    with global_transaction(store) as tx:
        job_id = enqueue(tx, "reevaluate.someday", {"packages": []})
    worker.run_worker(store, once=True, settings=FAST)
    with global_transaction(store) as tx:
        job = load_job(tx, job_id)
    assert job is not None
    assert (job.state, job.attempts) == ("failed", 1)
    assert job.last_error == "no handler for job kind 'reevaluate.someday'"


def _state(store: Store, job_id: int) -> str | None:
    with global_transaction(store) as tx:
        job = load_job(tx, job_id)
    return None if job is None else job.state


def _webhook(store: Store, url: str, events: tuple[str, ...] = ("finding.new",)) -> int:
    tenant = create_tenant(store, "acme", OPERATOR)
    with tenant_transaction(store, tenant.id) as tx:
        insert_webhook(
            tx, tenant_id=tenant.id, url=url, events=events, secret=SECRET, now=datetime.now(UTC)
        )
    return tenant.id


def _emit(store: Store, tenant: int, event_type: str = "finding.new") -> str:
    with tenant_transaction(store, tenant) as tx:
        return add_event(tx, tenant_id=tenant, event_type=event_type, data=FINDING)


def test_a_delivery_is_signed_and_has_the_documented_body(store: Store) -> None:
    with receiver() as hook:
        hook.secret = SECRET
        tenant = _webhook(store, hook.url)
        event_id = _emit(store, tenant)
        summary = worker.run_worker(store, once=True, settings=FAST)
    assert summary.deliveries == 1
    (got,) = hook.received
    assert got.verified and got.webhook_id == event_id and got.status == 200
    assert got.body is not None
    assert set(got.body) == {"type", "timestamp", "data"}
    assert (got.body["type"], got.body["data"]) == ("finding.new", FINDING)
    assert datetime.fromisoformat(got.body["timestamp"]).tzinfo is not None
    with tenant_transaction(store, tenant) as tx:
        (delivery,) = list_deliveries(tx, tenant)
    assert (delivery.state, delivery.attempts, delivery.last_status) == ("delivered", 1, 200)


def test_a_receiver_with_another_secret_refuses_and_the_delivery_stays_pending(
    store: Store,
) -> None:
    with receiver() as hook:
        hook.secret = "whsec_" + "QUJD" * 8  # not the webhook's secret
        tenant = _webhook(store, hook.url)
        _emit(store, tenant)
        worker.run_worker(store, once=True, settings=SLOW_RETRY)
    assert [(r.verified, r.status) for r in hook.received] == [(False, 401)]
    with tenant_transaction(store, tenant) as tx:
        (delivery,) = list_deliveries(tx, tenant)
    assert (delivery.state, delivery.last_status) == ("pending", 401)


def test_server_errors_are_retried_with_backoff_then_delivered_once(store: Store) -> None:
    with receiver([500, 503]) as hook:
        hook.secret = SECRET
        tenant = _webhook(store, hook.url)
        event_id = _emit(store, tenant)
        _run_until(store, _settled(store, tenant))
    assert [r.status for r in hook.received] == [500, 503, 200]
    assert {r.webhook_id for r in hook.received} == {event_id}  # one id on every attempt
    assert list(hook.accepted) == [event_id]
    with tenant_transaction(store, tenant) as tx:
        (delivery,) = list_deliveries(tx, tenant)
    assert (delivery.state, delivery.attempts, delivery.last_status) == ("delivered", 3, 200)


def test_a_delivery_is_dead_after_its_last_attempt(store: Store) -> None:
    settings = replace(FAST, delivery=replace(FAST.delivery, max_attempts=3))
    with receiver([500] * 10) as hook:
        hook.secret = SECRET
        tenant = _webhook(store, hook.url)
        _emit(store, tenant)
        _run_until(store, _settled(store, tenant), settings)
    assert [r.status for r in hook.received] == [500, 500, 500]
    with tenant_transaction(store, tenant) as tx:
        (delivery,) = list_deliveries(tx, tenant)
    assert (delivery.state, delivery.attempts) == ("dead", 3)
    assert delivery.last_error == "the receiver answered HTTP 500"


def test_410_gone_disables_the_webhook(store: Store) -> None:
    with receiver([410]) as hook:
        hook.secret = SECRET
        tenant = _webhook(store, hook.url)
        _emit(store, tenant)
        _run_until(store, _settled(store, tenant))
        _emit(store, tenant)  # after the 410: no delivery for the disabled webhook
        worker.run_worker(store, once=True, settings=FAST)
    assert [r.status for r in hook.received] == [410]
    with tenant_transaction(store, tenant) as tx:
        (webhook,) = list_webhooks(tx, tenant)
        (delivery,) = list_deliveries(tx, tenant)
    assert webhook.disabled_at is not None and webhook.disabled_reason is not None
    assert "410" in webhook.disabled_reason
    assert delivery.state == "dead"


def test_an_unreachable_receiver_is_retried(store: Store) -> None:
    with receiver() as hook:
        url = hook.url
    tenant = _webhook(store, url)  # the server is gone: connections are refused
    _emit(store, tenant)
    worker.run_worker(store, once=True, settings=SLOW_RETRY)
    with tenant_transaction(store, tenant) as tx:
        (delivery,) = list_deliveries(tx, tenant)
    assert (delivery.state, delivery.attempts, delivery.last_status) == ("pending", 1, None)
    assert delivery.last_error is not None and "Connect" in delivery.last_error
    assert delivery.next_attempt_at > datetime.now(UTC) + timedelta(seconds=20)
