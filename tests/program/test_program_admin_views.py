"""The program admin's views and actions, and the community and university views, on SQLite
and PostgreSQL: what each shows, that the verdict is the checker's on the tables as they are
now, that an edit with blocking pairs needs an override, that an upload's mistakes name the
upload, and that every role is refused what it has no right to."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from ossmeta.errors import ForbiddenError, InputError, NotFoundError
from ossmeta.service import program_admin_views as views
from ossmeta.service import program_admin_views_actions as actions
from ossmeta.service.program_access import Access, Member, access_of
from ossmeta.service.program_admin_views_contacts import community_view, university_view
from ossmeta.store import Store
from tests.api.world_program_admin import YEAR, selection_year

NOW = datetime(2026, 6, 2, tzinfo=UTC)


@pytest.fixture
def year(store: Store, tmp_path: Path) -> Store:
    selection_year(
        store,
        tmp_path,
        Member("ada", "admin", ""),
        Member("cora", "community", "Acme"),
        Member("uma", "university", "U1"),
        Member("sam", "student", "s1"),
    )
    return store


def _as(store: Store, login: str) -> Access:
    return access_of(store, YEAR, login)


def test_the_overview_shows_the_year_members_counts_matching_and_audit(year: Store) -> None:
    seen = views.admin_overview(year, None, _as(year, "ada"))
    assert seen["year"]["phase"] == "selection" and len(seen["year"]["phases"]) == 6
    assert seen["counts"]["pairs"] == 3 and seen["counts"]["rankings"] == 5
    assert {"login": "sam", "role": "student", "subject": "s1"} in seen["members"]
    assert seen["matching"]["verdict"] == {"ok": True, "problems": [], "blocking": []}
    assert seen["matching"]["unmatched"] == ["P3"]
    assert seen["communities"] == [{"key": "Acme", "name": "Acme Labs", "name_zh": "极客实验室"}]
    assert [u["key"] for u in seen["universities"]] == ["U1", "U2"]
    actions_seen = [e["action"] for e in seen["audit"]]
    assert actions_seen[0] == "member add" and "match" in actions_seen  # newest first
    assert actions_seen[-1] == "create" and len(actions_seen) < views.RECENT_AUDIT


def test_the_verdict_is_the_checkers_on_the_tables_now(year: Store, tmp_path: Path) -> None:
    ada = _as(year, "ada")
    # M2 now prefers P3 to P1, who holds T2, P3's only choice: P3 blocks with T2 (3c).
    ranks = "mentor_id,pair_id,rank\nM1,P2,1\nM1,P1,2\nM2,P3,1\nM2,P1,2\nM2,P2,3\n"
    assert actions.import_table(year, YEAR, ada, "rankings", "r.csv", ranks.encode(), NOW) == 5
    shown = views.matching_view(year, YEAR, ada)
    assert shown is not None
    assert shown["verdict"]["blocking"] == [{"pair": "P3", "task": "T2", "case": "3c"}]
    rerun = actions.match(year, YEAR, ada, "pair_optimal", NOW)
    assert rerun.verdict.ok and rerun.matching.assignment["P3"] == "T2"


def test_an_edit_with_blocking_pairs_needs_a_reason(year: Store) -> None:
    ada = _as(year, "ada")
    before = views.matching_view(year, YEAR, ada)
    assert before is not None
    with pytest.raises(actions.BlockingEdit) as refused:
        actions.edit(year, YEAR, ada, "P1", None, "   ", NOW)
    assert [(b.pair, b.task, b.case) for b in refused.value.blocking] == [
        ("P1", "T2", "3a"),
        ("P3", "T2", "3a"),
    ]
    after = views.matching_view(year, YEAR, ada)
    assert after is not None and after["id"] == before["id"]  # nothing was kept
    kept = actions.edit(year, YEAR, ada, "P1", None, "P1 withdrew", NOW)
    assert kept.matching.override == "P1 withdrew" and "P1" not in kept.matching.assignment
    # Giving T2 to P3 instead leaves P1 blocking (M2 prefers P1): a reason again.
    with pytest.raises(actions.BlockingEdit, match=r"P1→T2 \(3c\)"):
        actions.edit(year, YEAR, ada, "P3", "T2", None, NOW)
    # An edit that leaves no blocking pair needs no reason: P1 takes T2 back.
    fixed = actions.edit(year, YEAR, ada, "P1", "T2", None, NOW)
    assert fixed.verdict.ok and fixed.matching.override is None


def test_an_uploads_mistake_names_the_upload_and_its_line(year: Store) -> None:
    ada = _as(year, "ada")
    bad = b"mentor_id,pair_id,rank\nM1,P1,1\nM1,P9,2\n"
    with pytest.raises(InputError) as error:
        actions.import_table(year, YEAR, ada, "rankings", "/home/ann/ranks.csv", bad, NOW)
    assert (error.value.path, error.value.line) == ("ranks.csv", 3)
    assert str(error.value).startswith("ranks.csv:3: mentor 'M1' ranks pair 'P9'")
    with pytest.raises(InputError, match=r"a \.csv or an \.xlsx"):
        actions.import_table(year, YEAR, ada, "rankings", "ranks.txt", bad, NOW)
    with pytest.raises(InputError, match="larger than"):
        big = b"x" * (actions.MAX_UPLOAD + 1)
        actions.import_table(year, YEAR, ada, "rankings", "r.csv", big, NOW)
    name, content = actions.export_table(year, YEAR, ada, "rankings", "csv")
    assert name == f"{YEAR}-rankings.csv" and content.startswith(b"mentor_id,pair_id,rank")


def test_the_audit_pages_newest_first(year: Store) -> None:
    ada = _as(year, "ada")
    everything = views.audit_page(year, YEAR, ada, before=None, limit=1000)
    assert [e.id for e in everything] == sorted((e.id for e in everything), reverse=True)
    walked, before = [], None
    while page := views.audit_page(year, YEAR, ada, before=before, limit=3):
        walked += page
        before = page[-1].id
    assert walked == everything


def test_the_community_view(year: Store) -> None:
    cora = _as(year, "cora")
    seen = community_view(year, YEAR, cora, "Acme")
    assert seen["community"]["name_zh"] == "极客实验室"
    assert [(t["key"], t["applicants"]) for t in seen["tasks"]] == [("T1", 2), ("T2", 2)]
    assert seen["matched"] is None
    actions.publish(year, YEAR, _as(year, "ada"), NOW)
    matched = community_view(year, YEAR, cora, "Acme")["matched"]
    assert [(m["pair"], m["student"], m["task"]) for m in matched] == [
        ("P1", "s1", "T2"),
        ("P2", "s2", "T1"),
    ]
    with pytest.raises(NotFoundError):
        community_view(year, YEAR, _as(year, "ada"), "Nobody")


def test_the_university_view(year: Store) -> None:
    uma = _as(year, "uma")
    seen = university_view(year, YEAR, uma, "U1")
    assert seen["university"] == {"key": "U1", "name": "U1", "name_zh": "U1"}
    assert [t["key"] for t in seen["teachers"]] == ["t1"]
    assert [(p["pair"], [c["task"] for c in p["choices"]]) for p in seen["pairs"]] == [
        ("P1", ["T1", "T2"]),
        ("P3", ["T2"]),
    ]
    assert seen["published"] is False and {p["task"] for p in seen["pairs"]} == {None}
    actions.publish(year, YEAR, _as(year, "ada"), NOW)
    after = university_view(year, YEAR, uma, "U1")
    assert {p["pair"]: p["task"] for p in after["pairs"]} == {"P1": "T2", "P3": None}


@pytest.mark.parametrize("login", ["cora", "uma", "sam", "nobody"])
def test_only_an_admin_sees_and_changes_the_year(year: Store, login: str) -> None:
    who = _as(year, login)
    refused = [
        lambda: views.admin_overview(year, YEAR, who),
        lambda: views.matching_view(year, YEAR, who),
        lambda: views.members_view(year, YEAR, who),
        lambda: views.audit_page(year, YEAR, who, before=None, limit=10),
        lambda: actions.advance(year, YEAR, who, NOW),
        lambda: actions.extend(year, YEAR, who, datetime(2999, 6, 1, tzinfo=UTC), NOW),
        lambda: actions.add_member(year, YEAR, who, Member(login, "admin", ""), NOW),
        lambda: actions.remove_member(year, YEAR, who, Member("ada", "admin", ""), NOW),
        lambda: actions.import_table(year, YEAR, who, "rankings", "r.csv", b"", NOW),
        lambda: actions.export_table(year, YEAR, who, "rankings", "csv"),
        lambda: actions.match(year, YEAR, who, "pair_optimal", NOW),
        lambda: actions.edit(year, YEAR, who, "P1", None, "why", NOW),
        lambda: actions.publish(year, YEAR, who, NOW),
    ]
    for call in refused:
        with pytest.raises(ForbiddenError):
            call()
    if login != "cora":
        with pytest.raises(ForbiddenError):
            community_view(year, YEAR, who, "Acme")
    if login != "uma":
        with pytest.raises(ForbiddenError):
            university_view(year, YEAR, who, "U1")
    assert views.admin_overview(year, YEAR, _as(year, "ada"))["year"]["phase"] == "selection"


def test_actions_outside_their_phase_are_refused(year: Store) -> None:
    ada = _as(year, "ada")
    assert actions.advance(year, YEAR, ada, NOW).current.name == "work"
    for call in (
        lambda: actions.match(year, YEAR, ada, "pair_optimal", NOW),
        lambda: actions.edit(year, YEAR, ada, "P1", None, None, NOW),
        lambda: actions.publish(year, YEAR, ada, NOW),
        lambda: actions.import_table(year, YEAR, ada, "rankings", "r.csv", b"x", NOW),
    ):
        with pytest.raises(InputError, match="allowed only in phase"):
            call()
