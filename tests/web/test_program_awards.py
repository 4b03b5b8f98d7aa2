"""The award pages over the real app (SQLite and PostgreSQL): a community contact
recommends, a reviewer ranks the other communities' pairs, the admin certifies, the student
downloads the certificate, and the public sees the awards list and the verification page
for a valid, a revoked and an unknown code, in English and Chinese."""

from __future__ import annotations

import io
import re
from pathlib import Path

import httpx
import pytest
from pypdf import PdfReader

from ossmeta.service.program_access import access_of, operator_access
from ossmeta.service.program_awards import Nomination, certify, recommend
from ossmeta.store import Store, open_store
from ossmeta.surfaces.web.assets.fetch import VENDOR
from tests.program.test_awards import ADMIN, NOW, awards_year
from tests.web.accounts import PASSWORD, client, csrf, user
from tests.web.conftest import serve
from tests.web.test_browser import ARGS, CHROMIUM, _axe
from tests.web.text_nodes import visible_words

BASE = "/program/2027/awards"


def _main(page: httpx.Response) -> str:
    found = re.search(r"<main[^>]*>(.*)</main>", page.text, re.S)
    return found.group(1) if found else page.text


def test_recommend_review_certify_and_verify(store: Store, tmp_path: Path) -> None:
    awards_year(store, tmp_path)
    for login in ("ada", "ben", "rita", "rolf", "boss", "sPA1", "nobody"):
        user(store, "acme", login, "member")
    for site in serve(store):
        with client(site, "ada") as http:
            form = http.get(f"{BASE}/recommend/acme")
            assert (
                form.status_code == 200
                and "李雷" in form.text
                and "Outstanding Project" in form.text
            )
            assert form.text.count("<fieldset>") == 2  # N = 2 rows
            assert http.get(f"{BASE}/recommend/beta").status_code == 403
            token = csrf(http, f"{BASE}/recommend/acme")
            sent = http.post(
                f"{BASE}/recommend/acme",
                data={
                    "csrf": token,
                    "pair-1": "PA1",
                    "title-1": "gold",
                    "citation-1": "a parser",
                    "pair-2": "PB1",
                    "title-2": "star",
                    "citation-2": "not ours",
                },
            )
            assert sent.status_code == 400 and "not of a project of community acme" in sent.text
            sent = http.post(
                f"{BASE}/recommend/acme",
                data={
                    "csrf": token,
                    "pair-1": "PA1",
                    "title-1": "gold",
                    "citation-1": "a parser",
                    "pair-2": "",
                    "title-2": "gold",
                    "citation-2": "",
                },
            )
            assert sent.status_code == 303
            assert "a parser" in http.get(sent.headers["location"]).text
            no_csrf = http.post(f"{BASE}/recommend/acme", data={"pair-1": "PA1"})
            assert no_csrf.status_code == 403
        with client(site, "ben") as http:
            token = csrf(http, f"{BASE}/recommend/beta")
            data = {"csrf": token, "pair-1": "PB1", "title-1": "star", "citation-1": "fast CI"}
            assert http.post(f"{BASE}/recommend/beta", data=data).status_code == 303
        with client(site, "rita") as http:
            sheet = http.get(f"{BASE}/review")
            assert "PB1" in _main(sheet) and "PA1" not in _main(sheet)  # never its own community
            token = csrf(http, f"{BASE}/review")
            refused = http.post(f"{BASE}/review", data={"csrf": token, "place-PA1": "1"})
            assert refused.status_code == 400 and "conflict of interest" in refused.text
            assert (
                http.post(f"{BASE}/review", data={"csrf": token, "place-PB1": "1"}).status_code
                == 303
            )
        with client(site, "nobody") as http:
            assert http.get(f"{BASE}/review").status_code == 404  # no role in the year
            assert http.get(f"{BASE}/certify").status_code == 404
        with client(site, "ada") as http:
            assert http.get(f"{BASE}/review").status_code == 400  # not a reviewer
            assert http.get(f"{BASE}/certify").status_code == 403
        with client(site, "sPA1") as http:
            assert http.get(f"{BASE}/certify").status_code == 403
    _certify_and_verify(store, tmp_path)


