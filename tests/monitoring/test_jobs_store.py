"""The jobs table: enqueue in the caller's transaction, leases, retries with backoff,
expired leases taken again, and concurrent workers never sharing a job."""

from __future__ import annotations

import random
import threading
from datetime import UTC, datetime, timedelta

import pytest

from ossmeta.store import Store
from ossmeta.store.jobs import (
    Backoff,
    count_jobs,
    enqueue,
    fail,
    finish,
    list_jobs,
    load_job,
    take,
)
from ossmeta.store.system_access import system_transaction
from ossmeta.store.tenancy import global_transaction

T0 = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
LEASE = timedelta(seconds=30)
NO_JITTER = Backoff(base_s=10.0, cap_s=60.0, jitter=0.0)


def _take(store: Store, worker: str, now: datetime) -> object:
    with system_transaction(store) as tx:
        return take(tx, worker, lease=LEASE, now=now)


def test_a_job_is_leased_to_one_worker_then_done(store: Store) -> None:
    with global_transaction(store) as tx:
        job_id = enqueue(tx, "reevaluate", {"packages": [["PyPI", "jinja2"]]}, now=T0)
    with system_transaction(store) as tx:
        job = take(tx, "w1", lease=LEASE, now=T0)
    assert job is not None
    assert (job.id, job.kind, job.attempts, job.worker_id) == (job_id, "reevaluate", 1, "w1")
    assert job.payload == {"packages": [["PyPI", "jinja2"]]}
    assert job.lease_until == T0 + LEASE
    assert _take(store, "w2", T0 + timedelta(seconds=1)) is None  # leased
    with system_transaction(store) as tx:
        assert finish(tx, job.id, "w1", now=T0 + timedelta(seconds=2))
    with system_transaction(store) as tx:
        done = load_job(tx, job_id)
    assert done is not None
    assert (done.state, done.finished_at, done.lease_until) == (
        "done",
        T0 + timedelta(seconds=2),
        None,
    )
    assert _take(store, "w2", T0 + timedelta(hours=1)) is None  # done jobs are never taken


def test_a_job_is_not_taken_before_its_time(store: Store) -> None:
    with global_transaction(store) as tx:
        enqueue(tx, "later", {}, run_after=T0 + timedelta(minutes=5), now=T0)
    assert _take(store, "w", T0 + timedelta(minutes=4)) is None
    assert _take(store, "w", T0 + timedelta(minutes=5)) is not None


def test_a_rolled_back_enqueue_leaves_no_job(store: Store) -> None:
    with pytest.raises(RuntimeError), global_transaction(store) as tx:
        enqueue(tx, "reevaluate", {}, now=T0)
        raise RuntimeError("the producing change failed")
    with global_transaction(store) as tx:
        assert list_jobs(tx) == ()


def test_failures_back_off_exponentially_then_the_job_fails(store: Store) -> None:
    with global_transaction(store) as tx:
        job_id = enqueue(tx, "flaky", {}, max_attempts=3, now=T0)
    now = T0
    waits = []
    for attempt in (1, 2):
        with system_transaction(store) as tx:
            job = take(tx, "w", lease=LEASE, now=now)
            assert job is not None and job.attempts == attempt
            assert fail(tx, job, f"boom {attempt}", now=now, backoff=NO_JITTER) == "queued"
        with global_transaction(store) as tx:
            queued = load_job(tx, job_id)
        assert queued is not None and queued.last_error == f"boom {attempt}"
        waits.append(queued.run_after - now)
        assert _take(store, "w", queued.run_after - timedelta(seconds=1)) is None
        now = queued.run_after
    assert waits == [timedelta(seconds=10), timedelta(seconds=20)]
    with system_transaction(store) as tx:
        job = take(tx, "w", lease=LEASE, now=now)
        assert job is not None and job.attempts == 3
        assert fail(tx, job, "boom 3", now=now, backoff=NO_JITTER) == "failed"
    with global_transaction(store) as tx:
        failed = load_job(tx, job_id)
        assert count_jobs(tx, "failed") == 1
    assert failed is not None and (failed.state, failed.last_error) == ("failed", "boom 3")
    assert _take(store, "w", now + timedelta(days=1)) is None


def test_backoff_doubles_up_to_its_cap_and_jitter_only_shortens() -> None:
    plain = Backoff(base_s=5.0, cap_s=60.0, jitter=0.0)
    assert [plain.delay(n).total_seconds() for n in range(1, 7)] == [5, 10, 20, 40, 60, 60]
    jittered = Backoff(base_s=5.0, cap_s=60.0, jitter=0.5)
    rng = random.Random(7)
    delays = [jittered.delay(4, rng).total_seconds() for _ in range(200)]
    assert all(20.0 <= delay <= 40.0 for delay in delays)
    assert len(set(delays)) > 100  # spread out, not one value


def test_an_expired_lease_is_taken_again_and_the_late_worker_loses(store: Store) -> None:
    with global_transaction(store) as tx:
        job_id = enqueue(tx, "slow", {}, now=T0)
    first = _take(store, "dead-worker", T0)
    assert first is not None
    assert _take(store, "w2", T0 + LEASE) is None  # the lease still holds at its last instant
    with system_transaction(store) as tx:
        second = take(tx, "w2", lease=LEASE, now=T0 + LEASE + timedelta(seconds=1))
    assert second is not None and (second.id, second.attempts) == (job_id, 2)
    with system_transaction(store) as tx:
        assert not finish(tx, job_id, "dead-worker", now=T0 + LEASE * 2)
        assert finish(tx, job_id, "w2", now=T0 + LEASE * 2)


def test_a_job_whose_last_attempt_died_with_its_worker_fails(store: Store) -> None:
    with global_transaction(store) as tx:
        job_id = enqueue(tx, "poison", {}, max_attempts=1, now=T0)
    assert _take(store, "w1", T0) is not None
    assert _take(store, "w2", T0 + LEASE * 2) is None
    with global_transaction(store) as tx:
        job = load_job(tx, job_id)
    assert job is not None and job.state == "failed"
    assert job.last_error is not None and "lease expired" in job.last_error


def test_concurrent_workers_never_take_the_same_job(store: Store) -> None:
    jobs_count, workers = 60, 4
    with global_transaction(store) as tx:
        for number in range(jobs_count):
            enqueue(tx, "count", {"n": number}, now=T0)
    taken: dict[str, list[int]] = {f"w{n}": [] for n in range(workers)}
    start = threading.Barrier(workers)

    def work(name: str) -> None:
        start.wait()
        while True:
            with system_transaction(store) as tx:
                job = take(tx, name, lease=LEASE, now=T0 + timedelta(seconds=1))
            if job is None:
                return
            taken[name].append(job.id)

    threads = [threading.Thread(target=work, args=(name,)) for name in taken]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    every = [job_id for ids in taken.values() for job_id in ids]
    assert sorted(every) == sorted(set(every))
    assert len(every) == jobs_count
