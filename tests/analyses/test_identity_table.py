"""``identity_table`` over real Parquet (written with ActivityFiles, read with DuckDB) and a
real store: observed logins and git signatures, curations, the shipped bot list, and the joins
the metrics SQL makes on the table."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pytest

from ossmeta.analyses.identities import (
    IDENTITY_SCHEMA,
    bot_logins,
    identity_table,
    observed_identities,
    shipped_bot_logins,
)
from ossmeta.normalizers.identities import Account, Signature
from ossmeta.store import Store
from ossmeta.store.activity_files import DATASETS, ActivityFiles
from ossmeta.store.identities import IdentityOverrides, add_override

NOREPLY = "users.noreply.github.com"


def rows(dataset: str, partial: list[dict[str, Any]]) -> pa.Table:
    names = DATASETS[dataset].schema.names
    return pa.Table.from_pylist(
        [{name: row.get(name) for name in names} for row in partial],
        schema=DATASETS[dataset].schema,
    )


def event(n: int, login: str | None, actor_id: int | None, **more: Any) -> dict[str, Any]:
    return {
        "event_key": f"gh:{n}",
        "event_id": str(n),
        "source": "gharchive",
        "source_rank": 1,
        "platform": "github.com",
        "type": more.pop("type", "WatchEvent"),
        "action": "",
        "created_at": datetime(2024, 1, 1 + n % 28),
        "month": more.pop("month", "2024-01"),
        "repo_id": 100,
        "repo_name": "o/r",
        "actor_id": actor_id,
        "actor_login": login,
        **more,
    }


def commit(sha: str, author: tuple[str, str], committer: tuple[str, str]) -> dict[str, Any]:
    return {
        "repo": "github.com/o/r",
        "sha": sha,
        "author_name": author[0],
        "author_email": author[1],
        "author_time": datetime(2024, 2, 1),
        "author_offset": 60,
        "committer_name": committer[0],
        "committer_email": committer[1],
        "committer_time": datetime(2024, 2, 1),
        "committer_offset": 60,
        "parents": 1,
        "is_merge": False,
        "files_changed": 1,
        "insertions": 1,
        "deletions": 0,
        "month": "2024-02",
    }


def seed(root: Path) -> None:
    ActivityFiles(root, "events").append(
        rows(
            "events",
            [
                event(1, "Octocat", 583231),
                event(2, "octocat", 583231, month="2024-02"),  # another casing, another month
                event(3, "dependabot[bot]", 49699333),
                event(
                    4,
                    "k8s-ci-robot",
                    20407524,
                    type="IssueCommentEvent",
                    issue_author_login="Jane-Roe",
                    issue_author_id=77,
                ),
                event(5, None, None),  # no actor: contributes nothing
            ],
        )
    )
    ActivityFiles(root, "commits").append(
        rows(
            "commits",
            [
                commit(
                    "a1",
                    ("The Octocat", f"583231+Octocat@{NOREPLY}"),
                    ("GitHub", "noreply@github.com"),
                ),
                commit(
                    "a2",
                    ("Jane Roe", "Jane@Work.example.net"),
                    ("Jane Roe", "jane@home.example.org"),
                ),
                commit(
                    "a3",
                    ("dependabot[bot]", f"49699333+dependabot[bot]@{NOREPLY}"),
                    ("GitHub", "noreply@github.com"),
                ),
            ],
        )
    )


def test_observed_identities_are_distinct_rows(tmp_path: Path) -> None:
    seed(tmp_path)
    accounts, signatures = observed_identities(tmp_path)
    assert sorted(accounts, key=repr) == sorted(
        [
            Account("Octocat", 583231),
            Account("octocat", 583231),
            Account("dependabot[bot]", 49699333),
            Account("k8s-ci-robot", 20407524),
            Account("Jane-Roe", 77),  # an issue author, from the issue_author_* columns
        ],
        key=repr,
    )
    # author and committer signatures of one repository; GitHub's web committer used twice
    assert Signature("GitHub", "noreply@github.com", "github.com/o/r", 2) in signatures
    assert len(signatures) == 5  # a1 author, a2 author, a2 committer, a3 author, GitHub


def test_identity_table(store: Store, tmp_path: Path) -> None:
    seed(tmp_path)
    with store.engine.begin() as connection:
        add_override(
            connection,
            "merge",
            "email:jane@work.example.net",
            "login:jane-roe",
            reason="her profile lists it",
            author="alice",
        )
    table = identity_table(store, tmp_path)
    assert table.schema == IDENTITY_SCHEMA
    found = {row["identity"]: row for row in table.to_pylist()}
    assert set(found) == {
        "login:octocat",
        f"email:583231+octocat@{NOREPLY}",
        "login:dependabot[bot]",
        f"email:49699333+dependabot[bot]@{NOREPLY}",
        "login:k8s-ci-robot",
        "login:jane-roe",
        "email:jane@work.example.net",
        "email:jane@home.example.org",
        "email:noreply@github.com",
    }
    people = {identity: (row["person"], row["is_bot"]) for identity, row in found.items()}
    assert people == {
        "login:octocat": ("login:octocat", False),
        f"email:583231+octocat@{NOREPLY}": ("login:octocat", False),  # noreply email rule
        "login:dependabot[bot]": ("login:dependabot[bot]", True),
        f"email:49699333+dependabot[bot]@{NOREPLY}": ("login:dependabot[bot]", True),
        "login:k8s-ci-robot": ("login:k8s-ci-robot", True),  # the shipped bot list
        "login:jane-roe": ("login:jane-roe", False),
        "email:jane@work.example.net": ("login:jane-roe", False),  # the curated merge
        "email:jane@home.example.org": ("login:jane-roe", False),  # same full name, one repo
        "email:noreply@github.com": ("email:noreply@github.com", False),
    }
    assert found["login:octocat"]["display"] == "Octocat"
    assert (
        "curated merge #1 by alice: her profile lists it"
        in found["email:jane@work.example.net"]["rules"]
    )
    assert found["login:k8s-ci-robot"]["rules"].endswith(
        "bot: login:k8s-ci-robot is on the shipped bot list"
    )
    assert bot_logins(store, tmp_path) == {"dependabot[bot]", "k8s-ci-robot"}


def test_the_joins_the_metrics_sql_makes(store: Store, tmp_path: Path) -> None:
    seed(tmp_path)
    identities = identity_table(store, tmp_path)
    connection = duckdb.connect()
    connection.register("identities", identities)
    bots = connection.execute(
        "SELECT DISTINCT e.actor_login FROM read_parquet($files) e JOIN identities i "
        "ON i.identity = 'login:' || lower(e.actor_login) AND i.is_bot ORDER BY 1",
        {"files": ActivityFiles(tmp_path, "events").files()},
    ).fetchall()
    assert bots == [("dependabot[bot]",), ("k8s-ci-robot",)]
    authors = connection.execute(
        "SELECT c.sha, i.person FROM read_parquet($files) c LEFT JOIN identities i "
        "ON i.identity = 'email:' || lower(c.author_email) ORDER BY 1",
        {"files": ActivityFiles(tmp_path, "commits").files()},
    ).fetchall()
    assert authors == [
        ("a1", "login:octocat"),
        ("a2", "email:jane@home.example.org"),  # no curation here: the two emails alone
        ("a3", "login:dependabot[bot]"),
    ]
    connection.close()


def test_empty_datasets_give_an_empty_table(store: Store, tmp_path: Path) -> None:
    table = identity_table(store, tmp_path / "nothing-imported")
    assert table.num_rows == 0 and table.schema == IDENTITY_SCHEMA
    assert bot_logins(store, tmp_path / "nothing-imported") == set()


def test_the_shipped_bot_list() -> None:
    shipped = shipped_bot_logins()
    assert {"dependabot", "renovate", "github-actions", "codecov", "k8s-ci-robot"} <= shipped
    assert all(login == login.lower() and not login.endswith("[bot]") for login in shipped)
    assert all(" " not in login and "#" not in login for login in shipped)


def tricky_seed(root: Path) -> None:
    """The rules where a second implementation could slip: logins in several casings and with
    several account ids, a noreply email with and without an id and of a [bot] account,
    emails differing in case only, one full name in one repository and across two, placeholder
    emails and names, signatures without an email, names used by bots and by people."""
    seed(root)
    ActivityFiles(root, "events").append(
        rows(
            "events",
            [
                event(10, "Reused", 501),
                event(11, "reused", 502),  # a freed login taken by someone else: not joined
                event(12, "renamed-new", 600),
                event(13, "  Renamed-Old ", 600),  # same account id: joined, spaces trimmed
                event(14, "renovate", 700),  # the shipped bot list
                event(15, "   ", 701),  # blank: nothing
            ],
        )
    )
    signed = [
        (("Ann Lee", "Ann@Mail.org"), ("Ann Lee", "ann@mail.org")),  # case-folded email
        (("ann lee", "ann.lee@work.org"), ("GitHub", "noreply@github.com")),  # same name
        (("Ann  Lee", "ann@localhost"), ("Your Name", "you@example.com")),  # placeholders
        (("Bob", "bob@one.org"), ("Bob", "bob@two.org")),  # one word: never joins
        (("Cy Ren", "renamed-new@users.noreply.github.com"), ("ci[bot]", "ci@bots.org")),
        (("ci[bot]", "ci@bots.org"), ("Ci Person", "mixed@bots.org")),
        (("helper[bot]", "mixed@bots.org"), ("No Email Dev", "")),  # human + bot names
        (("No Email Dev", ""), ("x[bot]", "9+x[bot]@users.noreply.github.com")),
        (("Ångström Ünïcode", "a1@uni.org"), ("ÅNGSTRÖM   ÜNÏCODE", "a2@uni.org")),
    ]
    commits = [commit(f"t{n}", author, committer) for n, (author, committer) in enumerate(signed)]
    other_repo = commit("o1", ("Ann Lee", "ann@elsewhere.org"), ("Ann Lee", "ann@elsewhere.org"))
    other_repo["repo"] = "github.com/o/other"  # the same name in another repository
    ActivityFiles(root, "commits").append(rows("commits", [*commits, other_repo]))


def tricky_overrides(store: Store) -> None:
    curations = IdentityOverrides(store)
    for action, identity, other in [
        ("merge", "email:jane@work.example.net", "login:jane-roe"),
        ("merge", "name:ANN LEE", "login:reused"),  # a name selects its signatures
        ("split", "email:ann.lee@work.org", None),  # cuts the name join and the merge
        ("merge", "login:renovate", "email:bob@one.org"),
        ("bot", "email:ann@mail.org", None),
        ("human", "login:renovate", None),  # newer: the merged person is human
        ("merge", "login:nobody-seen", "login:octocat"),  # unobserved: nothing
        ("bot", "name:No Email Dev", None),
    ]:
        curations.add(action, identity, other, reason="test", author="alice")


@pytest.mark.xdist_group("spark")
def test_spark_builds_the_same_identity_table(one_store: Store, tmp_path: Path, spark: Any) -> None:
    store = one_store
    from ossmeta.analyses.metrics.engine import SparkEngine
    from ossmeta.analyses.spark_identities import spark_identities

    tricky_seed(tmp_path)
    tricky_overrides(store)
    local = identity_table(store, tmp_path).sort_by("identity")
    engine = SparkEngine(spark)
    for dataset in ("events", "commits"):
        files = engine.activity_files(str(tmp_path), dataset, None)
        engine.register_parquet(f"{dataset}_all", files, DATASETS[dataset].schema)
    frame = spark_identities(engine, IdentityOverrides(store).find())
    distributed = frame.toArrow().select(IDENTITY_SCHEMA.names).cast(IDENTITY_SCHEMA)
    distributed = distributed.sort_by("identity")
    assert local.num_rows > 25
    if not distributed.equals(local):
        a, b = distributed.to_pylist(), local.to_pylist()
        differ = [(x, y) for x, y in zip(a, b, strict=False) if x != y]
        pytest.fail(f"{len(a)} vs {len(b)} rows; first differences: {differ[:3]}")
