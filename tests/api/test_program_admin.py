"""The program admin's API, and the community contacts' and university admins' views, on
SQLite and PostgreSQL: phases and deadlines, members, table upload and download, the
matching with the checker's verdict, an edit refused (409) without an override and kept with
one, publication, the audit; and each role refused where it has no right."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from ossmeta.service.program_access import Member
from ossmeta.surfaces.api.pagination import encode_cursor
from tests.api.conftest import ApiServer
from tests.api.world_program_admin import YEAR, selection_year

PROBLEM = "application/problem+json"
BASE = f"/api/v1/program/{YEAR}"


@pytest.fixture
def world(api: ApiServer, tmp_path: Path) -> ApiServer:
    selection_year(
        api.store,
        tmp_path,
        Member("ada", "admin", ""),
        Member("cora", "community", "Acme"),
        Member("uma", "university", "U1"),
        Member("sam", "student", "s1"),
        Member("mia", "mentor", "M1"),
    )
    return api


def client(api: ApiServer, login: str, *, role: str = "member") -> httpx.Client:
    scopes = ("read",) if role == "viewer" else ("read", "write")
    return api.client(api.account("acme", login, role=role, scopes=scopes))


def test_the_admin_sees_the_year_runs_edits_and_publishes(world: ApiServer) -> None:
    with client(world, "ada") as http:
        seen = http.get("/api/v1/program/current/admin").json()
        assert seen["year"]["name"] == YEAR and seen["year"]["phase"] == "selection"
        assert [p["name"] for p in seen["year"]["phases"] if p["current"]] == ["selection"]
        assert seen["counts"] == {
            "projects": 1,
            "mentors": 2,
            "teachers": 2,
            "students": 3,
            "tasks": 3,
            "pairs": 3,
            "applications": 5,
            "rankings": 5,
        }
        first = seen["matching"]
        assert first["assignment"] == [{"pair": "P1", "task": "T2"}, {"pair": "P2", "task": "T1"}]
        assert first["unmatched"] == ["P3"] and first["verdict"]["ok"] is True

        refused = http.post(f"{BASE}/admin/edit", json={"pair": "P1", "task": None})
        assert refused.status_code == 409 and refused.headers["content-type"] == PROBLEM
        both = [
            {"pair": "P1", "task": "T2", "case": "3a"},
            {"pair": "P3", "task": "T2", "case": "3a"},
        ]
        assert refused.json()["blocking"] == both  # T2 left empty: both want it
        assert http.get(f"{BASE}/admin/matching").json()["id"] == first["id"]  # nothing kept

        kept = http.post(
            f"{BASE}/admin/edit", json={"pair": "P1", "task": None, "override": "P1 withdrew"}
        )
        assert kept.status_code == 200, kept.text
        edited = kept.json()
        assert edited["override"] == "P1 withdrew" and edited["variant"] == "edit"
        assert edited["verdict"] == {"ok": False, "problems": [], "blocking": both}
        assert edited["unmatched"] == ["P1", "P3"]

        published = http.post(f"{BASE}/admin/publish")
        assert published.status_code == 200 and published.json()["published_at"]

        audit = http.get(f"{BASE}/admin/audit", params={"limit": 2}).json()
        assert [e["action"] for e in audit["items"]] == ["publish", "edit"]
        assert audit["items"][0]["actor"] == "ada"
        older = http.get(f"{BASE}/admin/audit", params={"limit": 1, "cursor": audit["next"]})
        assert [e["action"] for e in older.json()["items"]] == ["member add"]


def test_an_infeasible_edit_is_refused(world: ApiServer) -> None:
    with client(world, "ada") as http:
        answer = http.post(f"{BASE}/admin/edit", json={"pair": "P1", "task": "T1"})
        assert answer.status_code == 422  # T1 holds P2 already
        assert "task_over_capacity T1" in answer.json()["detail"]
        unasked = http.post(f"{BASE}/admin/edit", json={"pair": "P3", "task": "T1"})
        assert "not_acceptable P3->T1" in unasked.json()["detail"]


def test_the_mentor_optimal_matching_runs_and_is_checked(world: ApiServer) -> None:
    with client(world, "ada") as http:
        answer = http.post(f"{BASE}/admin/match", json={"variant": "mentor_optimal"})
        assert answer.status_code == 200, answer.text
        assert answer.json()["variant"] == "mentor_optimal"
        assert answer.json()["verdict"]["ok"] is True


def test_members_are_listed_added_and_removed(world: ApiServer) -> None:
    with client(world, "ada") as http:
        listed = http.get(f"{BASE}/admin/members").json()["items"]
        assert {"login": "cora", "role": "community", "subject": "Acme"} in listed
        new = {"login": "rex", "role": "reviewer", "subject": "Acme"}
        assert http.post(f"{BASE}/admin/members", json=new).json() == {"changed": True}
        assert http.post(f"{BASE}/admin/members", json=new).json() == {"changed": False}
        pages, cursor = [], None
        while True:
            page = http.get(
                f"{BASE}/admin/members",
                params={"limit": 2, **({"cursor": cursor} if cursor else {})},
            ).json()
            pages += page["items"]
            if not (cursor := page["next"]):
                break
        assert pages == http.get(f"{BASE}/admin/members").json()["items"] and new in pages
        forged = http.get(f"{BASE}/admin/members", params={"cursor": encode_cursor([1, 2, 3])})
        assert forged.status_code == 400 and forged.headers["content-type"] == PROBLEM
        removed = http.post(f"{BASE}/admin/members/remove", json=new)
        assert removed.json() == {"changed": True}
        wrong = http.post(f"{BASE}/admin/members", json={"login": "x", "role": "mentor"})
        assert wrong.status_code == 422 and "needs a subject" in wrong.json()["detail"]


def test_phase_and_deadline(world: ApiServer) -> None:
    with client(world, "ada") as http:
        earlier = http.post(f"{BASE}/admin/phase/extend", json={"deadline": "2998-01-01T00:00:00Z"})
        assert earlier.status_code == 422 and "not after" in earlier.json()["detail"]
        later = http.post(f"{BASE}/admin/phase/extend", json={"deadline": "2999-06-01T00:00:00Z"})
        assert later.json()["deadline"] == "2999-06-01T00:00:00+00:00"
        moved = http.post(f"{BASE}/admin/phase/advance")
        assert moved.json()["phase"] == "work"
        late = http.post(f"{BASE}/admin/match", json={})
        assert late.status_code == 409 and "allowed only in phase selection" in late.text
        assert late.json()["type"].endswith("wrong-phase")


def test_a_table_is_uploaded_and_downloaded(world: ApiServer, tmp_path: Path) -> None:
    with client(world, "ada") as http:
        good = "mentor_id,pair_id,rank\nM1,P1,1\nM1,P2,2\nM2,P1,1\nM2,P3,2\nM2,P2,3\n"
        up = http.post(
            f"{BASE}/admin/import/rankings", files={"file": ("ranks.csv", good, "text/csv")}
        )
        assert up.status_code == 200, up.text
        assert up.json() == {"kind": "rankings", "file": "ranks.csv", "rows": 5}

        bad = "mentor_id,pair_id,rank\nM1,P1,1\nM1,P9,2\n"
        refused = http.post(
            f"{BASE}/admin/import/rankings",
            files={"file": ("C:\\Users\\ann\\ranks-2.csv", bad, "text/csv")},
        )
        assert refused.status_code == 422 and refused.headers["content-type"] == PROBLEM
        problem = refused.json()
        assert problem["file"] == "ranks-2.csv" and problem["line"] == 3
        assert problem["detail"].startswith("ranks-2.csv:3: mentor 'M1' ranks pair 'P9'")
        assert "ossmeta-upload" not in refused.text  # where it was spooled stays unsaid

        outside = http.post(
            f"{BASE}/admin/import/projects",
            files={"file": ("p.csv", "project_id,community,repository\n", "text/csv")},
        )
        assert outside.status_code == 409 and "phase" in outside.json()["detail"]
        wrong = http.post(f"{BASE}/admin/import/rankings", files={"file": ("r.txt", good)})
        assert wrong.status_code == 422 and wrong.json()["file"] == "r.txt"

        down = http.get(f"{BASE}/admin/export/rankings", params={"format": "csv"})
        assert down.headers["content-type"].startswith("text/csv")
        assert down.text.splitlines() == good.strip().splitlines()
        rows = http.get(f"{BASE}/admin/export/rankings").json()
        assert rows["columns"] == ["mentor_id", "pair_id", "rank"]
        assert rows["rows"][0] == ["M1", "P1", "1"] and len(rows["rows"]) == 5
        sheet = http.get(f"{BASE}/admin/export/tasks", params={"format": "xlsx"})
        assert sheet.status_code == 200 and sheet.content[:2] == b"PK"
        assert http.get(f"{BASE}/admin/export/nothing").status_code == 400
        assert http.get(f"{BASE}/admin/export/tasks", params={"format": "pdf"}).status_code == 422


def test_the_community_contact_and_the_university_admin(world: ApiServer) -> None:
    with client(world, "cora") as cora, client(world, "uma") as uma, client(world, "ada") as ada:
        acme = cora.get(f"{BASE}/communities/Acme").json()
        assert acme["community"] == {"key": "Acme", "name": "Acme Labs", "name_zh": "极客实验室"}
        counts = {t["key"]: t["applicants"] for t in acme["tasks"]}
        assert counts == {"T1": 2, "T2": 2}  # T3 belongs to no project
        assert acme["published"] is False and acme["matched"] is None

        u1 = uma.get(f"{BASE}/universities/U1").json()
        assert u1["university"] == {"key": "U1", "name": "U1", "name_zh": "U1"}
        assert [s["key"] for s in u1["students"]] == ["s1", "s3"]
        assert [p["pair"] for p in u1["pairs"]] == ["P1", "P3"]  # t1 teaches both
        assert [c["task"] for c in u1["pairs"][0]["choices"]] == ["T1", "T2"]
        assert {p["task"] for p in u1["pairs"]} == {None}

        assert ada.post(f"{BASE}/admin/publish").status_code == 200
        matched = cora.get(f"{BASE}/communities/Acme").json()["matched"]
        assert [(m["pair"], m["task"]) for m in matched] == [("P1", "T2"), ("P2", "T1")]
        results = {p["pair"]: p["task"] for p in uma.get(f"{BASE}/universities/U1").json()["pairs"]}
        assert results == {"P1": "T2", "P3": None}
        assert ada.get(f"{BASE}/communities/Nobody").status_code == 404


ADMIN_READS = ["/admin", "/admin/members", "/admin/audit", "/admin/matching", "/admin/export/tasks"]
ADMIN_WRITES = [
    ("/admin/phase/advance", None),
    ("/admin/phase/extend", {"deadline": "2999-06-01T00:00:00Z"}),
    ("/admin/members", {"login": "x", "role": "admin", "subject": ""}),
    ("/admin/members/remove", {"login": "ada", "role": "admin", "subject": ""}),
    ("/admin/match", {}),
    ("/admin/edit", {"pair": "P1", "task": None, "override": "why"}),
    ("/admin/publish", None),
]


@pytest.mark.parametrize("login", ["cora", "uma", "sam", "mia"])
def test_each_role_is_refused_where_it_has_no_right(world: ApiServer, login: str) -> None:
    with client(world, login) as http:
        for path in ADMIN_READS:
            answer = http.get(BASE + path)
            assert answer.status_code == 403, (login, path, answer.text)
            assert answer.headers["content-type"] == PROBLEM
        for path, body in ADMIN_WRITES:
            assert http.post(BASE + path, json=body).status_code == 403, (login, path)
        upload = http.post(f"{BASE}/admin/import/rankings", files={"file": ("r.csv", "x")})
        assert upload.status_code == 403
        may_see_acme, may_see_u1 = login == "cora", login == "uma"
        assert (http.get(f"{BASE}/communities/Acme").status_code == 200) == may_see_acme
        assert (http.get(f"{BASE}/universities/U1").status_code == 200) == may_see_u1
        assert http.get(f"{BASE}/communities/Other").status_code == 403
        assert http.get(f"{BASE}/universities/U2").status_code == 403
    with client(world, "ada") as http:  # nothing of it changed the year
        assert http.get(f"{BASE}/admin").json()["year"]["phase"] == "selection"


def test_a_read_only_token_of_a_program_admin_cannot_change(world: ApiServer) -> None:
    with client(world, "ada", role="viewer") as http:
        assert http.get(f"{BASE}/admin").status_code == 200
        assert http.post(f"{BASE}/admin/publish").status_code == 403


def test_an_unknown_year_is_not_found(world: ApiServer) -> None:
    with client(world, "ada") as http:
        assert http.get("/api/v1/program/1999/admin").status_code == 404


def test_a_login_with_no_role_in_the_year_is_told_it_does_not_exist(world: ApiServer) -> None:
    with client(world, "nobody") as http:
        for path in [*ADMIN_READS, "/communities/Acme", "/universities/U1"]:
            theirs, missing = http.get(BASE + path), http.get("/api/v1/program/1999" + path)
            assert theirs.status_code == missing.status_code == 404, (path, theirs.text)
            assert theirs.json()["detail"] == missing.json()["detail"].replace("1999", YEAR)
        for path, body in ADMIN_WRITES:
            assert http.post(BASE + path, json=body).status_code == 404, path
