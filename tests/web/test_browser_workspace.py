"""The workspace in a real browser (Debian's Chromium through Playwright, as
``test_browser``): log in -> upload a lockfile -> findings appear -> mark one not_affected
with a justification -> upload the next version -> the decision carried over; a curator
proposes a licence fix, a second curator approves it, the package page shows the new
licence with its provenance. axe-core checks every page on the way; the last screen of
each journey is saved under ``artifacts/web/``."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ossmeta.service import accounts, inventories
from ossmeta.store import open_store
from tests.service.inventories_data import JINJA, REQUIREMENTS
from tests.web import test_browser as public
from tests.web.accounts import OPERATOR, PASSWORD, user
from tests.web.conftest import serve
from tests.web.test_browser import _axe, _shot
from tests.web.world import seed

# The public journeys' browser and tab, and their marks (Chromium present, one at a time).
browser, page, pytestmark = public.browser, public.page, public.pytestmark


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    where = tmp_path_factory.mktemp("workspace-site")
    store = open_store(f"sqlite:///{where / 'store.db'}")
    store.upgrade()
    seed(store, where)
    user(store, "acme", "alice", "member")
    user(store, "acme", "carol", "curator")
    user(store, "globex", "dave", "curator")
    # The page checks' own project, so they never lean on the journey having run first
    # (alone, or under pytest-xdist in any order); the journey makes its own "shop".
    acme = accounts.tenant_named(store, "acme").id
    inventories.create_project(store, acme, "checked", OPERATOR)
    inventories.upload(store, acme, "checked", "1.0", "requirements.txt", REQUIREMENTS, OPERATOR)
    yield from serve(store)
    store.dispose()


def _log_in(page: Any, site: str, login: str) -> None:
    page.goto(f"{site}/login")
    page.get_by_label("Login", exact=True).fill(login)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{site}/workspace")


def _upload(page: Any, version: str, lockfile: Path) -> None:
    page.get_by_label("Version", exact=True).fill(version)
    page.set_input_files("#inventory-file", str(lockfile))
    page.get_by_role("button", name="Upload").click()
    page.wait_for_url(f"**/versions/{version}")


def _jinja_row(page: Any) -> Any:
    return page.locator("tr.finding", has=page.locator(".advisory", has_text=JINJA))


def test_triage_carries_over_to_the_next_version(page: Any, site: str, tmp_path: Path) -> None:
    lockfile = tmp_path / "requirements.txt"
    lockfile.write_bytes(REQUIREMENTS)
    page.goto(f"{site}/workspace")
    assert "/login?next=" in page.url
    _axe(page)
    page.get_by_label("Login", exact=True).fill("alice")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{site}/workspace")
    _axe(page)
    page.get_by_label("Name").fill("shop")
    page.get_by_role("button", name="Create the project").click()
    page.wait_for_url("**/workspace/projects/shop")
    _axe(page)
    _upload(page, "1.0", lockfile)
    row = _jinja_row(page)
    assert row.count() == 1 and "none yet" in row.locator("td.decision").inner_text()
    _axe(page)
    row.get_by_label("State").select_option("not_affected")
    row.get_by_label("Justification (for not affected)").select_option("code_not_reachable")
    row.get_by_label("Comment").fill("templates never come from users")
    row.get_by_role("button", name="Record the decision").click()
    page.wait_for_load_state()
    decided = _jinja_row(page).locator("td.decision").inner_text()
    assert "not affected" in decided and "the code is not reachable" in decided
    page.goto(f"{site}/workspace/projects/shop")
    _upload(page, "1.1", lockfile)
    carried = _jinja_row(page).locator("td.decision").inner_text()
    assert "not affected" in carried and "templates never come from users" in carried
    _shot(page, "workspace-triage-carried-over")


@pytest.mark.parametrize(
    "path",
    [
        "/workspace/projects/checked/versions/1.0/components",
        "/workspace/where-used?purl=pkg:pypi/jinja2",
        "/workspace/portfolio",
        "/workspace/tokens",
        "/workspace/webhooks",
        "/workspace/projects/nope",
    ],
)
def test_workspace_pages_are_accessible(page: Any, site: str, path: str) -> None:
    _log_in(page, site, "alice")
    page.goto(f"{site}{path}")
    if path.endswith("/components"):
        # The real components page, never the "not found" page of a missing project.
        assert "jinja2" in page.locator("table.components").inner_text(timeout=5000)
    _axe(page)
    if path == "/workspace/portfolio":
        for chart in ("severity", "licence", "maintenance"):
            page.wait_for_selector(f"#{chart}-chart svg")


def test_a_curated_licence_reaches_the_package_page(page: Any, site: str, browser: Any) -> None:
    _log_in(page, site, "carol")
    page.goto(f"{site}/packages/pkg:pypi/markupsafe")
    page.get_by_role("link", name="Propose a correction").click()
    page.wait_for_url("**/curation/propose?purl=*")
    _axe(page)
    page.get_by_label("Field", exact=True).select_option("license")
    page.get_by_label("The correct value", exact=True).fill("MIT")
    page.get_by_label("Why the registry's value is wrong").fill("LICENSE.txt in the sdist is MIT")
    page.get_by_label("Evidence (a URL where the correct value shows)").fill(
        "https://example.org/markupsafe/LICENSE.txt"
    )
    page.get_by_role("button", name="Propose").click()
    page.wait_for_url(f"{site}/curation*")
    row = page.locator("tr.curation", has_text="pkg:pypi/markupsafe")
    assert "another curator reviews it" in row.inner_text()
    _axe(page)
    browser.clear_cookies()
    _log_in(page, site, "dave")
    page.goto(f"{site}/curation")
    row = page.locator("tr.curation", has_text="pkg:pypi/markupsafe")
    row.get_by_role("button", name="Approve").click()
    page.wait_for_url(f"{site}/packages/pkg:pypi/markupsafe")
    licence = page.locator("section[aria-labelledby=license-h]")
    assert "Effective licence: MIT" in " ".join(licence.inner_text().split())
    curated = licence.locator("table", has_text="Curations of the licence").inner_text()
    assert "LICENSE.txt in the sdist is MIT" in curated and "carol" in curated
    _axe(page)
    _shot(page, "curation-approved-package-page")
