"""A project's top committers count as its maintainers: the ``top_committers`` people (by
non-merge commits in the 12 months before the year was created, from a real git import)
cannot apply to its tasks, matched by e-mail or, through the identity store, by login."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from ossmeta.errors import InputError
from ossmeta.pipelines.git_import import import_git
from ossmeta.service.program import advance_phase, create_year, read_config
from ossmeta.service.program_access import operator_access
from ossmeta.service.program_apply import Choice, apply_pair
from ossmeta.service.program_imports import import_kind
from ossmeta.store import Store
from ossmeta.store.identities import IdentityOverrides
from tests.gitrepo import Repo
from tests.program.test_program_selection import table

NOW = datetime(2030, 1, 1, tzinfo=UTC)  # the year's creation
HEADER = ("pair_id", "student", "teacher", "rank", "task_id")


def _epoch(text: str) -> str:
    return f"{int(datetime.fromisoformat(text + '+00:00').timestamp())} +0000"


def _history(path: Path) -> None:
    """carol 3 commits and dave 2 in 2029; erin 1 in 2029; olga 5 in 2027 (too old)."""
    repo = Repo.init(path)
    authors = [
        ("Carol", "carol@example.org", "2029-03-0", 3),
        ("Dave", "dave@work.example", "2029-05-0", 2),
        ("Erin", "erin@example.org", "2029-07-0", 1),
        ("Olga", "olga@example.org", "2027-02-0", 5),
    ]
    for name, email, month, count in authors:
        for day in range(1, count + 1):
            repo.commit(
                f"{name} {day}",
                {f"{name}{day}": b"x"},
                author=(name, email),
                author_date=_epoch(f"{month}{day}T10:00:00"),
            )


def _year(store: Store, tmp_path: Path, eligibility: str) -> Path:
    root = tmp_path / "activity"
    _history(tmp_path / "widget")
    import_git(str(tmp_path / "widget"), store, root, repo_key="github.com/acme/widget")
    IdentityOverrides(store).add(
        "merge", "login:dave", "email:dave@work.example", reason="registration", author="t"
    )
    config = tmp_path / "c.toml"
    config.write_text(
        "[phases]\ntasks_fixed = ''\nteacher_training = ''\nlaunch = ''\nselection = ''\n"
        + eligibility
    )
    create_year(store, "y", read_config(config), "admin", NOW)
    files = [
        ("projects", ("project_id", "community", "repository"), [("w", "A", "github.com/acme/widget")]),
        ("mentors", ("mentor_id", "capacity", "identities"), [("M1", 9, "login:mia")]),
        ("tasks", ("task_id", "mentor_id", "capacity", "project_id"), [("T1", "M1", 9, "w")]),
    ]  # fmt: skip
    for kind, header, rows in files:
        import_kind(store, None, kind, table(tmp_path / f"{kind}.csv", header, rows), "a", NOW)
    advance_phase(store, None, "admin", NOW)
    people = [
        ("teacher", "t1", ""),
        ("student", "carol", "email:Carol@Example.org"),
        ("student", "dave", "login:Dave"),  # only the curation joins the login to the commits
        ("student", "erin", "email:erin@example.org"),
        ("student", "olga", "email:olga@example.org"),
    ]
    path = table(tmp_path / "people.csv", ("role", "person_id", "identities"), people)
    import_kind(store, None, "people", path, "admin", NOW)
    advance_phase(store, None, "admin", NOW)
    return root


def _apply(store: Store, tmp_path: Path, root: Path, student: str) -> int:
    path = table(tmp_path / "apps.csv", HEADER, [(f"P-{student}", student, "t1", 1, "T1")])
    return import_kind(store, None, "applications", path, "admin", NOW, root=root)


def test_top_committers_cannot_apply_and_the_refusal_says_why(store: Store, tmp_path: Path) -> None:
    root = _year(store, tmp_path, "[eligibility]\ntop_committers = 2\n")
    with pytest.raises(InputError) as raised:
        _apply(store, tmp_path, root, "carol")
    assert re.search(
        r"apps.csv:2: student 'carol' is a top committer of github.com/acme/widget "
        r"\(#1, 3 commits in the 12 months before the program\) \(email:carol@example.org\)",
        str(raised.value),
    ), str(raised.value)
    with pytest.raises(InputError, match=r"'dave' is a top committer .*#2, 2 commits.*login:dave"):
        _apply(store, tmp_path, root, "dave")
    assert _apply(store, tmp_path, root, "erin") == 1  # third: outside the top 2
    assert _apply(store, tmp_path, root, "olga") == 1  # her commits are older than 12 months


def test_the_default_is_five_and_the_rule_can_be_switched_off(store: Store, tmp_path: Path) -> None:
    root = _year(store, tmp_path, "")
    with pytest.raises(InputError, match=r"'erin' is a top committer .*#3, 1 commits"):
        _apply(store, tmp_path, root, "erin")
    assert _apply(store, tmp_path, root, "olga") == 1


def test_switched_off(store: Store, tmp_path: Path) -> None:
    root = _year(store, tmp_path, "[eligibility]\nmaintainers_not_applicants = false\n")
    assert _apply(store, tmp_path, root, "carol") == 1


@pytest.mark.parametrize("value", ["-1", "true", "'5'", "101"])
def test_a_bad_top_committers_setting_names_its_line(tmp_path: Path, value: str) -> None:
    config = tmp_path / "c.toml"
    config.write_text(f"seed = 1\n[eligibility]\ntop_committers = {value}\n")
    with pytest.raises(InputError, match=r"c.toml:3: eligibility: top_committers must be"):
        read_config(config)


def test_a_pair_applying_on_its_own_meets_the_same_rule(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _year(store, tmp_path, "")
    monkeypatch.setenv("OSSMETA_HOME", str(root.parent))  # the activity data's default place
    access = operator_access(store, None, "admin")
    with pytest.raises(InputError, match=r"pair P1, choice 1: student 'carol' is a top committer"):
        apply_pair(store, None, access, "P1", "carol", "t1", [Choice("T1")], NOW)
    assert apply_pair(store, None, access, "P2", "olga", "t1", [Choice("T1")], NOW) == 1
