"""The exhibition hall in a real browser (Debian's Chromium through Playwright, as
``test_browser``): hall -> a project's card -> its repository page with the activity chart
drawn; axe-core finds no serious or critical violation on any of the new pages."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest

from ossmeta.store import open_store
from tests.web.conftest import serve
from tests.web.test_browser import _axe, _shot, pytestmark  # noqa: F401  (the same skips)
from tests.web.test_browser import browser as browser
from tests.web.world import seed
from tests.web.world_more import JINJA_ACTIVITY, seed_more


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    where = tmp_path_factory.mktemp("site-more")
    home = where / "home"
    before = os.environ.get("OSSMETA_HOME")
    os.environ["OSSMETA_HOME"] = str(home)
    store = open_store(f"sqlite:///{where / 'store.db'}")
    store.upgrade()
    seed(store, where)
    seed_more(store, home)
    try:
        yield from serve(store)
    finally:
        store.dispose()
        if before is None:
            os.environ.pop("OSSMETA_HOME", None)
        else:
            os.environ["OSSMETA_HOME"] = before


@pytest.fixture
def page(browser: Any, site: str) -> Iterator[Any]:
    browser.clear_cookies()
    tab = browser.new_page()
    outside: list[str] = []
    tab.on(
        "request",
        lambda request: None if request.url.startswith(site) else outside.append(request.url),
    )
    yield tab
    tab.close()
    assert not outside, f"pages reached outside the site: {outside}"


def test_hall_to_a_project_card_to_its_repository_page(page: Any, site: str) -> None:
    page.goto(site + "/")
    page.get_by_role("link", name="Exhibition hall").click()
    page.wait_for_url("**/hall")
    assert page.get_by_role("heading", name="Exhibition hall", level=1).is_visible()
    # Each card's sparkline is drawn: one line path per card with activity.
    page.wait_for_selector("#spark-0 svg path")
    assert page.locator(".card .spark svg").count() == 2
    _axe(page)
    page.locator(".card").get_by_role("link", name="Jinja", exact=True).click()
    page.wait_for_url("**/repos/github.com/pallets/jinja2")
    assert page.get_by_role("heading", name="github.com/pallets/jinja2", level=1).is_visible()
    # The activity chart: one line through as many points as stored months, drawn as SVG.
    page.wait_for_selector("#activity-chart svg")
    box = page.locator("#activity-chart svg").bounding_box()
    assert box["height"] > 100 and box["width"] > 300
    lines = page.eval_on_selector_all(
        "#activity-chart svg path",
        "nodes => nodes.filter(n => n.getAttribute('fill') === 'none' && "
        "n.getAttribute('stroke') === '#0b5cad').map(n => n.getAttribute('d'))",
    )
    assert lines, "no line drawn"
    assert max(d.count("L") for d in lines) == len(JINJA_ACTIVITY) - 1, lines
    texts = page.eval_on_selector_all(
        "#activity-chart svg text", "nodes => nodes.map(n => n.textContent)"
    )
    assert "2025-11" in texts and "2026-02" in texts, texts
    _axe(page)
    _shot(page, "journey-hall-repository")


@pytest.mark.parametrize(
    "path",
    [
        "/hall?month=2025-11",
        "/repos/github.com/nobody/nothing",
        "/compare?purl=pkg:pypi/jinja2&purl=pkg:pypi/flask",
        "/compare?purl=pkg:pypi/jinja2",
        "/quality",
    ],
)
def test_new_pages_are_accessible(page: Any, site: str, path: str) -> None:
    answer = page.goto(site + path)
    assert answer.status in {200, 400}
    page.wait_for_load_state("load")
    _axe(page)


def test_compare_chart_is_drawn_and_the_form_adds_a_package(page: Any, site: str) -> None:
    page.goto(site + "/compare?purl=pkg:pypi/jinja2&purl=pkg:pypi/flask")
    page.wait_for_selector("#compare-chart svg")
    assert "Security" in page.eval_on_selector_all(
        "#compare-chart svg text", "nodes => nodes.map(n => n.textContent)"
    )
    page.get_by_label("Add a package (its purl, such as pkg:pypi/requests)").fill(
        "pkg:pypi/markupsafe"
    )
    page.get_by_role("button", name="Add and compare").click()
    page.wait_for_selector("#compare-table")
    assert page.locator("#compare-table thead th").count() == 4
