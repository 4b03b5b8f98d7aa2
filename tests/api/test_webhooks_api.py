"""Webhooks, e-mail recipients and deliveries over the API (real HTTP, SQLite and
PostgreSQL): the secret is shown once and signs what the worker sends, bad URLs and event
types are 422 problems, another tenant's targets are as absent as missing ones, roles and
scopes are those of the other tenant write routes, and every change is audited."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from ossmeta.service import jobs as worker
from ossmeta.service.notify_worker import DeliverySettings
from ossmeta.store.jobs import Backoff
from ossmeta.store.outbox import add_event
from ossmeta.store.tenancy import tenant_transaction
from tests.api.conftest import ApiServer
from tests.monitoring.receiver import receiver

FAST = worker.WorkerSettings(
    poll_interval_s=0.01,
    delivery=DeliverySettings(timeout_s=5.0, backoff=Backoff(base_s=60.0)),
)
FINDING = {
    "project": "shop",
    "version": "1.0",
    "purl": "pkg:pypi/jinja2@2.10",
    "id": "GHSA-462w-v97r-4m45",
    "aliases": ["CVE-2019-10906"],
    "severity": "high",
}
HOOK = {"url": "https://hooks.example.test/ossmeta", "events": ["finding.new", "finding.resolved"]}


@pytest.fixture
def admin(api: ApiServer) -> str:
    return api.account("acme", "alice", role="admin", scopes=("read", "write", "admin"))


def _problem(answer: httpx.Response, status: int) -> dict[str, Any]:
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = answer.json()
    return body


def test_a_webhook_secret_is_shown_once_and_signs_the_deliveries(
    api: ApiServer, admin: str
) -> None:
    with receiver() as hook, api.client(admin) as http:
        created = http.post("/api/v1/webhooks", json={**HOOK, "url": hook.url})
        assert created.status_code == 201, created.text
        body = created.json()
        secret = body["secret"]
        assert secret.startswith("whsec_") and len(secret) > 40
        assert body["url"] == hook.url
        assert body["events"] == ["finding.new", "finding.resolved"]
        assert body["disabled_at"] is None
        listed = http.get("/api/v1/webhooks")
        one = http.get(f"/api/v1/webhooks/{body['id']}")
        audit = http.get("/api/v1/audit")
        for later in (listed, one, audit):
            assert later.status_code == 200
            assert secret not in later.text and "secret" not in later.text
        assert [item["id"] for item in listed.json()["items"]] == [body["id"]]
        assert one.json() == {key: value for key, value in body.items() if key != "secret"}
        (entry,) = [e for e in audit.json()["items"] if e["action"] == "webhook.create"]
        assert entry["target"] == f"webhook:{body['id']}"
        assert entry["actor"].endswith(":alice")
        # The secret given out is the one the worker signs with: a receiver that holds it
        # verifies the delivery, and the delivery is then listed as delivered.
        hook.secret = secret
        tenant = api.tenant("acme").id
        with tenant_transaction(api.store, tenant) as tx:
            event_id = add_event(tx, tenant_id=tenant, event_type="finding.new", data=FINDING)
        worker.run_worker(api.store, once=True, settings=FAST)
        assert [(r.verified, r.webhook_id, r.status) for r in hook.received] == [
            (True, event_id, 200)
        ]
        (delivery,) = http.get("/api/v1/deliveries").json()["items"]
    assert delivery["event_id"] == event_id
    assert delivery["webhook_id"] == body["id"]
    assert (delivery["state"], delivery["attempts"], delivery["last_status"]) == (
        "delivered",
        1,
        200,
    )


@pytest.mark.parametrize(
    "url",
    [
        "ftp://hooks.example.test/x",
        "file:///etc/passwd",
        "hooks.example.test/x",
        "https://",
        "http://user:pw@hooks.example.test/x",
        "https://hooks.example.test:99999/x",
        "https://hooks.example.test/a b",
        "",
    ],
)
def test_a_url_that_is_not_http_or_https_is_a_422(api: ApiServer, admin: str, url: str) -> None:
    with api.client(admin) as http:
        problem = _problem(http.post("/api/v1/webhooks", json={**HOOK, "url": url}), 422)
        assert problem["errors"][0]["location"][-1] == "url"
        assert problem["detail"].startswith("body.url: ")
        assert "URL" in problem["detail"] or not url
        assert http.get("/api/v1/webhooks").json()["items"] == []


@pytest.mark.parametrize("events", [["finding.new", "package.new"], [], ["FINDING.NEW"]])
def test_an_unknown_or_missing_event_type_is_a_422(
    api: ApiServer, admin: str, events: list[str]
) -> None:
    with api.client(admin) as http:
        problem = _problem(http.post("/api/v1/webhooks", json={**HOOK, "events": events}), 422)
        assert "events" in problem["errors"][0]["location"]
        recipient = {"address": "sec@example.test", "events": events}
        _problem(http.post("/api/v1/email-recipients", json=recipient), 422)


def test_another_tenants_webhook_is_as_absent_as_a_missing_one(api: ApiServer, admin: str) -> None:
    other = api.account("globex", "bob", role="admin", scopes=("read", "write", "admin"))
    with api.client(admin) as http:
        hook_id = http.post("/api/v1/webhooks", json=HOOK).json()["id"]
        rule_id = http.post(
            "/api/v1/email-recipients", json={"address": "sec@acme.test", "events": ["finding.new"]}
        ).json()["id"]
    with api.client(other) as http:
        assert http.get("/api/v1/webhooks").json() == {"items": [], "next": None}
        assert http.get("/api/v1/email-recipients").json() == {"items": [], "next": None}
        for kind, theirs in (("webhooks", hook_id), ("email-recipients", rule_id)):
            missing = theirs + 10_000
            for method in ("GET", "DELETE"):
                found = _problem(http.request(method, f"/api/v1/{kind}/{theirs}"), 404)
                absent = _problem(http.request(method, f"/api/v1/{kind}/{missing}"), 404)
                # Word for word the same answer, but for the id asked for.
                assert found["detail"].replace(str(theirs), "N") == absent["detail"].replace(
                    str(missing), "N"
                )
                assert found["title"] == absent["title"]
        assert http.get("/api/v1/deliveries").json()["items"] == []
    with api.client(admin) as http:  # untouched by the other tenant's DELETE
        assert http.get(f"/api/v1/webhooks/{hook_id}").json()["disabled_at"] is None
        assert http.get(f"/api/v1/email-recipients/{rule_id}").json()["disabled_at"] is None


def test_viewers_and_read_tokens_cannot_change_targets(api: ApiServer, admin: str) -> None:
    viewer = api.account("acme", "vera", role="viewer", scopes=("read",))
    reader = api.account("acme", "rita", role="member", scopes=("read",))
    member = api.account("acme", "mark", role="member", scopes=("read", "write"))
    with api.client(admin) as http:
        hook_id = http.post("/api/v1/webhooks", json=HOOK).json()["id"]
    for token in (viewer, reader):
        with api.client(token) as http:
            _problem(http.post("/api/v1/webhooks", json=HOOK), 403)
            _problem(http.delete(f"/api/v1/webhooks/{hook_id}"), 403)
            assert http.get(f"/api/v1/webhooks/{hook_id}").status_code == 200
    with api.client(member) as http:
        assert http.post("/api/v1/webhooks", json=HOOK).status_code == 201
        assert http.delete(f"/api/v1/webhooks/{hook_id}").status_code == 204


def test_a_deleted_webhook_stays_listed_as_disabled_and_gets_nothing(
    api: ApiServer, admin: str
) -> None:
    with api.client(admin) as http:
        hook_id = http.post("/api/v1/webhooks", json=HOOK).json()["id"]
        assert http.delete(f"/api/v1/webhooks/{hook_id}").status_code == 204
        shown = http.get(f"/api/v1/webhooks/{hook_id}").json()
        assert shown["disabled_at"] is not None
        me = http.get("/api/v1/me").json()
        assert shown["disabled_reason"] == f"deleted by token:{me['token_id']}:alice"
        _problem(http.delete(f"/api/v1/webhooks/{hook_id}"), 404)
        actions = [e["action"] for e in http.get("/api/v1/audit").json()["items"]]
        assert actions[-2:] == ["webhook.create", "webhook.delete"]
    tenant = api.tenant("acme").id
    with tenant_transaction(api.store, tenant) as tx:
        add_event(tx, tenant_id=tenant, event_type="finding.new", data=FINDING)
    with api.client(admin) as http:
        assert http.get("/api/v1/deliveries").json()["items"] == []


def test_lists_are_cursor_paginated(api: ApiServer, admin: str) -> None:
    with api.client(admin) as http:
        made = [
            http.post("/api/v1/webhooks", json={**HOOK, "url": f"https://h{i}.test/"}).json()["id"]
            for i in range(3)
        ]
        first = http.get("/api/v1/webhooks", params={"limit": 2}).json()
        second = http.get("/api/v1/webhooks", params={"limit": 2, "cursor": first["next"]}).json()
        assert [h["id"] for h in first["items"] + second["items"]] == made
        assert second["next"] is None
        _problem(http.get("/api/v1/webhooks", params={"cursor": "%%%"}), 400)
        tenant = api.tenant("acme").id
        with tenant_transaction(api.store, tenant) as tx:
            events = [
                add_event(tx, tenant_id=tenant, event_type="finding.new", data=FINDING)
                for _ in range(2)
            ]
        # Two events to three webhooks: six deliveries, newest first, over three pages.
        seen: list[dict[str, Any]] = []
        cursor = None
        for _ in range(3):
            params: dict[str, Any] = {"limit": 2} | ({"cursor": cursor} if cursor else {})
            page = http.get("/api/v1/deliveries", params=params).json()
            seen += page["items"]
            cursor = page["next"]
        assert cursor is None
        ids = [d["id"] for d in seen]
        assert ids == sorted(ids, reverse=True) and len(set(ids)) == 6
        assert [d["event_id"] for d in seen] == [events[1]] * 3 + [events[0]] * 3
        only = http.get("/api/v1/deliveries", params={"webhook": made[0]}).json()["items"]
        assert {d["webhook_id"] for d in only} == {made[0]} and len(only) == 2
        assert http.get("/api/v1/deliveries", params={"state": "dead"}).json()["items"] == []
        _problem(http.get("/api/v1/deliveries", params={"state": "lost"}), 422)


@pytest.mark.parametrize("address", ["not-an-address", "a@b", "a b@example.test", "<x@y.test>"])
def test_an_email_recipient_needs_an_address(api: ApiServer, admin: str, address: str) -> None:
    with api.client(admin) as http:
        body = {"address": address, "events": ["finding.new"]}
        problem = _problem(http.post("/api/v1/email-recipients", json=body), 422)
        assert problem["errors"][0]["location"][-1] == "address"


def test_email_recipients_are_created_listed_and_deleted(api: ApiServer, admin: str) -> None:
    with api.client(admin) as http:
        body = {"address": "security@acme.test", "events": ["finding.new", "finding.changed"]}
        created = http.post("/api/v1/email-recipients", json=body)
        assert created.status_code == 201, created.text
        rule = created.json()
        assert (rule["address"], rule["events"]) == (body["address"], sorted(body["events"]))
        listed = http.get("/api/v1/email-recipients").json()
        assert listed == {"items": [rule], "next": None}
        assert http.delete(f"/api/v1/email-recipients/{rule['id']}").status_code == 204
        assert http.get(f"/api/v1/email-recipients/{rule['id']}").json()["disabled_at"]
        _problem(http.delete(f"/api/v1/email-recipients/{rule['id']}"), 404)
        actions = [e["action"] for e in http.get("/api/v1/audit").json()["items"]]
        assert actions[-2:] == ["email_recipient.create", "email_recipient.delete"]
