"""Private data over real HTTP: a tenant's private advisories match its own uploads only
(findings, where-used by id and by alias), never another tenant's, and never show in the
public advisory routes; private packages show as private and private curations correct the
tenant's component join only. Roles, bad records, deletion and the audit log."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.api.conftest import ApiServer
from tests.service.inventories_data import REQUIREMENTS, load_advisories

PRIVATE = "/api/v1/private/advisories"
INVENTORY = "/api/v1/projects/shop/versions/{}/inventory"
CLICK_ALIAS = "CVE-2099-0001"


def click_record(advisory_id: str = "ACME-2026-1", fixed: str = "9.0") -> dict[str, Any]:
    """A private record about click (no public advisory names it)."""
    return {
        "id": advisory_id,
        "modified": "2026-11-01T00:00:00Z",
        "aliases": [CLICK_ALIAS],
        "summary": "our own finding in click",
        "affected": [
            {
                "package": {"ecosystem": "PyPI", "name": "click"},
                "ranges": [
                    {"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": fixed}]}
                ],
            }
        ],
        "severity": [{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}],
    }


@pytest.fixture
def tokens(api: ApiServer, tmp_path: Path) -> dict[str, str]:
    """Curators of two tenants, each with a project 'shop', and a member and a viewer of
    the first tenant."""
    load_advisories(api.store, tmp_path)
    out = {
        "acme": api.account("acme", "alice", role="curator"),
        "globex": api.account("globex", "bob", role="curator"),
        "member": api.account("acme", "mallory", role="member"),
        "viewer": api.account("acme", "victor", role="viewer", scopes=("read",)),
    }
    for name in ("acme", "globex"):
        with api.client(out[name]) as http:
            assert http.post("/api/v1/projects", json={"name": "shop"}).status_code == 201
    return out


def _ids(document: dict[str, Any], package: str) -> list[str]:
    """Every id (and alias) of the package's findings, sorted."""
    return sorted(
        advisory
        for c in document["components"]
        if c["name"] == package
        for v in c["vulnerabilities"]
        for advisory in (v["id"], *v["aliases"])
    )


def _upload(api: ApiServer, token: str, version: str, body: bytes = REQUIREMENTS) -> Any:
    with api.client(token) as http:
        answer = http.put(
            INVENTORY.format(version), params={"filename": "requirements.txt"}, content=body
        )
    assert answer.status_code in (200, 201), answer.text
    return answer.json()


def _used(api: ApiServer, token: str, **params: str) -> list[dict[str, str]]:
    with api.client(token) as http:
        answer = http.get("/api/v1/where-used", params=params)
    assert answer.status_code == 200, answer.text
    items: list[dict[str, str]] = answer.json()["items"]
    return items


def test_a_private_advisory_matches_only_its_tenant(api: ApiServer, tokens: dict[str, str]) -> None:
    # Before the import click has no finding anywhere: the record below makes the one.
    assert _ids(_upload(api, tokens["acme"], "0.9"), "click") == []
    with api.client(tokens["acme"]) as http:
        answer = http.post(PRIVATE, json=click_record())
        assert answer.status_code == 201, answer.text
        assert answer.json()["added"] == 1 and answer.json()["shadowing"] == []
        assert isinstance(answer.json()["reevaluation_job"], int)
        # The same record again is a no-op.
        again = http.post(PRIVATE, json=[click_record()])
        assert again.status_code == 200 and again.json()["unchanged"] == 1
        assert again.json()["reevaluation_job"] is None
    mine = _upload(api, tokens["acme"], "1.0")
    theirs = _upload(api, tokens["globex"], "1.0")
    assert _ids(mine, "click") == ["ACME-2026-1", CLICK_ALIAS]
    assert _ids(theirs, "click") == []
    # The public findings are the same for both tenants.
    assert _ids(mine, "jinja2") == _ids(theirs, "jinja2") != []
    finding = next(c for c in mine["components"] if c["name"] == "click")["vulnerabilities"][0]
    assert finding["severity"] == "critical"
    with api.client(tokens["acme"]) as http:
        stored = http.get("/api/v1/projects/shop/versions/1.0/findings").json()
    assert _ids(stored, "click") == ["ACME-2026-1", CLICK_ALIAS]
    # Where-used by the private id and by its alias: the tenant's own version only.
    for advisory in ("ACME-2026-1", CLICK_ALIAS):
        assert _used(api, tokens["acme"], advisory=advisory) == [
            {"project": "shop", "version": "1.0"}
        ]
        assert _used(api, tokens["globex"], advisory=advisory) == []
    # The record: its tenant reads it (any role); another tenant and the public do not.
    for reader in ("acme", "viewer"):
        with api.client(tokens[reader]) as http:
            shown = http.get(f"{PRIVATE}/ACME-2026-1")
            assert shown.status_code == 200
            assert shown.json()["record"]["summary"] == "our own finding in click"
            listed = http.get(PRIVATE).json()
            assert [a["id"] for a in listed["items"]] == ["ACME-2026-1"]
    with api.client(tokens["globex"]) as http:
        assert http.get(f"{PRIVATE}/ACME-2026-1").status_code == 404
        assert http.get(PRIVATE).json() == {"items": [], "next": None}
        assert http.delete(f"{PRIVATE}/ACME-2026-1").status_code == 404
    with api.client() as http:
        for advisory in ("ACME-2026-1", CLICK_ALIAS):
            assert http.get(f"/api/v1/advisories/{advisory}").status_code == 404
    with api.client(tokens["acme"]) as http:
        assert http.get("/api/v1/advisories/ACME-2026-1").status_code == 404


