"""Evidence of a student's contributions over a real activity store: events collected by the
real code-host collector from the GitHub-shaped server on 127.0.0.1 (tests/codehost_server.py,
repository widget.json), commits from a real git repository imported by ``import_git``, and
identity curations in the store (SQLite and PostgreSQL).

The hand-derived facts of widget.json this relies on: bob comments on issue #1 on 01-11,
opens pull request #2 on 01-15 08:00 (merged by alice on 02-01 12:00) and issue #5 on 03-01;
alice comments on #2 on 01-16 11:00; carol's review comment (01-20 09:59) and review (10:00)
are on #2; carol opens issue #3 on 02-03.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from ossmeta.analyses.program_evidence import Contribution
from ossmeta.errors import UsageError
from ossmeta.pipelines.git_import import import_git
from ossmeta.service.program_evidence import EvidenceRequest, program_evidence, refresh_evidence
from ossmeta.sources.http import HttpSettings
from ossmeta.store import Store
from ossmeta.store.identities import IdentityOverrides
from ossmeta.surfaces.cli import app as cli_app
from tests.codehost_server import FakeHost
from tests.gitrepo import ADA, Repo
from tests.loopback import Loopback, serve
from tests.pipelines.test_codehost_collect import collect

KEY = "github.com/acme/widget"
WEB = "https://github.com/acme/widget"
STUDENT_MAIL = ("Bob Byte", "bob@uni.edu")  # joined to login:bob only by a curation
MENTOR_MAIL = ("Alice Mentor", "alice@acme.dev")


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


def epoch(text: str) -> str:
    return f"{int(datetime.fromisoformat(text + '+00:00').timestamp())} +0000"


@pytest.fixture
def server() -> Iterator[tuple[Loopback, FakeHost]]:
    with serve(quiet=True) as loopback:
        host = FakeHost(loopback.origin)
        loopback.handler = host.handle
        yield loopback, host


def build_git(path: Path) -> dict[str, str]:
    """main: a start, a student commit before the announcement; branch empty-input (pull
    request #2's head, kept as refs/pull/2/head as the code host does): a student commit and
    one by the mentor, merged with a merge commit; then a student commit after the window."""
    repo = Repo.init(path)
    shas = {
        "start": repo.commit(
            "start", {"a": b"1"}, author=ADA, author_date=epoch("2024-01-02T00:00:00")
        )
    }
    shas["early"] = repo.commit(
        "early", {"b": b"1"}, author=STUDENT_MAIL, author_date=epoch("2024-01-10T10:00:00")
    )
    repo.git("checkout", "--quiet", "-b", "empty-input")
    shas["student"] = repo.commit(
        "guard", {"c": b"1"}, author=STUDENT_MAIL, author_date=epoch("2024-01-15T09:00:00")
    )
    shas["mentor"] = repo.commit(
        "fixup", {"c": b"2"}, author=MENTOR_MAIL, author_date=epoch("2024-01-17T09:00:00")
    )
    repo.git("update-ref", "refs/pull/2/head", "empty-input")
    repo.git("checkout", "--quiet", "main")
    shas["merge"] = repo.merge("empty-input", author_date=epoch("2024-02-01T12:00:00"))
    repo.git("branch", "-D", "empty-input")  # deleted after the merge; the pull ref stays
    shas["late"] = repo.commit(
        "late", {"d": b"1"}, author=STUDENT_MAIL, author_date=epoch("2024-04-02T00:00:00")
    )
    return shas


@pytest.fixture
def activity(
    store: Store, tmp_path: Path, server: tuple[Loopback, FakeHost]
) -> tuple[Path, dict[str, str], FakeHost]:
    root = tmp_path / "activity"
    _, host = server
    collect(store, host, root)
    shas = build_git(tmp_path / "widget")
    import_git(str(tmp_path / "widget"), store, root, repo_key=KEY)
    curations = IdentityOverrides(store)
    curations.add("merge", "login:bob", "email:bob@uni.edu", reason="registration", author="t")
    curations.add("merge", "login:alice", "email:alice@acme.dev", reason="registration", author="t")
    return root, shas, host


def new_pull_answered(host: FakeHost) -> None:
    """Pull request #6 by bob (03-10 09:00), answered by alice six hours later."""
    host.data["issues"].append(
        {"number": 6, "id": 5006, "title": "YAML loader", "user": "bob",
         "created_at": "2024-03-10T09:00:00Z", "updated_at": "2024-03-10T09:00:00Z",
         "closed_at": None, "comments": 0,
         "pull": {"id": 7006, "merged_at": None, "merged_by": None, "additions": 5,
                  "deletions": 0, "changed_files": 1, "commits": 1, "head": "bob:yaml",
                  "base": "main"}}
    )  # fmt: skip
    host.comment(6, 6010, "alice", "2024-03-10T15:00:00Z")
    host.now = datetime(2024, 3, 10, 16, 0, tzinfo=UTC)


def request(student: str = "bob", mentor: str = "alice") -> EvidenceRequest:
    return EvidenceRequest(
        KEY,
        (student,),
        (mentor,),
        announced=datetime(2024, 1, 14, tzinfo=UTC),
        start=datetime(2024, 1, 15, tzinfo=UTC),
        end=datetime(2024, 4, 1, tzinfo=UTC),
    )


def kinds(items: tuple[Contribution, ...]) -> list[tuple[str, str, datetime]]:
    return [(i.kind, i.id, i.at) for i in items]


def test_student_contributions_window_identities_mentor_commits_and_responsiveness(
    store: Store, activity: tuple[Path, dict[str, str], FakeHost]
) -> None:
    root, shas, _ = activity
    found = program_evidence(store, root, request())
    assert found.student.emails == {"bob@uni.edu"}  # through the curated merge
    assert kinds(found.counted) == [
        ("pr_opened", "PullRequestEvent:opened:7002", at("2024-01-15T08:00:00")),
        ("commit", shas["student"], at("2024-01-15T09:00:00")),
        (
            "pr_merged",
            next(i.id for i in found.counted if i.kind == "pr_merged"),
            at("2024-02-01T12:00:00"),
        ),
        ("issue_opened", "IssuesEvent:opened:5005", at("2024-03-01T10:00:00")),
    ]
    assert found.counted[0].url == f"{WEB}/pull/2"
    assert found.counted[1].who == "bob@uni.edu"
    assert dict(found.totals) == {
        "pr_opened": 1, "pr_merged": 1, "pr_reviewed": 0, "issue_opened": 1, "comment": 0,
        "commit": 1,
    }  # fmt: skip
    # Work before the announcement is listed apart, not counted; so is work after the window.
    assert kinds(found.before_announcement) == [
        ("commit", shas["early"], at("2024-01-10T10:00:00")),
        ("comment", "IssueCommentEvent:created:6001", at("2024-01-11T09:00:00")),
    ]
    assert found.before_announcement[1].url == f"{WEB}/issues/1#issuecomment-6001"
    assert kinds(found.outside_window) == [("commit", shas["late"], at("2024-04-02T00:00:00"))]
    # The mentor's commit on the pull request's branch is flagged; the student's is not.
    assert [(c.pull_number, c.sha, c.author_email) for c in found.mentor_commits] == [
        (2, shas["mentor"], "alice@acme.dev")
    ]
    assert found.unchecked_pulls == ()
    # alice answered #2 first, 27 hours after it was opened.
    (response,) = found.responsiveness.responses
    assert response.first_response_at == at("2024-01-16T11:00:00")
    assert found.responsiveness.median == found.responsiveness.max == timedelta(hours=27)


def test_without_the_curation_the_email_does_not_count_and_another_mentor(
    store: Store, activity: tuple[Path, dict[str, str], FakeHost]
) -> None:
    root, _, _ = activity
    IdentityOverrides(store).add("split", "email:bob@uni.edu", reason="not bob", author="t")
    found = program_evidence(store, root, request(mentor="carol"))
    assert found.totals["commit"] == 0 and found.totals["pr_opened"] == 1
    assert found.mentor_commits == ()  # carol wrote no commit on #2
    # carol's review comment (09:59) came before her review (10:00)
    assert found.responsiveness.max == at("2024-01-20T09:59:00") - at("2024-01-15T08:00:00")
    # a student reviewing someone else's pull request
    carol = program_evidence(store, root, request(student="carol", mentor="alice"))
    assert [(i.kind, i.number) for i in carol.counted] == [
        ("comment", 2), ("pr_reviewed", 2), ("issue_opened", 3),
    ]  # fmt: skip
    assert carol.responsiveness.responses == ()


def test_the_same_person_cannot_be_student_and_mentor(
    store: Store, activity: tuple[Path, dict[str, str], FakeHost]
) -> None:
    root, _, _ = activity
    with pytest.raises(UsageError, match="same person"):
        program_evidence(store, root, request(student="bob", mentor="bob@uni.edu"))


def test_a_refresh_brings_a_new_pull_request_and_its_answer(
    store: Store, activity: tuple[Path, dict[str, str], FakeHost]
) -> None:
    root, _, host = activity
    before = program_evidence(store, root, request())
    new_pull_answered(host)
    assert program_evidence(store, root, request()) == before  # nothing new until a refresh
    settings = HttpSettings(trust_env=False, rate_per_host=None, max_retries=0)
    (report,) = refresh_evidence(store, root, [KEY], api_url=host.api, settings=settings)
    assert report.rows > 0
    after = program_evidence(store, root, request())
    assert after.totals["pr_opened"] == before.totals["pr_opened"] + 1
    assert after.counted[-1].url == f"{WEB}/pull/6"
    assert after.unchecked_pulls == (6,)  # no refs/pull/6/head in the git data
    responses = after.responsiveness
    assert [r.waited for r in responses.responses] == [timedelta(hours=27), timedelta(hours=6)]
    assert responses.median == timedelta(hours=16, minutes=30)
    assert responses.max == timedelta(hours=27)


def test_the_command_prints_json_and_refuses_bad_dates(
    store_url: str,
    store: Store,
    activity: tuple[Path, dict[str, str], FakeHost],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    root, _, host = activity
    base = ["program", "evidence", KEY, "--student", "bob", "--mentor", "alice",
            "--announced", "2024-01-14", "--from", "2024-01-15", "--to", "2024-03-31",
            "--db", store_url, "--data-dir", str(root)]  # fmt: skip
    assert cli_app.main([*base, "--format", "json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["totals"]["pr_opened"] == 1
    assert document["to"] == "2024-04-01T00:00:00Z"  # the last day is inside the window
    assert document["mentor_commits"][0]["pull_url"] == f"{WEB}/pull/2"
    assert document["mentor_responsiveness"]["median_hours"] == 27.0
    assert [i["kind"] for i in document["before_announcement"]] == ["commit", "comment"]
    assert cli_app.main(base) == 0
    text = capsys.readouterr().out
    assert "before the announcement (not counted): 2" in text
    assert "FLAG: commit" in text and f"{WEB}/pull/2" in text
    assert cli_app.main([*base, "--announced", "next week"]) == 2
    assert "--announced" in capsys.readouterr().err
    # --refresh collects the repository from the code host first
    config = tmp_path / "config.toml"
    config.write_text("[http]\nrate_per_host = 0\nmax_retries = 0\n")
    monkeypatch.setenv("OSSMETA_CONFIG", str(config))
    new_pull_answered(host)
    assert cli_app.main([*base, "--refresh", "--api-url", host.api, "--format", "json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["totals"]["pr_opened"] == 2
    assert document["unchecked_pulls"] == [6]
    assert document["mentor_responsiveness"]["median_hours"] == 16.5
