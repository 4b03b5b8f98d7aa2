"""The mid-term check and the defense over the API: each role acts only on its own pairs,
only in its phase; refusals are RFC 9457 problems; lists are pages; the published rules and
the defense results are public with ETags."""

from __future__ import annotations

from pathlib import Path

from ossmeta.service.program import advance_phase
from ossmeta.service.program_access import operator_access
from ossmeta.service.program_defense import set_rubric
from ossmeta.service.program_midterm import set_questions
from tests.api.conftest import ApiServer
from tests.program.test_defense import RUBRIC
from tests.program.test_midterm import NOW, QUESTIONS, year_in_work

PROBLEM = "application/problem+json"
BASE = "/api/v1/program/current"


def _tokens(api: ApiServer) -> dict[str, str]:
    logins = ("boss", "uni1", "uni2", "mia", "max", "ron", "rae", "rita", "tan")
    return {login: api.account("acme", login, role="member") for login in logins}


def test_forms_ending_reviewers_and_scores_over_the_api(api: ApiServer, tmp_path: Path) -> None:
    store = api.store
    year_in_work(store, tmp_path)
    operator = operator_access(store, None, "cli:t")
    set_questions(store, None, operator, QUESTIONS, "q.toml", NOW)
    set_rubric(store, None, operator, RUBRIC, "r.toml", NOW)
    token = _tokens(api)
    good = {"passed": True, "answers": {"attendance": 4}}

    with api.client() as anonymous:
        rule = anonymous.get(f"{BASE}/midterm/rule")
        assert rule.status_code == 200 and "both" in rule.json()["rule"]
        again = anonymous.get(
            f"{BASE}/midterm/rule", headers={"If-None-Match": rule.headers["etag"]}
        )
        assert again.status_code == 304
        forms = anonymous.get(f"{BASE}/midterm/questions").json()
        assert [q["key"] for q in forms["mentor"]] == ["progress", "merged"]
        assert anonymous.get(f"{BASE}/midterm/results").status_code == 401
        refused = anonymous.put(f"{BASE}/midterm/pairs/P1/forms/university", json=good)
        assert refused.status_code == 401

    outsider = api.account("acme", "olga", role="member")  # no role in the program
    with api.client(outsider) as olga:
        hidden = olga.get(f"{BASE}/midterm/results")
        assert hidden.status_code == 404 and hidden.json()["detail"] == "no program year 'current'"
    with api.client(token["uni1"]) as uni1:
        early = uni1.put(f"{BASE}/midterm/pairs/P1/forms/university", json=good)
        assert early.status_code == 409 and early.headers["content-type"] == PROBLEM
        assert "only in phase midterm" in early.json()["detail"]
    advance_phase(store, None, "cli:t", NOW)  # midterm
    with api.client(token["uni2"]) as uni2:
        other = uni2.put(f"{BASE}/midterm/pairs/P1/forms/university", json=good)
        assert other.status_code == 403 and other.headers["content-type"] == PROBLEM
    with api.client(token["uni1"]) as uni1:
        bad = uni1.put(f"{BASE}/midterm/pairs/P1/forms/university", json={"passed": True})
        assert bad.status_code == 422 and "needs an answer" in bad.json()["detail"]
        done = uni1.put(f"{BASE}/midterm/pairs/P1/forms/university", json=good)
        assert done.status_code == 200, done.text
        assert done.json()["submitted_by"] == "uni1"
        unknown_form = uni1.put(f"{BASE}/midterm/pairs/P1/forms/student", json=good)
        assert unknown_form.status_code == 404
        mine = uni1.get(f"{BASE}/midterm/results").json()
        assert set(mine) == {"items", "next"}
        assert [p["pair"] for p in mine["items"]] == ["P1"]  # only its own university's pair
    mentor_form = {"passed": False, "answers": {"progress": "behind", "merged": "no"}}
    with api.client(token["mia"]) as mia:
        assert mia.put(f"{BASE}/midterm/pairs/P2/forms/mentor", json=mentor_form).status_code == 200
        refused = mia.post(f"{BASE}/midterm/pairs/P2/end", json={"reason": "no work"})
        assert refused.status_code == 403
    with api.client(token["boss"]) as boss:
        ended = boss.post(f"{BASE}/midterm/pairs/P2/end", json={"reason": "no work"})
        assert ended.status_code == 200 and ended.json()["ended_by"] == "boss"
        everything = boss.get(f"{BASE}/midterm/results", params={"limit": 1}).json()
        assert [p["pair"] for p in everything["items"]] == ["P1"] and everything["next"]
        rest = boss.get(f"{BASE}/midterm/results", params={"cursor": everything["next"]}).json()
        assert [(p["pair"], p["result"], p["ended"]) for p in rest["items"]] == [
            ("P2", "fail", True)
        ]
        conflict = boss.post(f"{BASE}/defense/pairs/P1/reviewers", json={"reviewer": "rita"})
        assert conflict.status_code == 422 and "conflict of interest" in conflict.json()["detail"]
        for reviewer in ("ron", "rae"):
            added = boss.post(f"{BASE}/defense/pairs/P1/reviewers", json={"reviewer": reviewer})
            assert added.json() == {"pair": "P1", "reviewer": reviewer, "added": True}

    advance_phase(store, None, "cli:t", NOW)  # defense
    with api.client(token["tan"]) as tan:
        not_assigned = tan.put(f"{BASE}/defense/pairs/P1/scores", json={"scores": {"quality": 1}})
        assert not_assigned.status_code == 403
    with api.client(token["ron"]) as ron:
        bad = ron.put(
            f"{BASE}/defense/pairs/P1/scores", json={"scores": {"quality": 11, "talk": 1}}
        )
        assert bad.status_code == 422 and "criterion 'quality'" in bad.json()["detail"]
        scored = ron.put(
            f"{BASE}/defense/pairs/P1/scores", json={"scores": {"quality": 10, "talk": 5}}
        )
        assert scored.json()["number"] == 100.0
        assigned = ron.get(f"{BASE}/defense/assignments").json()
        assert [(p["pair"], p["scores"]) for p in assigned["items"]] == [
            ("P1", {"quality": 10.0, "talk": 5.0})
        ]
    with api.client(token["rae"]) as rae:
        rae.put(f"{BASE}/defense/pairs/P1/scores", json={"scores": {"quality": 6, "talk": 2}})

    with api.client() as anonymous:
        results = anonymous.get(f"{BASE}/defense/results").json()
        # ron 100, rae (3 * 0.6 + 0.4) / 4 * 100 = 55: the median of two is the mean.
        assert [(p["pair"], p["score"], p["reviewers"]) for p in results["items"]] == [
            ("P1", 77.5, 2)
        ]
        page = anonymous.get(f"{BASE}/defense/pairs/P1")
        assert page.json()["task"] == "T2" and page.json()["reviewers"] == 2
        assert "median" in page.json()["rule"]
        assert anonymous.get(f"{BASE}/defense/pairs/P2").status_code == 404
        rubric = anonymous.get(f"{BASE}/defense/rule").json()
        assert [c["key"] for c in rubric["rubric"]] == ["quality", "talk"]
        assert anonymous.get("/api/v1/program/1999/defense/rule").status_code == 404
