"""A private advisory import queues a re-evaluation of its tenant only, in the import's
transaction; the worker turns it into findings and finding.* events of that tenant alone.
Deleting the record resolves them; registering a private package of a name public
advisories affect resolves those."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from ossmeta.errors import OssmetaError
from ossmeta.service import inventories, private
from ossmeta.service.accounts import Actor, create_tenant
from ossmeta.service.jobs import run_worker
from ossmeta.sources import osv
from ossmeta.store import Store
from ossmeta.store.jobs import Job, list_jobs
from ossmeta.store.outbox import list_events
from ossmeta.store.tenancy import global_transaction, tenant_transaction
from tests.service.inventories_data import REQUIREMENTS, load_advisories

ACTOR = Actor("cli:test")


def _record() -> dict[str, Any]:
    return {
        "id": "ACME-1",
        "modified": "2026-11-01T00:00:00Z",
        "affected": [
            {
                "package": {"ecosystem": "PyPI", "name": "click"},
                "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "9"}]}],
            }
        ],
    }


@pytest.fixture
def tenants(store: Store, tmp_path: Path) -> tuple[int, int]:
    """acme and globex each hold jinja2, requests and click in shop 1.0."""
    load_advisories(store, tmp_path)
    ids = []
    for name in ("acme", "globex"):
        tenant = create_tenant(store, name, ACTOR).id
        inventories.create_project(store, tenant, "shop", ACTOR)
        inventories.upload(store, tenant, "shop", "1.0", "requirements.txt", REQUIREMENTS, ACTOR)
        ids.append(tenant)
    return ids[0], ids[1]


def _jobs(store: Store) -> list[Job]:
    with global_transaction(store) as tx:
        return list(reversed(list_jobs(tx, kind="reevaluate")))


def _events(store: Store, tenant_id: int) -> list[tuple[str, str, str]]:
    with tenant_transaction(store, tenant_id) as tx:
        return [(e.event_type, e.data["purl"], e.data["id"]) for e in list_events(tx, tenant_id)]


def _finding_ids(store: Store, tenant_id: int, package: str) -> list[str]:
    report = inventories.findings_report(store, tenant_id, "shop", "1.0")
    return [f.id for cr in report.components if cr.component.name == package for f in cr.findings]


def test_a_private_import_re_evaluates_its_tenant_only(
    store: Store, tenants: tuple[int, int]
) -> None:
    acme, globex = tenants
    problems: list[OssmetaError] = []
    records = osv.records_from_json(_record(), "test", None, problems)
    stats = private.import_advisories(store, acme, records, ACTOR, problems)
    [job] = _jobs(store)
    assert stats.reevaluation == job.id
    assert job.payload == {"packages": [["PyPI", "click"]], "tenant": acme}
    run_worker(store, once=True)
    assert {j.state for j in _jobs(store)} == {"done"}
    assert _events(store, acme) == [("finding.new", "pkg:pypi/click@8.1.7", "ACME-1")]
    assert _events(store, globex) == []
    assert _finding_ids(store, acme, "click") == ["ACME-1"]
    assert _finding_ids(store, globex, "click") == []
    # The same import again queues nothing; deleting the record resolves the finding.
    again = private.import_advisories(
        store, acme, osv.records_from_json(_record(), "test"), ACTOR, []
    )
    assert again.reevaluation is None and len(_jobs(store)) == 1
    private.delete_advisory(store, acme, "ACME-1", ACTOR)
    run_worker(store, once=True)
    assert _events(store, acme)[-1] == ("finding.resolved", "pkg:pypi/click@8.1.7", "ACME-1")
    assert _finding_ids(store, acme, "click") == []
    assert _events(store, globex) == []


def test_a_private_package_resolves_public_findings_of_its_name(
    store: Store, tenants: tuple[int, int]
) -> None:
    acme, globex = tenants
    assert "PYSEC-2018-28" in _finding_ids(store, acme, "requests")
    private.register_package(store, acme, "pkg:pypi/requests", ACTOR)
    [job] = _jobs(store)
    assert job.payload == {"packages": [["PyPI", "requests"]], "tenant": acme}
    run_worker(store, once=True)
    assert _finding_ids(store, acme, "requests") == []
    assert ("finding.resolved", "pkg:pypi/requests@2.19.0") in {e[:2] for e in _events(store, acme)}
    assert "PYSEC-2018-28" in _finding_ids(store, globex, "requests")
    assert _events(store, globex) == []
