"""Awards on both backends: the titles file, a community's recommendations (at most N,
only its own matched pairs, never an ended pair), the cross-review with its conflict-of-
interest rule, the published aggregation, certification and revocation, each action only for
its role and in its phase. ``awards_year`` builds the world the other award tests share."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from ossmeta.errors import ForbiddenError, InputError, NotFoundError
from ossmeta.service.program import advance_phase, audit_log, create_year, read_config
from ossmeta.service.program_access import Member, access_of, add_program_member, operator_access
from ossmeta.service.program_awards import (
    Nomination,
    awards,
    certify,
    recommend,
    recommendations,
    review,
    review_sheet,
    revoke,
    set_titles,
    standings,
    titles,
    verify,
)
from ossmeta.service.program_imports import import_kind
from ossmeta.service.program_selection import publish, run_matching
from ossmeta.store import Store
from ossmeta.store.program_members import Named, replace_communities, replace_universities
from ossmeta.store.tenancy import Transaction, global_transaction
from tests.program.test_program_selection import table

NOW = datetime(2030, 1, 1, tzinfo=UTC)
ADMIN = "cli:t"

CONFIG = """\
seed = 11

[phases]
funding = ""
tasks_fixed = ""
teacher_training = ""
launch = ""
selection = ""
work = ""
midterm = ""
defense = ""
awards = ""
"""

TITLES = """\
per_community = 2

[[title]]
key = "gold"
name = "Outstanding Project"
name_zh = "优秀项目"

