"""The activity half of ``make demo``: events, git history, identities and metrics for one
repository, ``acme/widget``, with the real ``ossmeta`` command on the embedded store.

There is no network here, so every source is a stand-in:

- GH Archive: hourly ``.json.gz`` files in the archive's real shape, written below for a
  six-month story of the repository (issues, comments, pull requests, reviews, merges,
  stars, forks, releases, a bot);
- the code host's REST API: the synthetic host the tests use (``tests/codehost_server.py``)
  on a free loopback port, holding the repository's early history; its rows outrank the
  archive's for the same event;
- git: a repository built here with dated commits by the same people (one of them under
  two emails) and release tags.

Then ``metrics compute`` runs every metric on DuckDB, ``metrics show`` prints the table and
the JSON contract, and ``metrics export`` writes OpenDigger's file layout. The story is
fixed (a seeded generator), so every run prints the same figures, except the recency
metrics, which are measured from today.
"""

from __future__ import annotations

import gzip
import json
import os
import random
import shutil
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.codehost_server import FakeHost  # noqa: E402  (the repository root is on the path)
from tests.loopback import serve  # noqa: E402

OSSMETA = str(Path(sys.executable).with_name("ossmeta"))
HOME = Path(os.environ.get("OSSMETA_HOME", ".ossmeta"))
WORK = HOME / "activity-demo"
REPO = {"id": 1296269, "name": "acme/widget"}
PEOPLE = {"alice": 3001, "bob": 3002, "carol": 3003, "dave": 3004, "dependabot[bot]": 49699333}
START = datetime(2026, 5, 1, tzinfo=UTC)


def ossmeta(*args: str, ok: tuple[int, ...] = (0,)) -> None:
    print(f"\n$ ossmeta {' '.join(args)}", flush=True)
    code = subprocess.run([OSSMETA, *args], check=False).returncode
    if code not in ok:
        raise SystemExit(f"ossmeta {args[0]} exited with {code}")


# -- the GH Archive story --------------------------------------------------------------------


def _user(login: str) -> dict[str, Any]:
    return {"id": PEOPLE[login], "login": login, "display_login": login}


def _event(serial: int, kind: str, login: str, when: datetime, payload: dict[str, Any]) -> Any:
    return {
        "id": str(50_000_000_000 + serial),
        "type": kind,
        "actor": _user(login),
        "repo": REPO,
        "payload": payload,
        "public": True,
        "created_at": when.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "org": {"id": 9000, "login": "acme"},
    }


def _issue(number: int, author: str, opened: datetime, pull: bool) -> dict[str, Any]:
    issue: dict[str, Any] = {
        "id": 7_000_000 + number,
        "number": number,
        "title": f"Item {number}",
        "user": {"id": PEOPLE[author], "login": author},
        "created_at": opened.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "comments": 0,
        "state": "open",
    }
    if pull:
        issue["pull_request"] = {"url": "placeholder"}
    return issue


def _pull(number: int, author: str, opened: datetime, merged: bool | None) -> dict[str, Any]:
    return {
        "id": 8_000_000 + number,
        "number": number,
        "title": f"Change {number}",
        "user": {"id": PEOPLE[author], "login": author},
        "created_at": opened.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "merged": bool(merged),
        "additions": 40 + number,
        "deletions": 5 + number % 7,
        "changed_files": 1 + number % 4,
        "commits": 1 + number % 3,
        "state": "closed" if merged is not None else "open",
    }


def story(seed: int = 4) -> list[Any]:
    """Six months: each week some issues and pull requests, answered, reviewed, merged."""
    rng = random.Random(seed)
    events: list[Any] = []
    contributors = ["bob", "carol", "dave"]
    number = 100
    for week in range(26):
        monday = START + timedelta(weeks=week, hours=9)
        for _ in range(rng.randint(1, 3)):  # issues
            number += 1
            author = rng.choice([*contributors, "alice"])
            opened = monday + timedelta(hours=rng.randint(0, 60))
            issue = _issue(number, author, opened, pull=False)
            events.append(
                _event(
                    len(events), "IssuesEvent", author, opened, {"action": "opened", "issue": issue}
                )
            )
            answered = opened + timedelta(hours=rng.choice([2, 20, 30, 80, 200]))
            comment = {"id": 9_000_000 + number, "user": {"id": PEOPLE["alice"], "login": "alice"}}
            events.append(
                _event(
                    len(events),
                    "IssueCommentEvent",
                    "alice",
                    answered,
                    {"action": "created", "issue": issue, "comment": comment},
                )
            )
            if rng.random() < 0.7:
                closed = answered + timedelta(days=rng.randint(0, 9))
                events.append(
                    _event(
                        len(events),
                        "IssuesEvent",
                        "alice",
                        closed,
                        {"action": "closed", "issue": issue},
                    )
                )
        for _ in range(rng.randint(1, 3)):  # pull requests
            number += 1
            author = rng.choice([*contributors, "dependabot[bot]"])
            opened = monday + timedelta(hours=rng.randint(0, 80))
            pull = _pull(number, author, opened, None)
            events.append(
                _event(
                    len(events),
                    "PullRequestEvent",
                    author,
                    opened,
                    {"action": "opened", "number": number, "pull_request": pull},
                )
            )
            reviewed = opened + timedelta(hours=rng.choice([1, 5, 26, 50]))
            review = {
                "id": 6_000_000 + number,
                "state": "approved",
                "user": {"id": PEOPLE["alice"], "login": "alice"},
            }
            events.append(
                _event(
                    len(events),
                    "PullRequestReviewEvent",
                    "alice",
                    reviewed,
                    {"action": "created", "review": review, "pull_request": pull},
                )
            )
            line_comment = {
                "id": 5_000_000 + number,
                "user": {"id": PEOPLE["alice"], "login": "alice"},
                "pull_request_review_id": review["id"],
            }
            events.append(
                _event(
                    len(events),
                    "PullRequestReviewCommentEvent",
                    "alice",
                    reviewed,
                    {"action": "created", "comment": line_comment, "pull_request": pull},
                )
            )
            merged = rng.random() < 0.8
            closed = reviewed + timedelta(hours=rng.randint(1, 90))
            events.append(
                _event(
                    len(events),
                    "PullRequestEvent",
                    "alice",
                    closed,
                    {
                        "action": "closed",
                        "number": number,
                        "pull_request": _pull(number, author, opened, merged),
                    },
                )
            )
        for index in range(rng.randint(2, 6)):  # stars and the odd fork
            fan = f"fan{week}x{index}"
            PEOPLE.setdefault(fan, 100_000 + week * 10 + index)
            when = monday + timedelta(hours=rng.randint(0, 150))
            events.append(_event(len(events), "WatchEvent", fan, when, {"action": "started"}))
            if index == 0:
                forkee = {"id": 4_000_000 + week, "full_name": f"{fan}/widget"}
                events.append(_event(len(events), "ForkEvent", fan, when, {"forkee": forkee}))
        if week % 6 == 5:
            tag = f"v1.{week // 6}.0"
            release = {"id": 3_000_000 + week, "tag_name": tag, "name": tag, "prerelease": False}
            events.append(
                _event(
                    len(events),
                    "ReleaseEvent",
                    "alice",
                    monday + timedelta(days=4),
                    {"action": "published", "release": release},
                )
            )
    return events


