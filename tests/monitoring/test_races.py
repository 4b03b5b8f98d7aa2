"""Races between the writers of monitoring, forced with real threads on a real store
(SQLite and PostgreSQL): each test holds one writer at the point where the race bites,
by a hook on a real function, until the other has either done its whole work or is
waiting on the tenant's lock; then lets it go on. No sleeps decide the order."""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import make_url, text

import ossmeta.service.inventories as inventories_module
import ossmeta.store.private_advisories as private_store
from ossmeta.service import inventories, private
from ossmeta.service import jobs as worker
from ossmeta.service.accounts import Actor, create_tenant
from ossmeta.sources import osv
from ossmeta.store import Store
from ossmeta.store.inventories_reeval import TENANT_LOCK_SPACE
from ossmeta.store.outbox import list_events
from ossmeta.store.tenancy import tenant_transaction
from tests.service.inventories_data import import_records, load_advisories
from tests.service.test_reevaluate import CLICK, click_record

ACTOR = Actor("cli:test")
#: Long enough for a loaded machine; a test that waits this long has failed anyway.
PATIENCE_S = 60


def _tenant_lock_free(store: Store, tenant: int) -> bool:
    """Whether nobody holds the tenant's lock (what ``lock_tenant`` takes), asked without
    waiting: PostgreSQL's try-lock; on SQLite, the database's write lock."""
    if store.engine.dialect.name == "postgresql":
        with tenant_transaction(store, tenant) as tx:
            got = tx.execute(
                text("SELECT pg_try_advisory_xact_lock(:space, :tenant)"),
                {"space": TENANT_LOCK_SPACE, "tenant": tenant},
            ).scalar_one()
        return bool(got)
    probe = sqlite3.connect(str(make_url(store.url).database), timeout=0, isolation_level=None)
    try:
        probe.execute("BEGIN IMMEDIATE")
        probe.execute("ROLLBACK")
        return True
    except sqlite3.OperationalError:  # "database is locked"
        return False
    finally:
        probe.close()


def _after(function: Callable[..., Any], hook: Callable[[], None]) -> Callable[..., Any]:
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        result = function(*args, **kwargs)
        hook()
        return result

    return wrapped


def test_an_upload_racing_an_advisory_import_and_its_reevaluation_loses_no_finding_new(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    load_advisories(store, tmp_path)
    acme = create_tenant(store, "acme", ACTOR).id
    inventories.create_project(store, acme, "shop", ACTOR)
    other_side_ready = threading.Event()
    failures: list[BaseException] = []

    def import_and_reevaluate() -> None:
        """Import the click advisory and run the re-evaluation it queues, unless the
        upload holds the tenant's lock: then say so first, and do it after the upload."""
        try:
            if not _tenant_lock_free(store, acme):
                other_side_ready.set()
            import_records(store, tmp_path / "click", click_record())
            worker.run_worker(store, once=True)
        except BaseException as error:
            failures.append(error)
        finally:
            other_side_ready.set()

    other = threading.Thread(target=import_and_reevaluate)

    def matched() -> None:
        # The upload has matched click 8.0 against advisories that do not know CLICK yet.
        other.start()
        assert other_side_ready.wait(PATIENCE_S)

    monkeypatch.setattr(inventories_module, "scan", _after(inventories_module.scan, matched))
    inventories.upload(store, acme, "shop", "1.0", "requirements.txt", b"click==8.0\n", ACTOR)
    other.join(PATIENCE_S)
    assert not other.is_alive() and failures == []
    worker.run_worker(store, once=True)  # whatever is left to do
    with tenant_transaction(store, acme) as tx:
        events = [(e.event_type, e.data["purl"], e.data["id"]) for e in list_events(tx, acme)]
    assert events == [("finding.new", "pkg:pypi/click@8.0", CLICK)]
    report = inventories.findings_report(store, acme, "shop", "1.0")
    assert [f.id for cr in report.components for f in cr.findings] == [CLICK]


def _private_record(tmp_path: Path) -> list[Any]:
    folder = tmp_path / "private"
    folder.mkdir()
    record = click_record(id="ACME-2026-0001", aliases=[])
    (folder / "ACME-2026-0001.json").write_text(json.dumps(record), "utf-8")
    return list(osv.iter_records(osv.expand([str(folder)]), "proprietary"))


def test_two_concurrent_imports_of_one_new_private_advisory_store_one_record(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    acme = create_tenant(store, "acme", ACTOR).id
    records = _private_record(tmp_path)
    first_has_read = threading.Event()
    second_waits_or_is_done = threading.Event()
    results: dict[str, Any] = {}

    def run(name: str) -> None:
        try:
            results[name] = private.import_advisories(store, acme, records, ACTOR)
        except BaseException as error:
            results[name] = error
        finally:
            if name == "second":
                second_waits_or_is_done.set()

    first = threading.Thread(target=run, args=("first",))
    second = threading.Thread(target=run, args=("second",))

    def read_done() -> None:
        # The first import has looked for the id and not found it; hold it here until the
        # second has either imported too or is waiting on the tenant's lock.
        if threading.current_thread() is first:
            first_has_read.set()
            assert second_waits_or_is_done.wait(PATIENCE_S)

    def about_to_lock(*args: Any, **kwargs: Any) -> None:
        if threading.current_thread() is second:
            second_waits_or_is_done.set()
        real_lock(*args, **kwargs)

    real_lock = private.lock_tenant
    monkeypatch.setattr(
        private_store, "_derived_rows", _after(private_store._derived_rows, read_done)
    )
    monkeypatch.setattr(private, "lock_tenant", about_to_lock)
    first.start()
    assert first_has_read.wait(PATIENCE_S)
    second.start()
    first.join(PATIENCE_S)
    second.join(PATIENCE_S)
    assert not first.is_alive() and not second.is_alive()
    assert [type(results[n]).__name__ for n in ("first", "second")] == [
        "PrivateImportStats",
        "PrivateImportStats",
    ], results
    assert sorted((results["first"].added, results["second"].added)) == [0, 1]
    listed = private.list_advisories(store, acme, after="", limit=10)
    assert [a.id for a in listed] == ["ACME-2026-0001"]