[[title]]
key = "star"
name = "Rising Star"
name_zh = "新星奖"
"""

#: Communities acme (tasks A1..A3) and beta (B1, B2); one pair per task, each first choice.
PAIRS = {"PA1": "A1", "PA2": "A2", "PA3": "A3", "PB1": "B1", "PB2": "B2"}
STUDENTS = {"PA1": "李雷", "PA2": "Ann", "PA3": "Abe", "PB1": "Bea", "PB2": "Bob"}


def _files(where: Path) -> dict[str, Path]:
    tasks = [
        (t, "M1" if t.startswith("A") else "M2", 1, t[0].lower() + "p", f"Task {t}")
        for t in PAIRS.values()
    ]
    return {
        "projects": table(
            where / "projects.csv",
            ("project_id", "community", "repository"),
            [
                ("ap", "acme", "https://github.com/acme/ap"),
                ("bp", "beta", "https://github.com/beta/bp"),
            ],
        ),
        "mentors": table(
            where / "mentors.csv",
            ("mentor_id", "capacity", "name", "identities"),
            [("M1", 3, "Mia", "login:mia"), ("M2", 2, "Max", "login:max")],
        ),
        "tasks": table(
            where / "tasks.csv",
            ("task_id", "mentor_id", "capacity", "project_id", "title", "ai_policy"),
            [(*t, "disclose") for t in tasks],
        ),
        "people": table(
            where / "people.csv",
            ("role", "person_id", "name", "university", "identities"),
            [("teacher", "t1", "韩梅梅", "U1", "")]
            + [("student", f"s{p}", STUDENTS[p], "U1", "") for p in PAIRS],
        ),
        "applications": table(
            where / "applications.csv",
            ("pair_id", "student", "teacher", "rank", "task_id", "plan", "timeline"),
            [(p, f"s{p}", "t1", 1, t, "plan", "") for p, t in PAIRS.items()],
        ),
        "rankings": table(
            where / "rankings.csv",
            ("mentor_id", "pair_id", "rank"),
            [("M1" if t.startswith("A") else "M2", p, 1) for p, t in PAIRS.items()],
        ),
    }


MEMBERS = [
    ("ada", "community", "acme"),
    ("ben", "community", "beta"),
    ("rita", "reviewer", "acme"),
    ("rolf", "reviewer", "beta"),
    ("rune", "reviewer", ""),
    ("boss", "admin", ""),
    ("sPA1", "student", "sPA1"),
    ("tina", "teacher", "t1"),
]


def awards_year(store: Store, where: Path, *, to_awards: bool = True) -> None:
    """A year whose published matching gives each pair its task, in the awards phase (or,
    without ``to_awards``, in the defense phase), with titles, names and members."""
    config = where / "program.toml"
    config.write_text(CONFIG, encoding="utf-8")
    create_year(store, "2027", read_config(config), ADMIN, NOW)
    files = _files(where)
    steps = [("projects", "mentors", "tasks"), (), ("people",), ("applications",), ("rankings",)]
    for kinds in steps:
        for kind in kinds:
            import_kind(store, None, kind, files[kind], ADMIN, NOW)
        advance_phase(store, None, ADMIN, NOW) if kinds != ("rankings",) else None
    run_matching(store, None, mentor_optimal=False, actor=ADMIN, now=NOW)
    publish(store, None, ADMIN, NOW)
    for _ in range(4 if to_awards else 3):  # work, midterm, defense (, awards)
        advance_phase(store, None, ADMIN, NOW)
    with global_transaction(store) as connection:
        replace_communities(
            connection,
            1,
            [Named("acme", "Acme Foundation", "Acme 基金会"), Named("beta", "Beta", "贝塔")],
        )
        replace_universities(connection, 1, [Named("U1", "First University", "第一大学")])
    for login, role, subject in MEMBERS:
        add_program_member(store, None, Member(login, role, subject), ADMIN, NOW)
    set_titles(store, None, operator_access(store, None, ADMIN), TITLES, "titles.toml", NOW)


def _as(store: Store, login: str):  # type: ignore[no-untyped-def]
    return access_of(store, None, login)


def _recommend_all(store: Store) -> None:
    recommend(
        store,
        None,
        _as(store, "ada"),
        "acme",
        [Nomination("PA1", "gold", "a parser"), Nomination("PA2", "star", "docs")],
        NOW,
    )
    recommend(
        store,
        None,
        _as(store, "ben"),
        "beta",
        [Nomination("PB1", "gold", "fast CI"), Nomination("PB2", "star", "tests")],
        NOW,
    )


def test_titles_file_mistakes_name_the_line(store: Store, tmp_path: Path) -> None:
    awards_year(store, tmp_path)
    admin = operator_access(store, None, ADMIN)
    assert [(t.key, t.name_zh, t.per_community) for t in titles(store, None)] == [
        ("gold", "优秀项目", 2),
        ("star", "新星奖", 2),
    ]
    bad = TITLES.replace('key = "star"', 'key = "gold"')
    with pytest.raises(InputError) as caught:
        set_titles(store, None, admin, bad, "t.toml", NOW)
    assert str(caught.value) == "t.toml:9: title 2: key 'gold' is declared twice"
    with pytest.raises(InputError, match=r"^t.toml:1: per_community must be"):
        set_titles(store, None, admin, "per_community = 0\n", "t.toml", NOW)
    with pytest.raises(InputError, match=r"^t.toml:6: title 1: name_zh must be text"):
        set_titles(
            store,
            None,
            admin,
            TITLES.replace('name_zh = "优秀项目"', 'name_zh = ""'),
            "t.toml",
            NOW,
        )
    with pytest.raises(InputError, match=r"^t.toml:2: not valid TOML"):
        set_titles(store, None, admin, "per_community = 2\n[[title]\n", "t.toml", NOW)
    with pytest.raises(ForbiddenError):
        set_titles(store, None, _as(store, "ada"), TITLES, "t.toml", NOW)


def test_recommendation_limits_and_ownership(store: Store, tmp_path: Path) -> None:
    awards_year(store, tmp_path)
    ada = _as(store, "ada")
    three = [Nomination(p, "gold", "good") for p in ("PA1", "PA2", "PA3")]
    with pytest.raises(InputError, match="at most 2 pairs may be recommended, not 3"):
        recommend(store, None, ada, "acme", three, NOW)
    with pytest.raises(
        InputError, match=r"pair PB1\): its task is not of a project of community acme"
    ):
        recommend(store, None, ada, "acme", [Nomination("PB1", "gold", "x")], NOW)
    with pytest.raises(InputError, match=r"pair PZ\): the pair has no task in the published"):
        recommend(store, None, ada, "acme", [Nomination("PZ", "gold", "x")], NOW)
    with pytest.raises(InputError, match="no award title 'silver'"):
        recommend(store, None, ada, "acme", [Nomination("PA1", "silver", "x")], NOW)
    with pytest.raises(ForbiddenError):
        recommend(store, None, ada, "beta", [Nomination("PB1", "gold", "x")], NOW)
    with pytest.raises(ForbiddenError):
        recommend(store, None, _as(store, "rita"), "acme", [Nomination("PA1", "gold", "x")], NOW)

    def ended(connection: Transaction, year_id: int) -> set[str]:
        return {"PA3"}

    with pytest.raises(InputError, match=r"pair PA3\): the pair was ended"):
        recommend(store, None, ada, "acme", [Nomination("PA3", "gold", "x")], NOW, ended=ended)
    assert recommend(store, None, ada, "acme", [Nomination("PA3", "gold", "x")], NOW) == 1
    _recommend_all(store)  # replaces acme's list
    mine = recommendations(store, None, ada, "acme")
    assert [(r.pair, r.title, facts["student_name"]) for r, facts in mine] == [
        ("PA1", "gold", "李雷"),
        ("PA2", "star", "Ann"),
    ]
    with pytest.raises(ForbiddenError):
        recommendations(store, None, ada, "beta")
    assert len(recommendations(store, None, _as(store, "rune"))) == 4


def test_actions_only_in_their_phase(store: Store, tmp_path: Path) -> None:
    awards_year(store, tmp_path, to_awards=False)
    with pytest.raises(InputError, match="recommend is allowed only in phase awards"):
        recommend(store, None, _as(store, "ada"), "acme", [Nomination("PA1", "gold", "x")], NOW)
    with pytest.raises(InputError, match="cross-review is allowed only in phase awards"):
        review(store, None, _as(store, "rune"), "rune", [], NOW)
    with pytest.raises(InputError, match="certify is allowed only in phase awards"):
        certify(store, None, operator_access(store, None, ADMIN), NOW)


def test_cross_review_refuses_conflicts_of_interest(store: Store, tmp_path: Path) -> None:
    awards_year(store, tmp_path)
    _recommend_all(store)
    rita = _as(store, "rita")
    sheet, current = review_sheet(store, None, rita, "rita")
    assert sorted(r.pair for r, _ in sheet) == ["PB1", "PB2"] and current == []
    with pytest.raises(
        InputError, match="place 2: pair PA1 is of community acme, the reviewer's own"
    ):
        review(store, None, rita, "rita", ["PB1", "PA1"], NOW)
    with pytest.raises(InputError, match="place 1: pair PA3 is not recommended"):
        review(store, None, rita, "rita", ["PA3"], NOW)
    with pytest.raises(InputError, match="pair PB1 is ranked twice"):
        review(store, None, rita, "rita", ["PB1", "PB1"], NOW)
    with pytest.raises(ForbiddenError):  # only an admin records another reviewer's ranking
        review(store, None, rita, "rolf", ["PA1"], NOW)
    with pytest.raises(InputError, match="ada is not a reviewer"):
        review(store, None, _as(store, "ada"), "ada", [], NOW)
    assert review(store, None, rita, "rita", ["PB2", "PB1"], NOW) == 2
    assert review_sheet(store, None, rita, "rita")[1] == ["PB2", "PB1"]


def test_aggregation_certification_and_revocation(store: Store, tmp_path: Path) -> None:
    awards_year(store, tmp_path)
    _recommend_all(store)
    admin = _as(store, "boss")
    review(store, None, _as(store, "rita"), "rita", ["PB2", "PB1"], NOW)
    review(store, None, _as(store, "rolf"), "rolf", ["PA1", "PA2"], NOW)
    review(store, None, admin, "rune", ["PA1", "PB1", "PA2", "PB2"], NOW)
    # PA1: (1 + 1) / 2 = 1; PB2: (1 + 0) / 2; PB1: (0 + 2/3) / 2; PA2: (0 + 1/3) / 2
    rule, order = standings(store, None, admin)
    assert "Borda" in rule and "seed 11" in rule
    assert [s.ranked.pair for s in order] == ["PA1", "PB2", "PB1", "PA2"]
    with pytest.raises(ForbiddenError):
        standings(store, None, _as(store, "rita"))
    with pytest.raises(ForbiddenError):
        certify(store, None, _as(store, "ada"), NOW)

    made = certify(store, None, admin, NOW, pairs=["PA1", "PB2", "PB1"])
    assert [(a.place, a.pair, a.title) for a in made] == [
        (1, "PA1", "gold"),
        (2, "PB2", "star"),
        (3, "PB1", "gold"),
    ]
    first = made[0]
    assert first.facts["student_name"] == "李雷" and first.facts["title_name_zh"] == "优秀项目"
    assert (
        first.facts["community_name_zh"] == "Acme 基金会"
        and first.facts["university_name"] == "First University"
    )
    assert len({a.code for a in made}) == 3 and all(len(a.code) >= 24 for a in made)
    assert verify(store, first.code).pair == "PA1"
    with pytest.raises(InputError, match="are certified; they can only be revoked"):
        certify(store, None, admin, NOW)
    with pytest.raises(InputError, match="are certified"):
        recommend(store, None, _as(store, "ada"), "acme", [], NOW)
    with pytest.raises(InputError, match="are certified"):
        review(store, None, _as(store, "rita"), "rita", [], NOW)

    with pytest.raises(NotFoundError):
        verify(store, "no-such-code")
    with pytest.raises(ForbiddenError):
        revoke(store, None, _as(store, "ada"), first.code, "plagiarism", NOW)
    revoked = revoke(store, None, admin, first.code, "plagiarism", NOW)
    assert revoked.revoked_reason == "plagiarism" and revoked.revoked_at == NOW
    with pytest.raises(InputError, match="revoked already"):
        revoke(store, None, admin, first.code, "again", NOW)
    assert [a.revoked_at is not None for a in awards(store, None)] == [True, False, False]
    actions = [e.action for e in audit_log(store, None)]
    assert actions.count("recommend") == 2 and actions.count("cross-review") == 3
    assert actions[-2:] == ["certify", "revoke award"]


def test_certify_refuses_unknown_and_ended_pairs(store: Store, tmp_path: Path) -> None:
    awards_year(store, tmp_path)
    _recommend_all(store)
    admin = operator_access(store, None, ADMIN)
    with pytest.raises(InputError, match="pair PA3 is not recommended"):
        certify(store, None, admin, NOW, pairs=["PA3"])

    def ended(connection: Transaction, year_id: int) -> set[str]:
        return {"PB1"}

    with pytest.raises(InputError, match="pair PB1 was ended"):
        certify(store, None, admin, NOW, ended=ended)
    assert len(certify(store, None, admin, NOW)) == 4


def seed_awards(store: Store, year_name: str, reviewer: str) -> dict[str, str]:
    """Award data in a year whatever its phase (written through the store, for the
    route-walking tests): two titles; every pair the published matching placed, recommended
    by its community; ``reviewer`` (made a reviewer of no community) ranking them; all of them
    certified. The path values that name them."""
    from ossmeta.service.program_awards import _pair_facts
    from ossmeta.service.program_certificates import PEOPLE
    from ossmeta.store import program_awards as awards_store
    from ossmeta.store.program import find_year
    from ossmeta.store.program_awards import AwardRow, RecommendationRow, TitleRow

    assert PEOPLE == ("student", "teacher")
    add_program_member(store, year_name, Member(reviewer, "reviewer", ""), ADMIN, NOW)
    with global_transaction(store) as connection:
        year = find_year(connection, year_name)
        assert year is not None
        facts = _pair_facts(connection, year)
        assert len(facts) >= 2, "seed_awards needs a published matching placing two pairs"
        gold, star = (
            TitleRow("gold", "Outstanding Project", "优秀项目", 3),
            TitleRow("star", "Rising Star", "新星奖", 3),
        )
        awards_store.replace_titles(connection, year.id, [gold, star])
        pairs = sorted(facts)
        by_community: dict[str, list[RecommendationRow]] = {}
        for n, pair in enumerate(pairs):
            title = (gold, star)[n % 2].key
            row = RecommendationRow(facts[pair]["community"], pair, title, "seeded", ADMIN, NOW)
            by_community.setdefault(row.community, []).append(row)
        for community, rows in by_community.items():
            awards_store.replace_community_recommendations(connection, year.id, community, rows)
        awards_store.replace_reviewer_ranking(connection, year.id, reviewer, pairs)
        made: list[AwardRow] = []
        for place, pair in enumerate(pairs, 1):
            title = (gold, star)[(place - 1) % 2]
            facts_of = {
                **facts[pair],
                "title": title.key,
                "title_name": title.name,
                "title_name_zh": title.name_zh,
                "citation": "seeded",
                "place": place,
            }
            code = f"seeded-{year.id}-{place}-{pair}"
            made.append(
                AwardRow(year.id, code, place, pair, title.key, facts_of, NOW, ADMIN, None, None)
            )
        awards_store.add_awards(connection, year.id, made)
    community = facts[pairs[0]]["community"]
    return {"community": community, "reviewer": reviewer, "code": made[0].code}


def test_seed_awards_fills_a_year_of_the_selection(store: Store, tmp_path: Path) -> None:
    """The seed the route-walking tests can use on a year still in its selection."""
    from tests.program.test_program_selection import CONFIG as SELECTION
    from tests.program.test_program_selection import tables

    config = tmp_path / "program.toml"
    config.write_text(SELECTION, encoding="utf-8")
    create_year(store, "2027", read_config(config), ADMIN, NOW)
    files = tables(tmp_path)
    for kinds in (("projects", "mentors", "tasks"), (), ("people",), ("applications",)):
        for kind in kinds:
            import_kind(store, None, kind, files[kind], ADMIN, NOW)
        advance_phase(store, None, ADMIN, NOW)
    import_kind(store, None, "rankings", files["rankings"], ADMIN, NOW)
    run_matching(store, None, mentor_optimal=False, actor=ADMIN, now=NOW)
    publish(store, None, ADMIN, NOW)
    values = seed_awards(store, "2027", "rune")
    assert values["community"] == "Acme"
    assert verify(store, values["code"]).facts["title_name_zh"] == "优秀项目"
    admin = operator_access(store, None, ADMIN)
    assert [s.ranked.pair for s in standings(store, None, admin)[1]] == ["P1", "P2"]
    assert len(recommendations(store, None, _as(store, "rune"))) == 2
