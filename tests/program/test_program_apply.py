"""A pair applies and a mentor ranks one at a time, as the API and the web pages do: only for
the pair or the mentor the login acts for, only in their phase, with the year's rules, and
the matching then reads what they recorded."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from ossmeta.errors import ForbiddenError, InputError
from ossmeta.service.program import advance_phase, create_year, read_config
from ossmeta.service.program_access import Member, access_of, add_program_member
from ossmeta.service.program_apply import Choice, apply_pair, rank_pairs
from ossmeta.service.program_imports import import_kind
from ossmeta.service.program_selection import run_matching
from ossmeta.store import Store
from ossmeta.store.program_rows import read_applications, read_rankings
from ossmeta.store.tenancy import global_transaction
from tests.program.test_program_selection import CONFIG, tables

NOW = datetime(2030, 1, 1, tzinfo=UTC)


def _year_in_launch(store: Store, where: Path) -> None:
    config = where / "program.toml"
    config.write_text(CONFIG, encoding="utf-8")
    create_year(store, "2027", read_config(config), "cli:t", NOW)
    files = tables(where)
    for kind in ("projects", "mentors", "tasks"):
        import_kind(store, None, kind, files[kind], "cli:t", NOW)
    advance_phase(store, None, "cli:t", NOW)
    advance_phase(store, None, "cli:t", NOW)
    import_kind(store, None, "people", files["people"], "cli:t", NOW)
    advance_phase(store, None, "cli:t", NOW)
    for login, role, subject in [
        ("sam", "student", "s1"),
        ("tan", "teacher", "t1"),
        ("sue", "student", "s2"),
        ("mia", "mentor", "M1"),
        ("max", "mentor", "M2"),
    ]:
        add_program_member(store, None, Member(login, role, subject), "cli:t", NOW)


def test_pairs_apply_mentors_rank_and_the_matching_reads_them(store: Store, tmp_path: Path) -> None:
    _year_in_launch(store, tmp_path)
    sam, tan, sue = (access_of(store, None, login) for login in ("sam", "tan", "sue"))
    choices = [Choice("T1", "parse it", "w1-4 parser"), Choice("T2")]
    assert apply_pair(store, None, sam, "P1", "s1", "t1", choices, NOW) == 2
    # The teacher may replace the pair's choices; the student of another pair may not.
    assert apply_pair(store, None, tan, "P1", "s1", "t1", [Choice("T1"), Choice("T2")], NOW) == 2
    with pytest.raises(ForbiddenError):
        apply_pair(store, None, sue, "P1", "s1", "t1", choices, NOW)
    apply_pair(store, None, sue, "P2", "s2", "t2", [Choice("T1")], NOW)
    # Sue's own keys do not let her take over Sam's pair P1.
    with pytest.raises(ForbiddenError, match="sue is not a student 's1'"):
        apply_pair(store, None, sue, "P1", "s2", "t2", [Choice("T3")], NOW)
    with pytest.raises(InputError, match="pair P3, choice 1: student 's2' is already in pair"):
        apply_pair(store, None, sue, "P3", "s2", "t2", [Choice("T3")], NOW)
    with pytest.raises(InputError, match="pair P2, choice 2: unknown task 'T9'"):
        apply_pair(store, None, sue, "P2", "s2", "t2", [Choice("T1"), Choice("T9")], NOW)
    with pytest.raises(InputError, match="choose 1 to 3 tasks"):
        apply_pair(store, None, sue, "P2", "s2", "t2", [], NOW)
    with pytest.raises(InputError, match="only in phase selection"):
        rank_pairs(store, None, access_of(store, None, "mia"), "M1", [("P1", 1)], NOW)

    advance_phase(store, None, "cli:t", NOW)  # selection
    with pytest.raises(InputError, match="only in phase launch"):
        apply_pair(store, None, sam, "P1", "s1", "t1", choices, NOW)
    mia, max_ = access_of(store, None, "mia"), access_of(store, None, "max")
    with pytest.raises(ForbiddenError):
        rank_pairs(store, None, mia, "M2", [("P1", 1)], NOW)
    with pytest.raises(InputError, match="pair P9: it applied to none of mentor M1's tasks"):
        rank_pairs(store, None, mia, "M1", [("P9", 1)], NOW)
    assert rank_pairs(store, None, mia, "M1", [("P2", 1), ("P1", 2)], NOW) == 2
    assert rank_pairs(store, None, max_, "M2", [("P1", 1)], NOW) == 1

    with global_transaction(store) as connection:
        assert [(a.pair, a.rank, a.task) for a in read_applications(connection, 1)] == [
            ("P1", 1, "T1"),
            ("P1", 2, "T2"),
            ("P2", 1, "T1"),
        ]
        assert len(read_rankings(connection, 1)) == 3
    checked = run_matching(store, None, mentor_optimal=False, actor="cli:t", now=NOW)
    assert checked.matching.assignment == {"P1": "T2", "P2": "T1"}
