"""The commit-based bus factor (CHAOSS contributor absence factor over git) on DuckDB, every
value computed by hand in the comments."""

from __future__ import annotations

from pathlib import Path

from tests.analyses.metrics.test_git_health import (
    OTHER,
    TOOL,
    Scenario,
    commit,
    identity,
    run,
    series,
)

ALICE = "login:alice"


def _scenario() -> Scenario:
    """January 2024 in acme/tool: alice (two emails, one person) 3 commits of 10 lines each,
    bob 2 commits of 50 lines, carol 1 commit of 5 lines and 1 merge, a bot 4 commits.
    February: bob alone. Another repository: dave alone."""
    january = [
        commit(TOOL, "2024-01-02T10:00", "alice@work.example", insertions=8, deletions=2),
        commit(TOOL, "2024-01-03T10:00", "alice@home.example", insertions=10),
        commit(TOOL, "2024-01-04T10:00", "alice@work.example", deletions=10),
        commit(TOOL, "2024-01-05T10:00", "bob@x.example", "Bob", insertions=50),
        commit(TOOL, "2024-01-06T10:00", "bob@x.example", "Bob", insertions=25, deletions=25),
        commit(TOOL, "2024-01-07T10:00", "carol@y.example", "Carol", insertions=5),
        commit(TOOL, "2024-01-08T10:00", "carol@y.example", "Carol", merge=True),
    ]
    bot = [
        commit(TOOL, f"2024-01-1{n}T10:00", "ci@robot.example", insertions=500) for n in range(4)
    ]
    return Scenario(
        commits=[
            *january,
            *bot,
            commit(TOOL, "2024-02-01T10:00", "bob@x.example", "Bob", insertions=1),
            commit(OTHER, "2024-01-09T10:00", "dave@z.example", "Dave", insertions=3),
        ],
        identities=[
            identity("email:alice@work.example", ALICE),
            identity("email:alice@home.example", ALICE),
            identity("email:ci@robot.example", "email:ci@robot.example", bot=True),
        ],
    )


def test_commits_half_needs_the_top_people_until_half_is_reached(tmp_path: Path) -> None:
    table = run(tmp_path, _scenario())
    # January, non-merge, bots out: alice 3, bob 2, carol 1 = 6; half is 3: alice alone has 3
    assert series(table, TOOL, "git_bus_factor_commits") == {
        "2024-01": [["login:alice", 3]],  # detail: the members, [name, commits]
        "2024-02": [["Bob", 1]],
        # the quarter: alice 3, bob 3 (one in February), carol 1 = 7; 3 < 3.5, so two people
        "2024Q1": [["Bob", 3], ["login:alice", 3]],  # ties ranked by name
        "2024": [["Bob", 3], ["login:alice", 3]],
    }
    values = {
        r["period"]: r["value"]
        for r in table.to_pylist()
        if r["subject"] == TOOL and r["metric"] == "git_bus_factor_commits"
    }
    assert values == {"2024-01": 1, "2024-02": 1, "2024Q1": 2, "2024": 2}


def test_lines_weigh_people_by_what_they_changed(tmp_path: Path) -> None:
    table = run(tmp_path, _scenario())
    # January lines: alice 10 + 10 + 10 = 30, bob 50 + 50 = 100, carol 5 (the merge has
    # none), the bot's 2000 left out: 135 in all; bob's 100 >= 67.5, so bob alone
    assert series(table, TOOL, "git_bus_factor_lines")["2024-01"] == [["Bob", 100]]
    assert series(table, OTHER, "git_bus_factor_lines") == {
        p: [["Dave", 3]] for p in ("2024-01", "2024Q1", "2024")
    }


def test_when_nobody_reaches_half_alone_the_smallest_group_does(tmp_path: Path) -> None:
    # 4, 3, 2 and 1 commits make 10: 4 < 5, 4 + 3 = 7 >= 5, so two people
    authors = {"a@e.example": 4, "b@e.example": 3, "c@e.example": 2, "d@e.example": 1}
    commits = [
        commit(TOOL, f"2024-05-{day:02d}T{hour:02d}:00", email, email[0].upper())
        for day, (email, count) in enumerate(authors.items(), start=1)
        for hour in range(count)
    ]
    table = run(tmp_path, Scenario(commits=commits))
    assert series(table, TOOL, "git_bus_factor_commits")["2024-05"] == [["A", 4], ["B", 3]]
