"""Incremental re-evaluation: an advisory import re-evaluates the stored components of the
packages it names, in every tenant, and what changed becomes exactly one outbox event per
finding, written with the finding; nothing else is touched, and a second run says nothing."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select, update

from ossmeta.service import inventories
from ossmeta.service.accounts import Actor, create_tenant
from ossmeta.service.jobs import run_worker
from ossmeta.service.reevaluate import Reevaluated, reevaluate
from ossmeta.store import Store
from ossmeta.store.jobs import list_jobs
from ossmeta.store.outbox import OutboxEvent, list_deliveries, list_events
from ossmeta.store.schema import findings, jobs
from ossmeta.store.tenancy import global_transaction, tenant_transaction
from ossmeta.store.webhooks import insert_webhook
from ossmeta.surfaces.cli.app import main
from tests.service.inventories_data import (
    JINJA,
    JINJA_ALIASES,
    REQUIREMENTS,
    import_records,
    jinja_record,
    load_advisories,
)

ACTOR = Actor("cli:test")
CLICK = "GHSA-test-click-0001"
LOW = "CVSS:3.0/AV:L/AC:H/PR:H/UI:R/S:U/C:L/I:N/A:N"


def click_record(**extra: Any) -> dict[str, Any]:
    record: dict[str, Any] = {
        "id": CLICK,
        "modified": "2025-01-01T00:00:00Z",
        "aliases": ["CVE-2099-0001"],
        "summary": "click does something bad",
        "affected": [
            {
                "package": {"ecosystem": "PyPI", "name": "click"},
                "ranges": [
                    {"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "8.1.8"}]}
                ],
            }
        ],
        "severity": [{"type": "CVSS_V3", "score": "CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}],
    }
    record.update(extra)
    return record


@pytest.fixture
def tenants(store: Store, tmp_path: Path) -> tuple[int, int]:
    """Two tenants: acme holds jinja2, requests and click in shop 1.0; globex holds
    click only, in its project web 2.0."""
    load_advisories(store, tmp_path)
    acme = create_tenant(store, "acme", ACTOR).id
    globex = create_tenant(store, "globex", ACTOR).id
    inventories.create_project(store, acme, "shop", ACTOR)
    inventories.upload(store, acme, "shop", "1.0", "requirements.txt", REQUIREMENTS, ACTOR)
    inventories.create_project(store, globex, "web", ACTOR)
    inventories.upload(store, globex, "web", "2.0", "requirements.txt", b"click==8.0.0\n", ACTOR)
    return acme, globex


def _events(store: Store, tenant_id: int) -> list[OutboxEvent]:
    with tenant_transaction(store, tenant_id) as tx:
        return list(list_events(tx, tenant_id))


def _summary(event: OutboxEvent) -> tuple[str, str, str]:
    return event.event_type, event.data["purl"], event.data["id"]


def _findings(store: Store, tenant_id: int, project: str, version: str) -> dict[str, list[Any]]:
    report = inventories.findings_report(store, tenant_id, project, version)
    return {
        cr.component.name: [(f.id, f.severity.level.label, f.fixed) for f in cr.findings]
        for cr in report.components
        if cr.findings
    }


def _import(store: Store, tmp_path: Path, name: str, *records: dict[str, Any]) -> None:
    import_records(store, tmp_path / name, *records)


CORE = ("project", "version", "purl", "id", "aliases", "severity")


def test_a_new_advisory_gives_one_new_finding_per_component(
    store: Store, tenants: tuple[int, int], tmp_path: Path
) -> None:
    acme, globex = tenants
    _import(store, tmp_path, "click", click_record())
    done = reevaluate(store, [("PyPI", "click")])
    assert done == Reevaluated(tenants=2, components=2, new=2, changed=0, resolved=0)
    [event] = _events(store, acme)
    assert event.event_type == "finding.new"
    assert {k: event.data[k] for k in CORE} == {
        "project": "shop",
        "version": "1.0",
        "purl": "pkg:pypi/click@8.1.7",
        "id": CLICK,
        "aliases": ["CVE-2099-0001"],
        "severity": "critical",
    }
    assert event.data["fixed"] == ["8.1.8"]
    [other] = _events(store, globex)
    assert (other.data["project"], other.data["purl"]) == ("web", "pkg:pypi/click@8.0.0")
    # The finding is stored with its notification, and shows in the version's findings.
    assert _findings(store, acme, "shop", "1.0")["click"] == [(CLICK, "critical", ("8.1.8",))]
    report = inventories.findings_report(store, acme, "shop", "1.0")
    click = next(cr for cr in report.components if cr.component.name == "click")
    assert click.upgrade == "8.1.8"
    # Running it again finds nothing to say.
    assert reevaluate(store, [("PyPI", "click")]).events == 0
    assert reevaluate(store, None).events == 0
    assert len(_events(store, acme)) == 1


def test_changed_severity_and_fixed_versions_notify_changed(
    store: Store, tenants: tuple[int, int], tmp_path: Path
) -> None:
    acme, _ = tenants
    assert _findings(store, acme, "shop", "1.0")["jinja2"][0][:2] == (JINJA, "high")
    lower = jinja_record(modified="2025-06-01T00:00:00Z")
    lower["severity"] = [{"type": "CVSS_V3", "score": LOW}]
    _import(store, tmp_path, "lower", lower)
    assert reevaluate(store, [("PyPI", "Jinja2")]).changed == 1
    [event] = _events(store, acme)
    assert event.event_type == "finding.changed"
    assert (event.data["id"], event.data["severity"], event.data["aliases"]) == (
        JINJA,
        "low",
        list(JINJA_ALIASES),
    )
    assert event.data["previous"]["severity"] == "high"
    assert _findings(store, acme, "shop", "1.0")["jinja2"][0][:2] == (JINJA, "low")
    moved = jinja_record(fixed="2.10.2", modified="2025-07-01T00:00:00Z")
    moved["severity"] = [{"type": "CVSS_V3", "score": LOW}]
    _import(store, tmp_path, "moved", moved)
    assert reevaluate(store, [("PyPI", "jinja2")]).changed == 1
    last = _events(store, acme)[-1]
    assert (last.event_type, last.data["fixed"], last.data["previous"]["fixed"]) == (
        "finding.changed",
        ["2.10.2"],
        ["2.10.1"],
    )
    assert reevaluate(store, [("PyPI", "jinja2")]).events == 0


def test_a_withdrawn_advisory_resolves_the_finding(
    store: Store, tenants: tuple[int, int], tmp_path: Path
) -> None:
    acme, globex = tenants
    withdrawn = jinja_record(modified="2025-06-01T00:00:00Z")
    withdrawn["withdrawn"] = "2025-06-01T00:00:00Z"
    _import(store, tmp_path, "withdrawn", withdrawn)
    assert reevaluate(store, [("PyPI", "jinja2")]) == Reevaluated(2, 1, 0, 0, 1)
    [event] = _events(store, acme)
    assert _summary(event) == ("finding.resolved", "pkg:pypi/jinja2@2.10", JINJA)
    assert event.data["severity"] == "high"  # as it was
    assert "jinja2" not in _findings(store, acme, "shop", "1.0")
    assert _events(store, globex) == []
    assert reevaluate(store, None).events == 0


def test_only_the_named_packages_are_re_evaluated(
    store: Store, tenants: tuple[int, int], tmp_path: Path
) -> None:
    acme, _ = tenants
    # A stored finding of requests made stale behind the store's back: a re-evaluation
    # of click must leave it as it is; a full one puts it right, silently (no severity or
    # fix changed).
    with tenant_transaction(store, acme) as tx:
        tx.execute(update(findings).where(findings.c.tenant_id == acme).values(summary="stale"))
    _import(store, tmp_path, "click", click_record())
    reevaluate(store, [("PyPI", "click")])
    with tenant_transaction(store, acme) as tx:
        stale = tx.execute(
            select(func.count()).select_from(findings).where(findings.c.summary == "stale")
        ).scalar_one()
    assert stale == 2  # jinja2's and requests'
    assert [e.data["purl"] for e in _events(store, acme)] == ["pkg:pypi/click@8.1.7"]
    assert reevaluate(store, None).events == 0
    with tenant_transaction(store, acme) as tx:
        left = tx.execute(
            select(func.count()).select_from(findings).where(findings.c.summary == "stale")
        ).scalar_one()
    assert left == 0


def test_a_tenant_restricted_run_touches_that_tenant_only(
    store: Store, tenants: tuple[int, int], tmp_path: Path
) -> None:
    acme, globex = tenants
    _import(store, tmp_path, "click", click_record())
    assert reevaluate(store, [("PyPI", "click")], tenant_id=globex).new == 1
    assert _events(store, acme) == []
    assert [e.data["project"] for e in _events(store, globex)] == ["web"]
    # acme's turn comes with the next run; globex has nothing new.
    assert reevaluate(store, [("PyPI", "click")]) == Reevaluated(2, 2, 1, 0, 0)
    assert len(_events(store, globex)) == 1


def test_events_come_with_deliveries_to_subscribed_webhooks(
    store: Store, tenants: tuple[int, int], tmp_path: Path
) -> None:
    acme, _ = tenants
    with tenant_transaction(store, acme) as tx:
        for path, kind, secret in (("new", "finding.new", "A"), ("gone", "finding.resolved", "B")):
            insert_webhook(
                tx,
                tenant_id=acme,
                url=f"http://127.0.0.1:9/{path}",
                events=(kind,),
                secret="whsec_" + secret * 32,
                now=datetime.now(UTC),
            )
    _import(store, tmp_path, "click", click_record())
    reevaluate(store, [("PyPI", "click")])
    with tenant_transaction(store, acme) as tx:
        sent = list_deliveries(tx, acme)
    [event] = _events(store, acme)
    assert [(d.outbox_id, d.event_type, d.state) for d in sent] == [
        (event.id, "finding.new", "pending")
    ]


def test_the_cli_import_queues_a_job_the_worker_turns_into_events(
    store: Store, store_url: str, tenants: tuple[int, int], tmp_path: Path
) -> None:
    acme, globex = tenants
    with global_transaction(store) as tx:
        before = len(list_jobs(tx, kind="reevaluate"))
    folder = tmp_path / "cli-osv"
    folder.mkdir()
    (folder / "click.json").write_text(json.dumps(click_record()), encoding="utf-8")
    assert main(["advisories", "import", str(folder), "--db", store_url]) == 0
    with global_transaction(store) as tx:
        queued = list_jobs(tx, kind="reevaluate")
    assert len(queued) == before + 1
    assert queued[0].payload == {"packages": [["PyPI", "click"]]}
    assert _events(store, acme) == []  # nothing before the worker ran it
    run_worker(store, once=True)
    with global_transaction(store) as tx:
        states = {job.state for job in list_jobs(tx, kind="reevaluate")}
    assert states == {"done"}
    assert [_summary(e) for e in _events(store, acme)] == [
        ("finding.new", "pkg:pypi/click@8.1.7", CLICK)
    ]
    assert [_summary(e) for e in _events(store, globex)] == [
        ("finding.new", "pkg:pypi/click@8.0.0", CLICK)
    ]
    # The same import again changes nothing and queues nothing.
    assert main(["advisories", "import", str(folder), "--db", store_url]) == 0
    with global_transaction(store) as tx:
        assert len(list_jobs(tx, kind="reevaluate")) == before + 1


def test_an_import_without_tenants_queues_nothing(store: Store, tmp_path: Path) -> None:
    load_advisories(store, tmp_path)
    _import(store, tmp_path, "click", click_record())
    with global_transaction(store) as tx:
        assert tx.execute(select(func.count()).select_from(jobs)).scalar_one() == 0
    assert reevaluate(store, [("PyPI", "click")]) == Reevaluated()
