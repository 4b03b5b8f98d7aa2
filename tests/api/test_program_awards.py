"""Program awards over the API (real HTTP, SQLite and PostgreSQL): each login acts only in
its program roles, mistakes are RFC 9457 problems (never a 5xx), lists are cursor pages, the
certificate is a PDF, and the public verification answers for a valid, a revoked and an
unknown code."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import httpx
from pypdf import PdfReader

from tests.api.conftest import ApiServer
from tests.program.test_awards import awards_year

PROBLEM = "application/problem+json"
BASE = "/api/v1/program/current/awards"


def _problem(answer: httpx.Response, status: int) -> dict[str, Any]:
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"] == PROBLEM
    body: dict[str, Any] = answer.json()
    return body


def test_awards_over_the_api(api: ApiServer, tmp_path: Path) -> None:
    awards_year(api.store, tmp_path)
    token = {
        login: api.account("acme", login, role="member")
        for login in ("ada", "ben", "rita", "rolf", "rune", "boss", "sPA1", "nobody")
    }

    def as_(login: str) -> httpx.Client:
        return api.client(token[login])

    with as_("nobody") as http:  # no role in the year: as if there were no such year
        _problem(http.get(f"{BASE}/titles"), 404)
        _problem(http.put(f"{BASE}/recommendations/acme", json={"items": []}), 404)
    with as_("sPA1") as http:
        titles = http.get(f"{BASE}/titles", params={"limit": 1}).json()
        assert titles["items"][0]["name_zh"] == "优秀项目" and titles["next"]
        assert (
            http.get(f"{BASE}/titles", params={"cursor": titles["next"]}).json()["items"][0]["key"]
            == "star"
        )
        _problem(http.put(f"{BASE}/recommendations/acme", json={"items": []}), 403)
        _problem(http.get(f"{BASE}/standings"), 403)
    with as_("ada") as http:
        three = [{"pair": p, "title": "gold", "citation": "c"} for p in ("PA1", "PA2", "PA3")]
        detail = _problem(http.put(f"{BASE}/recommendations/acme", json={"items": three}), 422)[
            "detail"
        ]
        assert "at most 2 pairs" in detail
        _problem(http.put(f"{BASE}/recommendations/beta", json={"items": three[:1]}), 403)
        _problem(http.put(f"{BASE}/recommendations/acme", json={"items": [{"pair": "PA1"}]}), 422)
        done = http.put(f"{BASE}/recommendations/acme", json={"items": three[:2]})
        assert done.status_code == 200 and done.json() == {"count": 2}
        mine = http.get(f"{BASE}/recommendations", params={"community": "acme"}).json()
        assert [r["student_name"] for r in mine["items"]] == ["李雷", "Ann"]
    with as_("ben") as http:
        item = {"pair": "PB1", "title": "star", "citation": "CI"}
        assert http.put(f"{BASE}/recommendations/beta", json={"items": [item]}).status_code == 200
    with as_("rita") as http:
        sheet = http.get(f"{BASE}/reviews/rita").json()
        assert [r["pair"] for r in sheet["items"]] == ["PB1"]  # never its own community's
        detail = _problem(http.put(f"{BASE}/reviews/rita", json={"pairs": ["PA1"]}), 422)["detail"]
        assert "conflict of interest" in detail
        _problem(http.put(f"{BASE}/reviews/rolf", json={"pairs": ["PA1"]}), 403)
        assert http.put(f"{BASE}/reviews/rita", json={"pairs": ["PB1"]}).json() == {"count": 1}
    with as_("rolf") as http:
        assert http.put(f"{BASE}/reviews/rolf", json={"pairs": ["PA2", "PA1"]}).status_code == 200
    with as_("boss") as http:
        order = http.get(f"{BASE}/standings").json()["items"]
        assert [(s["pair"], s["score"]) for s in order][2] == ("PA1", "0")
        assert "Borda" in http.get(f"{BASE}/rule").json()["rule"]
        _problem(http.post(f"{BASE}/certify", json={"pairs": ["PA3"]}), 422)
        made = http.post(f"{BASE}/certify", json={"pairs": ["PA1", "PB1"]}).json()["awards"]
        assert {a["pair"] for a in made} == {"PA1", "PB1"} and all(a["code"] for a in made)
        _problem(http.post(f"{BASE}/certify", json={}), 422)
    code = next(a["code"] for a in made if a["pair"] == "PA1")
    with as_("ben") as http:
        listed = http.get(BASE).json()["items"]
        assert [a["code"] for a in listed] == [None, None]  # codes for admins only
        _problem(http.get(f"{BASE}/{code}/certificate"), 403)  # another community's
        _problem(http.post(f"{BASE}/{code}/revoke", json={"reason": "x"}), 403)
    with as_("nobody") as http:
        _problem(http.get(f"{BASE}/{code}/certificate"), 404)
    with as_("sPA1") as http:
        pdf = http.get(f"{BASE}/{code}/certificate", params={"person": "student"})
        assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
        text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
        assert (
            "李雷" in text and "Outstanding Project" in text and f"/program/verify/{code}" in text
        )

    with api.client() as public:
        valid = public.get(f"/api/v1/program/verify/{code}")
        assert valid.status_code == 200 and valid.json()["status"] == "valid"
        assert valid.json()["student"] == "李雷" and valid.json()["title_zh"] == "优秀项目"
        again = public.get(
            f"/api/v1/program/verify/{code}", headers={"If-None-Match": valid.headers["etag"]}
        )
        assert again.status_code == 304
        _problem(public.get("/api/v1/program/verify/unknown-code"), 404)
        _problem(public.get(f"{BASE}/titles"), 401)
        _problem(public.get("/api/v1/program/verify/" + "x" * 65), 422)
    with as_("boss") as http:
        revoked = http.post(f"{BASE}/{code}/revoke", json={"reason": "plagiarism"})
        assert revoked.status_code == 200 and revoked.json()["revoked"] is True
    with api.client() as public:
        shown = public.get(f"/api/v1/program/verify/{code}").json()
        assert shown["status"] == "revoked" and shown["revoked_reason"] == "plagiarism"
