"""Collecting one repository from a GitHub-shaped API on 127.0.0.1 into the events dataset:
the exact rows, rate limits met on the way, 304s and nothing written for an unchanged
repository, only the changes afterwards, API rows replacing GH Archive rows, the store's
bookkeeping (SQLite and PostgreSQL), and the command's exit codes."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from sqlalchemy import select

from ossmeta.activity import EVENT_COLUMNS, SOURCE_RANK
from ossmeta.pipelines.codehost_collect import CollectReport, collect_repo
from ossmeta.sources.codehost import CodeHostApi, RepoRef
from ossmeta.sources.http import Fetcher, HttpSettings
from ossmeta.store import Store, open_store
from ossmeta.store.activity_files import DATASETS, ActivityFiles
from ossmeta.store.codehost_state import cursor_key
from ossmeta.store.schema import fetch_validators, repo_facts, sync_cursors
from tests.codehost_server import FakeHost
from tests.loopback import Loopback, serve
from tests.sources.test_codehost import FakeClock

REPO = RepoRef("github.com", "acme", "widget")
TOKEN = "s3cret-token-value"
COLUMNS = [name for name, _ in EVENT_COLUMNS]


@pytest.fixture
def server() -> Iterator[tuple[Loopback, FakeHost]]:
    with serve(quiet=True) as loopback:
        host = FakeHost(loopback.origin)
        loopback.handler = host.handle
        yield loopback, host


def collect(
    store: Store,
    host: FakeHost,
    root: Path,
    *,
    clock: FakeClock | None = None,
    concurrency: int = 1,
    batch_rows: int = 50_000,
) -> CollectReport:
    config = HttpSettings(
        trust_env=False,
        rate_per_host=None,
        backoff_base=0.01,
        backoff_cap=0.05,
        max_retries=2,
        max_concurrency=concurrency,
    )

    async def go() -> CollectReport:
        async with Fetcher(config, clock=clock or FakeClock(), rng=random.Random(1)) as fetcher:
            api = CodeHostApi(fetcher, host.api, REPO, token=TOKEN)
            return await collect_repo(store, api, root, batch_rows=batch_rows)

    return asyncio.run(go())


def stored_rows(root: Path) -> list[dict[str, Any]]:
    files = ActivityFiles(root, "events").files()
    if not files:
        return []
    table = pa.concat_tables([pq.read_table(f) for f in files])
    return sorted(table.to_pylist(), key=lambda r: r["event_key"])


def utc(text: str) -> datetime:
    """A stored time: UTC without a zone."""
    return datetime.fromisoformat(text).astimezone(UTC).replace(tzinfo=None)


def second(text: str) -> int:
    return int(datetime.fromisoformat(text).timestamp())


# What every row of the first collection says, hand-derived from widget.json: (event_key,
# actor, created_at, issue_id, issue_number, issue_is_pull, pull_merged). Opened rows are
# keyed by the object id; closed / reopened add the epoch second of the change and the actor.
FIRST: list[tuple[object, ...]] = sorted(
    [
        # issue #1 (id 5001) by alice, commented by bob, closed by bob
        ("IssuesEvent:opened:5001", "alice", "2024-01-10T09:00:00Z", 5001, 1, False, None),
        ("IssueCommentEvent:created:6001", "bob", "2024-01-11T09:00:00Z", 5001, 1, False, None),
        (
            f"IssuesEvent:closed:5001:{second('2024-01-12T10:00:00Z')}:102",
            "bob",
            "2024-01-12T10:00:00Z",
            5001,
            1,
            False,
            None,
        ),
        # pull request #2 (issue 5002, pull 7002) by bob: a conversation comment (issue id),
        # a review comment and a review by carol, merged by alice
        ("PullRequestEvent:opened:7002", "bob", "2024-01-15T08:00:00Z", 7002, 2, True, False),
        ("IssueCommentEvent:created:6002", "alice", "2024-01-16T11:00:00Z", 5002, 2, True, None),
        (
            "PullRequestReviewCommentEvent:created:9001",
            "carol",
            "2024-01-20T09:59:00Z",
            7002,
            2,
            True,
            None,
        ),
        (
            "PullRequestReviewEvent:created:8001",
            "carol",
            "2024-01-20T10:00:00Z",
            7002,
            2,
            True,
            None,
        ),
        (
            f"PullRequestEvent:closed:7002:{second('2024-02-01T12:00:00Z')}:101",
            "alice",
            "2024-02-01T12:00:00Z",
            7002,
            2,
            True,
            True,
        ),
        # issue #3 (5003) by carol, commented by alice, closed by carol, reopened by alice
        ("IssuesEvent:opened:5003", "carol", "2024-02-03T07:00:00Z", 5003, 3, False, None),
        ("IssueCommentEvent:created:6003", "alice", "2024-02-03T12:00:00Z", 5003, 3, False, None),
        (
            f"IssuesEvent:closed:5003:{second('2024-02-04T08:00:00Z')}:103",
            "carol",
            "2024-02-04T08:00:00Z",
            5003,
            3,
            False,
            None,
        ),
        (
            f"IssuesEvent:reopened:5003:{second('2024-02-05T08:00:00Z')}:101",
            "alice",
            "2024-02-05T08:00:00Z",
            5003,
            3,
            False,
            None,
        ),
        # pull request #4 (pull 7004) by dependabot[bot], closed unmerged by alice
        (
            "PullRequestEvent:opened:7004",
            "dependabot[bot]",
            "2024-02-10T06:00:00Z",
            7004,
            4,
            True,
            False,
        ),
        (
            f"PullRequestEvent:closed:7004:{second('2024-02-11T15:00:00Z')}:101",
            "alice",
            "2024-02-11T15:00:00Z",
            7004,
            4,
            True,
            False,
        ),
        # issue #5 (5005) by bob, still open (its 'labeled' event is no row)
        ("IssuesEvent:opened:5005", "bob", "2024-03-01T10:00:00Z", 5005, 5, False, None),
        # releases: v1.0.0 by alice and the v1.1.0-beta.1 pre-release by bob (a draft is none)
        ("ReleaseEvent:published:3001", "alice", "2024-02-02T00:00:00Z", None, None, None, None),
        ("ReleaseEvent:published:3003", "bob", "2024-03-05T00:00:00Z", None, None, None, None),
    ]
)


def summary(row: dict[str, Any]) -> tuple[object, ...]:
    return (
        row["event_key"],
        row["actor_login"],
        row["created_at"],
        row["issue_id"],
        row["issue_number"],
        row["issue_is_pull"],
        row["pull_merged"],
    )


def expected(rows: list[tuple[object, ...]]) -> list[tuple[object, ...]]:
    return [(r[0], r[1], utc(str(r[2])), *r[3:]) for r in rows]


# ------------------------------------------------------------------ the first collection


def test_first_collection_stores_exactly_the_events(
    store: Store, tmp_path: Path, server: tuple[Loopback, FakeHost]
) -> None:
    loopback, host = server
    # On the way: a spent quota on pulls/2 (resets 42 s after the answer's Date) and a
    # secondary limit on the releases' first page (Retry-After: 7).
    host.script("/pulls/2", host.rate_limited(reset_in=42))
    host.script("/releases", host.secondary_limit(7))
    clock = FakeClock()
    report = collect(store, host, tmp_path, clock=clock)

    rows = stored_rows(tmp_path)
    assert [summary(r) for r in rows] == expected(FIRST)
    assert len(rows) == 17  # 3 (#1) + 5 (#2) + 4 (#3) + 2 (#4) + 1 (#5) + 2 releases
    assert all(list(r) == COLUMNS for r in rows)
    assert {(r["source"], r["source_rank"], r["platform"]) for r in rows} == {
        ("api", SOURCE_RANK["api"], "github.com")
    }
    assert {(r["repo_id"], r["repo_name"], r["org_id"], r["org_login"]) for r in rows} == {
        (1296269, "acme/widget", 9001, "acme")
    }
    # Which columns each row fills (every other one is null), by event.
    common = {
        *("event_key", "event_id", "source", "source_rank", "platform", "type", "action"),
        *("created_at", "month", "repo_id", "repo_name", "org_id", "org_login"),
        *("actor_id", "actor_login", "trimmed"),
    }
    issue = {
        *("issue_id", "issue_number", "issue_title", "issue_author_id", "issue_author_login"),
        *("issue_created_at", "issue_is_pull"),
    }
    pull = issue | {"pull_additions", "pull_deletions", "pull_changed_files", "pull_commits"}
    filled = {
        ("IssuesEvent", "opened", False): common | issue | {"issue_comments"},
        ("IssuesEvent", "closed", False): common | issue | {"issue_closed_at"},
        ("IssuesEvent", "reopened", False): common | issue,
        ("IssueCommentEvent", "created", False): common | issue | {"issue_comment_id"},
        ("PullRequestEvent", "opened", False): common | pull | {"issue_comments", "pull_merged"},
        ("PullRequestEvent", "closed", False): common | pull | {"issue_closed_at", "pull_merged"},
        ("PullRequestEvent", "closed", True): common
        | pull
        | {"issue_closed_at", "pull_merged", "pull_merged_at"},
        ("PullRequestReviewEvent", "created", False): common
        | pull
        | {"pull_review_id", "pull_review_state"},
        ("PullRequestReviewCommentEvent", "created", False): common
        | pull
        | {"pull_review_comment_id", "pull_review_id"},
        ("ReleaseEvent", "published", False): common
        | {"release_id", "release_tag_name", "release_prerelease"},
    }
    for row in rows:
        kind = (row["type"], row["action"], bool(row["pull_merged"]))
        assert {c for c, v in row.items() if v is not None} == filled[kind], row["event_key"]
    by_key = {r["event_key"]: r for r in rows}
    merge = by_key[f"PullRequestEvent:closed:7002:{second('2024-02-01T12:00:00Z')}:101"]
    assert (merge["pull_merged_at"], merge["issue_author_login"]) == (
        utc("2024-02-01T12:00:00Z"),
        "bob",
    )
    assert (merge["pull_additions"], merge["pull_deletions"]) == (10, 2)
    assert (merge["pull_changed_files"], merge["pull_commits"]) == (3, 2)
    assert by_key["PullRequestReviewEvent:created:8001"]["pull_review_state"] == "approved"
    assert by_key["ReleaseEvent:published:3003"]["release_prerelease"] is True

    # 2024-01: rows of #1 (3) and #2 up to the review (4) = 7; 2024-02: #2's merge, #3 (4),
    # #4 (2), v1.0.0 = 8; 2024-03: #5 and the beta = 2.
    months = {m: len(pq.read_table(f)) for m, f in zip(*_month_files(tmp_path), strict=True)}
    assert months == {"2024-01": 7, "2024-02": 8, "2024-03": 2}

    # Requests answered: repository 1, issues 3 pages (5 items, 2 a page), the repository's
    # issue events 4 (7 items), comments 2 (3), review comments 1, releases 2 (3),
    # pulls/2 and pulls/4, and a page of reviews each = 1+3+4+2+1+2+2+2 = 17.
    assert report == CollectReport(
        repo="github.com/acme/widget",
        full=True,
        requests=17,
        not_modified=0,
        rows=17,
        months=("2024-01", "2024-02", "2024-03"),
        duplicates=0,
        skipped=(),
        cursor="2024-03-05T23:55:00Z",  # the server's Date (2024-03-06T00:00) less 5 minutes
    )
    # The two limits were waited through the injected clock, then retried: 19 requests.
    assert clock.sleeps == [7.0, 42.0]
    assert len(loopback.requests) == 19
    assert host.authorizations == [f"Bearer {TOKEN}"] * 19

    with store.engine.connect() as connection:
        facts = connection.execute(select(repo_facts.c.repo, repo_facts.c.archived)).all()
        cursor = connection.execute(select(sync_cursors.c.registry, sync_cursors.c.cursor)).one()
        validated = set(connection.execute(select(fetch_validators.c.url)).scalars())
    assert [tuple(f) for f in facts] == [("github.com/acme/widget", False)]
    assert tuple(cursor) == (cursor_key("github.com/acme/widget"), "2024-03-05T23:55:00Z")
    assert len(cursor_key("github.com/acme/widget")) == 32  # sync_cursors.registry's width
    # Validators for the repository and the four lists read again next time.
    assert validated == {
        host.repo_api,
        host.repo_api + "/issues?state=all&sort=updated&direction=desc&per_page=100",
        host.repo_api + "/issues/comments?sort=updated&direction=desc&per_page=100",
        host.repo_api + "/pulls/comments?sort=updated&direction=desc&per_page=100",
        host.repo_api + "/releases?per_page=100",
    }


def _month_files(root: Path) -> tuple[list[str], list[str]]:
    manifest = ActivityFiles(root, "events").manifest()
    months = sorted(manifest)
    return months, [str(root / "events" / f"month={m}" / manifest[m][0]) for m in months]


def test_rows_are_written_in_batches_and_collapse_to_one_per_event(
    store: Store, tmp_path: Path, server: tuple[Loopback, FakeHost]
) -> None:
    _, host = server
    report = collect(store, host, tmp_path, concurrency=4, batch_rows=2)
    assert report.rows == 17 and report.duplicates == 0
    assert [summary(r) for r in stored_rows(tmp_path)] == expected(FIRST)
    # Compaction leaves one file per month.
    assert all(len(n) == 1 for n in ActivityFiles(tmp_path, "events").manifest().values())


# ------------------------------------------------------------------ collecting again


def test_an_unchanged_repository_answers_304_and_nothing_is_written(
    store: Store, tmp_path: Path, server: tuple[Loopback, FakeHost]
) -> None:
    loopback, host = server
    collect(store, host, tmp_path)
    manifest = (tmp_path / "events" / "manifest.json").read_text()
    host.now = datetime(2024, 3, 6, 1, 0, tzinfo=UTC)
    before = len(loopback.requests)
    report = collect(store, host, tmp_path)
    # The repository and the four lists' first pages, each answered 304.
    assert (report.requests, report.not_modified, report.rows) == (5, 5, 0)
    assert (report.full, report.months, report.skipped) == (False, (), ())
    assert report.cursor == "2024-03-06T00:55:00Z"
    new = loopback.requests[before:]
    assert len(new) == 5 and all("if-none-match" in r.headers for r in new)
    assert (tmp_path / "events" / "manifest.json").read_text() == manifest
    assert [summary(r) for r in stored_rows(tmp_path)] == expected(FIRST)


def test_a_later_collection_reads_only_what_changed(
    store: Store, tmp_path: Path, server: tuple[Loopback, FakeHost]
) -> None:
    loopback, host = server
    collect(store, host, tmp_path)  # cursor 2024-03-05T23:55:00Z
    comments = "/issues/comments?sort=updated&direction=desc&per_page=100"
    lists = [
        "/issues?state=all&sort=updated&direction=desc&per_page=100",
        "/issues/5/events?per_page=100",
        comments,
        "/pulls/comments?sort=updated&direction=desc&per_page=100",
        "/releases?per_page=100",
    ]

    def asked(since: int) -> list[str]:
        return [r.path.split("/repos/acme/widget", 1)[1] for r in loopback.requests[since:]]

    # A comment on #5: the repository document is unchanged (304), so the rows take its
    # id and name from the stored document.
    host.comment(5, 6004, "carol", "2024-03-10T09:00:00Z")
    host.now = datetime(2024, 3, 10, 12, 0, tzinfo=UTC)
    before = len(loopback.requests)
    report = collect(store, host, tmp_path)
    # issues page 1 = [#5 (03-10), #4 (02-11)]: #4 is older than the cursor, so no page 2;
    # #5's own events, one page; comments page 1 = [6004 (03-10), 6003 (02-03)], stopping
    # at 6003; the repository, review comments and releases answer 304.
    assert asked(before) == ["", *lists]
    assert (report.requests, report.not_modified, report.full) == (6, 3, False)
    # Rows: #5's opening again (a duplicate) and the new comment.
    assert (report.rows, report.duplicates, report.months) == (2, 1, ("2024-03",))
    assert report.cursor == "2024-03-10T11:55:00Z"

    # #5 closed by alice: the repository document changes too (open_issues_count).
    host.close(5, 4008, "alice", "2024-03-11T10:00:00Z")
    host.now = datetime(2024, 3, 12, tzinfo=UTC)
    before = len(loopback.requests)
    report = collect(store, host, tmp_path)
    assert asked(before) == ["", *lists]
    # Not modified: the comments (unchanged since the last run), review comments, releases.
    assert [r.headers.get("if-none-match") is not None for r in loopback.requests[before:]] == [
        True,  # asked conditionally; answered 200
        True,
        False,  # an issue's events: not conditional
        True,
        True,
        True,
    ]
    assert (report.requests, report.not_modified, report.rows, report.duplicates) == (6, 3, 2, 1)
    new: list[tuple[object, ...]] = [
        ("IssueCommentEvent:created:6004", "carol", "2024-03-10T09:00:00Z", 5005, 5, False, None),
        (
            f"IssuesEvent:closed:5005:{second('2024-03-11T10:00:00Z')}:101",
            "alice",
            "2024-03-11T10:00:00Z",
            5005,
            5,
            False,
            None,
        ),
    ]
    rows = stored_rows(tmp_path)
    assert [summary(r) for r in rows] == expected(sorted(FIRST + new))
    assert {(r["repo_id"], r["repo_name"], r["org_login"]) for r in rows} == {
        (1296269, "acme/widget", "acme")
    }

    # And once more, unchanged since: all 304 again, nothing written.
    host.now = datetime(2024, 3, 12, 1, 0, tzinfo=UTC)
    again = collect(store, host, tmp_path)
    assert (again.requests, again.not_modified, again.rows) == (5, 5, 0)


def test_api_rows_replace_gh_archive_rows_of_the_same_event(
    store: Store, tmp_path: Path, server: tuple[Loopback, FakeHost]
) -> None:
    _, host = server
    files = ActivityFiles(tmp_path, "events")

    def archive_row(key: str, event_type: str, action: str, created: str) -> dict[str, Any]:
        row: dict[str, Any] = dict.fromkeys(COLUMNS)
        row.update(
            event_key=key,
            event_id="35210987654",
            source="gharchive",
            source_rank=SOURCE_RANK["gharchive"],
            platform="github.com",
            type=event_type,
            action=action,
            created_at=utc(created),
            month=created[:7],
            repo_id=1296269,
            repo_name="acme/widget",
            actor_login="alice-as-logged",
            trimmed=True,
        )
        return row

    logged = [
        # The same opening of issue #1 as the log saw it (trimmed payload, other spelling).
        archive_row("IssuesEvent:opened:5001", "IssuesEvent", "opened", "2024-01-10T09:00:00Z"),
        # A star: the API collector has no such event, so it stays.
        archive_row("gh:35210987655", "WatchEvent", "started", "2024-01-13T00:00:00Z"),
    ]
    files.append(pa.Table.from_pylist(logged, schema=DATASETS["events"].schema))
    report = collect(store, host, tmp_path)
    assert report.duplicates == 1  # the log's row of issue #1's opening
    rows = {r["event_key"]: r for r in stored_rows(tmp_path)}
    assert len(rows) == 18  # the 17 API rows and the star
    opened = rows["IssuesEvent:opened:5001"]
    assert (opened["source"], opened["actor_login"], opened["trimmed"]) == ("api", "alice", False)
    assert rows["gh:35210987655"]["source"] == "gharchive"

    # Re-collecting never brings the log's row back.
    host.now = datetime(2024, 3, 7, tzinfo=UTC)
    collect(store, host, tmp_path)
    assert stored_rows(tmp_path) == sorted(rows.values(), key=lambda r: r["event_key"])


def test_a_document_that_cannot_be_read_is_skipped_and_reported(
    store: Store, tmp_path: Path, server: tuple[Loopback, FakeHost]
) -> None:
    _, host = server
    host.data["comments"][0]["created_at"] = "yesterday"  # comment 6001
    report = collect(store, host, tmp_path)
    assert report.skipped == (
        "codehost issue-comment 6001: created_at is not an ISO 8601 time: 'yesterday'",
    )
    assert report.rows == 16  # the 17 less that comment


def test_the_token_is_never_stored(
    store: Store, tmp_path: Path, server: tuple[Loopback, FakeHost]
) -> None:
    _, host = server
    collect(store, host, tmp_path / "activity")
    for path in tmp_path.rglob("*"):
        if path.is_file():
            assert TOKEN.encode() not in path.read_bytes(), path


# ------------------------------------------------------------------ the command


@pytest.fixture
def cli(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Any:
    """``ossmeta events fetch`` through the real ``main`` (its exit codes)."""
    from ossmeta.surfaces.cli import app as app_module

    config = tmp_path / "config.toml"
    config.write_text("[http]\nrate_per_host = 0\nmax_retries = 1\n")
    monkeypatch.setenv("OSSMETA_CONFIG", str(config))
    monkeypatch.setenv("WIDGET_TOKEN", TOKEN)
    created = app_module.main(["db", "upgrade", "--db", f"sqlite:///{tmp_path / 'cli.db'}"])
    assert created == 0  # only 'ossmeta db upgrade' creates a store

    def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
        code = app_module.main(
            [
                "events",
                "fetch",
                *args,
                "--db",
                f"sqlite:///{tmp_path / 'cli.db'}",
                "--data-dir",
                str(tmp_path / "activity"),
            ]
        )
        return code, capsys.readouterr().err

    return run


def test_cli_fetch_and_fetch_again(
    cli: Any, capsys: pytest.CaptureFixture[str], server: tuple[Loopback, FakeHost], tmp_path: Path
) -> None:
    _, host = server
    args = ("github.com/acme/widget", "--api-url", host.api, "--token-env", "WIDGET_TOKEN")
    code, err = cli(capsys, *args)
    assert code == 0, err
    assert "github.com/acme/widget: first collection: 17 event row(s) written" in err
    assert "2024-01, 2024-02, 2024-03; 17 request(s), 0 not modified" in err
    assert TOKEN not in err
    code, err = cli(capsys, *args)
    assert code == 0, err
    assert "changes since the last collection: 0 event row(s) written; 5 request(s), 5 not" in err
    assert len(stored_rows(tmp_path / "activity")) == 17


def test_cli_api_url_from_the_config_file(
    cli: Any, capsys: pytest.CaptureFixture[str], server: tuple[Loopback, FakeHost], tmp_path: Path
) -> None:
    _, host = server
    config = tmp_path / "config.toml"
    config.write_text(
        f'[http]\nrate_per_host = 0\n[codehost]\napi_url = "{host.api}"\n'
        'token_env = "WIDGET_TOKEN"\n'
    )
    code, err = cli(capsys, "github.com/acme/widget")
    assert code == 0, err
    assert host.authorizations[0] == f"Bearer {TOKEN}"


def test_cli_unknown_repository_is_a_one_line_error_exit_2(
    cli: Any, capsys: pytest.CaptureFixture[str], server: tuple[Loopback, FakeHost]
) -> None:
    _, host = server
    code, err = cli(capsys, "github.com/acme/nothing", "--api-url", host.api)
    assert code == 2
    assert err == (
        f"ossmeta: error: {host.api}/repos/acme/nothing: HTTP 404: no repository "
        "github.com/acme/nothing here (check the name, the API URL and the token's access)\n"
    )


def test_cli_5xx_after_the_retries_is_one_line_exit_4(
    cli: Any, capsys: pytest.CaptureFixture[str], server: tuple[Loopback, FakeHost], tmp_path: Path
) -> None:
    _, host = server
    host.script("/issues/comments", *[(503, {}, b"busy")] * 2)  # max_retries = 1 in config
    code, err = cli(capsys, "github.com/acme/widget", "--api-url", host.api)
    assert code == 4  # the code host failed, not the user's input
    comments = f"{host.repo_api}/issues/comments?sort=updated&direction=desc&per_page=100"
    assert err == (
        f"ossmeta: error: {comments}: gave up after 2 attempts: HTTP 503 Service Unavailable\n"
    )
    # The rows of what was read before (issues #1, #3 and #5 opened, #1 closed, #3 closed
    # and reopened) are written and compacted; no bookkeeping is, so the next run starts
    # over as a first collection, and its rows collapse with those.
    early = stored_rows(tmp_path / "activity")
    assert [r["event_key"].split(":")[:3] for r in early] == [
        ["IssuesEvent", "closed", "5001"],
        ["IssuesEvent", "closed", "5003"],
        ["IssuesEvent", "opened", "5001"],
        ["IssuesEvent", "opened", "5003"],
        ["IssuesEvent", "opened", "5005"],
        ["IssuesEvent", "reopened", "5003"],
    ]
    manifest = ActivityFiles(tmp_path / "activity", "events").manifest()
    assert all(len(names) == 1 for names in manifest.values())
    store = open_store(f"sqlite:///{tmp_path / 'cli.db'}")
    with store.engine.connect() as connection:
        assert connection.execute(select(sync_cursors)).all() == []
        assert connection.execute(select(fetch_validators)).all() == []
    store.dispose()
    code, err = cli(capsys, "github.com/acme/widget", "--api-url", host.api)
    assert code == 0 and "first collection" in err
    assert [summary(r) for r in stored_rows(tmp_path / "activity")] == expected(FIRST)


def test_cli_invalid_json_names_the_url(
    cli: Any, capsys: pytest.CaptureFixture[str], server: tuple[Loopback, FakeHost]
) -> None:
    _, host = server
    host.script("/releases", (200, {}, b"<html>down for maintenance</html>"))
    code, err = cli(capsys, "github.com/acme/widget", "--api-url", host.api)
    assert code == 2
    assert err.startswith(f"ossmeta: error: {host.repo_api}/releases?per_page=100: invalid JSON")
    assert err.count("\n") == 1


def test_cli_usage_errors(cli: Any, capsys: pytest.CaptureFixture[str]) -> None:
    code, err = cli(capsys, "github.com/acme/widget")
    assert (code, err.count("\n")) == (2, 1)
    assert "no code-host API URL: pass --api-url or set codehost.api_url" in err
    code, err = cli(capsys, "acme/widget", "--api-url", "https://codehost.example/api/v3")
    assert code == 2 and "write host/owner/name" in err
    code, err = cli(
        capsys,
        "github.com/acme/widget",
        "--api-url",
        "https://codehost.example/api/v3",
        "--token-env",
        "NO_SUCH_VARIABLE_FOR_OSSMETA",
    )
    assert code == 2 and "--token-env NO_SUCH_VARIABLE_FOR_OSSMETA: that environment" in err


def test_cli_documents_skipped_exit_1(
    cli: Any, capsys: pytest.CaptureFixture[str], server: tuple[Loopback, FakeHost]
) -> None:
    _, host = server
    host.data["releases"][0]["published_at"] = "not a time"
    code, err = cli(capsys, "github.com/acme/widget", "--api-url", host.api)
    assert code == 1
    lines = err.splitlines()
    assert len(lines) == 2 and "16 event row(s) written" in lines[0]
    assert lines[1] == (
        "  skipped codehost release 3001: published_at is not an ISO 8601 time: 'not a time'"
    )


def test_readers_see_a_collect_whole_or_not_at_all(
    store: Store, tmp_path: Path, server: tuple[Loopback, FakeHost]
) -> None:
    # Small batches make the collect write several times while it still fetches; a reader
    # looking in the middle (here: whenever the code host is asked something) must see none
    # of those rows yet, or it could count an event twice (before compaction) or half an
    # issue's history.
    loopback, host = server
    seen_midway: list[int] = []

    def handle(method: str, raw: str, headers: dict[str, str], body: bytes) -> Any:
        seen_midway.append(len(stored_rows(tmp_path)))
        return host.handle(method, raw, headers, body)

    loopback.handler = handle
    report = collect(store, host, tmp_path, concurrency=1, batch_rows=2)
    assert report.rows == 17
    assert len(seen_midway) > 5 and set(seen_midway) == {0}
    assert [summary(r) for r in stored_rows(tmp_path)] == expected(FIRST)