def write_archive(events: list[Any], directory: Path) -> int:
    """One file per hour that has events, named as GH Archive names them."""
    hours: dict[str, list[bytes]] = {}
    for event in events:
        when = datetime.strptime(event["created_at"], "%Y-%m-%dT%H:%M:%SZ")
        name = f"{when:%Y-%m-%d}-{when.hour}.json.gz"
        hours.setdefault(name, []).append(json.dumps(event).encode())
    directory.mkdir(parents=True, exist_ok=True)
    for name, lines in hours.items():
        with gzip.open(directory / name, "wb") as handle:
            handle.write(b"\n".join(lines) + b"\n")
    return len(hours)


# -- the git history ---------------------------------------------------------------------------


def build_git(directory: Path, seed: int = 5) -> None:
    rng = random.Random(seed)
    authors = [
        ("Alice Liddell", "alice@widget.example"),
        ("Alice Liddell", "alice.liddell@mail.example"),  # the same person, a second email
        ("Bob Builder", "bob@mail.example"),
        ("Carol Danvers", "carol@mail.example"),
        ("dependabot[bot]", "49699333+dependabot[bot]@users.noreply.github.com"),
    ]
    directory.mkdir(parents=True)
    git = ["git", "-C", str(directory), "-c", "init.defaultBranch=main"]
    subprocess.run([*git, "init", "-q"], check=True)
    for day in range(0, 180, 2):
        name, email = rng.choice(authors)
        when = (START + timedelta(days=day, hours=rng.randint(8, 18))).strftime(
            "%Y-%m-%dT%H:%M:%S+02:00"
        )
        target = directory / f"src/module{rng.randint(1, 12)}.txt"
        target.parent.mkdir(exist_ok=True)
        with target.open("a") as handle:
            handle.write("\n".join(f"line {day}.{i}" for i in range(rng.randint(1, 30))) + "\n")
        environment = os.environ | {
            "GIT_AUTHOR_NAME": name,
            "GIT_AUTHOR_EMAIL": email,
            "GIT_AUTHOR_DATE": when,
            "GIT_COMMITTER_NAME": name,
            "GIT_COMMITTER_EMAIL": email,
            "GIT_COMMITTER_DATE": when,
        }
        subprocess.run([*git, "add", "-A"], check=True, env=environment)
        subprocess.run(
            [*git, "commit", "-q", "-m", f"Change on day {day}"], check=True, env=environment
        )
        if day % 42 == 40:
            subprocess.run([*git, "tag", f"v1.{day // 42}.0"], check=True, env=environment)


def main() -> None:
    shutil.rmtree(WORK, ignore_errors=True)
    archive = WORK / "gharchive"
    files = write_archive(story(), archive)
    print(f"\n# a six-month GH Archive story of acme/widget: {files} hourly files in {archive}")
    ossmeta("events", "import", str(archive))
    with serve(quiet=True) as loopback:
        host = FakeHost(loopback.origin, page_size=50)
        loopback.handler = host.handle
        ossmeta("events", "fetch", "github.com/acme/widget", "--api-url", host.api)
    build_git(WORK / "widget")
    ossmeta("git", "import", str(WORK / "widget"), "--repo", "github.com/acme/widget")
    ossmeta("identities", "list", "--person", "login:dependabot[bot]")
    ossmeta("metrics", "compute", "--export", str(WORK / "export"))
    ossmeta("metrics", "show", "github.com/acme/widget")
    ossmeta(
        "metrics", "show", "github.com/acme/widget", "--format", "json",
        "--metric", "activity", "--metric", "openrank", "--metric", "bus_factor",
        "--metric", "maintenance_status",
    )  # fmt: skip
    exported = sorted(
        p.name for p in (WORK / "export" / "github.com" / "acme" / "widget").iterdir()
    )
    print(f"\n# OpenDigger layout: export/github.com/acme/widget/ holds {', '.join(exported)}")


if __name__ == "__main__":
    main()
