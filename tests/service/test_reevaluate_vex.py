"""Which decisions silence a re-evaluation's notifications: not_affected and false_positive
do, on the version they were made on and on later versions that hold the component;
in_triage, exploitable and resolved do not. The finding is stored either way."""

from __future__ import annotations

from pathlib import Path

import pytest

from ossmeta.service import inventories
from ossmeta.service.accounts import Actor, create_tenant
from ossmeta.service.decisions import decide
from ossmeta.service.reevaluate import reevaluate
from ossmeta.store import Store
from ossmeta.store.outbox import list_events
from ossmeta.store.tenancy import tenant_transaction
from tests.service.inventories_data import JINJA, import_records, jinja_record, load_advisories
from tests.service.test_reevaluate import CLICK, LOW, click_record

ACTOR = Actor("cli:test")
JUSTIFIED = {"not_affected": "vulnerable_code_not_in_execute_path"}


def _decide(store: Store, tenant: int, purl: str, advisory: str, state: str) -> None:
    decide(
        store,
        tenant,
        "shop",
        "1.0",
        purl=purl,
        advisory=advisory,
        state=state,
        justification=JUSTIFIED.get(state),
        comment="reviewed",
        carry_over_versions=False,
        actor=ACTOR,
    )


def _notified(store: Store, tenant: int) -> list[tuple[str, str, str]]:
    with tenant_transaction(store, tenant) as tx:
        events = list_events(tx, tenant)
    return sorted((e.event_type, e.data["version"], e.data["id"]) for e in events)


@pytest.mark.parametrize(
    ("state", "silenced"),
    [
        ("not_affected", True),
        ("false_positive", True),
        ("in_triage", False),
        ("exploitable", False),
        ("resolved", False),
    ],
)
def test_only_not_affected_and_false_positive_silence_a_change(
    store: Store, tmp_path: Path, state: str, silenced: bool
) -> None:
    load_advisories(store, tmp_path)
    acme = create_tenant(store, "acme", ACTOR).id
    inventories.create_project(store, acme, "shop", ACTOR)
    inventories.upload(store, acme, "shop", "1.0", "requirements.txt", b"jinja2==2.10\n", ACTOR)
    _decide(store, acme, "pkg:pypi/jinja2", JINJA, state)
    inventories.upload(store, acme, "shop", "2.0", "requirements.txt", b"jinja2==2.10\n", ACTOR)
    lower = jinja_record(modified="2025-06-01T00:00:00Z")
    lower["severity"] = [{"type": "CVSS_V3", "score": LOW}]
    import_records(store, tmp_path / "lower", lower)
    done = reevaluate(store, [("PyPI", "jinja2")])
    expected = [] if silenced else [("finding.changed", v, JINJA) for v in ("1.0", "2.0")]
    assert _notified(store, acme) == expected
    assert done.changed == len(expected)
    for version in ("1.0", "2.0"):  # stored, with its new severity, silenced or not
        report = inventories.findings_report(store, acme, "shop", version)
        assert [
            (f.id, f.severity.level.label) for cr in report.components for f in cr.findings
        ] == [(JINJA, "low")]


def test_a_decision_made_before_the_advisory_silences_its_finding_new_in_its_tenant_only(
    store: Store, tmp_path: Path
) -> None:
    load_advisories(store, tmp_path)
    acme = create_tenant(store, "acme", ACTOR).id
    globex = create_tenant(store, "globex", ACTOR).id
    for tenant in (acme, globex):
        inventories.create_project(store, tenant, "shop", ACTOR)
        inventories.upload(store, tenant, "shop", "1.0", "requirements.txt", b"click==8.0\n", ACTOR)
    _decide(store, acme, "pkg:pypi/click@8.0", CLICK, "false_positive")
    import_records(store, tmp_path / "click", click_record())
    assert reevaluate(store, [("PyPI", "click")]).new == 1
    assert _notified(store, acme) == []
    assert _notified(store, globex) == [("finding.new", "1.0", CLICK)]
    report = inventories.findings_report(store, acme, "shop", "1.0")
    assert [f.id for cr in report.components for f in cr.findings] == [CLICK]
