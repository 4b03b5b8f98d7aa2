"""The awards read the mid-term's ended pairs: a pair an admin ended after a failed mid-term
cannot be recommended (the real mid-term, not a stand-in)."""

from __future__ import annotations

from pathlib import Path

import pytest

from ossmeta.errors import InputError
from ossmeta.service.program import advance_phase
from ossmeta.service.program_access import Member, access_of, add_program_member
from ossmeta.service.program_awards import Nomination, recommend, set_titles
from ossmeta.service.program_midterm import end_failed_pair, set_questions, submit_form
from ossmeta.store import Store
from tests.program.test_awards import TITLES
from tests.program.test_midterm import NOW, QUESTIONS, year_in_work


def test_an_ended_pair_cannot_be_recommended(store: Store, tmp_path: Path) -> None:
    year_in_work(store, tmp_path)  # P1 -> T2, P2 -> T1, both of Acme's project widget
    boss = access_of(store, None, "boss")
    set_questions(store, None, boss, QUESTIONS, "questions.toml", NOW)
    set_titles(store, None, boss, TITLES, "titles.toml", NOW)
    advance_phase(store, None, "cli:t", NOW)  # midterm
    submit_form(
        store,
        None,
        access_of(store, None, "mia"),
        "P2",
        "mentor",
        {"progress": "behind", "merged": "no"},
        False,
        NOW,
    )
    end_failed_pair(store, None, boss, "P2", "no work since May", NOW)
    advance_phase(store, None, "cli:t", NOW)  # defense
    advance_phase(store, None, "cli:t", NOW)  # awards
    add_program_member(store, None, Member("ada", "community", "Acme"), "cli:t", NOW)
    ada = access_of(store, None, "ada")
    with pytest.raises(InputError, match=r"P2.*ended"):
        recommend(store, None, ada, "Acme", [Nomination("P2", "gold", "x")], NOW)
    assert recommend(store, None, ada, "Acme", [Nomination("P1", "gold", "x")], NOW) == 1
