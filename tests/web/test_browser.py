"""The pages in a real browser: Debian's Chromium, headless, driven by Playwright, against
the real app on loopback over a SQLite store seeded here (no network: every file a page
loads comes from /static/).

Journeys: home -> search -> package page with its charts drawn; English -> Chinese ->
English with every visible word changing. axe-core (the vendored file) checks every page
for serious or critical accessibility violations. The last screen of each journey is saved
under ``artifacts/web/``."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ossmeta.store import open_store
from ossmeta.surfaces.web.assets.fetch import VENDOR
from tests.web.conftest import serve
from tests.web.world import seed

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts" / "web"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

#: The versions chart's colour for each state (static/package.js).
STATE_COLOURS = {"published": "#0b5cad", "deprecated": "#b54708", "yanked": "#b42318"}

pytestmark = [
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="no /usr/bin/chromium (apt-get install chromium)"
    ),
    pytest.mark.skipif(
        not (VENDOR / "echarts.min.js").exists(),
        reason="no vendored ECharts and axe-core (make install fetches them)",
    ),
    # One browser at a time per worker group: two Chromiums on a shared 2-core machine
    # starve each other.
    pytest.mark.xdist_group("browser"),
]

#: What the in-page walk keeps: text nodes with a letter, shown, outside translate="no".
VISIBLE_WORDS = """() => {
  const out = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const text = node.textContent.replace(/\\s+/g, " ").trim();
    const parent = node.parentElement;
    if (!text || !/\\p{L}/u.test(text) || !parent) continue;
    if (parent.closest('[translate="no"], script, style, noscript')) continue;
    if (parent.closest(".chart")) continue;  // the charts' own labels: checked by the chart test
    const box = parent.getBoundingClientRect();
    if (box.width === 0 && box.height === 0) continue;
    out.push(text);
  }
  return out;
}"""


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    where = tmp_path_factory.mktemp("site")
    store = open_store(f"sqlite:///{where / 'store.db'}")
    store.upgrade()
    seed(store, where)
    yield from serve(store)
    store.dispose()


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path_factory.mktemp("chromium-profile")),
            executable_path=str(CHROMIUM),
            headless=True,
            args=ARGS,
            viewport={"width": 1280, "height": 900},
        )
        yield context
        context.close()


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


def _axe(page: Any) -> None:
    page.add_script_tag(url="/static/vendor/axe.min.js")
    violations = page.evaluate(
        """async () => (await axe.run(document, {resultTypes: ["violations"]})).violations
            .map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.map(n => n.target.join(" "))}))"""
    )
    bad = [v for v in violations if v["impact"] in {"serious", "critical"}]
    assert not bad, f"{page.url}: {bad}"


def _svg_texts(page: Any, chart: str) -> list[str]:
    texts: list[str] = page.eval_on_selector_all(
        f"{chart} svg text", "nodes => nodes.map(n => n.textContent)"
    )
    return texts


def _shot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def test_search_to_a_package_page_with_its_charts_drawn(page: Any, site: str) -> None:
    page.goto(site + "/")
    _axe(page)
    page.get_by_label("A package name or purl, an advisory id or alias, or a repository").fill(
        "jinja"
    )
    page.keyboard.press("Enter")
    page.wait_for_url("**/search?q=jinja")
    assert page.get_by_role("heading", name="Results").is_visible()
    _axe(page)
    page.get_by_role("link", name="pkg:pypi/jinja2", exact=True).click()
    page.wait_for_url("**/packages/pkg:pypi/jinja2")
    assert page.get_by_role("heading", name="jinja2", level=1).is_visible()
    # The versions chart: a dot per dated version in its state's colour (and one in the
    # legend for each state), drawn as SVG in the chart's box.
    page.wait_for_selector("#versions-chart svg")
    fills = page.eval_on_selector_all(
        "#versions-chart svg path", "nodes => nodes.map(n => n.getAttribute('fill'))"
    )
    drawn_states = {state: fills.count(colour) - 1 for state, colour in STATE_COLOURS.items()}
    assert drawn_states == {"published": 3, "deprecated": 1, "yanked": 1}, fills
    assert page.locator("#versions-chart svg").bounding_box()["height"] > 100
    # The health parts: five bars' labels drawn, and the table beside them.
    page.wait_for_selector("#health-chart svg")
    drawn = _svg_texts(page, "#health-chart")
    for part in ("Security", "Licence", "Maintenance", "Community", "Adoption"):
        assert part in drawn, drawn
    assert page.locator("#health-parts tbody tr").count() == 5
    _axe(page)
    _shot(page, "journey-search-package")


def test_switching_to_chinese_and_back_changes_every_visible_word(page: Any, site: str) -> None:
    page.goto(site + "/packages/pkg:pypi/jinja2")
    english = page.evaluate(VISIBLE_WORDS)
    assert len(english) > 40
    page.get_by_role("link", name="简体中文").click()
    page.wait_for_selector('html[lang="zh-Hans"]')
    assert page.url.endswith("/packages/pkg:pypi/jinja2")
    chinese = page.evaluate(VISIBLE_WORDS)
    assert len(chinese) == len(english)
    unchanged = [en for en, zh in zip(english, chinese, strict=True) if en == zh]
    assert not unchanged, unchanged
    page.wait_for_selector("#health-chart svg")
    assert "安全" in _svg_texts(page, "#health-chart")
    _axe(page)
    # Remembered: a new visit to another page is in Chinese too.
    page.goto(site + "/")
    assert page.locator("html").get_attribute("lang") == "zh-Hans"
    _axe(page)
    page.get_by_role("link", name="English").click()
    page.wait_for_selector('html[lang="en"]')
    page.goto(site + "/packages/pkg:pypi/jinja2")
    assert page.evaluate(VISIBLE_WORDS) == english
    _shot(page, "journey-language")


@pytest.mark.parametrize(
    "path",
    [
        "/search",
        "/search?q=nothing-matches",
        "/search?q=CVE-2019-10906",
        "/packages/pkg:pypi/flask",
        "/packages/pkg:pypi/no-such-package",
        "/packages/pkg:bad",
    ],
)
def test_other_pages_are_accessible(page: Any, site: str, path: str) -> None:
    answer = page.goto(site + path)
    assert answer.status in {200, 400, 404}
    _axe(page)


def test_the_pages_read_without_javascript(browser: Any, site: str) -> None:
    tab = browser.new_page()
    try:
        tab.route("**/*.js", lambda route: route.abort())
        tab.goto(site + "/packages/pkg:pypi/jinja2")
        assert tab.locator("#health-parts tbody tr").count() == 5
        assert "2.10.1" in tab.locator("main").inner_text()
    finally:
        tab.close()
