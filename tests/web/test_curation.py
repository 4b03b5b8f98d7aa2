"""Curators' pages: a curator proposes a licence fix from the package page's link, cannot
review their own proposal, a second curator approves it, and the package page shows the
new licence with its provenance; other roles are refused."""

from __future__ import annotations

import re

import pytest

from ossmeta.store import Store
from tests.web.accounts import client, csrf, user

JINJA_PAGE = "/packages/pkg:pypi/jinja2"


@pytest.fixture
def curators(store: Store) -> tuple[str, str]:
    user(store, "acme", "carol", "curator")
    user(store, "globex", "dave", "curator")
    return "carol", "dave"


def _effective(page: str) -> str:
    found = re.search(r'Effective licence:\s*<strong translate="no">([^<]+)</strong>', page)
    assert found is not None
    return found.group(1)


def test_propose_review_and_the_package_page_shows_it(site: str, curators: tuple[str, str]) -> None:
    carol, dave = curators
    with client(site, carol) as http:
        package = http.get(JINJA_PAGE).text
        assert _effective(package) == "BSD-3-Clause"
        link = re.search(r'<p class="propose"><a href="([^"]+)"', package)
        assert link is not None and link.group(1) == "/curation/propose?purl=pkg%3Apypi%2Fjinja2"
        form = http.get(link.group(1)).text
        assert 'value="pkg:pypi/jinja2"' in form
        proposed = http.post(
            "/curation/propose",
            data={
                "csrf": csrf(http, link.group(1)),
                "purl": "pkg:pypi/jinja2",
                "field": "license",
                "value": "MIT",
                "reason": "the sdist's LICENSE file is MIT",
                "evidence": "https://example.org/jinja2/LICENSE",
            },
        )
        assert proposed.status_code == 303
        queue = http.get("/curation").text
        assert "the sdist&#39;s LICENSE file is MIT" in queue
        assert "Your own proposal: another curator reviews it." in queue
        curation_id = 1
        own = http.post(
            f"/curation/{curation_id}/review",
            data={"csrf": csrf(http, "/curation"), "decision": "approve"},
        )
        assert own.status_code == 400 and "cannot be reviewed by its author" in own.text
        assert _effective(http.get(JINJA_PAGE).text) == "BSD-3-Clause"
    with client(site, dave) as http:
        queue = http.get("/curation").text
        assert f'action="/curation/{curation_id}/review"' in queue
        approved = http.post(
            f"/curation/{curation_id}/review",
            data={"csrf": csrf(http, "/curation"), "decision": "approve", "note": "checked"},
        )
        assert approved.status_code == 303 and approved.headers["location"] == JINJA_PAGE
        package = http.get(JINJA_PAGE).text
        assert _effective(package) == "MIT"
        curated = package[package.index("Curations of the licence") :]
        assert "carol" in curated and "approved" in curated and "MIT" in curated
        assert "Nothing waits for a review." in http.get("/curation").text


@pytest.mark.parametrize("role", ["member", "viewer"])
def test_only_curators_and_admins_curate(site: str, store: Store, role: str) -> None:
    user(store, "acme", f"{role}-1", role)
    with client(site, f"{role}-1") as http:
        assert http.get("/curation").status_code == 403
        assert http.get("/curation/propose?purl=pkg:pypi/jinja2").status_code == 403
        refused = http.post(
            "/curation/propose",
            data={
                "csrf": csrf(http),
                "purl": "pkg:pypi/jinja2",
                "field": "license",
                "value": "MIT",
            },
        )
        assert refused.status_code == 403
