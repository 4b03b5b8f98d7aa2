"""An advisory import that links or splits alias groups re-evaluates the packages of every
record in the old and the new groups, not only the packages of the records it imported:
their findings' alias groups changed. So does a tenant's private record whose aliases
join (or, deleted, leave) a public group inside that tenant."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ossmeta.service import inventories, private
from ossmeta.service.accounts import Actor, create_tenant
from ossmeta.service.jobs import run_worker
from ossmeta.sources import osv
from ossmeta.store import Store
from ossmeta.store.jobs import list_jobs
from ossmeta.store.tenancy import global_transaction
from tests.service.inventories_data import import_records, load_advisories
from tests.service.test_reevaluate import CLICK, click_record

ACTOR = Actor("cli:test")
LINK = "GHSA-test-colo-0002"


def colorama_record(aliases: list[str], modified: str) -> dict[str, Any]:
    """A record of another package that, through ``aliases``, may join click's group."""
    record = click_record(id=LINK, aliases=aliases, modified=modified)
    record["affected"][0]["package"]["name"] = "colorama"
    return record


def _last_job(store: Store) -> Any:
    with global_transaction(store) as tx:
        return list_jobs(tx, kind="reevaluate")[0].payload


def _click_group(store: Store, tenant: int) -> set[str]:
    report = inventories.findings_report(store, tenant, "shop", "1.0")
    (found,) = [
        {f.id, *f.aliases} for cr in report.components if cr.component.name == "click"
        for f in cr.findings
    ]  # fmt: skip
    return found


def test_linking_and_splitting_groups_reevaluates_both_groups_packages(
    store: Store, tmp_path: Path
) -> None:
    load_advisories(store, tmp_path)
    import_records(store, tmp_path / "click", click_record())  # CLICK, alias CVE-2099-0001
    acme = create_tenant(store, "acme", ACTOR).id
    inventories.create_project(store, acme, "shop", ACTOR)
    body = b"click==8.0\ncolorama==0.4.0\n"
    inventories.upload(store, acme, "shop", "1.0", "requirements.txt", body, ACTOR)
    assert _click_group(store, acme) == {CLICK, "CVE-2099-0001"}

    # A colorama record naming click's CVE links the two groups: click is re-evaluated too.
    import_records(
        store, tmp_path / "link", colorama_record(["CVE-2099-0001"], "2025-02-01T00:00:00Z")
    )
    assert _last_job(store) == {"packages": [["PyPI", "click"], ["PyPI", "colorama"]]}
    run_worker(store, once=True)
    assert _click_group(store, acme) == {CLICK, "CVE-2099-0001", LINK}

    # Its next version drops the alias: the group splits, and click is re-evaluated again.
    import_records(store, tmp_path / "split", colorama_record([], "2025-03-01T00:00:00Z"))
    assert _last_job(store) == {"packages": [["PyPI", "click"], ["PyPI", "colorama"]]}
    run_worker(store, once=True)
    assert _click_group(store, acme) == {CLICK, "CVE-2099-0001"}


def test_a_private_record_linking_a_public_group_reevaluates_that_groups_packages(
    store: Store, tmp_path: Path
) -> None:
    load_advisories(store, tmp_path)
    import_records(store, tmp_path / "click", click_record())  # CLICK, alias CVE-2099-0001
    acme = create_tenant(store, "acme", ACTOR).id
    inventories.create_project(store, acme, "shop", ACTOR)
    body = b"click==8.0\ncolorama==0.4.0\n"
    inventories.upload(store, acme, "shop", "1.0", "requirements.txt", body, ACTOR)
    mine = colorama_record(["CVE-2099-0001"], "2025-02-01T00:00:00Z")
    mine["id"] = "ACME-2026-0007"
    records = list(osv.records_from_json(mine, "request body", None, []))
    stats = private.import_advisories(store, acme, records, ACTOR)
    assert stats.reevaluation is not None
    assert _last_job(store) == {
        "packages": [["PyPI", "click"], ["PyPI", "colorama"]],
        "tenant": acme,
    }
    run_worker(store, once=True)
    assert _click_group(store, acme) == {CLICK, "CVE-2099-0001", "ACME-2026-0007"}
    # Deleting it splits the group again: click is re-evaluated with colorama.
    private.delete_advisory(store, acme, "ACME-2026-0007", ACTOR)
    assert _last_job(store) == {
        "packages": [["PyPI", "click"], ["PyPI", "colorama"]],
        "tenant": acme,
    }
    run_worker(store, once=True)
    assert _click_group(store, acme) == {CLICK, "CVE-2099-0001"}
