"""Hand-made event streams for the metric tests: rows of ``activity.EVENT_COLUMNS`` built in
a line each, written with ``ActivityFiles``, and a compute run over them."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pyarrow as pa

from ossmeta.activity import EVENT_COLUMNS
from ossmeta.analyses.metrics.compute import ActivityInputs, compute_metrics
from ossmeta.analyses.metrics.engine import MetricEngine
from ossmeta.analyses.metrics.model import Context, Definition
from ossmeta.store.activity_files import DATASETS, ActivityFiles

AS_OF = datetime(2030, 1, 1)
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


@dataclass(frozen=True)
class Repo:
    id: int
    name: str  # owner/name

    @property
    def key(self) -> str:
        return f"github.com/{self.name}"


@dataclass(frozen=True)
class Dev:
    id: int
    login: str

    @property
    def key(self) -> str:
        return f"github.com/{self.login}"


def at(text: str) -> datetime:
    """'2024-01-05 10:00' (or with seconds) as a naive UTC datetime."""
    return datetime.fromisoformat(text)


@dataclass
class Stream:
    """Events in the order added; ids of comments, reviews and pushes are drawn in turn."""

    rows: list[dict[str, Any]] = field(default_factory=list)
    _next: int = 1
    _opened: dict[tuple[int, int], datetime] = field(default_factory=dict)

    def _id(self) -> int:
        self._next += 1
        return self._next

    def event(
        self, kind: str, when: str, repo: Repo, actor: Dev, action: str = "", **columns: Any
    ) -> None:
        created = at(when)
        n = self._id()
        row: dict[str, Any] = dict.fromkeys((name for name, _ in EVENT_COLUMNS))
        row |= {
            "event_key": f"test:{n}",
            "event_id": str(n),
            "source": "gharchive",
            "source_rank": 1,
            "platform": "github.com",
            "type": kind,
            "action": action,
            "created_at": created,
            "month": created.strftime("%Y-%m"),
            "repo_id": repo.id,
            "repo_name": repo.name,
            "actor_id": actor.id,
            "actor_login": actor.login,
            "trimmed": False,
        }
        row.update(columns)
        self.rows.append(row)

    def _item(
        self, repo: Repo, number: int, action: str, when: str, created: str | None
    ) -> datetime:
        key = (repo.id, number)
        if action == "opened" and key not in self._opened:
            self._opened[key] = at(when)
        return at(created) if created else self._opened.get(key, at(when))

    # -- issues ------------------------------------------------------------------------------

    def issue(
        self,
        action: str,
        when: str,
        repo: Repo,
        actor: Dev,
        number: int,
        *,
        author: Dev | None = None,
        comments: int | None = 0,
        created: str | None = None,
        title: str = "an issue",
    ) -> None:
        author = author or actor
        self.event(
            "IssuesEvent", when, repo, actor, action,
            issue_id=repo.id * 10_000 + number, issue_number=number, issue_title=title,
            issue_author_id=author.id, issue_author_login=author.login,
            issue_created_at=self._item(repo, number, action, when, created),
            issue_comments=comments, issue_is_pull=False,
        )  # fmt: skip

    def comment(
        self,
        when: str,
        repo: Repo,
        actor: Dev,
        number: int,
        *,
        author: Dev,
        on_pull: bool = False,
        action: str = "created",
        title: str = "an issue",
    ) -> None:
        offset = 8_000 if on_pull else 0  # a PR's conversation is an issue with its own id
        self.event(
            "IssueCommentEvent", when, repo, actor, action,
            issue_id=repo.id * 10_000 + offset + number, issue_number=number, issue_title=title,
            issue_author_id=author.id, issue_author_login=author.login,
            issue_is_pull=on_pull, issue_comment_id=self._id(),
        )  # fmt: skip

    # -- pull requests -----------------------------------------------------------------------

    def _pull_columns(self, repo: Repo, number: int, author: Dev) -> dict[str, Any]:
        return {
            "issue_id": repo.id * 10_000 + 5_000 + number,
            "issue_number": number,
            "issue_title": "a change",
            "issue_author_id": author.id,
            "issue_author_login": author.login,
            "issue_is_pull": True,
        }

    def pull(
        self,
        action: str,
        when: str,
        repo: Repo,
        actor: Dev,
        number: int,
        *,
        author: Dev | None = None,
        merged: bool | None = False,
        additions: int | None = None,
        deletions: int | None = None,
        comments: int | None = 0,
        created: str | None = None,
    ) -> None:
        author = author or actor
        self.event(
            "PullRequestEvent", when, repo, actor, action,
            **self._pull_columns(repo, number, author),
            issue_created_at=self._item(repo, -number, action, when, created),
            issue_comments=comments, pull_merged=merged,
            pull_merged_at=at(when) if merged and action == "closed" else None,
            pull_additions=additions, pull_deletions=deletions,
        )  # fmt: skip

    def review_comment(
        self,
        when: str,
        repo: Repo,
        actor: Dev,
        number: int,
        *,
        author: Dev,
        action: str = "created",
    ) -> None:
        self.event(
            "PullRequestReviewCommentEvent", when, repo, actor, action,
            **self._pull_columns(repo, number, author), pull_review_comment_id=self._id(),
        )  # fmt: skip

    def review(self, when: str, repo: Repo, actor: Dev, number: int, *, author: Dev) -> None:
        self.event(
            "PullRequestReviewEvent", when, repo, actor, "created",
            **self._pull_columns(repo, number, author), pull_review_id=self._id(),
            pull_review_state="approved",
        )  # fmt: skip

    # -- the rest ----------------------------------------------------------------------------

    def push(self, when: str, repo: Repo, actor: Dev) -> None:
        self.event("PushEvent", when, repo, actor, push_id=self._id(), push_size=1)

    def star(self, when: str, repo: Repo, actor: Dev) -> None:
        self.event("WatchEvent", when, repo, actor, "started")

    def fork(self, when: str, repo: Repo, actor: Dev) -> None:
        self.event("ForkEvent", when, repo, actor, fork_forkee_id=self._id())

    def table(self) -> pa.Table:
        schema = DATASETS["events"].schema
        return pa.Table.from_pylist(self.rows, schema=schema)


def write_events(root: Path, table: pa.Table) -> Path:
    files = ActivityFiles(root, "events")
    files.append(table)
    return root


def identities(bots: tuple[str, ...] = ()) -> pa.Table:
    """An identities table in which ``bots`` are bot logins (as the maintained list marks)."""
    return pa.table(
        {
            "identity": [f"login:{login}" for login in bots],
            "person": [f"person:{login}" for login in bots],
            "display": list(bots),
            "is_bot": [True] * len(bots),
            "rules": ["bot list"] * len(bots),
        },
        schema=IDENTITY_SCHEMA,
    )


def compute(
    engine: MetricEngine,
    root: Path,
    *,
    bots: tuple[str, ...] = (),
    since: str | None = None,
    as_of: datetime = AS_OF,
    definitions: list[Definition] | None = None,
    openrank: bool = False,
) -> pa.Table:
    from ossmeta.analyses.metrics import opendigger

    inputs = ActivityInputs(root, identities(bots), FACTS_SCHEMA.empty_table())
    return compute_metrics(
        engine,
        inputs,
        Context(since=since, as_of=as_of),
        definitions=opendigger.DEFINITIONS if definitions is None else definitions,
        steps=opendigger.STEPS if openrank else [],
    )


def as_dict(table: pa.Table) -> dict[tuple[str, str, str], object]:
    """(subject, metric, period) → value, or the detail when the value is NULL."""
    return {
        (row["subject"], row["metric"], row["period"]): (
            row["value"] if row["value"] is not None else row["detail"]
        )
        for row in table.to_pylist()
    }


def metric(table: pa.Table, name: str, subject: str | None = None) -> dict[str, object]:
    """period → value (or detail) of one metric of one subject (the only one if not given)."""
    rows = [r for r in table.to_pylist() if r["metric"] == name]
    subjects = {r["subject"] for r in rows}
    if subject is None:
        assert len(subjects) <= 1, f"{name}: several subjects {sorted(subjects)}"
    return {
        r["period"]: (r["value"] if r["value"] is not None else r["detail"])
        for r in rows
        if subject is None or r["subject"] == subject
    }


def generated(
    seed: int, events: int = 3000, start: str = "2024-01-01", end: str = "2024-06-01"
) -> Stream:
    """A seeded stream from ``start`` to ``end``: 8 repos and 40 developers of very unequal
    activity, issues and pull requests with lifecycles (comments, reviews, closes, merges,
    reopens), pushes, stars and forks; some bots, some same-second events, one rename."""
    rng = random.Random(seed)
    repos = [Repo(900 + i, f"gen{i}/project{i}") for i in range(8)]
    devs = [Dev(5000 + i, f"dev{i}") for i in range(36)]
    devs += [Dev(5100, "renovate[bot]"), Dev(5101, "helper"), Dev(5102, "ci[bot]"), Dev(5103, "x")]
    repo_weights = [1 / (i + 1) ** 1.2 for i in range(len(repos))]
    dev_weights = [1 / (i + 1) for i in range(len(devs))]
    stream = Stream()
    open_items: dict[tuple[int, str], list[tuple[int, Dev]]] = {}
    numbers = dict.fromkeys((r.id for r in repos), 0)
    first = at(start)
    span = (at(end) - first).total_seconds()
    times = sorted(first + timedelta(seconds=rng.randrange(int(span))) for _ in range(events))
    for when_dt in times:
        if rng.random() < 0.05 and stream.rows:  # the same second as the previous event
            when_dt = stream.rows[-1]["created_at"]
        when = when_dt.isoformat(sep=" ")
        repo = rng.choices(repos, repo_weights)[0]
        actor = rng.choices(devs, dev_weights)[0]
        kind = rng.choices(
            ["issue", "pull", "comment", "review", "close", "push", "star", "fork"],
            [10, 10, 30, 12, 12, 15, 8, 3],
        )[0]
        issues = open_items.setdefault((repo.id, "issue"), [])
        pulls = open_items.setdefault((repo.id, "pull"), [])
        if kind == "issue":
            numbers[repo.id] += 1
            title = "[Snyk] bump" if rng.random() < 0.05 else "an issue"
            stream.issue("opened", when, repo, actor, numbers[repo.id], title=title)
            issues.append((numbers[repo.id], actor))
        elif kind == "pull":
            numbers[repo.id] += 1
            size = int(rng.paretovariate(1.2) * 10)
            stream.pull(
                "opened", when, repo, actor, numbers[repo.id], additions=size, deletions=size // 3
            )
            pulls.append((numbers[repo.id], actor))
        elif kind == "comment" and (issues or pulls):
            on_pull = bool(pulls) and (not issues or rng.random() < 0.4)
            number, author = rng.choice(pulls if on_pull else issues)
            stream.comment(when, repo, actor, number, author=author, on_pull=on_pull)
        elif kind == "review" and pulls:
            number, author = rng.choice(pulls)
            if rng.random() < 0.5:
                stream.review(when, repo, actor, number, author=author)
            else:
                stream.review_comment(when, repo, actor, number, author=author)
        elif kind == "close" and (issues or pulls):
            if pulls and (not issues or rng.random() < 0.5):
                number, author = pulls.pop(rng.randrange(len(pulls)))
                merged = rng.random() < 0.7
                stream.pull("closed", when, repo, actor, number, author=author, merged=merged,
                            additions=None if rng.random() < 0.1 else 5, deletions=2)  # fmt: skip
            else:
                number, author = issues.pop(rng.randrange(len(issues)))
                stream.issue("closed", when, repo, actor, number, author=author)
                if rng.random() < 0.1:
                    stream.issue("reopened", when, repo, author, number, author=author)
                    issues.append((number, author))
        elif kind == "push":
            stream.push(when, repo, actor)
        elif kind == "star":
            stream.star(when, repo, actor)
        else:
            stream.fork(when, repo, actor)
    renamed = repos[1]
    stream.star(end, Repo(renamed.id, "gen1/renamed"), devs[0])
    return stream
