"""The program's pages for pairs and mentors, server-side (the real app on loopback, SQLite
and PostgreSQL): my roles and the phase; the tasks with their repository's activity; a pair
applies through the form (CSRF, its student's login only); a mentor ranks with ties; after
publication the pair sees its result and the explanation, in English and in Chinese, where
every visible string of each page differs between the two languages."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from ossmeta.store import Store
from ossmeta.store.metrics import Metrics
from tests.api.world_program import MEMBERS, NOW, program_year
from tests.web.accounts import client, csrf, user
from tests.web.conftest import serve
from tests.web.text_nodes import visible_words


def _site(store: Store, where: Path, stage: str) -> Iterator[str]:
    program_year(store, where, stage)
    for login, _, _ in MEMBERS:
        user(store, "uni", login, "member")
    user(store, "uni", "eve", "member")  # no program role
    yield from serve(store)


@pytest.fixture
def launch(store: Store, tmp_path: Path) -> Iterator[str]:
    Metrics(store).replace(
        [("github.com/acme/widget", "activity", "2029-12", 7.25, None)],
        engine="duckdb",
        computed_at=NOW,
        since=None,
    )
    yield from _site(store, tmp_path, "launch")


@pytest.fixture
def selection(store: Store, tmp_path: Path) -> Iterator[str]:
    yield from _site(store, tmp_path, "selection")


@pytest.fixture
def published(store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    monkeypatch.setenv("OSSMETA_HOME", str(tmp_path / "home"))
    yield from _site(store, tmp_path, "published")


def _same_words(english: str, chinese: str) -> list[str]:
    en, zh = visible_words(english), visible_words(chinese)
    assert en and len(en) == len(zh), (en, zh)
    return [a for a, b in zip(en, zh, strict=True) if a == b]


def _both(http: httpx.Client, path: str) -> tuple[str, str]:
    http.cookies.set("lang", "en")
    english = http.get(path)
    http.cookies.set("lang", "zh")
    chinese = http.get(path)
    http.cookies.set("lang", "en")
    assert english.status_code == chinese.status_code == 200, english.text
    assert not _same_words(english.text, chinese.text), path
    return english.text, chinese.text


def test_home_tasks_and_a_pair_applying(launch: str) -> None:
    with client(launch, "sam") as http:
        home, _ = _both(http, "/program")
        assert "launch" in home and "2999-04-01T00:00:00Z" in home
        assert "Student s1" in home
        tasks, zh_tasks = _both(http, "/program/tasks")
        row = re.search(r'<tr class="task" id="task-T1">.*?</tr>', tasks, re.S)
        assert row and "7.25" in row.group(0) and "github.com/acme/widget" in row.group(0)
        assert "no data" in re.search(r'id="task-T3">.*?</tr>', tasks, re.S).group(0)  # type: ignore[union-attr]
        assert "无数据" in zh_tasks
        _both(http, "/program/pair/P1")  # the empty form
        form = {
            "csrf": csrf(http, "/program/pair/P1"),
            "student": "s1",
            "teacher": "t1",
            "task_1": "T2",
            "plan_1": "write the docs site",
            "timeline_1": "w1-3 outline",
            "task_2": "T1",
        }
        saved = http.post("/program/pair/P1", data=form)
        assert saved.status_code == 303 and saved.headers["location"] == "/program/pair/P1"
        page, _ = _both(http, "/program/pair/P1")
        rows = re.findall(r'<tr class="application"><td>(\d)</td><td translate="no">(T\d)', page)
        assert rows == [("1", "T2"), ("2", "T1")]
        assert "write the docs site" in page
        # no CSRF token: refused, nothing changed
        refused = http.post("/program/pair/P1", data={**form, "csrf": "0" * 64, "task_1": "T3"})
        assert refused.status_code == 403
        bad = http.post("/program/pair/P1", data={**form, "task_2": "T9"})
        assert bad.status_code == 400 and "unknown task" in bad.text
        assert "P1" in http.get("/program").text  # listed under my pairs
    with client(launch, "sue") as http:  # another pair's student may not write P1
        form["csrf"] = csrf(http, "/program")
        form["student"] = "s2"
        assert http.post("/program/pair/P1", data=form).status_code == 403
        assert http.get("/program/pair/P1").status_code == 403
    with httpx.Client(base_url=launch) as anonymous:
        assert "/login?next=" in anonymous.get("/program").headers["location"]
        assert anonymous.get("/program/tasks").status_code == 200  # tasks are public


def test_a_mentor_ranks_with_a_tie(selection: str) -> None:
    with client(selection, "mia") as http:
        page, _ = _both(http, "/program/mentor/M1")
        assert 'id="applicant-P1"' in page and 'id="applicant-P2"' in page
        assert "w1-4 parse" in page  # P1's timeline for T1
        token = csrf(http, "/program/mentor/M1")
        saved = http.post(
            "/program/mentor/M1", data={"csrf": token, "rank_P1": "1", "rank_P2": "1"}
        )
        assert saved.status_code == 303
        page = http.get("/program/mentor/M1").text
        assert re.search(r'name="rank_P1"[^>]*value="1"', page)
        assert re.search(r'name="rank_P2"[^>]*value="1"', page)
        bad = http.post("/program/mentor/M1", data={"csrf": token, "rank_P1": "zero"})
        assert bad.status_code == 400
        assert http.get("/program/mentor/M2").status_code == 403


def test_the_result_and_its_explanation_in_both_languages(published: str) -> None:
    with client(published, "sam") as http:
        english, chinese = _both(http, "/program/pair/P1")
        assert "Your pair was matched with task T2, your choice 2." in english
        assert "Your first choice, T1, was taken by 1 pair(s) its mentor ranked higher." in english
        assert "你的第一志愿 T1 已被导师排序更靠前的 1 个组合占满。" in chinese
        assert "No contribution inside the program window yet." in english
    with client(published, "max") as http:  # P1's mentor sees it among the matched pairs
        page = http.get("/program/mentor/M2").text
        assert "Evidence of pair P1 in github.com/acme/widget" in page
        assert "Ranking is open in the selection phase only." not in page  # still selection
    with client(published, "eve") as http:
        assert http.get("/program/pair/P1").status_code == 403
