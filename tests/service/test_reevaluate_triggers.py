"""What queues a re-evaluation, in the transaction of the change: a registry sync that
wrote packages, an approved curation; and that with no tenant in the store nothing is
queued (the commands stay as cheap as before)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from ossmeta.model import LicenseValue, PackageVersion
from ossmeta.service.accounts import Actor, create_tenant
from ossmeta.store import Store
from ossmeta.store.inventories_reeval import (
    MAX_LISTED_PACKAGES,
    enqueue_reevaluation,
    packages_of_purls,
)
from ossmeta.store.jobs import Job, list_jobs
from ossmeta.store.packages import save_package
from ossmeta.store.tenancy import global_transaction
from ossmeta.surfaces.cli.app import main
from tests.helpers import pypi_record, review_licence_proposal
from tests.loopback import Loopback, serve
from tests.pipelines.test_sync import registries, sync
from tests.registry_server import Universe

ACTOR = Actor("cli:test")
PURL = "pkg:pypi/widget"


def _jobs(store: Store) -> list[Job]:
    with global_transaction(store) as tx:
        return list(reversed(list_jobs(tx, kind="reevaluate")))


def _curate(store: Store, approve: bool) -> None:
    mit = LicenseValue("MIT", "MIT", "high", "pypi:license_expression")
    with store.engine.begin() as connection:
        save_package(
            connection,
            pypi_record(
                "widget", (PackageVersion("1.0", None, False, None, mit, ()),), license=mit
            ),
            datetime(2026, 1, 1, tzinfo=UTC),
        )
    review_licence_proposal(store, PURL, approve=approve)


def test_an_approved_curation_queues_its_package(store: Store) -> None:
    create_tenant(store, "acme", ACTOR)
    _curate(store, approve=True)
    [job] = _jobs(store)
    assert job.payload == {"packages": [["PyPI", "widget"]]}


def test_a_rejected_curation_queues_nothing(store: Store) -> None:
    create_tenant(store, "acme", ACTOR)
    _curate(store, approve=False)
    assert _jobs(store) == []


def test_without_tenants_a_curation_queues_nothing(store: Store) -> None:
    _curate(store, approve=True)
    assert _jobs(store) == []


@pytest.fixture
def server() -> Iterator[tuple[Loopback, Universe]]:
    universe = Universe.make(pypi=3, npm=0, crates=0, maven=0, versions=2)
    with serve(quiet=True) as loopback:
        loopback.handler = universe.handler(loopback.origin)
        yield loopback, universe


def test_a_sync_that_writes_packages_queues_them(
    store: Store, server: tuple[Loopback, Universe]
) -> None:
    loopback, universe = server
    create_tenant(store, "acme", ACTOR)
    registry = registries(loopback.origin)["pypi"]
    sync(store, registry, universe.pypi_names)
    queued = _jobs(store)  # one per batch the writer committed
    assert queued
    named = sorted(tuple(p) for job in queued for p in job.payload["packages"])
    assert named == packages_of_purls(registry.purl(n) for n in universe.pypi_names)
    # Nothing changed upstream: the next sync writes nothing and queues nothing.
    sync(store, registry, universe.pypi_names)
    assert len(_jobs(store)) == len(queued)


def test_a_sync_without_tenants_queues_nothing(
    store: Store, server: tuple[Loopback, Universe]
) -> None:
    loopback, universe = server
    sync(store, registries(loopback.origin)["pypi"], universe.pypi_names)
    assert _jobs(store) == []


def test_a_change_naming_very_many_packages_asks_for_everything(store: Store) -> None:
    tenant = create_tenant(store, "acme", ACTOR).id
    many = [("npm", f"p{n}") for n in range(MAX_LISTED_PACKAGES + 1)]
    with global_transaction(store) as tx:
        assert enqueue_reevaluation(tx, []) is None
        enqueue_reevaluation(tx, many, tenant_id=tenant)
        enqueue_reevaluation(tx, None)
    assert [job.payload for job in _jobs(store)] == [{"all": True, "tenant": tenant}, {"all": True}]


def _curation_file(path: Path, purl: str, status: str) -> Path:
    review = (
        "  reviewer: bob\n  reviewed_at: '2026-03-02T00:00:00Z'\n" if status != "proposed" else ""
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        f"purl: {purl}\n"
        "curations:\n"
        "- field: license\n"
        "  value: Apache-2.0\n"
        "  reason: the LICENSE file\n"
        "  author: alice\n"
        "  evidence: https://example.org/LICENSE\n"
        f"  status: {status}\n"
        "  created_at: '2026-03-01T12:00:00.000000Z'\n" + review,
        encoding="utf-8",
    )
    return path


def test_curate_import_queues_the_packages_it_approves(
    store: Store, store_url: str, tmp_path: Path
) -> None:
    create_tenant(store, "acme", ACTOR)
    folder = tmp_path / "curations"
    _curation_file(folder / "widget.yaml", "pkg:pypi/widget", "approved")
    _curation_file(folder / "gadget.yaml", "pkg:npm/gadget", "proposed")
    _curation_file(folder / "gizmo.yaml", "pkg:npm/gizmo", "rejected")
    assert main(["curate", "import", str(folder), "--db", store_url]) == 0
    assert [job.payload for job in _jobs(store)] == [{"packages": [["PyPI", "widget"]]}]
    # The same files again change nothing and queue nothing.
    assert main(["curate", "import", str(folder), "--db", store_url]) == 0
    assert len(_jobs(store)) == 1
    # A file that approves the stored proposal of gadget queues gadget.
    approve = _curation_file(tmp_path / "review" / "gadget.yaml", "pkg:npm/gadget", "approved")
    assert main(["curate", "import", str(approve), "--db", store_url]) == 0
    assert [job.payload for job in _jobs(store)][1:] == [{"packages": [["npm", "gadget"]]}]
