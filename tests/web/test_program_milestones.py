"""The mid-term and defense pages over the real app: a university admin and a mentor fill
their forms, a reviewer scores, and the public page shows the defended project with its
score, reviewer count and the published rule, in English and Chinese; on both backends."""

from __future__ import annotations

import html
from pathlib import Path

from ossmeta.service.program import advance_phase
from ossmeta.service.program_access import access_of
from ossmeta.service.program_defense import assign_reviewer, set_rubric
from ossmeta.service.program_midterm import outcomes, set_questions
from ossmeta.store import Store
from tests.program.test_defense import RUBRIC
from tests.program.test_midterm import NOW, QUESTIONS, year_in_work
from tests.web.accounts import client, csrf, user

MIDTERM = "/program/current/midterm"
REVIEW = "/program/current/defense/review"


def test_forms_scores_and_the_public_defense_page(site: str, store: Store, tmp_path: Path) -> None:
    year_in_work(store, tmp_path)
    boss = access_of(store, None, "boss")
    set_questions(store, None, boss, QUESTIONS, "q.toml", NOW)
    set_rubric(store, None, boss, RUBRIC, "r.toml", NOW)
    assign_reviewer(store, None, boss, "P1", "ron", NOW)
    advance_phase(store, None, "cli:t", NOW)  # midterm
    for login in ("uni1", "max", "mia", "boss", "ron", "sam"):
        user(store, "acme", login, "member")

    with client(site, "uni1") as http:
        page = http.get(MIDTERM).text
        assert "University form for pair P1" in page and "pair P2" not in page
        token = csrf(http, MIDTERM)
        refused = http.post(f"{MIDTERM}/P1/university", data={"csrf": token, "verdict": "pass"})
        assert refused.status_code == 400 and "needs an answer" in html.unescape(refused.text)
        done = http.post(
            f"{MIDTERM}/P1/university",
            data={"csrf": token, "verdict": "pass", "q-attendance": "4", "q-note": ""},
        )
        assert done.status_code == 303
        not_mine = http.post(
            f"{MIDTERM}/P2/university",
            data={"csrf": token, "verdict": "pass", "q-attendance": "4"},
        )
        assert not_mine.status_code == 403
        no_csrf = http.post(f"{MIDTERM}/P1/university", data={"verdict": "pass"})
        assert no_csrf.status_code == 403
    with client(site, "max") as http:
        http.cookies.set("lang", "zh")
        page = http.get(MIDTERM).text
        assert "组合 P1 的导师表" in page and "按计划" in page
        answer = http.post(
            f"{MIDTERM}/P1/mentor",
            data={
                "csrf": csrf(http, MIDTERM),
                "verdict": "pass",
                "q-progress": "on track",
                "q-merged": "yes",
            },
        )
        assert answer.status_code == 303
    assert {p["pair"]: p["result"] for p in outcomes(store, None)["pairs"]}["P1"] == "pass"
    with client(site, "mia") as http:  # P2's mentor fails it
        failed = http.post(
            f"{MIDTERM}/P2/mentor",
            data={
                "csrf": csrf(http, MIDTERM),
                "verdict": "fail",
                "q-progress": "behind",
                "q-merged": "no",
            },
        )
        assert failed.status_code == 303
        assert "midterm-outcomes" not in http.get(MIDTERM).text  # outcomes are the admins'
        refused = http.post(f"{MIDTERM}/P2/end", data={"csrf": csrf(http, MIDTERM), "reason": "x"})
        assert refused.status_code == 403
    with client(site, "boss") as http:
        page = http.get(MIDTERM).text
        assert 'action="/program/current/midterm/P2/end"' in page
        assert 'action="/program/current/midterm/P1/end"' not in page  # P1 passed
        token = csrf(http, MIDTERM)
        ended = http.post(f"{MIDTERM}/P2/end", data={"csrf": token, "reason": "no merged work"})
        assert ended.status_code == 303
        assert "no merged work" in http.get(MIDTERM).text
    assert {p["pair"]: p["ended"] for p in outcomes(store, None)["pairs"]} == {
        "P1": False,
        "P2": True,
    }

    advance_phase(store, None, "cli:t", NOW)  # defense
    with client(site, "sam") as http:  # not a reviewer: nothing to score
        assert "No pair is assigned to you for review." in http.get(REVIEW).text
    with client(site, "ron") as http:
        page = http.get(REVIEW).text
        assert 'name="c-quality"' in page and "median" in page
        scored = http.post(
            "/program/current/defense/P1/scores",
            data={"csrf": csrf(http, REVIEW), "c-quality": "9", "c-talk": "4"},
        )
        assert scored.status_code == 303

    with client(site, "sam") as http:
        http.cookies.clear()
        public = http.get("/program/current/defense/P1")
        assert public.status_code == 200
        text = html.unescape(public.text)
        # (3 * 0.9 + 0.8) / 4 * 100 = 87.5, from one reviewer
        assert "87.50 / 100" in text and '<dd class="reviewers">1</dd>' in text
        assert "T2 Docs" in text and "median" in text
        assert "No evidence is available yet" in text or "Contributions counted" in text
        assert http.get("/program/current/defense/P2").status_code == 404
        http.cookies.set("lang", "zh")
        assert "答辩得分" in http.get("/program/current/defense/P1").text
