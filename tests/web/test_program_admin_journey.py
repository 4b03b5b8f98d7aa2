"""The program admin in a real browser (Debian's Chromium through Playwright, as
``test_browser``): log in -> upload the rankings table -> run the matching -> the checker's
verdict -> an edit refused without an override, with its blocking pairs -> kept with a
reason -> publish; then the page in Chinese. axe-core checks every page on the way; the last
screen is saved under ``artifacts/web/``."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ossmeta.service.program_access import Member
from ossmeta.store import open_store
from tests.api.world_program_admin import selection_year
from tests.web import test_browser as public
from tests.web.accounts import PASSWORD, user
from tests.web.conftest import serve
from tests.web.test_browser import _axe, _shot

# The public journeys' browser and tab, and their marks (Chromium present, one at a time).
browser, page, pytestmark = public.browser, public.page, public.pytestmark

RANKINGS = "mentor_id,pair_id,rank\nM1,P2,1\nM1,P1,2\nM2,P1,1\nM2,P3,2\nM2,P2,2\n"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    where = tmp_path_factory.mktemp("program-admin-site")
    store = open_store(f"sqlite:///{where / 'store.db'}")
    store.upgrade()
    selection_year(store, where, Member("ada", "admin", ""))
    user(store, "acme", "ada", "member")
    yield from serve(store)
    store.dispose()


def _verdict(page: Any) -> str:
    text: str = page.locator("#verdict").inner_text()
    return " ".join(text.split())


def test_the_admin_uploads_matches_is_refused_overrides_and_publishes(
    page: Any, site: str, tmp_path: Path
) -> None:
    table = tmp_path / "rankings.csv"
    table.write_text(RANKINGS, encoding="utf-8")
    page.goto(f"{site}/program/admin")
    assert "/login?next=" in page.url
    page.get_by_label("Login", exact=True).fill("ada")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{site}/program/admin")
    assert page.get_by_role("heading", name="Program administration 2027").is_visible()
    _axe(page)

    page.select_option("#import-kind", "rankings")
    page.set_input_files("#import-file", str(table))
    page.get_by_role("button", name="Upload the table").click()
    page.wait_for_url(f"{site}/program/admin?year=2027")
    assert "import rankings" in page.locator("section", has_text="Audit").inner_text()

    page.select_option("#variant", "pair_optimal")
    page.get_by_role("button", name="Run the matching").click()
    page.wait_for_url(f"{site}/program/admin?year=2027")
    assert _verdict(page) == "The checker's verdict: stable, no blocking pair."
    _axe(page)

    page.locator("#edit-pair").fill("P1")
    page.get_by_role("button", name="Make the edit").click()
    page.wait_for_selector("#refused-title")
    refused = page.locator("section.refused")
    assert refused.get_by_role("heading", name="The edit was not made").is_visible()
    rows = refused.locator("table.blocking tbody tr")
    assert rows.count() == 2
    assert "P1 T2 3a" in " ".join(rows.first.inner_text().split())
    _axe(page)

    page.get_by_label("Reason for the override (kept in the audit)").fill("P1 withdrew")
    page.get_by_role("button", name="Keep the edit with this reason").click()
    page.wait_for_url(f"{site}/program/admin?year=2027")
    assert _verdict(page) == "The checker's verdict: 2 blocking pair(s)."
    assert "P1 withdrew" in page.locator("main").inner_text()

    page.get_by_role("button", name="Publish the result").click()
    page.wait_for_url(f"{site}/program/admin?year=2027")
    assert "Published at" in page.locator("main").inner_text()
    assert page.get_by_role("button", name="Publish the result").count() == 0
    _axe(page)

    page.get_by_role("link", name="简体中文").click()
    page.wait_for_selector('html[lang="zh-Hans"]')
    assert page.get_by_role("heading", name="项目管理 2027").is_visible()
    assert _verdict(page) == "校验器结论：有 2 个阻塞对。"
    _axe(page)
    _shot(page, "journey-program-admin")