def test_a_private_id_equal_to_a_public_one_is_the_tenants_own(
    api: ApiServer, tokens: dict[str, str]
) -> None:
    """The tenant's record of a public id stands in for the public one inside the tenant
    (here: it says requests 2.19.0 is not affected); the public record is untouched."""
    public_id = "PYSEC-2018-28"
    with api.client() as http:
        before = http.get(f"/api/v1/advisories/{public_id}").json()
    record = {
        "id": public_id,
        "modified": "2026-11-01T00:00:00Z",
        "summary": "our triage: only requests < 2.0 is affected for us",
        "affected": [
            {
                "package": {"ecosystem": "PyPI", "name": "requests"},
                "ranges": [
                    {"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "2.0"}]}
                ],
            }
        ],
    }
    with api.client(tokens["acme"]) as http:
        answer = http.post(PRIVATE, json=record)
    assert answer.status_code == 201, answer.text
    assert answer.json()["shadowing"] == [public_id]
    assert "public advisory's id" in answer.json()["notes"][0]
    assert _ids(_upload(api, tokens["acme"], "1.0"), "requests") == []
    assert public_id in _ids(_upload(api, tokens["globex"], "1.0"), "requests")
    with api.client() as http:
        assert http.get(f"/api/v1/advisories/{public_id}").json() == before


def test_writes_need_a_curator_and_bad_records_store_nothing(
    api: ApiServer, tokens: dict[str, str]
) -> None:
    with api.client(tokens["member"]) as http:
        assert http.post(PRIVATE, json=click_record()).status_code == 403
        assert (
            http.post("/api/v1/private/packages", json={"purl": "pkg:pypi/acme-billing"})
        ).status_code == 403
    with api.client(tokens["viewer"]) as http:
        assert http.post(PRIVATE, json=click_record()).status_code == 403
    bad = {**click_record("ACME-2026-2"), "modified": "yesterday"}
    with api.client(tokens["acme"]) as http:
        answer = http.post(PRIVATE, json=[click_record(), bad, {"no": "id"}])
        assert answer.status_code == 422, answer.text
        problem = answer.json()
        assert answer.headers["content-type"].startswith("application/problem+json")
        assert len(problem["errors"]) == 2
        messages = [e["message"] for e in problem["errors"]]
        assert all(e["location"] == ["body"] for e in problem["errors"])
        assert any("request body[1]" in m and "modified" in m for m in messages)
        assert any("request body[2]" in m for m in messages)
        assert http.get(PRIVATE).json()["items"] == []
        assert http.post(PRIVATE, json=[]).status_code == 400
        assert http.post(PRIVATE, content=b"not json").status_code == 422


def test_deleting_a_private_advisory_ends_its_matching(
    api: ApiServer, tokens: dict[str, str]
) -> None:
    with api.client(tokens["acme"]) as http:
        assert http.post(PRIVATE, json=click_record()).status_code == 201
    assert _ids(_upload(api, tokens["acme"], "1.0"), "click") == ["ACME-2026-1", CLICK_ALIAS]
    with api.client(tokens["acme"]) as http:
        assert http.delete(f"{PRIVATE}/ACME-2026-1").status_code == 204
        assert http.get(f"{PRIVATE}/ACME-2026-1").status_code == 404
    admin = api.account("acme", "root", role="admin", scopes=("read", "write", "admin"))
    with api.client(admin) as http:
        actions = [e["action"] for e in http.get("/api/v1/audit").json()["items"]]
    assert "private_advisory.import" in actions and "private_advisory.delete" in actions
    assert _ids(_upload(api, tokens["acme"], "2.0"), "click") == []


def _components(api: ApiServer, token: str, version: str) -> dict[str, dict[str, Any]]:
    with api.client(token) as http:
        answer = http.get(f"/api/v1/projects/shop/versions/{version}/components")
    assert answer.status_code == 200, answer.text
    return {c["name"]: c for c in answer.json()["items"]}


def test_private_packages_and_curations_join_only_the_tenants_components(
    api: ApiServer, tokens: dict[str, str]
) -> None:
    body = REQUIREMENTS + b"acme-billing==1.4\n"
    with api.client(tokens["acme"]) as http:
        created = http.post(
            "/api/v1/private/packages",
            json={
                "purl": "pkg:pypi/Acme_Billing",
                "license": "LicenseRef-Acme",
                "repository": "https://git.acme.example/finance/billing",
                "description": "the billing service",
            },
        )
        assert created.status_code == 201, created.text
        assert created.json()["purl"] == "pkg:pypi/acme-billing"
        curated = http.post(
            "/api/v1/private/curations",
            json={
                "purl": "pkg:pypi/jinja2",
                "field": "license",
                "value": "BSD 3-Clause",
                "reason": "checked the LICENSE file of the tarball",
            },
        )
        assert curated.status_code == 201, curated.text
        assert curated.json()["value"] == "BSD-3-Clause"
        listed = http.get("/api/v1/private/curations").json()["items"]
        assert [c["purl"] for c in listed] == ["pkg:pypi/jinja2"]
        assert (
            http.post(
                "/api/v1/private/packages", json={"purl": "pkg:pypi/acme-billing@1.4"}
            ).status_code
            == 400
        )
        assert (
            http.post(
                "/api/v1/private/curations",
                json={
                    "purl": "pkg:pypi/jinja2",
                    "field": "license",
                    "value": "x y z",
                    "reason": "r",
                },
            ).status_code
            == 400
        )
    _upload(api, tokens["acme"], "1.0", body)
    _upload(api, tokens["globex"], "1.0", body)
    mine = _components(api, tokens["acme"], "1.0")
    theirs = _components(api, tokens["globex"], "1.0")
    billing = mine["acme-billing"]
    assert billing["private"] is True
    assert billing["registry"]["status"] == {"value": "private", "reason": None}
    assert billing["licence"]["value"] == "LicenseRef-Acme"
    assert billing["repository"]["value"] == "git.acme.example/finance/billing"
    other = theirs["acme-billing"]
    assert other["private"] is False
    assert other["registry"]["status"]["value"] is None
    assert other["licence"]["value"] is None
    assert mine["jinja2"]["licence"]["value"] == "BSD-3-Clause"
    assert mine["jinja2"]["licence"]["source"] == "private-curation"
    assert theirs["jinja2"]["licence"]["value"] is None
    # Filters see the corrected licence.
    with api.client(tokens["acme"]) as http:
        found = http.get(
            "/api/v1/projects/shop/versions/1.0/components", params={"licence": "BSD-3-Clause"}
        ).json()["items"]
    assert [c["name"] for c in found] == ["jinja2"]
    with api.client(tokens["globex"]) as http:
        assert http.get("/api/v1/private/packages").json()["items"] == []
        assert http.get("/api/v1/private/curations").json()["items"] == []
        gone = http.delete("/api/v1/private/packages", params={"purl": "pkg:pypi/acme-billing"})
        assert gone.status_code == 404
        assert http.delete(f"/api/v1/private/curations/{curated.json()['id']}").status_code == 404
    with api.client(tokens["acme"]) as http:
        assert (
            http.delete("/api/v1/private/packages", params={"purl": "pkg:pypi/acme-billing"})
        ).status_code == 204
        assert http.delete(f"/api/v1/private/curations/{curated.json()['id']}").status_code == 204
    after = _components(api, tokens["acme"], "1.0")
    assert after["acme-billing"]["private"] is False
    assert after["jinja2"]["licence"]["value"] is None


def test_a_private_package_is_matched_against_private_advisories_only(
    api: ApiServer, tokens: dict[str, str]
) -> None:
    """A tenant's own package named like a public one is not the public package: public
    advisories about the name do not apply to it, the tenant's own do."""
    with api.client(tokens["acme"]) as http:
        answer = http.post("/api/v1/private/packages", json={"purl": "pkg:pypi/requests"})
        assert answer.status_code == 201, answer.text
    assert _ids(_upload(api, tokens["acme"], "1.0"), "requests") == []
    assert "PYSEC-2018-28" in _ids(_upload(api, tokens["globex"], "1.0"), "requests")
    with api.client(tokens["acme"]) as http:
        record = {**click_record("ACME-9"), "aliases": []}
        record["affected"][0]["package"]["name"] = "requests"
        assert http.post(PRIVATE, json=record).status_code == 201
    assert _ids(_upload(api, tokens["acme"], "2.0"), "requests") == ["ACME-9"]


def test_decisions_take_a_private_advisory_by_any_alias(
    api: ApiServer, tokens: dict[str, str]
) -> None:
    with api.client(tokens["acme"]) as http:
        assert http.post(PRIVATE, json=click_record()).status_code == 201
    _upload(api, tokens["acme"], "1.0")
    with api.client(tokens["acme"]) as http:
        decided = http.put(
            "/api/v1/projects/shop/versions/1.0/decisions",
            json={
                "purl": "pkg:pypi/click@8.1.7",
                "advisory": CLICK_ALIAS,
                "state": "not_affected",
                "justification": "code_not_reachable",
                "comment": "we never call it",
            },
        )
        assert decided.status_code == 201, decided.text
        assert set(decided.json()["advisory_ids"]) == {"ACME-2026-1", CLICK_ALIAS}
        stored = http.get("/api/v1/projects/shop/versions/1.0/findings").json()
    click = next(c for c in stored["components"] if c["name"] == "click")
    assert click["vulnerabilities"][0]["analysis"]["state"] == "not_affected"
