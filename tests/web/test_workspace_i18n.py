"""Every visible string of the workspace pages is translated: each text node differs
between English and Chinese (data is marked ``translate="no"``), for pages with data in
them, forms, the secrets shown once and the error pages."""

from __future__ import annotations

import httpx
import pytest

from ossmeta.store import Store
from ossmeta.store.curation_store import Curations
from tests.service.inventories_data import JINJA, REQUIREMENTS
from tests.web.accounts import client, csrf, user
from tests.web.text_nodes import visible_words

VERSION = "/workspace/projects/shop/versions/1.0"
PAGES = (
    "/workspace",
    "/workspace/projects/shop",
    VERSION,
    f"{VERSION}/components",
    f"{VERSION}/components?kind=transitive",
    "/workspace/where-used",
    "/workspace/where-used?purl=pkg:pypi/jinja2",
    "/workspace/where-used?purl=pkg:pypi/nothing",
    "/workspace/portfolio",
    "/workspace/tokens",
    "/workspace/webhooks",
    "/workspace/projects/nope",
    f"{VERSION}/components?severity=bad",
    "/curation",
    "/curation/propose?purl=pkg:pypi/jinja2",
)


def _same_words(english: str, chinese: str) -> list[str]:
    en, zh = visible_words(english), visible_words(chinese)
    assert en, "the page shows no words"
    assert len(en) == len(zh), (en, zh)
    return [a for a, b in zip(en, zh, strict=True) if a == b]


@pytest.fixture
def shop(site: str, store: Store) -> str:
    user(store, "acme", "alice", "admin")
    for author in ("alice", "erin"):  # one of hers (no form), one she may review
        Curations(store).propose(
            "pkg:pypi/flask",
            "license",
            "MIT" if author == "alice" else "ISC",
            reason="the LICENSE file",
            author=author,
            evidence="https://example.org/LICENSE",
        )
    with client(site, "alice") as http:
        http.post("/workspace/projects", data={"name": "shop", "csrf": csrf(http)})
        http.post(
            "/workspace/projects/shop/upload",
            data={"version": "1.0", "csrf": csrf(http)},
            files={"file": ("requirements.txt", REQUIREMENTS, "text/plain")},
        )
        http.post(
            f"{VERSION}/decisions",
            data={
                "csrf": csrf(http),
                "purl": "pkg:pypi/jinja2@2.10",
                "advisory": JINJA,
                "state": "not_affected",
                "justification": "code_not_reachable",
                "comment": "not used",
            },
        )
        http.post("/workspace/tokens", data={"csrf": csrf(http), "name": "ci", "scope": ["read"]})
        http.post(
            "/workspace/webhooks",
            data={"csrf": csrf(http), "url": "https://hooks.example/x", "event": ["finding.new"]},
        )
    return site


@pytest.mark.parametrize("path", PAGES)
def test_every_visible_workspace_string_changes_with_the_language(shop: str, path: str) -> None:
    with client(shop, "alice") as http:
        http.cookies.set("lang", "en")
        english = http.get(path)
        http.cookies.set("lang", "zh")
        chinese = http.get(path)
        assert english.status_code == chinese.status_code != 303
        assert not _same_words(english.text, chinese.text), path


def test_the_login_page_and_the_secrets_shown_once_are_translated(shop: str) -> None:
    with httpx.Client(base_url=shop, timeout=30) as http:
        english = http.get("/login", headers={"Cookie": "lang=en"}).text
        chinese = http.get("/login", headers={"Cookie": "lang=zh"}).text
        assert not _same_words(english, chinese)
    with client(shop, "alice") as http:
        answers = []
        for lang in ("en", "zh"):
            http.cookies.set("lang", lang)
            answers.append(
                http.post(
                    "/workspace/tokens",
                    data={"csrf": csrf(http, "/workspace/tokens"), "scope": ["read"]},
                ).text
            )
        # Each answer lists one token more than the last: compare the secret's section.
        sections = [a[a.index('<section class="secret"') : a.index("</section>")] for a in answers]
        assert not _same_words(*sections)
