"""``decide_many`` (what a VEX import records through): the same decisions ``decide``
makes, in one transaction; a refused request comes back as its InputError while the rest
are recorded; the import audits each decision and the import itself."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ossmeta.errors import InputError, NotFoundError
from ossmeta.service import decisions, inventories, vex
from ossmeta.service.accounts import Actor, audit_entries, create_tenant
from ossmeta.store import Store
from tests.helpers import DATA
from tests.service.inventories_data import JINJA, JINJA_ALIASES, REQUIREMENTS, load_advisories

ACTOR = Actor("cli:test")


@pytest.fixture
def tenant(store: Store, tmp_path: Path) -> int:
    load_advisories(store, tmp_path)
    found = create_tenant(store, "acme", ACTOR)
    inventories.create_project(store, found.id, "shop", ACTOR)
    for version in ("1.0", "2.0"):
        inventories.upload(
            store, found.id, "shop", version, "requirements.txt", REQUIREMENTS, ACTOR
        )
    return found.id


def _key(d: decisions.StoredDecision) -> tuple[object, ...]:
    return (d.package_purl, d.component_version, d.advisory_ids, d.state, d.justification)


def test_batch_matches_single_decisions_and_reports_refusals(store: Store, tenant: int) -> None:
    good = decisions.DecisionRequest(
        "pkg:pypi/jinja2", JINJA_ALIASES[1], "not_affected", "code_not_present", "c"
    )
    refused = [
        decisions.DecisionRequest("pkg:pypi/jinja2@2.10", JINJA, "not_affected", None, ""),
        decisions.DecisionRequest("pkg:pypi/jinja2@2.10", JINJA, "wontfix", None, ""),
        decisions.DecisionRequest("pkg:pypi/flask@1.0", JINJA, "in_triage", None, ""),
        decisions.DecisionRequest("not a purl", JINJA, "in_triage", None, ""),
    ]
    made = decisions.decide_many(store, tenant, "shop", "1.0", [good, *refused], actor=ACTOR)
    assert isinstance(made[0], decisions.StoredDecision)
    assert all(isinstance(r, InputError) for r in made[1:])
    assert isinstance(made[3], NotFoundError)
    assert "justification" in str(made[1]) and "wontfix" in str(made[2])
    single = decisions.decide(
        store,
        tenant,
        "shop",
        "2.0",
        purl=good.purl,
        advisory=good.advisory,
        state=good.state,
        justification=good.justification,
        comment=good.comment,
        carry_over_versions=False,
        actor=ACTOR,
    )
    assert _key(made[0]) == _key(single)
    assert set(single.advisory_ids) == {JINJA, *JINJA_ALIASES}
    assert [_key(d) for d in decisions.history(store, tenant, "shop", "1.0")] == [_key(single)]
    with pytest.raises(NotFoundError):
        decisions.decide_many(store, tenant, "shop", "9.9", [good], actor=ACTOR)


def test_import_audits_each_decision_and_the_import(store: Store, tenant: int) -> None:
    body = (DATA / "vex" / "supplier-openvex.json").read_bytes()
    done = vex.import_vex(store, tenant, "shop", "1.0", body, ACTOR)
    assert len(done.applied) == 2
    assert len(done.skipped) == 3
    actions = [e.action for e in audit_entries(store, tenant)]
    assert actions[-3:] == ["decision.create", "decision.create", "vex.import"]
    again = vex.import_vex(store, tenant, "shop", "1.0", body, ACTOR)
    assert [a.state for a in again.applied] == [a.state for a in done.applied]
    assert len(decisions.history(store, tenant, "shop", "1.0")) == 4  # history, not overwrite


def test_imported_decisions_carry_over_to_later_versions_only(store: Store, tenant: int) -> None:
    body = (DATA / "vex" / "supplier-openvex.json").read_bytes()
    vex.import_vex(store, tenant, "shop", "2.0", body, ACTOR)
    inventories.upload(store, tenant, "shop", "3.0", "requirements.txt", REQUIREMENTS, ACTOR)

    def states(version: str) -> dict[str, str]:
        found = vex.export_data(store, tenant, "shop", version)
        report = found.report
        return {
            report.components[position].component.name: decision.state
            for (position, _), decision in found.applied.by_finding.items()
        }

    assert states("1.0") == {}  # made on 2.0: not on the earlier version
    assert states("2.0") == {"jinja2": "resolved", "requests": "exploitable"}
    assert states("3.0") == states("2.0")


def test_a_known_alias_on_the_wrong_component_is_not_called_unknown(
    store: Store, tenant: int
) -> None:
    document = {
        "@context": "https://openvex.dev/ns/v0.2.0",
        "@id": "urn:x:1",
        "author": "x",
        "timestamp": "2024-01-01T00:00:00Z",
        "version": 1,
        "statements": [
            {"vulnerability": {"name": name}, "products": [{"@id": "pkg:pypi/click@8.1.7"}],
             "status": "under_investigation"}
            for name in ("CVE-2018-18074", "CVE-2021-33203", "CVE-1999-99999")
        ],
    }  # fmt: skip
    done = vex.import_vex(store, tenant, "shop", "1.0", json.dumps(document).encode(), ACTOR)
    assert done.applied == ()
    reasons = [s.reason for s in done.skipped]
    assert reasons == [
        "CVE-2018-18074 is not a finding of pkg:pypi/click here",
        "CVE-2021-33203 is not a finding of pkg:pypi/click here",  # django's, not held
        "unknown vulnerability 'CVE-1999-99999'",
    ]
