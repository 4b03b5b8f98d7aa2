"""Pairs and mentors over the API, through the real app on loopback (SQLite and PostgreSQL):
the year and my roles; the public tasks with their repository's activity; a pair applies
(its student or teacher only, in the application phase, with the year's rules); a mentor
reads the applicants and ranks them (ties allowed); after publication the pair reads its
result with the explanation, and a matched pair its evidence.

Refusals are problems: another pair's or mentor's login 403, the wrong phase 409
(``wrong-phase``), a body the rules refuse 422, a login without a program role 404."""

from __future__ import annotations

from pathlib import Path

import pytest

from ossmeta.service.program import advance_phase
from ossmeta.store.metrics import Metrics
from tests.api.conftest import ApiServer
from tests.api.world_program import ACTOR, NOW, program_year

PROBLEM = "application/problem+json"
BASE = "/api/v1/program/2027"


def tokens(api: ApiServer, *logins: str) -> dict[str, str]:
    return {login: api.account("uni", login, role="member") for login in logins}


def problem(answer: object, status: int, kind: str | None = None) -> dict[str, object]:
    import httpx

    assert isinstance(answer, httpx.Response)
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"] == PROBLEM
    body = answer.json()
    assert isinstance(body, dict)
    if kind is not None:
        assert body["type"] == f"urn:ossmeta:problem:{kind}", body
    return body


def test_the_year_the_tasks_and_a_pair_applying(api: ApiServer, tmp_path: Path) -> None:
    program_year(api.store, tmp_path, "launch")
    Metrics(api.store).replace(
        [
            ("github.com/acme/widget", "activity", "2029-11", 4.5, None),
            ("github.com/acme/widget", "activity", "2029-12", 7.25, None),
            ("github.com/acme/widget", "openrank", "2029-12", 2.0, None),
        ],
        engine="duckdb",
        computed_at=NOW,
        since=None,
    )
    who = tokens(api, "sam", "tan", "sue", "mia", "eve")
    with api.client(who["sam"]) as http:
        year = http.get("/api/v1/program/current").json()
        assert year["name"] == "2027" and year["phase"] == "launch"
        assert year["deadline"] == "2999-04-01T00:00:00Z"
        assert year["roles"] == [{"role": "student", "subject": "s1"}]
        assert [p["name"] for p in year["phases"] if p["current"]] == ["launch"]

    with api.client() as anonymous:  # public: no token
        tasks = anonymous.get(f"{BASE}/tasks").json()
        assert [t["key"] for t in tasks["items"]] == ["T1", "T2", "T3"]
        first = tasks["items"][0]
        assert (first["repository"], first["community"], first["mentor_name"]) == (
            "github.com/acme/widget",
            "Acme",
            "Mia",
        )
        assert first["activity"]["activity"] == 7.25 and first["activity"]["openrank"] == 2.0
        assert [m["month"] for m in first["activity"]["monthly_activity"]] == [
            "2029-11",
            "2029-12",
        ]
        assert tasks["items"][2]["activity"] is None  # T3 has no project: no data
        paged = anonymous.get(f"{BASE}/tasks", params={"limit": 2}).json()
        rest = anonymous.get(f"{BASE}/tasks", params={"cursor": paged["next"]}).json()
        assert [t["key"] for t in paged["items"] + rest["items"]] == ["T1", "T2", "T3"]
        assert rest["next"] is None

    body = {
        "student": "s1",
        "teacher": "t1",
        "choices": [
            {"task": "T1", "plan": "a streaming parser", "timeline": "w1-2 read\nw3-8 build"},
            {"task": "T2"},
        ],
    }
    with api.client(who["sam"]) as http:
        put = http.put(f"{BASE}/pairs/P1/applications", json=body)
        assert put.status_code == 200, put.text
        assert [(a["rank"], a["task"]) for a in put.json()["applications"]] == [
            (1, "T1"),
            (2, "T2"),
        ]
        bad = {**body, "choices": [{"task": "T1"}, {"task": "T9"}]}
        refused = problem(http.put(f"{BASE}/pairs/P1/applications", json=bad), 422, "bad-input")
        assert refused["detail"] == "pair P1, choice 2: unknown task 'T9'"
        problem(http.put(f"{BASE}/pairs/P1/applications", json={"student": "s1"}), 422)
        ranked = http.put(f"{BASE}/mentors/M1/ranking", json={"ranking": []})
        problem(ranked, 403, "forbidden")  # sam is no mentor
    with api.client(who["tan"]) as http:  # the pair's teacher reads what the student wrote
        shown = http.get(f"{BASE}/pairs/P1").json()
        assert shown["applications"][0]["plan"] == "a streaming parser"
        assert shown["applications"][0]["title"] == "Parser"
        assert shown["result"] is None
    with api.client(who["sue"]) as http:  # another pair's student
        problem(http.get(f"{BASE}/pairs/P1/applications"), 403, "forbidden")
        problem(http.put(f"{BASE}/pairs/P1/applications", json=body), 403, "forbidden")
        hijack = {**body, "student": "s2", "teacher": "t2"}  # sue's own keys, P1's pair key
        problem(http.put(f"{BASE}/pairs/P1/applications", json=hijack), 403, "forbidden")
    with api.client(who["mia"]) as http:  # ranking waits for the selection phase
        wrong = problem(http.put(f"{BASE}/mentors/M1/ranking", json={"ranking": []}), 409)
        assert wrong["type"] == "urn:ossmeta:problem:wrong-phase"
        assert "rank is allowed only in phase selection" in str(wrong["detail"])
    with api.client(who["eve"]) as http:  # no program role: the year is not there for her
        problem(http.get(BASE), 404, "not-found")
        problem(http.get(f"{BASE}/pairs/P1"), 404, "not-found")


