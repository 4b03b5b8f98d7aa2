"""Inventories in the service: upload parses with scan's parsers and stores scan's
findings; the same bytes again are a no-op; new bytes replace the version whole."""

from __future__ import annotations

from pathlib import Path

import pytest

from ossmeta.errors import InputError, NotFoundError, SourceError
from ossmeta.service import inventories
from ossmeta.service.accounts import Actor, audit_entries, create_tenant
from ossmeta.store import Store
from tests.service.inventories_data import (
    JINJA,
    JINJA_ALIASES,
    REQUIREMENTS,
    UV_LOCK,
    load_advisories,
)

ACTOR = Actor("cli:test")


@pytest.fixture
def tenant(store: Store, tmp_path: Path) -> int:
    load_advisories(store, tmp_path)
    found = create_tenant(store, "acme", ACTOR)
    inventories.create_project(store, found.id, "shop", ACTOR)
    return found.id


def _found(report: inventories.ScanReport) -> dict[str, list[str]]:
    return {
        cr.component.name: [f.id for f in cr.findings] for cr in report.components if cr.findings
    }


def test_upload_scans_and_stores_the_findings(store: Store, tenant: int) -> None:
    done = inventories.upload(store, tenant, "shop", "1.0", "requirements.txt", REQUIREMENTS, ACTOR)
    assert done.created and done.changed
    assert _found(done.report) == {"jinja2": [JINJA], "requests": ["PYSEC-2018-28"]}
    jinja = next(cr for cr in done.report.components if cr.component.name == "jinja2")
    assert jinja.findings[0].aliases == JINJA_ALIASES
    assert jinja.upgrade == "2.10.1"
    stored = inventories.findings_report(store, tenant, "shop", "1.0")
    assert stored == done.report
    actions = [e.action for e in audit_entries(store, tenant)]
    assert actions[-2:] == ["project.create", "inventory.upload"]


def test_same_content_again_is_a_no_op(store: Store, tenant: int) -> None:
    first = inventories.upload(store, tenant, "shop", "1.0", "uv.lock", UV_LOCK, ACTOR)
    again = inventories.upload(store, tenant, "shop", "1.0", "uv.lock", UV_LOCK, ACTOR)
    assert (again.created, again.changed) == (False, False)
    assert again.report == first.report
    assert again.version == first.version
    assert len([e for e in audit_entries(store, tenant) if e.action == "inventory.upload"]) == 1


def test_new_content_replaces_the_inventory(store: Store, tenant: int) -> None:
    inventories.upload(store, tenant, "shop", "1.0", "uv.lock", UV_LOCK, ACTOR)
    fixed = UV_LOCK.replace(b'version = "2.10"', b'version = "2.11.3"')
    done = inventories.upload(store, tenant, "shop", "1.0", "uv.lock", fixed, ACTOR)
    assert (done.created, done.changed) == (False, True)
    assert "jinja2" not in _found(done.report)
    assert inventories.findings_report(store, tenant, "shop", "1.0") == done.report
    versions = inventories.list_versions(store, tenant, "shop", after=0, limit=10)
    assert [v.name for v in versions] == ["1.0"]


def test_a_bad_file_names_itself_and_its_line_and_stores_nothing(store: Store, tenant: int) -> None:
    with pytest.raises(SourceError) as caught:
        inventories.upload(store, tenant, "shop", "1.0", "uv.lock", b"[[package]\nx", ACTOR)
    assert str(caught.value).startswith("uv.lock:")
    assert inventories.list_versions(store, tenant, "shop", after=0, limit=10) == []


@pytest.mark.parametrize("name", ["../uv.lock", "a/uv.lock", "", ".."])
def test_file_names_are_bare(store: Store, tenant: int, name: str) -> None:
    with pytest.raises(InputError, match="bare file name"):
        inventories.upload(store, tenant, "shop", "1.0", name, UV_LOCK, ACTOR)


def test_another_tenants_project_is_missing(store: Store, tenant: int) -> None:
    other = create_tenant(store, "globex", ACTOR).id
    inventories.upload(store, tenant, "shop", "1.0", "uv.lock", UV_LOCK, ACTOR)
    with pytest.raises(NotFoundError) as theirs:
        inventories.findings_report(store, other, "shop", "1.0")
    with pytest.raises(NotFoundError) as nobodys:
        inventories.findings_report(store, other, "nothing", "1.0")
    assert str(theirs.value) == str(nobodys.value).replace("nothing", "shop")


def test_where_used_by_purl_version_and_alias(store: Store, tenant: int) -> None:
    inventories.upload(store, tenant, "shop", "1.0", "uv.lock", UV_LOCK, ACTOR)
    fixed = UV_LOCK.replace(b'version = "2.10"', b'version = "2.11.3"')
    inventories.upload(store, tenant, "shop", "2.0", "uv.lock", fixed, ACTOR)

    def used(**query: str | None) -> list[tuple[str, str]]:
        args = {"purl": None, "advisory": None, **query}
        found = inventories.where_used(store, tenant, after=("", ""), limit=10, **args)
        return [(u.project, u.version) for u in found]

    assert used(purl="pkg:pypi/jinja2@2.10") == [("shop", "1.0")]
    assert used(purl="pkg:pypi/Jinja2") == [("shop", "1.0"), ("shop", "2.0")]
    assert used(advisory=JINJA_ALIASES[0]) == [("shop", "1.0")]
    assert used(advisory=JINJA) == [("shop", "1.0")]
    assert used(purl="pkg:pypi/flask") == []
