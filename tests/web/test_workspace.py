"""The tenant workspace over the real app: projects, upload, findings with VEX triage that
carries over to the next version, components with filters, where-used, portfolio, tokens
and webhooks; on SQLite and PostgreSQL."""

from __future__ import annotations

import html
import json
import re

import httpx
import pytest

import ossmeta
from ossmeta.service import accounts
from ossmeta.service import decisions as vex
from ossmeta.store import Store
from ossmeta.surfaces.web.routes.workspace import PAGE_SIZE
from tests.service.inventories_data import JINJA, JINJA_ALIASES, REQUIREMENTS
from tests.web.accounts import client, csrf, user

VERSION_1 = "/workspace/projects/shop/versions/1.0"


@pytest.fixture
def member(store: Store) -> str:
    user(store, "acme", "alice", "member")
    return "alice"


def _upload(
    http: httpx.Client, version: str, body: bytes = REQUIREMENTS, name: str = "requirements.txt"
) -> httpx.Response:
    return http.post(
        "/workspace/projects/shop/upload",
        data={"version": version, "csrf": csrf(http, "/workspace/projects/shop")},
        files={"file": (name, body, "text/plain")},
    )


def _shop(http: httpx.Client) -> None:
    assert (
        http.post("/workspace/projects", data={"name": "shop", "csrf": csrf(http)}).status_code
        == 303
    )
    answer = _upload(http, "1.0")
    assert answer.status_code == 303 and answer.headers["location"] == VERSION_1


def _decision_cell(page: str, advisory: str) -> str:
    row = next(
        r for r in page.split('<tr class="finding">')[1:] if f'class="advisory">{advisory}<' in r
    )
    cell = re.search(r'<td class="decision">(.*?)</td>', row, re.S)
    assert cell is not None
    return cell.group(1)


def test_upload_triage_and_carry_over(site: str, member: str, store: Store) -> None:
    with client(site, member) as http:
        _shop(http)
        page = http.get(VERSION_1).text
        assert JINJA in page and "none yet" in _decision_cell(page, JINJA)
        # The page's own names never shadow the footer's version of ossmeta.
        assert f"version {ossmeta.__version__}." in page
        answer = http.post(
            f"{VERSION_1}/decisions",
            data={
                "csrf": csrf(http, VERSION_1),
                "purl": "pkg:pypi/jinja2@2.10",
                "advisory": JINJA_ALIASES[0],  # any alias of the group
                "state": "not_affected",
                "justification": "code_not_reachable",
                "comment": "we never render user templates",
            },
        )
        assert answer.status_code == 303
        cell = _decision_cell(http.get(VERSION_1).text, JINJA)
        assert "not affected" in cell and "the code is not reachable" in cell
        assert "we never render user templates" in cell and "session:" in cell
        assert _upload(http, "1.1").status_code == 303
        carried = _decision_cell(http.get("/workspace/projects/shop/versions/1.1").text, JINJA)
        assert "not affected" in carried
    # The very decision the API records and reads.
    tenant = accounts.tenant_named(store, "acme")
    made = vex.history(store, tenant.id, "shop", "1.1")
    assert [(d.state, d.justification, d.advisory_id) for d in made] == [
        ("not_affected", "code_not_reachable", JINJA_ALIASES[0])
    ]


def test_not_affected_without_justification_is_a_bad_request(site: str, member: str) -> None:
    with client(site, member) as http:
        _shop(http)
        answer = http.post(
            f"{VERSION_1}/decisions",
            data={
                "csrf": csrf(http, VERSION_1),
                "purl": "pkg:pypi/jinja2@2.10",
                "advisory": JINJA,
                "state": "not_affected",
            },
        )
        assert answer.status_code == 400 and "justification" in answer.text


def test_a_file_that_is_no_inventory_is_a_422_page(site: str, member: str) -> None:
    with client(site, member) as http:
        http.post("/workspace/projects", data={"name": "shop", "csrf": csrf(http)})
        answer = _upload(http, "1.0", b"[[package]\nname =", "uv.lock")
        assert answer.status_code == 422 and "uv.lock" in answer.text
        assert "text/html" in answer.headers["content-type"]


def test_components_filters_where_used_and_portfolio(site: str, member: str) -> None:
    with client(site, member) as http:
        _shop(http)
        listed = http.get(f"{VERSION_1}/components").text
        assert all(name in listed for name in ("jinja2", "requests", "click"))
        high = http.get(f"{VERSION_1}/components", params={"severity": "critical"}).text
        assert "click" not in high
        bsd = http.get(f"{VERSION_1}/components", params={"licence": "BSD-3-Clause"}).text
        assert "jinja2" in bsd and "requests" not in bsd
        transitive = http.get(f"{VERSION_1}/components", params={"kind": "transitive"}).text
        assert "No component passes these filters." in transitive
        assert http.get(f"{VERSION_1}/components", params={"severity": "bad"}).status_code == 400
        used = http.get("/workspace/where-used", params={"purl": "pkg:pypi/jinja2@2.10"}).text
        assert f'href="{VERSION_1}"' in used
        nowhere = http.get("/workspace/where-used", params={"purl": "pkg:pypi/jinja2@9"}).text
        assert "None of your project versions holds it." in nowhere
        by_advisory = http.get("/workspace/where-used", params={"advisory": JINJA_ALIASES[1]}).text
        assert f'href="{VERSION_1}"' in by_advisory
        portfolio = http.get("/workspace/portfolio")
        assert portfolio.status_code == 200 and 'id="severity-chart"' in portfolio.text
        assert portfolio.headers["cache-control"] == "no-store"


