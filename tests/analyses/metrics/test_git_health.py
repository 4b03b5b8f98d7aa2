"""Git-health metrics on DuckDB from hand-made commits, tags and events, with every expected
value computed by hand (the arithmetic is in the comments). ``as_of`` is 2024-06-15 12:00 UTC
throughout; 2024 is a leap year (February has 29 days)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

from ossmeta.analyses.metrics import git_health
from ossmeta.analyses.metrics.compute import ActivityInputs, compute_metrics
from ossmeta.analyses.metrics.engine import DuckDBEngine, MetricEngine
from ossmeta.analyses.metrics.model import Context
from ossmeta.store.activity_files import DATASETS, ActivityFiles

AS_OF = datetime(2024, 6, 15, 12, 0)
TOOL = "github.com/acme/tool"
OTHER = "local/other"

IDENTITY_SCHEMA = pa.schema(
    [
        ("identity", pa.string()),
        ("person", pa.string()),
        ("display", pa.string()),
        ("is_bot", pa.bool_()),
        ("rules", pa.string()),
    ]
)
FACTS_SCHEMA = pa.schema(
    [("repo", pa.string()), ("archived", pa.bool_()), ("default_branch", pa.string())]
)

Row = dict[str, Any]


# -- building inputs -------------------------------------------------------------------------


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text)


def commit(
    repo: str,
    when: str,
    email: str,
    name: str = "Some One",
    *,
    merge: bool = False,
    insertions: int = 0,
    deletions: int = 0,
) -> Row:
    moment = _at(when)
    return {
        "repo": repo,
        "sha": f"{repo}@{when}@{email}",
        "author_name": name,
        "author_email": email,
        "author_time": moment,
        "author_offset": 0,
        "committer_name": name,
        "committer_email": email,
        "committer_time": moment,
        "committer_offset": 0,
        "parents": 2 if merge else 1,
        "is_merge": merge,
        "files_changed": 1,
        "insertions": insertions,
        "deletions": deletions,
        "month": moment.strftime("%Y-%m"),
    }


def tag(repo: str, name: str, when: str, *, annotated: bool) -> Row:
    moment = _at(when)
    return {
        "repo": repo,
        "name": name,
        "sha": f"{repo}:{name}",
        "tagged_at": moment,
        "annotated": annotated,
        "month": moment.strftime("%Y-%m"),
    }


def event(kind: str, action: str, repo_id: int, repo_name: str, when: str, **fields: Any) -> Row:
    moment = _at(when)
    return {
        "event_key": f"{kind}:{action}:{repo_id}:{when}:{sorted(fields.items())}",
        "event_id": when,
        "source": "api",
        "source_rank": 2,
        "platform": "github.com",
        "type": kind,
        "action": action,
        "created_at": moment,
        "month": moment.strftime("%Y-%m"),
        "repo_id": repo_id,
        "repo_name": repo_name,
        **fields,
    }


def identity(key: str, person: str, *, bot: bool = False) -> Row:
    return {"identity": key, "person": person, "display": person, "is_bot": bot, "rules": "test"}


@dataclass(frozen=True)
class Scenario:
    commits: list[Row] = field(default_factory=list)
    tags: list[Row] = field(default_factory=list)
    events: list[Row] = field(default_factory=list)
    identities: list[Row] = field(default_factory=list)
    facts: list[Row] = field(default_factory=list)

    def plus(self, other: Scenario) -> Scenario:
        return Scenario(
            self.commits + other.commits,
            self.tags + other.tags,
            self.events + other.events,
            self.identities + other.identities,
            self.facts + other.facts,
        )


def write_inputs(root: Path, scenario: Scenario) -> ActivityInputs:
    for name, rows in (
        ("commits", scenario.commits),
        ("tags", scenario.tags),
        ("events", scenario.events),
    ):
        if rows:
            files = ActivityFiles(root, name)
            files.append(pa.Table.from_pylist(rows, schema=DATASETS[name].schema))
            files.compact()
    return ActivityInputs(
        root=root,
        identities=pa.Table.from_pylist(scenario.identities, schema=IDENTITY_SCHEMA),
        repo_facts=pa.Table.from_pylist(scenario.facts, schema=FACTS_SCHEMA),
    )


def compute(
    engine: MetricEngine,
    inputs: ActivityInputs,
    *,
    since: str | None = None,
    as_of: datetime = AS_OF,
) -> pa.Table:
    return compute_metrics(
        engine,
        inputs,
        Context(since=since, as_of=as_of),
        definitions=git_health.DEFINITIONS,
        steps=git_health.STEPS,
    )


def run(root: Path, scenario: Scenario, **options: Any) -> pa.Table:
    engine = DuckDBEngine(threads=1)
    try:
        return compute(engine, write_inputs(root, scenario), **options)
    finally:
        engine.close()


def series(table: pa.Table, subject: str, metric: str) -> dict[str, Any]:
    """period -> value (or the decoded detail, for word-valued metrics)."""
    return {
        row["period"]: row["value"] if row["detail"] is None else json.loads(row["detail"])
        for row in table.to_pylist()
        if row["subject"] == subject and row["metric"] == metric
    }


# -- scenarios -------------------------------------------------------------------------------


def commit_scenario() -> Scenario:
    """Commits of acme/tool by alice (two emails, one person), bob, carol (unknown to the
    identities table), a ``[bot]`` app account (unknown), a bot the identities table marks,
    and a ``[bot]``-named identity a curator marked human; plus one commit in another repo."""
    alice = "login:alice"
    return Scenario(
        commits=[
            commit(TOOL, "2024-01-05T10:00", "alice@work.example", insertions=10, deletions=2),
            commit(TOOL, "2024-01-20T09:00", "alice@home.example", insertions=5, deletions=5),
            commit(TOOL, "2024-01-31T23:30", "bob@x.example", insertions=1),  # still January
            commit(  # February by 10 minutes; a GitHub App, unknown to identities
                TOOL,
                "2024-02-01T00:10",
                "49699333+dependabot[bot]@users.noreply.github.com",
                "dependabot[bot]",
                insertions=3,
                deletions=3,
            ),
            commit(TOOL, "2024-02-14T12:00", "carol@y.example", merge=True),
            commit(TOOL, "2024-03-02T08:00", "ci@robot.example", insertions=7),  # bot by table
            commit(TOOL, "2024-04-10T15:00", "Alice@Work.Example", insertions=2, deletions=8),
            commit(  # a [bot] name, but the identities table (a curation) says human
                TOOL,
                "2024-04-11T10:00",
                "helper@people.example",
                "renovate[bot]",
                insertions=1,
                deletions=1,
            ),
            commit(TOOL, "2024-06-15T18:00", "bob@x.example", insertions=4),  # after as_of
            commit(OTHER, "2024-01-10T10:00", "bob@x.example", insertions=100),
        ],
        identities=[
            identity("login:alice", alice),
            identity("email:alice@work.example", alice),
            identity("email:alice@home.example", alice),
            identity("email:bob@x.example", "email:bob@x.example"),
            identity("email:ci@robot.example", "email:ci@robot.example", bot=True),
            identity("email:helper@people.example", "email:helper@people.example"),
        ],
    )


def release_scenario() -> Scenario:
    """acme/tool's releases: 3 tags and 6 release events (one not published) are 5 releases.
    The events name the repository ``Acme/Tool`` (renamed from ``Acme/OldTool``)."""
    return Scenario(
        tags=[
            tag(TOOL, "v1.0", "2024-01-10T12:00", annotated=True),
            tag(TOOL, "v1.1", "2024-02-01T08:00", annotated=False),  # the commit's time
            tag(TOOL, "v2.0", "2024-03-30T10:00", annotated=True),
        ],
        events=[
            _release("v0.9", 90, "2023-12-01T00:00", "created", "Acme/OldTool"),  # a draft
            _release("v1.1", 11, "2024-02-03T09:00"),
            _release("v2.0", 20, "2024-04-02T09:00"),
            _release("v2.1", 21, "2024-04-05T23:59"),
            _release("v2.1", 22, "2024-04-07T08:00"),  # published again, as another release
            _release("v3.0", 30, "2024-08-20T08:00"),
        ],
    )


def _release(
    tag_name: str, release_id: int, when: str, action: str = "published", name: str = "Acme/Tool"
) -> Row:
    fields = {"release_id": release_id, "release_tag_name": tag_name}
    return event("ReleaseEvent", action, 1, name, when, **fields)


def _merged(repo_id: int, name: str, when: str, **fields: Any) -> Row:
    return event("PullRequestEvent", "closed", repo_id, name, when, issue_id=repo_id, **fields)


def status_scenario() -> Scenario:
    """One repository per boundary of the maintenance rule (as_of's day is 2024-06-15; the
    days "ago" are counted back from it)."""
    return Scenario(
        commits=[
            commit("github.com/b/edge-in", "2024-03-18T00:00", "a@b.example"),  # 89 days ago
            commit("github.com/b/edge-out", "2024-03-17T23:59", "a@b.example"),  # 90 days ago
            # decline-ok: recent half-year (0-179 days ago) 2, earlier (180-359) 4
            *[
                commit("github.com/b/decline-ok", when, "a@b.example")
                for when in (
                    "2024-06-01T00:00",  # 14 days ago
                    "2023-12-19T00:00",  # 179: recent
                    "2023-12-18T00:00",  # 180: earlier
                    "2023-09-01T00:00",
                    "2023-09-01T01:00",
                    "2023-06-22T00:00",  # 359: earlier
                    "2023-06-21T00:00",  # 360: in neither half
                )
            ],
            # decline-bad: recent 2, earlier 5
            *[
                commit("github.com/b/decline-bad", when, "a@b.example")
                for when in (
                    "2024-06-01T00:00",
                    "2023-12-19T00:00",  # 179: recent
                    "2023-12-18T00:00",  # 180: earlier
                    "2023-09-01T00:00",
                    "2023-09-01T01:00",
                    "2023-09-01T02:00",
                    "2023-06-22T00:00",  # 359: earlier
                )
            ],
            commit("github.com/b/archived", "2024-05-20T00:00", "a@b.example"),
            commit("github.com/b/archived", "2024-06-01T00:00", "a@b.example"),
            commit("github.com/b/old", "2023-01-10T00:00", "a@b.example"),
        ],
        tags=[
            tag("github.com/b/year-in", "v1", "2023-06-17T00:00", annotated=True),  # 364 ago
            tag("github.com/b/year-out", "v1", "2023-06-16T23:00", annotated=True),  # 365 ago
        ],
        events=[
            _merged(2, "B/Merges", "2024-05-01T00:00", pull_merged=True),
            _merged(2, "B/Merges", "2024-06-01T00:00", pull_merged=False),
            # trimmed payloads: merged unknown, merged_at decides
            _merged(3, "b/trimmed", "2024-06-01T00:00", pull_merged_at=_at("2024-06-01T00:00")),
            _merged(4, "b/unmerged", "2024-06-01T00:00", pull_merged=False),
            _merged(4, "b/unmerged", "2024-06-02T00:00"),
        ],
        facts=[
            {"repo": "github.com/B/Archived", "archived": True, "default_branch": "main"},
            {"repo": "github.com/b/merges", "archived": False, "default_branch": "main"},
        ],
    )


def everything() -> Scenario:
    return commit_scenario().plus(release_scenario()).plus(status_scenario())


# -- commits -----------------------------------------------------------------------------------


def test_commit_frequency_counts_merges_and_has_a_non_merge_series(tmp_path: Path) -> None:
    table = run(tmp_path, commit_scenario())
    assert series(table, TOOL, "commit_frequency") == {
        "2024-01": 3,  # two by alice, bob's at 23:30 on the 31st
        "2024-02": 2,  # dependabot's at 00:10 on the 1st, carol's merge
        "2024-03": 1,
        "2024-04": 2,
        "2024-06": 1,  # after as_of, but counts are not cut at as_of
        "2024Q1": 6,  # 3 + 2 + 1
        "2024Q2": 3,  # 2 + 1
        "2024": 9,  # 6 + 3
    }
    assert series(table, TOOL, "commit_frequency.non_merge") == {
        "2024-01": 3,
        "2024-02": 1,  # 2 - carol's merge
        "2024-03": 1,
        "2024-04": 2,
        "2024-06": 1,
        "2024Q1": 5,  # 6 - 1
        "2024Q2": 3,
        "2024": 8,  # 9 - 1
    }
    assert series(table, OTHER, "commit_frequency") == {"2024-01": 1, "2024Q1": 1, "2024": 1}


def test_active_authors_merges_a_persons_emails_and_excludes_bots(tmp_path: Path) -> None:
    table = run(tmp_path, commit_scenario())
    assert series(table, TOOL, "active_authors") == {
        "2024-01": 2,  # alice (work and home emails: one person), bob
        "2024-02": 1,  # carol (unknown email: herself); dependabot[bot] is a bot
        # 2024-03: only ci@robot.example, a bot in the identities table -> 0, dropped
        "2024-04": 2,  # alice (Alice@Work.Example folds to her work email), helper (human)
        "2024-06": 1,  # bob
        "2024Q1": 3,  # alice, bob, carol
        "2024Q2": 3,  # alice, helper, bob
        "2024": 4,  # alice, bob, carol, helper
    }


def test_active_authors_without_an_identities_table_counts_each_email(tmp_path: Path) -> None:
    scenario = commit_scenario()
    table = run(tmp_path, Scenario(commits=scenario.commits))
    authors = series(table, TOOL, "active_authors")
    # alice's two emails are now two people; ci@robot.example is no longer known as a bot,
    # dependabot[bot] still is (its name); renovate[bot] too, with no curation saying human.
    assert authors["2024-01"] == 3  # alice@work, alice@home, bob
    assert authors["2024-03"] == 1  # ci@robot.example
    assert authors["2024-04"] == 1  # alice@work (the renovate[bot] commit is a bot's)
    assert authors["2024"] == 5  # alice@work, alice@home, bob, carol, ci


def test_code_churn_sums_insertions_and_deletions(tmp_path: Path) -> None:
    table = run(tmp_path, commit_scenario())
    assert series(table, TOOL, "code_churn") == {
        "2024-01": 23,  # (10 + 2) + (5 + 5) + (1 + 0)
        "2024-02": 6,  # (3 + 3) + the merge's 0
        "2024-03": 7,
        "2024-04": 12,  # (2 + 8) + (1 + 1)
        "2024-06": 4,
        "2024Q1": 36,  # 23 + 6 + 7
        "2024Q2": 16,  # 12 + 4
        "2024": 52,  # 36 + 16
    }
    assert series(table, TOOL, "code_churn.insertions") == {
        "2024-01": 16,  # 10 + 5 + 1
        "2024-02": 3,
        "2024-03": 7,
        "2024-04": 3,  # 2 + 1
        "2024-06": 4,
        "2024Q1": 26,  # 16 + 3 + 7
        "2024Q2": 7,  # 3 + 4
        "2024": 33,
    }
    assert series(table, TOOL, "code_churn.deletions") == {
        "2024-01": 7,  # 2 + 5 + 0
        "2024-02": 3,
        # 2024-03 and 2024-06 deleted nothing: 0, dropped
        "2024-04": 9,  # 8 + 1
        "2024Q1": 10,  # 7 + 3
        "2024Q2": 9,
        "2024": 19,
    }
    assert series(table, OTHER, "code_churn.deletions") == {}


def test_since_keeps_later_periods_and_whole_quarters_and_years(tmp_path: Path) -> None:
    table = run(tmp_path, commit_scenario(), since="2024-04")
    assert series(table, TOOL, "commit_frequency") == {
        "2024-04": 2,
        "2024-06": 1,
        "2024Q2": 3,
        "2024": 9,  # the whole year, January to March included
    }


# -- releases ----------------------------------------------------------------------------------


def test_releases_merge_tags_and_published_events_by_tag_name(tmp_path: Path) -> None:
    # Releases and their times:
    #   v1.0 2024-01-10 (annotated tag)
    #   v1.1 2024-02-03 (published event; the lightweight tag only gives its commit's 02-01)
    #   v2.0 2024-03-30 (annotated tag; published on 04-02 for an older tag)
    #   v2.1 2024-04-05 (the earlier of two published events; no tag was imported)
    #   v3.0 2024-08-20
    # v0.9 was only "created" (a draft): not a release. 3 tags + 5 published events -> 5.
    table = run(tmp_path, release_scenario())
    assert series(table, TOOL, "releases") == {
        "2024-01": 1,
        "2024-02": 1,
        "2024-03": 1,
        "2024-04": 1,
        "2024-08": 1,
        "2024Q1": 3,
        "2024Q2": 1,
        "2024Q3": 1,
        "2024": 5,
    }
    assert series(table, TOOL, "release_interval_days") == {
        # 2024-01: v1.0 is the first release, no interval
        "2024-02": 24,  # Jan 10 -> Feb 3: 21 + 3
        "2024-03": 56,  # Feb 3 -> Mar 30: 26 (to Feb 29) + 30
        "2024-04": 6,  # Mar 30 -> Apr 5
        "2024-08": 137,  # Apr 5 -> Aug 20: 25 + 31 + 30 + 31 + 20
        "2024Q1": 40,  # median(24, 56) = (24 + 56) / 2
        "2024Q2": 6,  # v2.1's predecessor is in Q1
        "2024Q3": 137,
        "2024": 40,  # median(6, 24, 56, 137) = (24 + 56) / 2
    }


def test_release_interval_reaches_back_before_since(tmp_path: Path) -> None:
    table = run(tmp_path, release_scenario(), since="2024-04")
    assert series(table, TOOL, "release_interval_days")["2024-04"] == 6  # Mar 30 -> Apr 5


# -- days since --------------------------------------------------------------------------------


def test_days_since_last_commit_at_each_month_end(tmp_path: Path) -> None:
    table = run(tmp_path, commit_scenario())
    assert series(table, TOOL, "days_since_last_commit") == {
        "2024-01": 0,  # last commit Jan 31 23:30, evaluated Jan 31: 0 days, kept (news)
        "2024-02": 15,  # Feb 29 - Feb 14
        "2024-03": 29,  # Mar 31 - Mar 2
        "2024-04": 19,  # Apr 30 - Apr 11
        "2024-05": 50,  # May 31 - Apr 11: 19 + 31
        "2024-06": 65,  # as_of Jun 15 - Apr 11: 19 + 31 + 15 (Jun 15 18:00 is after as_of)
    }
    assert series(table, OTHER, "days_since_last_commit") == {
        "2024-01": 21,  # Jan 31 - Jan 10
        "2024-02": 50,  # 21 + 29
        "2024-03": 81,  # 50 + 31
        "2024-04": 111,  # 81 + 30
        "2024-05": 142,  # 111 + 31
        "2024-06": 157,  # 142 + 15
    }


def test_days_since_last_release_at_each_month_end(tmp_path: Path) -> None:
    table = run(tmp_path, release_scenario())
    assert series(table, TOOL, "days_since_last_release") == {
        "2024-01": 21,  # Jan 31 - Jan 10 (v1.0)
        "2024-02": 26,  # Feb 29 - Feb 3 (v1.1)
        "2024-03": 1,  # Mar 31 - Mar 30 (v2.0)
        "2024-04": 25,  # Apr 30 - Apr 5 (v2.1)
        "2024-05": 56,  # 25 + 31
        "2024-06": 71,  # 56 + 15; v3.0 (Aug 20) is after as_of
    }


def test_as_of_with_a_time_zone_is_the_same_instant_in_utc(tmp_path: Path) -> None:
    # 14:00 at UTC+2 is 12:00 UTC; 19:00 at UTC+2 would be 17:00 UTC, still before the
    # 18:00 commit of Jun 15, so both see the same data and give the same table.
    naive = run(tmp_path / "a", commit_scenario())
    zoned = run(
        tmp_path / "b",
        commit_scenario(),
        as_of=datetime(2024, 6, 15, 14, 0, tzinfo=timezone(timedelta(hours=2))),
    )
    assert zoned.equals(naive)
    later = run(tmp_path / "c", commit_scenario(), as_of=datetime(2024, 6, 15, 18, 0))
    # at 18:00 the Jun 15 commit counts: 0 days since (kept: these series keep zeros)
    assert series(later, TOOL, "days_since_last_commit")["2024-06"] == 0


# -- maintenance status ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def statuses(tmp_path_factory: pytest.TempPathFactory) -> pa.Table:
    return run(tmp_path_factory.mktemp("status"), status_scenario())


def test_active_needs_work_within_the_trailing_90_days(statuses: pa.Table) -> None:
    # One commit each: Mar 18 is 89 days before Jun 15, Mar 17 is 90.
    # Mar 31, Apr 30, May 31 are 13, 43, 74 days after it: active then.
    edge_in = {
        "2024-03": "active",
        "2024-04": "active",
        "2024-05": "active",
        "2024-06": "active",
        "2024Q1": "active",  # March's status
        "2024Q2": "active",  # June's (as_of's month)
        "2024": "active",
    }
    assert series(statuses, "github.com/b/edge-in", "maintenance_status") == edge_in
    edge_out = edge_in | {"2024-06": "slowing", "2024Q2": "slowing", "2024": "slowing"}
    assert series(statuses, "github.com/b/edge-out", "maintenance_status") == edge_out


def test_active_needs_half_the_commits_of_the_half_year_before(statuses: pa.Table) -> None:
    ok = series(statuses, "github.com/b/decline-ok", "maintenance_status")
    assert ok["2024-06"] == "active"  # 2 * 2 recent >= 4 earlier (the 360-day-old one is out)
    bad = series(statuses, "github.com/b/decline-bad", "maintenance_status")
    assert bad["2024-06"] == "slowing"  # 2 * 2 recent < 5 earlier; still work in 90 days
    assert bad["2024Q2"] == bad["2024"] == "slowing"


def test_merged_pull_requests_count_as_work(statuses: pa.Table) -> None:
    # Merged May 1: May 31 is 30 days later, Jun 15 45; no commits on either side (0 >= 0).
    # The PR closed unmerged on Jun 1 is no evidence; repo_facts says not archived.
    merges = series(statuses, "github.com/b/merges", "maintenance_status")
    assert merges == {
        "2024-05": "active",
        "2024-06": "active",
        "2024Q2": "active",
        "2024": "active",
    }
    trimmed = series(statuses, "github.com/b/trimmed", "maintenance_status")
    assert trimmed == {"2024-06": "active", "2024Q2": "active", "2024": "active"}
    # closed unmerged, and closed with the merge unknown: no evidence, so no status at all
    assert series(statuses, "github.com/b/unmerged", "maintenance_status") == {}


def test_slowing_lasts_365_days_and_a_release_alone_is_not_active(statuses: pa.Table) -> None:
    year_in = series(statuses, "github.com/b/year-in", "maintenance_status")
    year_out = series(statuses, "github.com/b/year-out", "maintenance_status")
    # A tag (release) is the only evidence: never active, slowing for 365 days.
    assert year_in["2023-06"] == year_out["2023-06"] == "slowing"
    assert year_in["2024-05"] == year_out["2024-05"] == "slowing"  # 349 / 350 days
    assert year_in["2024-06"] == "slowing"  # Jun 17 2023 -> Jun 15 2024: 364 days
    assert year_out["2024-06"] == "inactive"  # Jun 16 2023 -> Jun 15 2024: 365 days
    assert year_in["2023Q3"] == "slowing" and year_out["2024"] == "inactive"


def test_status_runs_from_first_evidence_and_quarters_take_their_last_month(
    statuses: pa.Table,
) -> None:
    # One commit on 2023-01-10: 21, 49, 80 days before the ends of Jan, Feb, Mar (active);
    # 110 before Apr 30 (slowing) ... 355 before Dec 31 (slowing); 386 before Jan 31 2024.
    old = series(statuses, "github.com/b/old", "maintenance_status")
    months = {
        **{f"2023-{m:02d}": "active" for m in (1, 2, 3)},
        **{f"2023-{m:02d}": "slowing" for m in range(4, 13)},
        **{f"2024-{m:02d}": "inactive" for m in range(1, 7)},
    }
    quarters = {
        "2023Q1": "active",  # March
        "2023Q2": "slowing",  # June
        "2023Q3": "slowing",
        "2023Q4": "slowing",  # December
        "2024Q1": "inactive",
        "2024Q2": "inactive",  # June, as_of's month
        "2023": "slowing",  # December
        "2024": "inactive",
    }
    assert old == months | quarters


def test_archived_is_the_status_of_as_of_month_only(statuses: pa.Table) -> None:
    # repo_facts names it github.com/B/Archived: the same GitHub repository.
    archived = series(statuses, "github.com/b/archived", "maintenance_status")
    assert archived == {
        "2024-05": "active",  # a commit 11 days before May 31
        "2024-06": "archived",
        "2024Q2": "archived",
        "2024": "archived",
    }


def test_maintenance_status_has_no_value_only_a_json_word(statuses: pa.Table) -> None:
    rows = [r for r in statuses.to_pylist() if r["metric"] == "maintenance_status"]
    assert rows and all(r["value"] is None for r in rows)
    assert {r["detail"] for r in rows} == {'"active"', '"slowing"', '"inactive"', '"archived"'}


# -- whole runs --------------------------------------------------------------------------------


def test_no_activity_data_gives_no_rows(tmp_path: Path) -> None:
    assert run(tmp_path, Scenario()).num_rows == 0


def test_metric_names_of_a_full_run(tmp_path: Path) -> None:
    table = run(tmp_path, everything())
    assert set(table["metric"].to_pylist()) == {
        "commit_frequency",
        "commit_frequency.non_merge",
        "active_authors",
        "code_churn",
        "code_churn.insertions",
        "code_churn.deletions",
        "git_bus_factor_commits",
        "git_bus_factor_lines",
        "releases",
        "release_interval_days",
        "days_since_last_commit",
        "days_since_last_release",
        "maintenance_status",
    }
    # days since: monthly only
    recency = [r for r in table.to_pylist() if r["metric"].startswith("days_since")]
    assert recency and all("-" in r["period"] for r in recency)