def test_tasks_stay_private_until_they_are_fixed(api: ApiServer, tmp_path: Path) -> None:
    from ossmeta.service.program import create_year, read_config
    from tests.program.test_program_selection import CONFIG

    config = tmp_path / "program.toml"
    config.write_text(CONFIG, encoding="utf-8")
    create_year(api.store, "2028", read_config(config), ACTOR, NOW)
    with api.client() as anonymous:
        early = problem(anonymous.get("/api/v1/program/2028/tasks"), 409, "wrong-phase")
        assert "published after phase tasks_fixed" in str(early["detail"])
    advance_phase(api.store, "2028", ACTOR, NOW)  # tasks_fixed: still being fixed
    advance_phase(api.store, "2028", ACTOR, NOW)  # teacher_training: published
    with api.client() as anonymous:
        assert anonymous.get("/api/v1/program/2028/tasks").json() == {"items": [], "next": None}


def test_a_mentor_ranks_the_applicants(api: ApiServer, tmp_path: Path) -> None:
    program_year(api.store, tmp_path, "selection")
    who = tokens(api, "mia", "max", "sam")
    with api.client(who["mia"]) as http:
        applicants = http.get(f"{BASE}/mentors/M1/applicants").json()
        assert [(a["pair"], a["student_name"], a["rank"]) for a in applicants["items"]] == [
            ("P1", "Sam", None),
            ("P2", "Sue", None),
        ]
        proposal = applicants["items"][0]["proposals"]
        assert proposal == [
            {"task": "T1", "title": "Parser", "choice": 1, "plan": "plan", "timeline": "w1-4 parse"}
        ]
        tie = {"ranking": [{"pair": "P1", "rank": 1}, {"pair": "P2", "rank": 1}]}
        put = http.put(f"{BASE}/mentors/M1/ranking", json=tie)
        assert put.status_code == 200, put.text
        assert put.json()["ranking"] == [{"pair": "P1", "rank": 1}, {"pair": "P2", "rank": 1}]
        again = http.get(f"{BASE}/mentors/M1/applicants", params={"limit": 1}).json()
        assert [a["rank"] for a in again["items"]] == [1] and again["next"]
        outsider = {"ranking": [{"pair": "P3", "rank": 1}]}
        refused = problem(http.put(f"{BASE}/mentors/M1/ranking", json=outsider), 422)
        assert refused["detail"] == "pair P3: it applied to none of mentor M1's tasks"
        problem(http.get(f"{BASE}/mentors/M2/ranking"), 403, "forbidden")
        twice = {"ranking": [{"pair": "P1", "rank": 1}, {"pair": "P1", "rank": 2}]}
        problem(http.put(f"{BASE}/mentors/M1/ranking", json=twice), 422, "bad-input")
        problem(http.put(f"{BASE}/mentors/M1/ranking", json={"ranking": [{"pair": "P1"}]}), 422)
    with api.client(who["sam"]) as http:  # applying has closed
        late = {"student": "s1", "teacher": "t1", "choices": [{"task": "T3"}]}
        problem(http.put(f"{BASE}/pairs/P1/applications", json=late), 409, "wrong-phase")


def test_a_published_result_with_its_explanation_and_evidence(
    api: ApiServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OSSMETA_HOME", str(tmp_path / "home"))
    program_year(api.store, tmp_path, "published")
    who = tokens(api, "sam", "sue", "max", "mia")
    with api.client(who["sam"]) as http:
        shown = http.get(f"{BASE}/pairs/P1").json()
        result = shown["result"]
        # P1 wanted T1 first; its mentor M1 ranked P2 higher and T1 holds one pair.
        assert (result["task"], result["choice"]) == ("T2", 2)
        assert [(r["task"], r["code"], r["count"]) for r in result["reasons"]] == [
            ("T1", "task_full", 1)
        ]
        assert result["tie_rule"] and result["tasks_with_room"] == []
        evidence = http.get(f"{BASE}/pairs/P1/evidence")
        assert evidence.status_code == 200, evidence.text
        found = evidence.json()
        assert (found["task"], found["mentor"], found["repository"]) == (
            "T2",
            "M2",
            "github.com/acme/widget",
        )
        assert found["contributions"] == [] and found["announced"] == "2030-01-01T00:00:00Z"
    with api.client(who["max"]) as http:  # the matched task's mentor reads it too
        assert http.get(f"{BASE}/pairs/P1/evidence").status_code == 200
    with api.client(who["mia"]) as http:  # another mentor does not
        problem(http.get(f"{BASE}/pairs/P1/evidence"), 403, "forbidden")
    with api.client(who["sue"]) as http:
        problem(http.get(f"{BASE}/pairs/P1/evidence"), 403, "forbidden")
