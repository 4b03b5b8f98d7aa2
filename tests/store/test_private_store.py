"""The store side of a tenant's private data on both databases: migration 0008 goes down
and up again, the tenant lookup joins private aliases to public groups and shows private
records to their tenant only, and on PostgreSQL a query without the tenant set sees no
private row (row-level security, checked as a role that is not a superuser)."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from sqlalchemy import Table, func, inspect, select, text

from ossmeta.errors import OssmetaError
from ossmeta.service import accounts, private
from ossmeta.service.inventories import advisory_lookup
from ossmeta.sources import osv
from ossmeta.store import Store
from ossmeta.store.advisories import RejectedImport
from ossmeta.store.engine import _alembic_config
from ossmeta.store.schema import (
    private_advisories,
    private_affected,
    private_curations,
    private_packages,
)
from ossmeta.store.tenancy import set_tenant
from tests.service.inventories_data import JINJA, JINJA_ALIASES, load_advisories

OPERATOR = accounts.Actor("cli:tester")
TABLES = ("private_advisories", "private_affected", "private_packages", "private_curations")


def _record(advisory_id: str, package: str, **extra: Any) -> dict[str, Any]:
    return {
        "id": advisory_id,
        "modified": "2026-11-01T00:00:00Z",
        "affected": [
            {
                "package": {"ecosystem": "PyPI", "name": package},
                "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}]}],
            }
        ],
        **extra,
    }


def _import(store: Store, tenant_id: int, *records: dict[str, Any]) -> private.PrivateImportStats:
    problems: list[OssmetaError] = []
    raws = osv.records_from_json(list(records), "test", None, problems)
    return private.import_advisories(store, tenant_id, raws, OPERATOR, problems)


def _tenants(store: Store) -> tuple[int, int]:
    return (
        accounts.create_tenant(store, "acme", OPERATOR).id,
        accounts.create_tenant(store, "globex", OPERATOR).id,
    )


def test_migration_0008_goes_down_and_up_again(store: Store) -> None:
    command.downgrade(_alembic_config(store.engine), "0007")
    with store.engine.connect() as connection:
        assert set(TABLES).isdisjoint(inspect(connection).get_table_names())
    assert store.current_revision() == "0007"
    store.upgrade()
    with store.engine.connect() as connection:
        assert set(inspect(connection).get_table_names()) >= set(TABLES)
    acme, _ = _tenants(store)
    assert _import(store, acme, _record("ACME-1", "click")).added == 1


def test_the_tenant_lookup_joins_private_records_to_public_groups(
    store: Store, tmp_path: Path
) -> None:
    load_advisories(store, tmp_path)
    acme, globex = _tenants(store)
    stats = _import(
        store,
        acme,
        _record("ACME-1", "click", aliases=[JINJA_ALIASES[0]], summary="ours"),
        _record("ACME-2", "click", withdrawn="2026-11-02T00:00:00Z"),
    )
    assert (stats.added, stats.withdrawn, stats.shadowing) == (2, 1, [])
    mine, theirs = advisory_lookup(store, acme), advisory_lookup(store, globex)
    group = mine.groups_for(["ACME-1"])["ACME-1"]
    assert set(group) == {"ACME-1", JINJA, *JINJA_ALIASES}
    assert mine.groups_for([JINJA])[JINJA] == group
    assert "ACME-1" not in theirs.groups_for([JINJA])[JINJA]
    # Withdrawn private records do not match.
    found = mine.affected_for([("PyPI", "click")])[("PyPI", "click")]
    assert [entry.advisory_id for entry in found] == ["ACME-1"]
    assert theirs.affected_for([("PyPI", "click")]) == {}
    assert mine.count() == theirs.count() + 2
    shown = mine.show("ACME-1")
    assert shown is not None and shown.source == "private" and shown.record["summary"] == "ours"
    assert theirs.show("ACME-1") is None
    assert mine.advisories(["ACME-1"])["ACME-1"].summary == "ours"
    assert theirs.advisories(["ACME-1"]) == {}


def test_an_import_is_all_or_nothing_and_newer_records_replace(store: Store) -> None:
    acme, _ = _tenants(store)
    with pytest.raises(RejectedImport) as rejected:
        _import(store, acme, _record("ACME-1", "click"), {"id": "ACME-2", "modified": "no"})
    assert len(rejected.value.problems) == 1
    assert private.list_advisories(store, acme, after="", limit=10) == []
    _import(store, acme, _record("ACME-1", "click"))
    newer = _record("ACME-1", "flask", modified="2026-12-01T00:00:00Z")
    older = _record("ACME-1", "django", modified="2020-01-01T00:00:00Z")
    replaced = _import(store, acme, newer)
    assert replaced.updated == 1 and replaced.changed == ["ACME-1"]
    # What a re-evaluation must look at: the package named now and the one named before.
    assert replaced.packages == {("PyPI", "flask"), ("PyPI", "click")}
    assert _import(store, acme, older).older == 1
    found = advisory_lookup(store, acme).affected_for([("PyPI", "flask"), ("PyPI", "click")])
    assert list(found) == [("PyPI", "flask")]


def _count(connection: Any, table: Table) -> int:
    return int(connection.execute(select(func.count()).select_from(table)).scalar_one())


def test_row_level_security_hides_private_rows_without_the_tenant(pg_url: str) -> None:
    from ossmeta.store import open_store

    store = open_store(pg_url)
    store.upgrade()
    role = f"ossmeta_app_{uuid.uuid4().hex[:10]}"
    try:
        acme, globex = _tenants(store)
        _import(store, acme, _record("ACME-1", "click"))
        private.register_package(store, acme, "pkg:pypi/acme-billing", OPERATOR)
        private.curate(store, acme, "pkg:pypi/jinja2", "license", "MIT", "checked", OPERATOR)
        with store.engine.begin() as connection:
            schema = connection.execute(text("SELECT current_schema()")).scalar_one()
            connection.execute(text(f'CREATE ROLE "{role}" NOLOGIN'))
            connection.execute(text(f'GRANT USAGE ON SCHEMA "{schema}" TO "{role}"'))
            connection.execute(text(f'GRANT SELECT ON ALL TABLES IN SCHEMA "{schema}" TO "{role}"'))
        tables = (private_advisories, private_affected, private_packages, private_curations)
        with store.engine.connect() as connection:  # the superuser sees the rows
            assert [_count(connection, t) for t in tables] == [1, 1, 1, 1]
        with store.engine.begin() as connection:
            connection.execute(text(f'SET LOCAL ROLE "{role}"'))
            assert [_count(connection, t) for t in tables] == [0, 0, 0, 0]
            payloads = connection.execute(select(private_advisories.c.payload)).all()
            assert payloads == []
        expected = {acme: [1, 1, 1, 1], globex: [0, 0, 0, 0]}
        for tenant_id, counts in expected.items():
            with store.engine.begin() as connection:
                connection.execute(text(f'SET LOCAL ROLE "{role}"'))
                set_tenant(connection, tenant_id)
                assert [_count(connection, t) for t in tables] == counts
        with store.engine.begin() as connection:
            connection.execute(text(f'SET LOCAL ROLE "{role}"'))
            set_tenant(connection, acme)
            (payload,) = connection.execute(select(private_advisories.c.payload)).one()
            assert json.loads(payload)["id"] == "ACME-1"
    finally:
        with store.engine.begin() as connection:
            connection.execute(text(f'DROP OWNED BY "{role}"'))
            connection.execute(text(f'DROP ROLE IF EXISTS "{role}"'))
        store.dispose()