def _certify_and_verify(store: Store, tmp_path: Path) -> None:
    for site in serve(store):
        with client(site, "boss") as http:
            page = http.get(f"{BASE}/certify")
            assert page.status_code == 200 and "Borda" in page.text
            token = csrf(http, f"{BASE}/certify")
            done = http.post(f"{BASE}/certify", data={"csrf": token, "pair": ["PA1", "PB1"]})
            assert done.status_code == 303
            table = http.get(f"{BASE}/certify").text
            codes = [
                re.search(
                    rf'translate="no">{pair}</td>.*?/program/verify/([A-Za-z0-9_-]+)"', table, re.S
                ).group(1)  # type: ignore[union-attr]
                for pair in ("PA1", "PB1")
            ]
        with client(site, "sPA1") as http:
            pdf = http.get(f"{BASE}/{codes[0]}/certificate", params={"person": "student"})
            assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
            text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
            assert "李雷" in text and "优秀项目" in text and f"/program/verify/{codes[0]}" in text
            assert http.get(f"{BASE}/{codes[1]}/certificate").status_code == 403  # not theirs
        with httpx.Client(base_url=site, timeout=30) as public:
            listed = public.get(BASE)
            assert (
                listed.status_code == 200 and "李雷" in listed.text and codes[0] not in listed.text
            )
            valid = public.get(f"/program/verify/{codes[0]}")
            assert valid.status_code == 200 and "Valid" in valid.text and "优秀项目" in valid.text
            zh = public.get(f"/program/verify/{codes[0]}", headers={"Cookie": "lang=zh"})
            assert "有效" in zh.text
            for path in (BASE, f"/program/verify/{codes[0]}", "/program/verify/not-a-code"):
                english = visible_words(public.get(path, headers={"Cookie": "lang=en"}).text)
                chinese = visible_words(public.get(path, headers={"Cookie": "lang=zh"}).text)
                assert len(english) == len(chinese), (english, chinese)
                unchanged = [e for e, z in zip(english, chinese, strict=True) if e == z]
                assert not unchanged, f"not translated on {path}: {unchanged}"
            assert public.get("/program/1999/awards").status_code == 404
            unknown = public.get("/program/verify/not-a-code")
            assert unknown.status_code == 404 and "Unknown" in unknown.text
            with client(site, "boss") as admin:
                token = csrf(admin, f"{BASE}/certify")
                gone = admin.post(
                    f"{BASE}/{codes[0]}/revoke", data={"csrf": token, "reason": "plagiarism"}
                )
                assert gone.status_code == 303
            revoked = public.get(f"/program/verify/{codes[0]}")
            assert (
                revoked.status_code == 200
                and "Revoked" in revoked.text
                and "plagiarism" in revoked.text
            )
            assert "李雷" not in public.get(BASE).text  # a revoked award is not listed


@pytest.mark.skipif(not CHROMIUM.exists(), reason="no /usr/bin/chromium (apt-get install chromium)")
@pytest.mark.skipif(
    not (VENDOR / "axe.min.js").exists(), reason="no vendored axe-core (make install fetches it)"
)
@pytest.mark.xdist_group("browser")
def test_in_a_browser_a_community_recommends_and_the_public_verifies(tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    store = open_store(f"sqlite:///{tmp_path / 'store.db'}")
    store.upgrade()
    awards_year(store, tmp_path)
    user(store, "acme", "ada", "member")
    recommend(store, None, access_of(store, None, "ben"), "beta",
              [Nomination("PB1", "star", "fast CI")], NOW)  # fmt: skip
    for site in serve(store):
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
            page = browser.new_page()
            page.goto(f"{site}/login")
            page.get_by_label("Login", exact=True).fill("ada")
            page.get_by_label("Password").fill(PASSWORD)
            page.get_by_role("button", name="Log in").click()
            page.wait_for_url(f"{site}/workspace")
            page.goto(f"{site}{BASE}/recommend/acme")
            _axe(page)
            page.locator("#pair-1").select_option("PA1")
            page.locator("#title-1").select_option("gold")
            page.get_by_label("Citation").first.fill("a clean parser, merged upstream")
            page.get_by_role("button", name="Save the recommendations").click()
            page.wait_for_url(f"**{BASE}/recommend/acme?saved=1")
            assert page.locator(".saved").is_visible()
            assert page.locator("#citation-1").input_value() == "a clean parser, merged upstream"
            made = certify(store, None, operator_access(store, None, ADMIN), NOW)
            page.goto(f"{site}/program/verify/{made[0].code}")
            _axe(page)
            assert page.locator(".verdict.valid").is_visible()
            page.goto(f"{site}/program/verify/not-a-code")
            assert page.locator(".verdict.unknown").is_visible()
            browser.close()
    store.dispose()
