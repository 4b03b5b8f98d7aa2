"""``ossmeta identities ...`` end to end (in-process through ``main``) on a SQLite store and
activity Parquet written with ActivityFiles."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

from ossmeta.store.activity_files import DATASETS, ActivityFiles
from ossmeta.surfaces.cli.app import main

NOREPLY = "users.noreply.github.com"


def table(dataset: str, partial: list[dict[str, Any]]) -> pa.Table:
    schema = DATASETS[dataset].schema
    return pa.Table.from_pylist(
        [{n: r.get(n) for n in schema.names} for r in partial], schema=schema
    )


@pytest.fixture
def setup(tmp_path: Path) -> tuple[str, str]:
    activity = tmp_path / "activity"
    ActivityFiles(activity, "events").append(
        table(
            "events",
            [
                {
                    "event_key": f"gh:{n}",
                    "event_id": str(n),
                    "source": "gharchive",
                    "source_rank": 1,
                    "platform": "github.com",
                    "type": "PushEvent",
                    "action": "",
                    "created_at": datetime(2024, 1, n),
                    "month": "2024-01",
                    "actor_login": login,
                    "actor_id": actor,
                }
                for n, (login, actor) in enumerate(
                    [("jane", 1), ("renovate[bot]", 2), ("joe", 3)], 1
                )
            ],
        )
    )
    ActivityFiles(activity, "commits").append(
        table(
            "commits",
            [
                {
                    "repo": "github.com/o/r",
                    "sha": "c1",
                    "author_name": "Jane",
                    "author_email": f"1+jane@{NOREPLY}",
                    "committer_name": "Jane",
                    "committer_email": f"1+jane@{NOREPLY}",
                    "month": "2024-01",
                },
                {
                    "repo": "github.com/o/r",
                    "sha": "c2",
                    "author_name": "J",
                    "author_email": "jane@home.example.net",
                    "committer_name": "J",
                    "committer_email": "jane@home.example.net",
                    "month": "2024-01",
                },
            ],
        )
    )
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    assert main(["db", "upgrade", "--db", url]) == 0
    return url, str(activity)


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def people_json(capsys: pytest.CaptureFixture[str], db: str, activity: str, *more: str) -> Any:
    code, out, err = run(
        capsys, "identities", "list", "--format", "json", "--db", db, "--data-dir", activity, *more
    )
    assert code == 0, err
    return json.loads(out)


def test_list_merge_split_bot_human_and_overrides(
    setup: tuple[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    db, activity = setup
    people = people_json(capsys, db, activity)
    assert [(p["person"], p["is_bot"]) for p in people] == [
        ("email:jane@home.example.net", False),
        ("login:jane", False),
        ("login:joe", False),
        ("login:renovate[bot]", True),
    ]
    jane = people[1]
    assert jane["identities"] == [
        {"identity": "login:jane", "rules": ["preferred identity of the person (its smallest login, else email, else name)"]},
        {"identity": f"email:1+jane@{NOREPLY}",
         "rules": [f"GitHub noreply email <id>+<login>@{NOREPLY} (email:1+jane@{NOREPLY} ~ login:jane)"]},
    ]  # fmt: skip

    code, out, err = run(
        capsys, "identities", "merge", "email:Jane@Home.example.net", "login:jane",
        "--reason", "same person", "--author", "alice", "--db", db,
    )  # fmt: skip
    assert code == 0 and out.strip() == "1" and "#1 (merge) stored" in err
    for action, identity in [("bot", "login:joe"), ("human", "login:renovate[bot]")]:
        code, _, _ = run(
            capsys,
            "identities",
            action,
            identity,
            "--reason",
            "checked",
            "--author",
            "bob",
            "--db",
            db,
        )
        assert code == 0

    people = people_json(capsys, db, activity)
    assert [(p["person"], p["is_bot"], len(p["identities"])) for p in people] == [
        ("login:jane", False, 3),  # the merge: jane's login, noreply email and home email
        ("login:joe", True, 1),  # curated bot #2
        ("login:renovate[bot]", False, 1),  # curated human #3 beats the [bot] rule
    ]
    assert people[1]["bot_rule"] == "bot: curated bot #2 by bob: checked (login:joe)"
    assert [p["person"] for p in people_json(capsys, db, activity, "--bots")] == ["login:joe"]
    only = people_json(capsys, db, activity, "--person", "email:JANE@home.example.net")
    assert [p["person"] for p in only] == ["login:jane"]  # found by a member identity

    code, out, _ = run(capsys, "identities", "list", "--db", db, "--data-dir", activity)
    assert code == 0
    assert out.splitlines()[0].split() == ["PERSON", "DISPLAY", "BOT", "IDENTITY", "RULES"]
    assert "curated merge #1 by alice: same person" in out

    code, _, _ = run(
        capsys,
        "identities",
        "split",
        "email:jane@home.example.net",
        "--reason",
        "no",
        "--author",
        "c",
        "--db",
        db,
    )
    assert code == 0
    code, out, _ = run(capsys, "identities", "overrides", "--format", "json", "--db", db)
    assert [(o["id"], o["action"], o["identity"], o["other"]) for o in json.loads(out)] == [
        (1, "merge", "email:jane@home.example.net", "login:jane"),
        (2, "bot", "login:joe", None),
        (3, "human", "login:renovate[bot]", None),
        (4, "split", "email:jane@home.example.net", None),
    ]
    people = people_json(capsys, db, activity, "--person", "login:jane")
    assert len(people[0]["identities"]) == 2  # #4 split the home email off again

    code, _, err = run(capsys, "identities", "remove", "2", "--db", db)
    assert code == 0 and "removed identity curation #2 (bot login:joe)" in err
    code, out, _ = run(capsys, "identities", "overrides", "--db", db)
    assert (
        code == 0
        and "login:joe" not in out
        and out.splitlines()[0].split()[:3] == ["ID", "ACTION", "IDENTITY"]
    )


@pytest.mark.parametrize(
    "args",
    [
        ("merge", "jane", "login:joe", "--reason", "r", "--author", "a"),
        ("bot", "login:bad login", "--reason", "r", "--author", "a"),
        ("human", "email:nobody", "--reason", "r", "--author", "a"),
        ("split", "login:jane", "--reason", " ", "--author", "a"),
        ("list", "--format", "yaml"),
        ("list", "--person", "octocat"),
        ("remove", "99"),
    ],
)
def test_user_mistakes_are_one_line_and_exit_2(
    setup: tuple[str, str], capsys: pytest.CaptureFixture[str], args: tuple[str, ...]
) -> None:
    db, activity = setup
    extra = ("--data-dir", activity) if args[0] == "list" else ()
    code, out, err = run(capsys, "identities", *args, "--db", db, *extra)
    assert code == 2 and out == ""
    assert err.startswith("ossmeta: error: ") and err.count("\n") == 1, err


def test_empty_activity_lists_nobody(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = f"sqlite:///{tmp_path / 'empty.db'}"
    assert main(["db", "upgrade", "--db", db]) == 0
    code, out, err = run(
        capsys, "identities", "list", "--db", db, "--data-dir", str(tmp_path / "a")
    )
    assert code == 0 and out == "" and "no identities" in err
    code, out, err = run(capsys, "identities", "overrides", "--db", db)
    assert code == 0 and out == "" and "no identity curations" in err
