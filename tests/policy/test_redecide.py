"""Incremental re-decision, on SQLite and PostgreSQL with a real worker run: recorded
decisions are decided again when an input changes (an advisory import, an approved
curation, a policy apply, a waiver added, revoked or expired), through a job queued in the
changing transaction, re-deciding only the packages it names; every changed decision is
audited."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from ossmeta.model import LicenseValue, PackageVersion
from ossmeta.service.jobs import run_worker
from ossmeta.service.policy import add_waiver, apply_policy, audit_entries, revoke
from ossmeta.service.policy_decide import check
from ossmeta.service.policy_jobs import redecide
from ossmeta.store import Store
from ossmeta.store.jobs import Job, list_jobs
from ossmeta.store.packages import save_package
from ossmeta.store.policy_jobs import REDECIDE, enqueue_redecision
from ossmeta.store.tenancy import global_transaction
from tests.helpers import pypi_record, review_licence_proposal
from tests.policy.test_service import BASELINE, HIGH, advisory, write
from tests.service.inventories_data import import_records

NOW = datetime.now(UTC).replace(microsecond=0)


def _package(store: Store, name: str, lic: str = "MIT") -> None:
    value = LicenseValue(lic, lic, "exact", "pypi:license")
    versions = tuple(
        PackageVersion(v, NOW - timedelta(days=days), False, None, value, ())
        for v, days in (("1.0", 60), ("1.1", 30))
    )
    with global_transaction(store) as tx:
        save_package(tx, pypi_record(name, versions, license=value), NOW)


def _jobs(store: Store) -> list[Job]:
    with global_transaction(store) as tx:
        return list(reversed(list_jobs(tx, kind=REDECIDE)))


def _changes(store: Store) -> list[tuple[str, str, str | None]]:
    """Decision changes the job recorded: (release, action, action before)."""
    return [
        (e.target, e.detail["action"], e.detail["was"])
        for e in audit_entries(store, "baseline", limit=1000)
        if e.action == "decision" and e.actor == "redecide"
    ]


def _recorded(store: Store, tmp_path: Path) -> Path:
    """Policy baseline with allow decisions recorded for demo-pkg and other-pkg."""
    path = write(tmp_path, BASELINE)
    apply_policy(store, path, None, "ops")
    _package(store, "demo-pkg")
    _package(store, "other-pkg")
    for purl in ("pkg:pypi/demo-pkg@1.0", "pkg:pypi/demo-pkg@1.1", "pkg:pypi/other-pkg@1.0"):
        assert check(store, purl, "baseline").decision.action == "allow"
    return path


def test_an_advisory_import_redecides_its_package_only(store: Store, tmp_path: Path) -> None:
    _recorded(store, tmp_path)
    assert _jobs(store) == []  # nothing changed yet
    import_records(
        store, tmp_path / "osv", advisory("GHSA-aaaa-bbbb-cccc", "demo-pkg", "1.1", HIGH)
    )
    [job] = _jobs(store)
    assert job.payload == {"packages": [["pypi", "demo-pkg"]]}
    assert run_worker(store, once=True).jobs >= 1
    assert _changes(store) == [("pkg:pypi/demo-pkg@1.0", "deny", "allow")]
    assert [j.state for j in _jobs(store)] == ["done"]
    # Deciding again with nothing changed changes nothing; the named package only.
    again = redecide(store, [("pypi", "demo-pkg")])
    assert (again.policies, again.releases, again.changed) == (1, 2, 0)
    everything = redecide(store, None)
    assert (everything.releases, everything.changed) == (3, 0)


def test_a_curation_a_policy_and_waivers_redecide(store: Store, tmp_path: Path) -> None:
    path = _recorded(store, tmp_path)
    # A new policy version denies MIT: every recorded release is decided again.
    path.write_text(BASELINE.replace('"AGPL-3.0-only"]', '"AGPL-3.0-only", "MIT"]'), "utf-8")
    apply_policy(store, path, None, "ops")
    assert _jobs(store)[-1].payload == {"all": True, "policy": "baseline"}
    run_worker(store, once=True)
    assert sorted(_changes(store)) == [
        ("pkg:pypi/demo-pkg@1.0", "deny", "allow"),
        ("pkg:pypi/demo-pkg@1.1", "deny", "allow"),
        ("pkg:pypi/other-pkg@1.0", "deny", "allow"),
    ]
    # An approved curation (Apache-2.0) lets demo-pkg through again.
    review_licence_proposal(store, "pkg:pypi/demo-pkg", approve=True)
    run_worker(store, once=True)
    assert sorted(_changes(store))[:2] == [
        ("pkg:pypi/demo-pkg@1.0", "allow", "deny"),
        ("pkg:pypi/demo-pkg@1.0", "deny", "allow"),
    ]
    before = len(_changes(store))
    # A waiver of other-pkg lets it through; its revocation stops it again.
    expires = datetime.now(UTC) + timedelta(days=3)
    made = add_waiver(store, "baseline", "other-pkg", "*", "ok", "alice", "bob", expires)
    queued = _jobs(store)[-2:]
    assert [j.payload for j in queued] == [
        {"packages": [["npm", "other-pkg"], ["pypi", "other-pkg"]], "policy": "baseline"}
    ] * 2
    assert queued[1].run_after == expires  # the expiry's own re-decision
    run_worker(store, once=True)  # the expiry's job is not due yet
    assert _changes(store)[before:] == [("pkg:pypi/other-pkg@1.0", "allow", "deny")]
    assert [j.state for j in _jobs(store)][-1] == "queued"
    revoke(store, made.id, "carol")
    run_worker(store, once=True)
    assert _changes(store)[before + 1 :] == [("pkg:pypi/other-pkg@1.0", "deny", "allow")]


def test_expiry_and_releases_the_center_does_not_know(store: Store, tmp_path: Path) -> None:
    _recorded(store, tmp_path)
    expires = datetime.now(UTC) + timedelta(days=1)
    add_waiver(store, "baseline", "demo-pkg", "*", "ok", "alice", "bob", expires)
    check(store, "pkg:pypi/demo-pkg@9.9", "baseline")  # recorded; unknown to the center
    import_records(
        store, tmp_path / "osv", advisory("GHSA-aaaa-bbbb-cccc", "demo-pkg", "1.1", HIGH)
    )
    run_worker(store, once=True)
    # Still allowed, but now by the waiver: a change of decision, recorded.
    assert _changes(store) == [("pkg:pypi/demo-pkg@1.0", "allow", "allow")]
    # What the expiry's job does when its time comes: the advisory denies again.
    after = redecide(store, [("pypi", "demo-pkg")], policy="baseline", now=expires)
    assert (after.releases, after.changed, after.left_to_index) == (2, 1, 1)
    assert _changes(store)[-1] == ("pkg:pypi/demo-pkg@1.0", "deny", "allow")


def test_nothing_recorded_queues_nothing(store: Store) -> None:
    with global_transaction(store) as tx:
        assert enqueue_redecision(tx, [("PyPI", "demo")]) is None
        assert enqueue_redecision(tx, [("Maven", "g:a")]) is None


@pytest.mark.parametrize("payload", [{"packages": "demo"}, {"policy": 3, "all": True}])
def test_a_bad_payload_fails_at_once(store: Store, payload: dict[str, object]) -> None:
    from ossmeta.store.jobs import enqueue

    with global_transaction(store) as tx:
        enqueue(tx, REDECIDE, payload)
    run_worker(store, once=True)
    [job] = _jobs(store)
    assert job.state == "failed" and "policy.redecide" in (job.last_error or "")
