"""The program admin's page, a community contact's and a university admin's, over the real
app, in English and Chinese, on SQLite and PostgreSQL: the admin uploads a table, runs the
matching, sees the verdict, is refused an edit without an override and keeps it with one,
publishes; the contacts see their own and nothing else."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from ossmeta.service.program_access import Member
from ossmeta.store import Store
from tests.api.world_program_admin import selection_year
from tests.web.accounts import client, csrf, user
from tests.web.conftest import serve

RANKINGS = "mentor_id,pair_id,rank\nM1,P2,1\nM1,P1,2\nM2,P1,1\nM2,P3,2\nM2,P2,2\n"


@pytest.fixture
def site(store: Store, tmp_path: Path) -> Iterator[str]:
    selection_year(
        store,
        tmp_path,
        Member("ada", "admin", ""),
        Member("cora", "community", "Acme"),
        Member("uma", "university", "U1"),
    )
    for login in ("ada", "cora", "uma", "sam"):
        user(store, "acme", login, "member")
    user(store, "acme", "vic", "viewer")
    add = Member("vic", "admin", "")
    selection_year(store, tmp_path, add)
    yield from serve(store)


def _text(page: httpx.Response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page.text))


def _post(http: httpx.Client, path: str, **data: str) -> httpx.Response:
    token = csrf(http, "/program/admin")
    return http.post(path, data={"csrf": token, **data})


def test_the_admin_runs_the_selection_from_the_page(site: str) -> None:
    with client(site, "ada") as http:
        page = http.get("/program/admin")
        assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
        shown = _text(page)
        assert "The checker's verdict: stable, no blocking pair." in shown
        assert "P3 no task" in shown
        assert 'href="/program/community/Acme?year=2027">Acme Labs</a>' in page.text
        assert 'href="/program/university/U2?year=2027">U2</a>' in page.text
        assert http.get("/program/university/U2").status_code == 200  # an admin sees each
        assert http.get("/program/university/U9").status_code == 404

        token = csrf(http, "/program/admin")
        uploaded = http.post(
            "/program/admin/import",
            data={"csrf": token, "kind": "rankings"},
            files={"file": ("ranks.csv", RANKINGS, "text/csv")},
        )
        assert uploaded.status_code == 303
        bad = http.post(
            "/program/admin/import",
            data={"csrf": token, "kind": "rankings"},
            files={"file": ("ranks.csv", "mentor_id,pair_id,rank\nM1,P9,1\n", "text/csv")},
        )
        assert bad.status_code == 400 and "ranks.csv:2:" in bad.text

        assert _post(http, "/program/admin/match", variant="pair_optimal").status_code == 303
        refused = _post(http, "/program/admin/edit", pair="P1", task="")
        assert refused.status_code == 409
        assert "The edit was not made" in refused.text and "Blocking pairs" in refused.text
        assert "the task and its mentor both have room" in refused.text
        kept = _post(http, "/program/admin/edit", pair="P1", task="", override="P1 withdrew")
        assert kept.status_code == 303
        after = _text(http.get("/program/admin"))
        assert "The checker's verdict: 2 blocking pair(s)." in after
        assert "P1 withdrew" in after

        assert _post(http, "/program/admin/publish").status_code == 303
        assert "Published at" in _text(http.get("/program/admin"))
        down = http.get("/program/admin/export/rankings")
        assert down.text.splitlines()[0] == "mentor_id,pair_id,rank"


def test_phases_and_members_from_the_page(site: str) -> None:
    with client(site, "ada") as http:
        assert _post(http, "/program/admin/extend", deadline="2999-06-01").status_code == 303
        assert "2999-06-01T00:00:00+00:00" in http.get("/program/admin").text
        added = _post(http, "/program/admin/members/add", login="rex", role="reviewer", subject="")
        assert added.status_code == 303 and "rex" in http.get("/program/admin").text
        removed = _post(
            http, "/program/admin/members/remove", login="rex", role="reviewer", subject=""
        )
        assert removed.status_code == 303
        earlier = _post(http, "/program/admin/extend", deadline="2000-01-01")
        assert earlier.status_code == 400 and "not after" in earlier.text
        assert _post(http, "/program/admin/advance").status_code == 303
        late = _post(http, "/program/admin/match")
        assert late.status_code == 400 and "allowed only in phase selection" in late.text


def test_forms_need_the_sessions_csrf_token(site: str) -> None:
    with client(site, "ada") as http:
        assert http.post("/program/admin/publish", data={"csrf": "0" * 64}).status_code == 403


def test_contacts_see_their_own_and_nothing_else(site: str) -> None:
    with client(site, "cora") as http:
        page = http.get("/program/community/Acme")
        assert page.status_code == 200
        assert (
            "Community Acme Labs" in page.text and "The result is not published yet." in page.text
        )
        assert http.get("/program/community/Other").status_code == 403
        assert http.get("/program/university/U1").status_code == 403
        assert http.get("/program/admin").status_code == 403
        assert http.post("/program/admin/publish", data={"csrf": csrf(http)}).status_code == 403
        http.cookies.set("lang", "zh")
        chinese = http.get("/program/community/Acme")
        assert "极客实验室" in chinese.text and "Acme Labs" not in chinese.text
    with client(site, "uma") as http:
        page = http.get("/program/university/U1")
        assert page.status_code == 200 and "University U1" in _text(page)
        assert "not published yet" in page.text
        assert http.get("/program/community/Acme").status_code == 403
    with client(site, "sam") as http:  # no program role at all: no such year for sam
        assert http.get("/program/admin").status_code == 404
        assert http.get("/program/community/Acme").status_code == 404
    with client(site, "vic") as http:  # a program admin whose tenant role only reads
        assert http.get("/program/admin").status_code == 200
        assert http.post("/program/admin/publish", data={"csrf": csrf(http)}).status_code == 403


def test_a_visitor_is_sent_to_log_in(site: str) -> None:
    answer = httpx.get(site + "/program/admin", follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"].startswith("/login")


def test_the_pages_in_chinese(site: str) -> None:
    with client(site, "ada") as http:
        http.cookies.set("lang", "zh")
        page = http.get("/program/admin")
        assert page.status_code == 200 and '<html lang="zh-Hans">' in page.text
        assert "Program administration" not in page.text
        assert "Run the matching" not in page.text
