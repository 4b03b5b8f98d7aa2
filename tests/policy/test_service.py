"""The policy store and services on SQLite and PostgreSQL: versions only on change, waivers
(approver not the requester, revocation, expiry), the append-only audit log, decisions that
combine the upstream's facts with the center's (advisories on the exact version, an approved
licence curation) and the marker that tells an index its pages are stale."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import update
from sqlalchemy.exc import DBAPIError

from ossmeta.analyses.policy.model import UpstreamRelease
from ossmeta.errors import InputError, NotFoundError
from ossmeta.model import LicenseValue, PackageVersion
from ossmeta.service.indexes import add_index
from ossmeta.service.policy import add_waiver, apply_policy, audit_entries, revoke, waivers
from ossmeta.service.policy_decide import check, decide_releases, policy_inputs_marker
from ossmeta.store import Store
from ossmeta.store.accounts import insert_tenant
from ossmeta.store.packages import save_package
from ossmeta.store.schema import policy_audit
from ossmeta.store.tenancy import global_transaction
from tests.helpers import pypi_record, review_licence_proposal
from tests.service.inventories_data import import_records

NOW = datetime(2026, 6, 1, tzinfo=UTC)
BASELINE = """\
name = "baseline"
[security]
deny_at_or_above = "high"
[licenses]
deny = ["GPL-3.0-only", "AGPL-3.0-only"]
[cooldown]
min_age_days = 7
"""


def write(tmp_path: Path, text: str, name: str = "baseline.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def advisory(ident: str, name: str, fixed: str, score: str | None = None) -> dict[str, object]:
    record: dict[str, object] = {
        "id": ident,
        "modified": "2026-01-01T00:00:00Z",
        "summary": "bad",
        "affected": [
            {
                "package": {"ecosystem": "PyPI", "name": name},
                "ranges": [
                    {"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": fixed}]}
                ],
            }
        ],
    }
    if score:
        record["severity"] = [{"type": "CVSS_V3", "score": score}]
    return record


HIGH = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N"


def release(version: str, *, days: float = 30, lic: str | None = "MIT") -> UpstreamRelease:
    return UpstreamRelease("pypi", "Demo_Pkg", version, NOW - timedelta(days=days), lic)


def test_apply_stores_a_version_only_when_the_text_changes(store: Store, tmp_path: Path) -> None:
    path = write(tmp_path, BASELINE)
    first = apply_policy(store, path, None, "ops")
    again = apply_policy(store, path, None, "ops")
    path.write_text(BASELINE.replace('"high"', '"critical"'), encoding="utf-8")
    second = apply_policy(store, path, None, "ops")
    assert (first.version, first.changed) == (1, True)
    assert (again.version, again.changed) == (1, False)
    assert (second.version, second.changed) == (2, True)
    assert [e.action for e in audit_entries(store)] == ["apply", "apply"]
    with pytest.raises(NotFoundError):
        apply_policy(store, path, "no-such-tenant", "ops")


def test_a_tenant_owns_its_policy(store: Store, tmp_path: Path) -> None:
    with global_transaction(store) as tx:
        insert_tenant(tx, "acme", NOW)
        insert_tenant(tx, "other", NOW)
    path = write(tmp_path, BASELINE)
    assert apply_policy(store, path, "acme", "ops").version == 1
    path.write_text(BASELINE + "# changed\n", encoding="utf-8")
    with pytest.raises(InputError, match="belongs to another owner"):
        apply_policy(store, path, "other", "ops")
    assert apply_policy(store, path, "acme", "ops").version == 2


def test_an_index_names_only_an_applied_policy(store: Store, tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such policy"):
        add_index(store, "main", "pypi", "http://127.0.0.1:9/simple/", "baseline", "ops")
    apply_policy(store, write(tmp_path, BASELINE), None, "ops")
    assert add_index(store, "main", "pypi", "http://127.0.0.1:9/simple/", "baseline", "ops")


def test_decisions_combine_upstream_and_center(store: Store, tmp_path: Path) -> None:
    apply_policy(store, write(tmp_path, BASELINE), None, "ops")
    import_records(
        store, tmp_path / "osv", advisory("GHSA-aaaa-bbbb-cccc", "demo-pkg", "1.2", HIGH)
    )
    releases = [
        release("1.0"),
        release("1.1", lic="GPL-3.0-only"),
        release("1.2", days=1),  # fresh, but it fixes the advisory of 1.1: exempt
        release("1.3", days=1),  # fresh: cooldown
        release("1.4", lic="GPL-3.0-only OR MIT"),
    ]
    decisions = decide_releases(store, "baseline", releases, NOW)
    actions = [d.action for d in decisions]
    assert actions == ["deny", "deny", "allow", "deny", "allow"]
    assert decisions[0].reasons[0].advisory == "GHSA-aaaa-bbbb-cccc"
    assert {r.rule for r in decisions[1].reasons} == {"security.deny_at_or_above", "licenses.deny"}
    assert decisions[3].reasons[0].rule == "cooldown.min_age_days"
    assert decisions[3].valid_until == NOW + timedelta(days=6)
    assert all(d.policy_version == 1 for d in decisions)


def test_a_curated_licence_overrides_upstream(store: Store, tmp_path: Path) -> None:
    apply_policy(store, write(tmp_path, BASELINE), None, "ops")
    gpl = LicenseValue("GPL-3.0-only", "GPL-3.0-only", "exact", "pypi:license")
    with global_transaction(store) as tx:
        versions = (PackageVersion("1.0", NOW - timedelta(days=30), False, None, gpl, ()),)
        save_package(tx, pypi_record("demo-pkg", versions, license=gpl), NOW)
    up = [release("1.0", lic="GPL-3.0-only")]
    assert decide_releases(store, "baseline", up, NOW)[0].action == "deny"
    review_licence_proposal(store, "pkg:pypi/demo-pkg", approve=True)  # Apache-2.0
    assert decide_releases(store, "baseline", up, NOW)[0].action == "allow"
    explained = check(store, "pkg:pypi/demo-pkg@1.0", "baseline", NOW)
    assert explained.decision.action == "allow"
    assert explained.inputs["license"]["value"] == "Apache-2.0"
    assert explained.inputs["license"]["source"].startswith("curation:")


def test_waivers_and_the_audit_log(store: Store, tmp_path: Path) -> None:
    apply_policy(store, write(tmp_path, BASELINE), None, "ops")
    gpl = [release("1.0", lic="GPL-3.0-only")]
    assert decide_releases(store, "baseline", gpl, NOW)[0].action == "deny"
    with pytest.raises(InputError, match="approver"):
        add_waiver(store, "baseline", "demo-pkg", "*", "why", "alice", "Alice", None)
    with pytest.raises(InputError, match="version range"):
        add_waiver(store, "baseline", "demo-pkg", "~=1", "why", "alice", "bob", None)
    expires = datetime.now(UTC) + timedelta(days=2)
    made = add_waiver(store, "baseline", "pkg:pypi/demo-pkg", "<2", "ok", "alice", "bob", expires)
    now = datetime.now(UTC)
    allowed = decide_releases(store, "baseline", gpl, now)[0]
    assert allowed.action == "allow" and allowed.waiver == f"waiver {made.id}"
    # Deciding the same again records nothing new.
    decide_releases(store, "baseline", gpl, now)
    assert decide_releases(store, "baseline", gpl, expires)[0].action == "deny"  # expired
    revoke(store, made.id, "carol")
    assert waivers(store, "baseline", in_force=True) == []
    assert decide_releases(store, "baseline", gpl, now)[0].action == "deny"
    actions = [(e.action, e.detail.get("action")) for e in audit_entries(store, "baseline")]
    assert actions == [
        ("apply", None),
        ("decision", "deny"),
        ("waiver.add", None),
        ("decision", "allow"),
        ("decision", "deny"),
        ("waiver.revoke", None),
    ]
    with pytest.raises(DBAPIError), global_transaction(store) as tx:
        tx.execute(update(policy_audit).values(actor="mallory"))


def test_the_marker_moves_with_every_input(store: Store, tmp_path: Path) -> None:
    path = write(tmp_path, BASELINE)
    apply_policy(store, path, None, "ops")
    marks = [policy_inputs_marker(store, "baseline", "pypi", "Demo.Pkg")]
    assert policy_inputs_marker(store, "baseline", "pypi", "demo-pkg") == marks[0]
    add_waiver(store, "baseline", "demo-pkg", "*", "ok", "alice", "bob", None)
    marks.append(policy_inputs_marker(store, "baseline", "pypi", "demo-pkg"))
    import_records(store, tmp_path / "osv", advisory("GHSA-aaaa-bbbb-cccc", "demo-pkg", "1.2"))
    marks.append(policy_inputs_marker(store, "baseline", "pypi", "demo-pkg"))
    path.write_text(BASELINE + "\n# v2\n", encoding="utf-8")
    apply_policy(store, path, None, "ops")
    marks.append(policy_inputs_marker(store, "baseline", "pypi", "demo-pkg"))
    review_licence_proposal(store, "pkg:pypi/demo-pkg", approve=True)
    marks.append(policy_inputs_marker(store, "baseline", "pypi", "demo-pkg"))
    assert len(set(marks)) == len(marks)
    # Another package's inputs are not this one's.
    assert policy_inputs_marker(store, "baseline", "pypi", "other") != marks[-1]
    stable = policy_inputs_marker(store, "baseline", "pypi", "demo-pkg")
    assert stable == marks[-1]


def test_an_unknown_policy_hides_everything(store: Store) -> None:
    decisions = decide_releases(store, "missing", [release("1.0")], NOW)
    assert [d.action for d in decisions] == ["hide"]
    with pytest.raises(NotFoundError):
        check(store, "pkg:pypi/demo@1.0", "missing")


def test_a_stored_malicious_package_advisory_denies_an_npm_release(
    store: Store, tmp_path: Path
) -> None:
    path = write(tmp_path, 'name = "lenient"\n[first_party]\npatterns = ["@acme/*"]\n')
    apply_policy(store, path, None, "ops")
    record = {
        "id": "MAL-2026-0001",
        "modified": "2026-01-01T00:00:00Z",
        "summary": "malicious code",
        "affected": [
            {"package": {"ecosystem": "npm", "name": "@evil/left-pad"}, "versions": ["1.0.1"]}
        ],
    }
    import_records(store, tmp_path / "osv", record)
    ups = [
        UpstreamRelease("npm", "@evil/left-pad", v, NOW - timedelta(days=30), "MIT")
        for v in ("1.0.0", "1.0.1")
    ]
    decisions = decide_releases(store, "lenient", ups, NOW)
    assert [d.action for d in decisions] == ["allow", "deny"]
    assert decisions[1].reasons[0].rule == "security.malicious"
    assert "MAL-2026-0001" in decisions[1].summary()
    mine = UpstreamRelease("npm", "@acme/ui", "1.0.0", None, None)
    assert decide_releases(store, "lenient", [mine], NOW)[0].action == "allow"


def test_health_rules_read_the_center(store: Store, tmp_path: Path) -> None:
    text = 'name = "h"\n[health]\nmin_score = 1000\nmaintenance_deny = ["archived"]\n'
    apply_policy(store, write(tmp_path, text), None, "ops")
    mit = LicenseValue("MIT", "MIT", "exact", "pypi:license")
    with global_transaction(store) as tx:
        versions = (PackageVersion("1.0", NOW - timedelta(days=30), False, None, mit, ()),)
        save_package(tx, pypi_record("demo-pkg", versions, license=mit), NOW)
    explained = check(store, "pkg:pypi/demo-pkg@1.0", "h", NOW)
    # The center scores what it knows (an impossible minimum then fires); a package it does
    # not know has no score, and an unknown score does not fire.
    assert isinstance(explained.inputs["health_score"], float)
    assert [r.rule for r in explained.decision.reasons] == ["health.min_score"]
    assert check(store, "pkg:pypi/unknown-pkg@1.0", "h", NOW).decision.action == "allow"
