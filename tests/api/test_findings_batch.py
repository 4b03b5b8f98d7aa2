"""``POST /api/v1/findings:batch`` over real HTTP: per purl@version the alias groups that
affect it, with severities, fixed versions and the upgrade, as a scan of the same
components finds them; malformed or versionless purls answered with why; the documented
limit of 1,000 purls (1,001 is a 422 problem naming it)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import event

from ossmeta.analyses.scan import scan
from ossmeta.model import DeclaredPackage, Location
from ossmeta.normalizers.components import normalize_components
from ossmeta.store.lookup import AdvisoryLookup
from tests.api.conftest import ApiServer
from tests.service.inventories_data import JINJA, JINJA_ALIASES, REQUESTS_ALIASES, load_advisories

PROBLEM = "application/problem+json"


def test_findings_of_each_purl_in_order(api: ApiServer, tmp_path: Path) -> None:
    load_advisories(api.store, tmp_path)
    purls = [
        "pkg:pypi/Jinja2@2.10",
        "pkg:pypi/jinja2@2.10.1",
        "pkg:pypi/requests@2.19.0",
        "pkg:pypi/jinja2",
        "nonsense",
        "pkg:npm/left-pad@1.3.0",
    ]
    with api.client() as http:
        answer = http.post("/api/v1/findings:batch", json={"purls": purls})
    assert answer.status_code == 200, answer.text
    items = answer.json()["items"]
    assert [item["purl"] for item in items] == purls
    jinja, fixed, requests, versionless, bad, clean = items
    [finding] = jinja["findings"]
    assert finding["id"] == JINJA and sorted(finding["aliases"]) == sorted(JINJA_ALIASES)
    assert finding["fixed"] == ["2.10.1"] and finding["verdict"] == "affected"
    assert finding["severity"] in ("high", "medium") and finding["score"] is not None
    assert jinja["upgrade"] == "2.10.1" and jinja["error"] is None
    assert jinja["component"]["purl"] == "pkg:pypi/jinja2@2.10"
    assert fixed["findings"] == [] and fixed["error"] is None
    [found] = requests["findings"]
    assert set(REQUESTS_ALIASES) <= set(found["aliases"]) | {found["id"]}
    assert versionless["findings"] is None and "version" in versionless["error"]
    assert bad["findings"] is None and bad["component"] is None and bad["error"]
    assert clean["findings"] == [] and clean["component"]["ecosystem"] == "npm"
    # The same matching as a scan of those components.
    components = normalize_components(
        DeclaredPackage(None, "", None, Location("x"), purl=p) for p in purls[:3]
    )
    report = scan(components, AdvisoryLookup(api.store))
    expected = {c.component.purl: [(f.id, f.fixed) for f in c.findings] for c in report.components}
    shown = {
        i["component"]["purl"]: [(f["id"], tuple(f["fixed"])) for f in i["findings"]]
        for i in items[:3]
    }
    assert shown == expected


def test_the_limit_is_1000_documented_and_enforced(api: ApiServer, tmp_path: Path) -> None:
    load_advisories(api.store, tmp_path)
    with api.client() as http:
        full = http.post("/api/v1/findings:batch", json={"purls": ["pkg:pypi/jinja2@2.10"] * 1000})
        over = http.post("/api/v1/findings:batch", json={"purls": ["pkg:pypi/jinja2@2.10"] * 1001})
        empty = http.post("/api/v1/findings:batch", json={"purls": []})
        packages_over = http.post("/api/v1/packages:batch", json={"purls": ["pkg:pypi/x"] * 1001})
        spec = http.get("/openapi.json").json()
    assert full.status_code == 200
    assert len(full.json()["items"]) == 1000
    assert all(item["findings"][0]["id"] == JINJA for item in full.json()["items"])
    for response in (over, packages_over):
        assert response.status_code == 422 and response.headers["content-type"] == PROBLEM
        assert "1000" in response.json()["detail"], response.json()
    assert empty.status_code == 422
    assert "1000" in spec["paths"]["/api/v1/findings:batch"]["post"]["description"]


def test_batches_read_in_bulk_not_per_purl(api: ApiServer, tmp_path: Path) -> None:
    """Statements the store runs for a batch of 20 purls and for one of 1,000: the same
    few, for packages and for findings alike."""
    load_advisories(api.store, tmp_path)
    statements: list[str] = []

    def count(*args: Any) -> None:
        statements.append(str(args[2]))

    def run(path: str, purls: list[str]) -> int:
        statements.clear()
        event.listen(api.store.engine, "before_cursor_execute", count)
        try:
            with api.client() as http:
                answer = http.post(path, json={"purls": purls})
        finally:
            event.remove(api.store.engine, "before_cursor_execute", count)
        assert answer.status_code == 200 and len(answer.json()["items"]) == len(purls)
        return len(statements)

    for path in ("/api/v1/packages:batch", "/api/v1/findings:batch"):
        few = run(path, [f"pkg:pypi/p{n}@1.0" for n in range(20)] + ["pkg:pypi/jinja2@2.10"])
        many = run(path, [f"pkg:pypi/p{n}@1.0" for n in range(999)] + ["pkg:pypi/jinja2@2.10"])
        assert many <= few + 6, (path, few, many)
