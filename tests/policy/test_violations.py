"""Policy violations on tenant inventories, on SQLite and PostgreSQL: the tenant's policy
(else the operator's default) judges every component with the same facts and engine as
the index, so the index and the inventory never disagree; classes, waivers, and the API
(filter, pagination, problems, the version document's summary)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from ossmeta.analyses.policy.model import UpstreamRelease
from ossmeta.model import LicenseValue, PackageVersion
from ossmeta.service import inventories
from ossmeta.service.accounts import Actor, create_tenant, tenant_named
from ossmeta.service.policy import add_waiver, apply_policy
from ossmeta.service.policy_decide import check, decide_releases
from ossmeta.service.policy_violations import rule_class, tenant_policy, version_violations
from ossmeta.store import Store
from ossmeta.store.packages import save_package
from ossmeta.store.tenancy import global_transaction
from tests.api.conftest import ApiServer, api, api_factory, serve_app  # noqa: F401  (fixtures)
from tests.helpers import pypi_record
from tests.policy.test_service import BASELINE, HIGH, advisory, write
from tests.service.inventories_data import import_records
from tests.web.accounts import client, csrf, user
from tests.web.conftest import site  # noqa: F401  (the fixture)
from tests.web.text_nodes import visible_words

ACTOR = Actor("cli:test")
NOW = datetime.now(UTC).replace(microsecond=0)
STRICT = BASELINE.replace('name = "baseline"', 'name = "strict"')
REQUIREMENTS = (
    b"demo-pkg==1.0\nfresh-pkg==2.0\nfresh-pkg-old==0.1\nclean-pkg==1.0\nunknown-pkg==3.0\n"
)


def _licence(spdx: str) -> LicenseValue:
    return LicenseValue(spdx, spdx, "exact", "pypi:license")


def _package(store: Store, name: str, versions: dict[str, tuple[float, str]]) -> None:
    """A package the center holds: version -> (age in days, licence)."""
    made = tuple(
        PackageVersion(v, NOW - timedelta(days=age), False, None, _licence(lic), ())
        for v, (age, lic) in versions.items()
    )
    with global_transaction(store) as tx:
        save_package(tx, pypi_record(name, made, license=made[-1].license), NOW)


def _world(store: Store, tmp_path: Path) -> int:
    """Tenant acme with its own policy, a project version with five components."""
    tenant = create_tenant(store, "acme", ACTOR)
    _package(store, "demo-pkg", {"1.0": (40, "GPL-3.0-only"), "1.1": (30, "MIT")})
    _package(store, "fresh-pkg", {"1.0": (60, "MIT"), "2.0": (1, "MIT")})
    _package(store, "clean-pkg", {"1.0": (90, "MIT")})
    import_records(
        store, tmp_path / "osv", advisory("GHSA-aaaa-bbbb-cccc", "demo-pkg", "1.1", HIGH)
    )
    apply_policy(store, write(tmp_path, STRICT, "strict.toml"), "acme", "ops")
    inventories.create_project(store, tenant.id, "shop", ACTOR)
    inventories.upload(store, tenant.id, "shop", "1", "requirements.txt", REQUIREMENTS, ACTOR)
    return tenant.id


def test_the_inventory_and_the_index_agree(store: Store, tmp_path: Path) -> None:
    tenant = _world(store, tmp_path)
    report = version_violations(store, tenant, "shop", "1", now=NOW)
    assert (report.policy, report.policy_version, report.components) == ("strict", 1, 5)
    rules = {(v.purl, v.rule) for v in report.violations}
    assert rules == {
        ("pkg:pypi/demo-pkg@1.0", "security.deny_at_or_above"),
        ("pkg:pypi/demo-pkg@1.0", "licenses.deny"),
        ("pkg:pypi/fresh-pkg@2.0", "cooldown.min_age_days"),
        # Neither the center nor an upstream knows these: no upload time, held back.
        ("pkg:pypi/fresh-pkg-old@0.1", "cooldown.unknown_age"),
        ("pkg:pypi/unknown-pkg@3.0", "cooldown.unknown_age"),
    }
    by_purl: dict[str, set[str]] = {}
    for v in report.violations:
        by_purl.setdefault(v.purl, set()).add(v.rule)
        assert v.klass == rule_class(v.rule)
    [advised] = [v for v in report.violations if v.rule.startswith("security.")]
    assert (advised.klass, advised.advisory) == ("security", "GHSA-aaaa-bbbb-cccc")
    # The same purl@version, asked of the index path, gets the same action and rules.
    for purl in (
        "pkg:pypi/demo-pkg@1.0",
        "pkg:pypi/fresh-pkg@2.0",
        "pkg:pypi/clean-pkg@1.0",
        "pkg:pypi/unknown-pkg@3.0",
    ):
        explained = check(store, purl, "strict", NOW).decision
        assert {r.rule for r in explained.reasons} == by_purl.get(purl, set()), purl
        shown = {v.action for v in report.violations if v.purl == purl}
        assert shown == ({explained.action} if explained.reasons else set()), purl
    name, version = "fresh-pkg", "2.0"
    ups = [
        UpstreamRelease("pypi", name, v, NOW - timedelta(days=age), "MIT")
        for v, age in (("1.0", 60), (version, 1))
    ]
    index = decide_releases(store, "strict", ups, NOW)[1]
    assert index.action == "deny"
    assert {r.rule for r in index.reasons} == by_purl[f"pkg:pypi/{name}@{version}"]
    summary = report.summary()
    assert summary["by_class"] == {"license": 1, "security": 1, "operational": 3}
    assert (summary["total"], summary["waived"], summary["components"]) == (5, 0, 4)


def test_a_waiver_shows_as_waived_but_not_for_malware(store: Store, tmp_path: Path) -> None:
    tenant = _world(store, tmp_path)
    add_waiver(store, "strict", "pkg:pypi/demo-pkg", "<2", "accepted", "alice", "bob", None)
    report = version_violations(store, tenant, "shop", "1", now=NOW)
    demo = [v for v in report.violations if v.purl == "pkg:pypi/demo-pkg@1.0"]
    assert {(v.waived, v.action) for v in demo} == {(True, "allow")}
    assert all(v.waiver and v.waiver.startswith("waiver ") for v in demo)
    assert check(store, "pkg:pypi/demo-pkg@1.0", "strict", NOW).decision.action == "allow"
    assert report.summary()["waived"] == 2


def test_which_policy_judges_a_tenant(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    acme = create_tenant(store, "acme", ACTOR)
    other = create_tenant(store, "other", ACTOR)
    assert tenant_policy(store, other.id) is None
    apply_policy(store, write(tmp_path, BASELINE), None, "ops")
    assert tenant_policy(store, other.id) is None  # "baseline" is not the default's name
    monkeypatch.setenv("OSSMETA_TENANT_POLICY", "baseline")
    found = tenant_policy(store, other.id)
    assert found is not None and found.name == "baseline"
    apply_policy(store, write(tmp_path, STRICT, "strict.toml"), "acme", "ops")
    mine = tenant_policy(store, acme.id)
    assert mine is not None and mine.name == "strict"
    found = tenant_policy(store, other.id)
    assert found is not None and found.name == "baseline"  # acme's policy is acme's
    inventories.create_project(store, other.id, "p", ACTOR)
    inventories.upload(store, other.id, "p", "1", "requirements.txt", b"x==1\n", ACTOR)
    monkeypatch.setenv("OSSMETA_TENANT_POLICY", "nothing-by-that-name")
    empty = version_violations(store, other.id, "p", "1")
    assert (empty.policy, empty.violations, empty.components) == (None, (), 1)


def test_the_violations_api(api: ApiServer, tmp_path: Path) -> None:  # noqa: F811
    token = api.account("acme", "alice", role="member", scopes=("read", "write"))
    _package(api.store, "demo-pkg", {"1.0": (40, "GPL-3.0-only"), "1.1": (30, "MIT")})
    import_records(
        api.store, tmp_path / "osv", advisory("GHSA-aaaa-bbbb-cccc", "demo-pkg", "1.1", HIGH)
    )
    apply_policy(api.store, write(tmp_path, STRICT, "strict.toml"), "acme", "ops")
    url = "/api/v1/projects/shop/versions/1"
    with api.client(token) as http:
        assert http.post("/api/v1/projects", json={"name": "shop"}).status_code == 201
        put = http.put(
            f"{url}/inventory", params={"filename": "requirements.txt"}, content=REQUIREMENTS
        )
        assert put.status_code == 201
        everything = http.get(f"{url}/violations").json()
        assert set(everything) == {"items", "next"} and everything["next"] is None
        assert {item["policy"] for item in everything["items"]} == {"strict"}
        assert len(everything["items"]) == 6  # four packages the center does not know
        security = http.get(f"{url}/violations", params={"class": "security"}).json()
        [item] = security["items"]
        assert item["class"] == "security" and item["advisory"] == "GHSA-aaaa-bbbb-cccc"
        assert item["purl"] == "pkg:pypi/demo-pkg@1.0" and item["action"] == "deny"
        assert item["policy_version"] == 1 and item["waived"] is False
        # Page by page, one at a time, the same list.
        seen, cursor = [], None
        while True:
            params = {"limit": "2", **({"cursor": cursor} if cursor else {})}
            page = http.get(f"{url}/violations", params=params).json()
            seen += page["items"]
            cursor = page["next"]
            if cursor is None:
                break
        assert seen == everything["items"]
        document = http.get(url).json()
        assert document["violations"]["total"] == 6
        assert document["violations"]["by_class"]["license"] == 1
        bad = http.get(f"{url}/violations", params={"class": "style"})
        assert bad.status_code == 422
        assert bad.headers["content-type"].startswith("application/problem+json")
        assert http.get(f"{url}/violations", params={"cursor": "!!"}).status_code == 400
        missing = http.get("/api/v1/projects/shop/versions/9/violations")
        assert missing.status_code == 404
        assert missing.headers["content-type"].startswith("application/problem+json")
        schema = http.get("/openapi.json").json()
        assert "/api/v1/projects/{project}/versions/{version}/violations" in schema["paths"]
    other = api.account("umbrella", "eve", role="member", scopes=("read", "write"))
    with api.client(other) as http:
        assert http.get(f"{url}/violations").status_code == 404


def test_the_workspace_page_shows_them_in_both_languages(
    site: str,  # noqa: F811  (the fixture)
    store: Store,
    tmp_path: Path,
) -> None:
    user(store, "acme", "alice", "member")
    apply_policy(store, write(tmp_path, STRICT, "strict.toml"), "acme", "ops")
    page = "/workspace/projects/shop/versions/1.0"
    with client(site, "alice") as http:
        http.post("/workspace/projects", data={"name": "shop", "csrf": csrf(http)})
        http.post(
            "/workspace/projects/shop/upload",
            data={"version": "1.0", "csrf": csrf(http)},
            files={"file": ("requirements.txt", REQUIREMENTS, "text/plain")},
        )
        http.cookies.set("lang", "en")
        english = http.get(page).text
        http.cookies.set("lang", "zh")
        chinese = http.get(page).text
    report = version_violations(store, tenant_named(store, "acme").id, "shop", "1.0")
    assert report.violations
    for text in (english, chinese):
        table = text.split('<table class="violations">')[1].split("</table>")[0]
        assert table.count('<tr class="violation">') == len(report.violations)
        assert "pkg:pypi/unknown-pkg@3.0" in table and "cooldown.unknown_age" in table
    assert "Policy violations" in english and "策略违规" in chinese
    en, zh = visible_words(english), visible_words(chinese)
    assert len(en) == len(zh)
    assert not [a for a, b in zip(en, zh, strict=True) if a == b]
