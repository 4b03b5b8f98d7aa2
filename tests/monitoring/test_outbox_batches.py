"""Deliveries taken and answered in batches: one statement leases a batch (disjoint batches
for concurrent workers on PostgreSQL), one transaction records its answers, and what was
not attempted is given back uncounted."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from ossmeta.store import Store, open_store
from ossmeta.store.accounts import insert_tenant
from ossmeta.store.outbox import list_deliveries, take_deliveries
from ossmeta.store.outbox_many import Outcome, add_events, record_outcomes, release_deliveries
from ossmeta.store.system_access import system_transaction
from ossmeta.store.tenancy import global_transaction, tenant_transaction
from ossmeta.store.webhooks import insert_email_rule, insert_webhook

T0 = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
LEASE = timedelta(seconds=30)


def _tenant_with_events(store: Store, count: int, *, email: bool = False) -> int:
    with global_transaction(store) as tx:
        tenant = insert_tenant(tx, "acme", T0).id
    with tenant_transaction(store, tenant) as tx:
        insert_webhook(
            tx,
            tenant_id=tenant,
            url="http://a.example/hook",
            events=("finding.new",),
            secret="whsec_c2VjcmV0",
            now=T0,
        )
        if email:
            insert_email_rule(
                tx, tenant_id=tenant, address="sec@acme.example", events=("finding.new",), now=T0
            )
        events = [("finding.new", {"id": f"X-{n}"}) for n in range(count)]
        add_events(tx, tenant, events, now=T0)
    return tenant


def test_a_batch_is_leased_in_one_statement_with_its_events_and_targets(store: Store) -> None:
    _tenant_with_events(store, 3, email=True)
    with system_transaction(store) as tx:
        batch = take_deliveries(tx, "w", lease=LEASE, now=T0, limit=4)
        rest = take_deliveries(tx, "w2", lease=LEASE, now=T0, limit=4)
    assert len(batch) == 4 and len(rest) == 2
    assert [d.id for d in batch] == sorted(d.id for d in batch)  # sent in the order written
    assert not {d.id for d in batch} & {d.id for d in rest}
    assert all(d.attempts == 1 and d.worker_id == "w" for d in batch)
    for due in (*batch, *rest):
        assert due.event.data["id"].startswith("X-")
        if due.webhook_id is not None:
            assert (due.url, due.secret, due.address) == (
                "http://a.example/hook",
                "whsec_c2VjcmV0",
                None,
            )
        else:
            assert (due.url, due.address) == (None, "sec@acme.example")
    with system_transaction(store) as tx:  # all leased: nothing is due until the lease ends
        assert take_deliveries(tx, "w3", lease=LEASE, now=T0 + LEASE, limit=10) == ()
        again = take_deliveries(tx, "w3", lease=LEASE, now=T0 + LEASE * 2, limit=10)
    assert len(again) == 6 and all(d.attempts == 2 for d in again)


def test_a_batch_s_answers_are_recorded_together(store: Store) -> None:
    tenant = _tenant_with_events(store, 4)
    with system_transaction(store) as tx:
        batch = take_deliveries(tx, "w", lease=LEASE, now=T0, limit=10)
    with system_transaction(store) as tx:  # the leases expired; another worker took one
        (taken_over,) = take_deliveries(tx, "w2", lease=LEASE, now=T0 + LEASE * 2, limit=1)
    a = next(due for due in batch if due.id == taken_over.id)
    b, c, d = (due for due in batch if due is not a)
    retry = T0 + timedelta(minutes=5)
    outcomes = [
        Outcome(a, True, 200),
        Outcome(b, True, 204),
        Outcome(c, False, 500, "the receiver answered HTTP 500", retry),
        Outcome(d, False, 410, "the receiver answered 410 Gone", None),
    ]
    with system_transaction(store) as tx:
        kept = record_outcomes(tx, "w", outcomes, now=T0 + LEASE * 2)
    assert kept == {b.id, c.id, d.id}  # a is the other worker's now: its answer stands
    with tenant_transaction(store, tenant) as tx:
        rows = {row.id: row for row in list_deliveries(tx, tenant)}
    assert (rows[a.id].state, rows[a.id].attempts) == ("pending", 2)
    assert (rows[b.id].state, rows[b.id].last_status) == ("delivered", 204)
    assert rows[b.id].delivered_at is not None
    assert (rows[c.id].state, rows[c.id].next_attempt_at, rows[c.id].last_status) == (
        "pending",
        retry,
        500,
    )
    assert (rows[d.id].state, rows[d.id].last_error) == ("dead", "the receiver answered 410 Gone")


def test_deliveries_given_back_are_due_at_once_with_their_attempt_uncounted(
    store: Store,
) -> None:
    tenant = _tenant_with_events(store, 3)
    with system_transaction(store) as tx:
        batch = take_deliveries(tx, "w", lease=LEASE, now=T0, limit=10)
    with system_transaction(store) as tx:
        assert release_deliveries(tx, "w", [d.id for d in batch[1:]]) == 2
        assert release_deliveries(tx, "other", [batch[0].id]) == 0  # not its to give
        again = take_deliveries(tx, "w2", lease=LEASE, now=T0, limit=10)
    assert {d.id for d in again} == {d.id for d in batch[1:]}
    assert all(d.attempts == 1 for d in again)
    with tenant_transaction(store, tenant) as tx:
        assert all(row.state == "pending" for row in list_deliveries(tx, tenant))


@pytest.fixture
def pg_store(pg_url: str) -> Iterator[Store]:
    opened = open_store(pg_url)
    opened.upgrade()
    yield opened
    opened.dispose()


def test_concurrent_workers_take_disjoint_batches_on_postgresql(pg_store: Store) -> None:
    """SKIP LOCKED: a second worker whose claim runs while the first one's is uncommitted
    takes other deliveries instead of waiting or taking the same ones."""
    _tenant_with_events(pg_store, 6)
    with system_transaction(pg_store) as first:
        one = take_deliveries(first, "w1", lease=LEASE, now=T0, limit=4)
        with system_transaction(pg_store) as second:
            two = take_deliveries(second, "w2", lease=LEASE, now=T0, limit=4)
    assert len(one) == 4 and len(two) == 2
    assert not {d.id for d in one} & {d.id for d in two}