def _names(page: str) -> list[str]:
    return re.findall(r'<span translate="no">(pkg-\d+)</span>', page)


def test_components_are_paged_with_a_next_link_keeping_the_filters(site: str, member: str) -> None:
    # More components than one page holds, none known to the center.
    many = [f"pkg-{n:03d}" for n in range(PAGE_SIZE + 5)]
    body = "".join(f"{name}==1.0\n" for name in many).encode()
    with client(site, member) as http:
        http.post("/workspace/projects", data={"name": "shop", "csrf": csrf(http)})
        assert _upload(http, "1.0", body).status_code == 303
        first = http.get(f"{VERSION_1}/components", params={"kind": "direct"}).text
        link = re.search(r'<a rel="next" class="next-page" href="([^"]+)"', first)
        assert link is not None and "kind=direct" in link.group(1)
        second = http.get(html.unescape(link.group(1)))
        assert second.status_code == 200 and 'rel="next"' not in second.text
        assert _names(first) + _names(second.text) == many
        # Damaged, forged (a boolean, a number past 32 bits) and overlong cursors.
        for cursor in ("not-a-cursor", "dHJ1ZQ", "OTk5OTk5OTk5OTk5", "MA" * 40):
            damaged = http.get(f"{VERSION_1}/components", params={"cursor": cursor})
            assert damaged.status_code == 400, cursor


def _counts(page: str, name: str) -> tuple[list[int], list[int]]:
    """The chart's data island and the counts of the table beside it."""
    island = re.search(rf'<script type="application/json" id="{name}-data">(.*?)</script>', page)
    table = re.search(rf'<table id="{name}-table">(.*?)</table>', page, re.S)
    assert island is not None and table is not None, name
    cells = re.findall(r"<tr><td>.*?</td><td>([\d,]+)</td></tr>", table.group(1))
    return json.loads(island.group(1)), [int(cell.replace(",", "")) for cell in cells]


def test_the_portfolio_charts_licences_and_maintenance_status(site: str, member: str) -> None:
    with client(site, member) as http:
        _shop(http)
        page = http.get("/workspace/portfolio").text
    for name in ("licence", "maintenance"):
        assert f'<div id="{name}-chart" class="chart" role="img"' in page
        island, table = _counts(page, name)
        # One count per table row, the three components of the shop's latest version.
        assert island == table and sum(island) == 3, name


def test_a_token_secret_is_shown_once_and_revoking_ends_it(site: str, member: str) -> None:
    with client(site, member) as http:
        created = http.post(
            "/workspace/tokens",
            data={"csrf": csrf(http, "/workspace/tokens"), "name": "ci", "scope": ["read"]},
        )
        assert created.status_code == 201
        found = re.search(r'class="token-secret" translate="no">(osm_[^<]+)<', created.text)
        assert found is not None
        secret = found.group(1)
        listed = http.get("/workspace/tokens").text
        assert secret not in listed and "ci" in listed
        with httpx.Client(base_url=site, headers={"Authorization": f"Bearer {secret}"}) as api:
            assert api.get("/api/v1/me").json()["login"] == member
            token_id = api.get("/api/v1/me").json()["token_id"]
            assert (
                http.post(
                    f"/workspace/tokens/{token_id}/revoke",
                    data={"csrf": csrf(http, "/workspace/tokens")},
                ).status_code
                == 303
            )
            assert api.get("/api/v1/me").status_code == 401
        # A member may not make an admin-scope token.
        refused = http.post(
            "/workspace/tokens", data={"csrf": csrf(http, "/workspace/tokens"), "scope": ["admin"]}
        )
        assert refused.status_code == 403


def test_a_webhook_secret_is_shown_once(site: str, member: str) -> None:
    with client(site, member) as http:
        token = csrf(http, "/workspace/webhooks")
        created = http.post(
            "/workspace/webhooks",
            data={"csrf": token, "url": "https://hooks.example/ossmeta", "event": ["finding.new"]},
        )
        assert created.status_code == 201
        found = re.search(r'class="webhook-secret" translate="no">(whsec_[^<]+)<', created.text)
        assert found is not None
        listed = http.get("/workspace/webhooks").text
        assert found.group(1) not in listed and "https://hooks.example/ossmeta" in listed
        bad = http.post(
            "/workspace/webhooks", data={"csrf": token, "url": "ftp://x", "event": ["finding.new"]}
        )
        assert bad.status_code == 400
