"""The two-way selection in a real browser (Debian's Chromium through Playwright, as
``test_browser``): a pair's student applies with two ranked tasks, each with a plan and a
timeline; a mentor ranks the applicants; the admin runs the matching and publishes (service
calls, as the CLI makes them); the pair reads its result with the explanation in English,
then in Chinese; its evidence is empty until a contribution of the student is collected
into the activity store, then shows it. axe-core checks every page on the way; the last
screen is saved under ``artifacts/web/``.

The evidence's student identity: student s1 (login ``sam`` on this site) registers the
code-host login ``bob``, who opened pull request #2 in acme/widget on 2024-01-15
(tests/codehost_server.py's widget.json). Results are published as of 2024-01-14, so that
pull request falls inside the program window."""

from __future__ import annotations

import os
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from ossmeta.service.program import advance_phase
from ossmeta.service.program_access import access_of
from ossmeta.service.program_apply import Choice, apply_pair, rank_pairs
from ossmeta.service.program_imports import import_kind
from ossmeta.service.program_selection import publish, run_matching
from ossmeta.store import Store, open_store
from tests.api.world_program import ACTOR, MEMBERS, YEAR, program_year
from tests.codehost_server import FakeHost
from tests.loopback import serve as serve_loopback
from tests.pipelines.test_codehost_collect import collect
from tests.program.test_program_selection import table
from tests.web import test_browser as public
from tests.web.accounts import PASSWORD, user
from tests.web.conftest import serve
from tests.web.test_browser import _axe, _shot

# The public journeys' browser and tab, and their marks (Chromium present, one at a time).
browser, page, pytestmark = public.browser, public.page, public.pytestmark

ANNOUNCED = datetime(2024, 1, 14, tzinfo=UTC)


class Site:
    def __init__(self, base: str, store: Store, home: Path) -> None:
        self.base, self.store, self.home = base, store, home


@pytest.fixture(scope="module")
def program_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    where = tmp_path_factory.mktemp("program-site")
    store = open_store(f"sqlite:///{where / 'store.db'}")
    store.upgrade()
    program_year(store, where, "launch")
    for login, _, _ in MEMBERS:
        user(store, "uni", login, "member")
    people = table(
        where / "people-upstream.csv",
        ("role", "person_id", "name", "university", "identities"),
        [
            ("teacher", "t1", "Tan", "U1", "email:tan@u1.edu"),
            ("teacher", "t2", "Tao", "U2", ""),
            ("student", "s1", "Sam", "U1", "login:bob"),
            ("student", "s2", "Sue", "U2", "login:sue"),
        ],
    )
    import_kind(store, YEAR, "people", people, ACTOR, datetime.now(UTC))
    before = os.environ.get("OSSMETA_HOME")
    os.environ["OSSMETA_HOME"] = str(where / "home")  # where the site reads activity from
    try:
        for base in serve(store):
            yield Site(base, store, where / "home")
    finally:
        if before is None:
            os.environ.pop("OSSMETA_HOME", None)
        else:
            os.environ["OSSMETA_HOME"] = before
        store.dispose()


@pytest.fixture(scope="module")
def site(program_site: Site) -> str:
    """The base URL, as the shared ``page`` fixture wants it."""
    return program_site.base


def _log_in(page: Any, site: Site, login: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{site.base}/login")
    page.get_by_label("Login", exact=True).fill(login)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{site.base}/workspace")
    page.goto(f"{site.base}/program")


def test_apply_rank_match_and_read_the_result_with_evidence(page: Any, program_site: Site) -> None:
    site = program_site
    # The student opens the pair page from the program page and applies.
    _log_in(page, site, "sam")
    _axe(page)
    page.get_by_label("Pair key (a new pair chooses one with its teacher)").fill("P1")
    page.get_by_role("button", name="Open the pair").click()
    page.wait_for_url("**/program/pair/P1")
    _axe(page)
    page.get_by_label("Teacher key").fill("t1")
    page.get_by_label("Task for choice 1").select_option("T1")
    page.get_by_label("Technical plan for choice 1").fill("a streaming parser")
    page.get_by_label("Week-by-week timeline for choice 1").fill("w1-2 read\nw3-8 build")
    page.get_by_label("Task for choice 2").select_option("T2")
    page.get_by_role("button", name="Save the application").click()
    page.wait_for_load_state()
    rows = page.locator("tr.application")
    assert rows.count() == 2
    assert "T1" in rows.nth(0).inner_text() and "T2" in rows.nth(1).inner_text()
    _axe(page)

    # Another pair applies (the service, as the API does); the selection opens.
    sue = access_of(site.store, YEAR, "sue")
    apply_pair(site.store, YEAR, sue, "P2", "s2", "t2", [Choice("T1")], datetime.now(UTC))
    advance_phase(site.store, YEAR, ACTOR, datetime.now(UTC))

    # The mentor of T1 ranks P2 above P1.
    _log_in(page, site, "mia")
    page.get_by_role("link", name="Mentor M1: applicants and ranking").click()
    page.wait_for_url("**/program/mentor/M1")
    _axe(page)
    assert "a streaming parser" in page.locator("#applicant-P1").inner_text()
    page.get_by_label("Rank of pair P1").fill("2")
    page.get_by_label("Rank of pair P2").fill("1")
    page.get_by_role("button", name="Save the ranking").click()
    page.wait_for_load_state()
    assert page.get_by_label("Rank of pair P2").input_value() == "1"
    max_ = access_of(site.store, YEAR, "max")
    rank_pairs(site.store, YEAR, max_, "M2", [("P1", 1)], datetime.now(UTC))

    # The admin matches and publishes.
    checked = run_matching(site.store, YEAR, mentor_optimal=False, actor=ACTOR, now=ANNOUNCED)
    assert checked.verdict.ok and checked.matching.assignment == {"P1": "T2", "P2": "T1"}
    publish(site.store, YEAR, ACTOR, ANNOUNCED)

    # The pair reads its result and why, in English and then in Chinese.
    _log_in(page, site, "sam")
    page.goto(f"{site.base}/program/pair/P1")
    outcome = page.locator(".result").inner_text()
    assert "Your pair was matched with task T2, your choice 2." in outcome
    assert "Your first choice, T1, was taken by 1 pair(s) its mentor ranked higher." in outcome
    assert "No contribution inside the program window yet." in page.inner_text("main")
    _axe(page)
    page.get_by_role("link", name="简体中文").click()
    page.wait_for_load_state()
    chinese = page.locator(".result").inner_text()
    assert "你的第一志愿 T1 已被导师排序更靠前的 1 个组合占满。" in chinese
    _axe(page)

    # A contribution of the student is collected; the evidence shows it.
    with serve_loopback(quiet=True) as loopback:
        host = FakeHost(loopback.origin)
        loopback.handler = host.handle
        # In a thread of its own: Playwright's event loop runs in this one.
        with ThreadPoolExecutor(1) as thread:
            thread.submit(collect, site.store, host, site.home / "activity").result()
    page.reload()
    contributions = page.locator("tr.contribution")
    assert contributions.count() >= 1
    first = contributions.nth(0).inner_text()
    assert "pr_opened" in first and "2024-01-15T08:00:00Z" in first
    _axe(page)
    _shot(page, "program-pair-result-evidence")
