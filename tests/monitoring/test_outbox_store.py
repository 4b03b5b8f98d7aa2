"""The transactional outbox: events and their deliveries are written in the producer's
transaction, one delivery per matching target of that tenant only; deliveries are leased."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from ossmeta.store import Store
from ossmeta.store.accounts import insert_tenant
from ossmeta.store.outbox import (
    add_event,
    delivery_failed,
    list_deliveries,
    list_events,
    mark_delivered,
    take_delivery,
)
from ossmeta.store.system_access import system_transaction
from ossmeta.store.tenancy import global_transaction, tenant_transaction
from ossmeta.store.webhooks import (
    disable_webhook,
    insert_email_rule,
    insert_webhook,
    list_webhooks,
    webhook_secret,
)

T0 = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
LEASE = timedelta(seconds=30)
FINDING = {"project": "shop", "version": "1.0", "purl": "pkg:pypi/jinja2@2.10", "id": "X-1"}


def _tenant(store: Store, name: str) -> int:
    with global_transaction(store) as tx:
        return insert_tenant(tx, name, T0).id


def _hook(store: Store, tenant: int, url: str, events: tuple[str, ...]) -> int:
    with tenant_transaction(store, tenant) as tx:
        return insert_webhook(
            tx, tenant_id=tenant, url=url, events=events, secret="whsec_c2VjcmV0", now=T0
        ).id


def test_an_event_gets_one_delivery_per_matching_target_of_its_tenant(store: Store) -> None:
    acme, other = _tenant(store, "acme"), _tenant(store, "other")
    both = _hook(store, acme, "http://a.example/both", ("finding.new", "finding.resolved"))
    _hook(store, acme, "http://a.example/resolved-only", ("finding.resolved",))
    gone = _hook(store, acme, "http://a.example/disabled", ("finding.new",))
    _hook(store, other, "http://b.example/other-tenant", ("finding.new",))
    with tenant_transaction(store, acme) as tx:
        disable_webhook(tx, acme, gone, now=T0, reason="test")
        mail = insert_email_rule(
            tx, tenant_id=acme, address="sec@acme.example", events=("finding.new",), now=T0
        )
        event_id = add_event(tx, tenant_id=acme, event_type="finding.new", data=FINDING, now=T0)
    assert event_id.startswith("msg_")
    with tenant_transaction(store, acme) as tx:
        rows = list_deliveries(tx, acme)
        events = list_events(tx, acme)
    assert {(row.webhook_id, row.email_id) for row in rows} == {(both, None), (None, mail.id)}
    assert {row.outbox_id for row in rows} == {event_id}
    assert all(row.state == "pending" and row.event_type == "finding.new" for row in rows)
    assert [(e.id, e.data) for e in events] == [(event_id, FINDING)]
    with tenant_transaction(store, other) as tx:
        assert list_deliveries(tx, other) == ()
        assert list_events(tx, other) == ()


def test_no_event_and_no_delivery_when_the_producing_transaction_rolls_back(
    store: Store,
) -> None:
    acme = _tenant(store, "acme")
    _hook(store, acme, "http://a.example/hook", ("finding.new",))
    with pytest.raises(RuntimeError), tenant_transaction(store, acme) as tx:
        add_event(tx, tenant_id=acme, event_type="finding.new", data=FINDING, now=T0)
        raise RuntimeError("the finding could not be stored")
    with tenant_transaction(store, acme) as tx:
        assert list_events(tx, acme) == ()
        assert list_deliveries(tx, acme) == ()
    with system_transaction(store) as tx:
        assert take_delivery(tx, "w", lease=LEASE, now=T0 + timedelta(hours=1)) is None


def test_a_delivery_is_leased_and_an_expired_lease_is_taken_again(store: Store) -> None:
    acme = _tenant(store, "acme")
    hook = _hook(store, acme, "http://a.example/hook", ("finding.new",))
    with tenant_transaction(store, acme) as tx:
        event_id = add_event(tx, tenant_id=acme, event_type="finding.new", data=FINDING, now=T0)
    with system_transaction(store) as tx:
        first = take_delivery(tx, "dead-worker", lease=LEASE, now=T0)
    assert first is not None
    assert (first.event.id, first.webhook_id, first.url, first.attempts) == (
        event_id,
        hook,
        "http://a.example/hook",
        1,
    )
    assert first.secret == "whsec_c2VjcmV0" and not first.target_disabled
    with system_transaction(store) as tx:
        assert take_delivery(tx, "w2", lease=LEASE, now=T0 + LEASE) is None
        second = take_delivery(tx, "w2", lease=LEASE, now=T0 + LEASE + timedelta(seconds=1))
    assert second is not None and (second.id, second.attempts) == (first.id, 2)
    with system_transaction(store) as tx:
        assert not mark_delivered(tx, first, status=200, now=T0 + LEASE * 2)
        assert mark_delivered(tx, second, status=204, now=T0 + LEASE * 2)
    with tenant_transaction(store, acme) as tx:
        (row,) = list_deliveries(tx, acme)
    assert (row.state, row.attempts, row.last_status) == ("delivered", 2, 204)


def test_a_failed_delivery_waits_for_its_retry_or_is_dead(store: Store) -> None:
    acme = _tenant(store, "acme")
    _hook(store, acme, "http://a.example/hook", ("finding.new",))
    with tenant_transaction(store, acme) as tx:
        add_event(tx, tenant_id=acme, event_type="finding.new", data=FINDING, now=T0)
    retry_at = T0 + timedelta(minutes=1)
    with system_transaction(store) as tx:
        due = take_delivery(tx, "w", lease=LEASE, now=T0)
        assert due is not None
        assert delivery_failed(tx, due, status=500, error="HTTP 500", retry_at=retry_at)
    with system_transaction(store) as tx:
        assert take_delivery(tx, "w", lease=LEASE, now=retry_at - timedelta(seconds=1)) is None
        again = take_delivery(tx, "w", lease=LEASE, now=retry_at)
        assert again is not None
        assert delivery_failed(tx, again, status=503, error="HTTP 503", retry_at=None)
    with system_transaction(store) as tx:
        assert take_delivery(tx, "w", lease=LEASE, now=T0 + timedelta(days=9)) is None
    with tenant_transaction(store, acme) as tx:
        (row,) = list_deliveries(tx, acme)
    assert (row.state, row.last_status, row.last_error) == ("dead", 503, "HTTP 503")


def test_a_webhook_listing_never_carries_the_secret(store: Store) -> None:
    acme = _tenant(store, "acme")
    hook = _hook(store, acme, "http://a.example/hook", ("finding.new",))
    with tenant_transaction(store, acme) as tx:
        (listed,) = list_webhooks(tx, acme)
        assert webhook_secret(tx, acme, hook) == "whsec_c2VjcmV0"
        assert webhook_secret(tx, acme + 1, hook) is None
    assert "whsec_c2VjcmV0" not in repr(listed)


def test_unknown_event_types_are_refused(store: Store) -> None:
    acme = _tenant(store, "acme")
    with (
        pytest.raises(ValueError, match="unknown event type"),
        tenant_transaction(store, acme) as tx,
    ):
        add_event(tx, tenant_id=acme, event_type="finding.maybe", data={}, now=T0)
