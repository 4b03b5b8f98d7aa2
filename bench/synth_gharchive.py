"""Synthetic GH Archive hours: ``YYYY-MM-DD-H.json.gz`` files of newline-delimited events in
GH Archive's real shapes, for benchmarks (import here; the metrics benchmark may reuse it).

- **Shapes.** Events as GH Archive writes them since 2015: ``id``, ``type``, ``actor``
  (with ``display_login``), ``repo``, ``org`` for organisation repositories, ``payload``,
  ``public``, ``created_at``. Payloads carry the full REST objects of the time before
  October 2025 (issues and pull requests with their users, pull requests with both
  repository objects, pushes with their commits), or, for the hours chosen by
  ``trimmed_share``, the trimmed shape after it (a pull request of id, number, head and
  base; pushes without ``size``, ``distinct_size`` and ``commits``). URLs point at a
  placeholder host; sizes per event type are close to real ones.
- **Mix.** Event types in about the proportions of real hours (pushes half of all events,
  then branch/tag creation, stars, comments, pull requests, issues, ...), pull requests
  opened, closed (most merged) and reopened, issue comments partly on pull requests.
- **Heavy tails.** Repositories and actors are drawn from Zipf-like laws (weight of the
  k-th most active proportional to k^-s), so a few repositories and people carry much of
  the activity, as in the real log; a share of actors are ``[bot]`` accounts.

    .venv/bin/python bench/synth_gharchive.py OUT_DIR [--events N] [--seed S]
        [--per-hour N] [--trimmed-share F]
"""

from __future__ import annotations

import argparse
import gzip
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import orjson

API = "https://api.codehost.example"
WEB = "https://codehost.example"

# (type, share of events), after real hours of 2015-2025.
TYPE_MIX: tuple[tuple[str, float], ...] = (
    ("PushEvent", 0.52),
    ("CreateEvent", 0.12),
    ("WatchEvent", 0.075),
    ("PullRequestEvent", 0.055),
    ("IssueCommentEvent", 0.065),
    ("IssuesEvent", 0.035),
    ("DeleteEvent", 0.035),
    ("PullRequestReviewEvent", 0.018),
    ("ForkEvent", 0.02),
    ("PullRequestReviewCommentEvent", 0.015),
    ("ReleaseEvent", 0.006),
    ("GollumEvent", 0.004),
    ("CommitCommentEvent", 0.003),
    ("MemberEvent", 0.001),
    ("PublicEvent", 0.001),
)


@dataclass(frozen=True)
class Population:
    """Who acts where: Zipf-ranked actors and repositories, with stable ids and names."""

    actor_ids: np.ndarray
    repo_ids: np.ndarray
    repo_weights: np.ndarray
    actor_weights: np.ndarray


def _zipf_weights(count: int, exponent: float) -> np.ndarray:
    weights = 1.0 / np.arange(1, count + 1, dtype=np.float64) ** exponent
    return weights / weights.sum()


def population(events: int, rng: np.random.Generator) -> Population:
    actors = max(50, events // 4)
    repos = max(50, events // 6)
    return Population(
        actor_ids=rng.permutation(actors) + 1_000,
        repo_ids=rng.permutation(repos) + 100_000,
        repo_weights=_zipf_weights(repos, 1.2),
        actor_weights=_zipf_weights(actors, 1.1),
    )


# -- objects in the REST shapes --------------------------------------------------------------


@lru_cache(maxsize=200_000)
def login(actor_id: int) -> str:
    return f"bot{actor_id}[bot]" if actor_id % 20 == 0 else f"dev{actor_id}"


@lru_cache(maxsize=200_000)
def user(actor_id: int) -> dict[str, Any]:
    name = login(actor_id)
    base = f"{API}/users/{name}"
    return {
        "login": name,
        "id": actor_id,
        "node_id": f"MDQ6VXNlcj{actor_id}",
        "avatar_url": f"{WEB}/avatars/u/{actor_id}?v=4",
        "gravatar_id": "",
        "url": base,
        "html_url": f"{WEB}/{name}",
        "followers_url": f"{base}/followers",
        "following_url": f"{base}/following{{/other_user}}",
        "gists_url": f"{base}/gists{{/gist_id}}",
        "starred_url": f"{base}/starred{{/owner}}{{/repo}}",
        "subscriptions_url": f"{base}/subscriptions",
        "organizations_url": f"{base}/orgs",
        "repos_url": f"{base}/repos",
        "events_url": f"{base}/events{{/privacy}}",
        "received_events_url": f"{base}/received_events",
        "type": "Bot" if name.endswith("[bot]") else "User",
        "user_view_type": "public",
        "site_admin": False,
    }


def actor(actor_id: int) -> dict[str, Any]:
    name = login(actor_id)
    return {
        "id": actor_id,
        "login": name,
        "display_login": name.removesuffix("[bot]"),
        "gravatar_id": "",
        "url": f"{API}/users/{name}",
        "avatar_url": f"{WEB}/avatars/u/{actor_id}?",
    }


def owner_of(repo_id: int) -> int:
    return 10_000_000 + repo_id % 7_919 if repo_id % 4 == 0 else 1_000 + repo_id % 50_021


def repo_name(repo_id: int) -> str:
    return f"{login(owner_of(repo_id)).removesuffix('[bot]')}/project-{repo_id}"


@lru_cache(maxsize=50_000)
def full_repo(repo_id: int) -> dict[str, Any]:
    name = repo_name(repo_id)
    base = f"{API}/repos/{name}"
    urls = {
        f"{part}_url": f"{base}/{part.replace('_', '/')}{suffix}"
        for part, suffix in (
            ("forks", ""),
            ("keys", "{/key_id}"),
            ("collaborators", "{/collaborator}"),
            ("teams", ""),
            ("hooks", ""),
            ("issue_events", "{/number}"),
            ("events", ""),
            ("assignees", "{/user}"),
            ("branches", "{/branch}"),
            ("tags", ""),
            ("blobs", "{/sha}"),
            ("git_tags", "{/sha}"),
            ("git_refs", "{/sha}"),
            ("trees", "{/sha}"),
            ("statuses", "/{sha}"),
            ("languages", ""),
            ("stargazers", ""),
            ("contributors", ""),
            ("subscribers", ""),
            ("subscription", ""),
            ("commits", "{/sha}"),
            ("git_commits", "{/sha}"),
            ("comments", "{/number}"),
            ("issue_comment", "{/number}"),
            ("contents", "/{+path}"),
            ("compare", "/{base}...{head}"),
            ("merges", ""),
            ("archive", "/{archive_format}{/ref}"),
            ("downloads", ""),
            ("issues", "{/number}"),
            ("pulls", "{/number}"),
            ("milestones", "{/number}"),
            ("notifications", "{?since,all,participating}"),
            ("labels", "{/name}"),
            ("releases", "{/id}"),
            ("deployments", ""),
        )
    }
    return {
        "id": repo_id,
        "node_id": f"R_kgDO{repo_id}",
        "name": name.split("/")[1],
        "full_name": name,
        "private": False,
        "owner": user(owner_of(repo_id)),
        "html_url": f"{WEB}/{name}",
        "description": f"Project number {repo_id}, a synthetic repository",
        "fork": False,
        "url": base,
        **urls,
        "created_at": "2019-04-02T10:11:12Z",
        "updated_at": "2025-01-01T00:00:00Z",
        "pushed_at": "2025-01-01T00:00:00Z",
        "git_url": f"git://codehost.example/{name}.git",
        "ssh_url": f"git@codehost.example:{name}.git",
        "clone_url": f"{WEB}/{name}.git",
        "svn_url": f"{WEB}/{name}",
        "homepage": None,
        "size": repo_id % 100_000,
        "stargazers_count": repo_id % 977,
        "watchers_count": repo_id % 977,
        "language": ("Python", "Go", "Rust", "TypeScript", "Java")[repo_id % 5],
        "has_issues": True,
        "has_projects": True,
        "has_downloads": True,
        "has_wiki": True,
        "has_pages": False,
        "has_discussions": False,
        "forks_count": repo_id % 89,
        "mirror_url": None,
        "archived": False,
        "disabled": False,
        "open_issues_count": repo_id % 53,
        "license": {"key": "mit", "name": "MIT License", "spdx_id": "MIT", "url": None},
        "allow_forking": True,
        "is_template": False,
        "web_commit_signoff_required": False,
        "topics": [],
        "visibility": "public",
        "forks": repo_id % 89,
        "open_issues": repo_id % 53,
        "watchers": repo_id % 977,
        "default_branch": "main",
    }


def sha(rng: random.Random) -> str:
    return f"{rng.getrandbits(160):040x}"


def issue(
    repo_id: int, number: int, author: int, when: str, pull: bool, closed: bool
) -> dict[str, Any]:
    name = repo_name(repo_id)
    base = f"{API}/repos/{name}/issues/{number}"
    body: dict[str, Any] = {
        "url": base,
        "repository_url": f"{API}/repos/{name}",
        "labels_url": f"{base}/labels{{/name}}",
        "comments_url": f"{base}/comments",
        "events_url": f"{base}/events",
        "html_url": f"{WEB}/{name}/issues/{number}",
        "id": repo_id * 1_000_000 + number,
        "node_id": f"I_kwDO{repo_id}{number}",
        "number": number,
        "title": f"Issue {number}: something to look at",
        "user": user(author),
        "labels": [],
        "state": "closed" if closed else "open",
        "locked": False,
        "assignee": None,
        "assignees": [],
        "milestone": None,
        "comments": number % 7,
        "created_at": "2024-06-01T08:00:00Z",
        "updated_at": when,
        "closed_at": when if closed else None,
        "author_association": "CONTRIBUTOR",
        "type": None,
        "active_lock_reason": None,
        "sub_issues_summary": {"total": 0, "completed": 0, "percent_completed": 0},
        "body": "A description of the problem, with steps to reproduce. " * (1 + number % 4),
        "reactions": {"url": f"{base}/reactions", "total_count": 0, "+1": 0, "-1": 0},
        "timeline_url": f"{base}/timeline",
        "performed_via_github_app": None,
        "state_reason": "completed" if closed else None,
    }
    if pull:
        body["draft"] = False
        body["pull_request"] = {
            "url": f"{API}/repos/{name}/pulls/{number}",
            "html_url": f"{WEB}/{name}/pull/{number}",
            "diff_url": f"{WEB}/{name}/pull/{number}.diff",
            "patch_url": f"{WEB}/{name}/pull/{number}.patch",
            "merged_at": None,
        }
    return body


def pull(
    repo_id: int, number: int, author: int, when: str, rng: random.Random, state: str, merged: bool
) -> dict[str, Any]:
    name = repo_name(repo_id)
    base = f"{API}/repos/{name}/pulls/{number}"
    head_repo = full_repo(repo_id)
    side = {"label": "", "ref": "", "sha": "", "user": user(owner_of(repo_id)), "repo": head_repo}
    return {
        "url": base,
        "id": 10**12 + repo_id * 1_000_000 + number,
        "node_id": f"PR_kwDO{repo_id}{number}",
        "html_url": f"{WEB}/{name}/pull/{number}",
        "diff_url": f"{WEB}/{name}/pull/{number}.diff",
        "patch_url": f"{WEB}/{name}/pull/{number}.patch",
        "issue_url": f"{API}/repos/{name}/issues/{number}",
        "number": number,
        "state": state,
        "locked": False,
        "title": f"Change {number}: improve the thing",
        "user": user(author),
        "body": "This change improves the thing. " * (1 + number % 6),
        "created_at": "2024-06-01T08:00:00Z",
        "updated_at": when,
        "closed_at": when if state == "closed" else None,
        "merged_at": when if merged else None,
        "merge_commit_sha": sha(rng),
        "assignee": None,
        "assignees": [],
        "requested_reviewers": [],
        "requested_teams": [],
        "labels": [],
        "milestone": None,
        "draft": False,
        "commits_url": f"{base}/commits",
        "review_comments_url": f"{base}/comments",
        "review_comment_url": f"{API}/repos/{name}/pulls/comments{{/number}}",
        "comments_url": f"{API}/repos/{name}/issues/{number}/comments",
        "statuses_url": f"{API}/repos/{name}/statuses/{sha(rng)}",
        "head": {
            **side,
            "label": f"{name}:topic-{number}",
            "ref": f"topic-{number}",
            "sha": sha(rng),
        },
        "base": {**side, "label": f"{name}:main", "ref": "main", "sha": sha(rng)},
        "_links": {
            "self": {"href": base},
            "html": {"href": f"{WEB}/{name}/pull/{number}"},
            "issue": {"href": f"{API}/repos/{name}/issues/{number}"},
            "comments": {"href": f"{API}/repos/{name}/issues/{number}/comments"},
            "review_comments": {"href": f"{base}/comments"},
            "review_comment": {"href": f"{API}/repos/{name}/pulls/comments{{/number}}"},
            "commits": {"href": f"{base}/commits"},
            "statuses": {"href": f"{API}/repos/{name}/statuses/{sha(rng)}"},
        },
        "author_association": "CONTRIBUTOR",
        "auto_merge": None,
        "active_lock_reason": None,
        "merged": merged,
        "mergeable": None,
        "rebaseable": None,
        "mergeable_state": "unknown",
        "merged_by": user(owner_of(repo_id)) if merged else None,
        "comments": number % 5,
        "review_comments": number % 3,
        "maintainer_can_modify": False,
        "commits": 1 + number % 9,
        "additions": 1 + (number * 37) % 900,
        "deletions": (number * 11) % 300,
        "changed_files": 1 + number % 12,
    }


def trimmed_pull(repo_id: int, number: int, rng: random.Random) -> dict[str, Any]:
    name = repo_name(repo_id)
    small = {"id": repo_id, "url": f"{API}/repos/{name}", "name": name.split("/")[1]}
    return {
        "url": f"{API}/repos/{name}/pulls/{number}",
        "id": 10**12 + repo_id * 1_000_000 + number,
        "number": number,
        "head": {"ref": f"topic-{number}", "sha": sha(rng), "repo": small},
        "base": {"ref": "main", "sha": sha(rng), "repo": small},
    }


# -- events ---------------------------------------------------------------------------------


class Hour:
    """Writes one hour's events; ``trimmed`` picks the post-October-2025 shapes."""

    def __init__(self, rng: random.Random, trimmed: bool, numbers: dict[int, int]) -> None:
        self.rng = rng
        self.trimmed = trimmed
        self.numbers = numbers  # per repository, the last issue or pull request number

    def new_number(self, repo_id: int) -> int:
        number = self.numbers.get(repo_id, 0) + 1
        self.numbers[repo_id] = number
        return number

    def some_number(self, repo_id: int) -> int:
        """An existing issue or pull request, recent ones most often."""
        last = self.numbers.get(repo_id, 0)
        if last == 0:
            return self.new_number(repo_id)
        return last - (int(self.rng.paretovariate(1.0)) - 1) % last

    def payload(self, kind: str, repo_id: int, actor_id: int, when: str) -> dict[str, Any]:
        rng = self.rng
        number = (
            self.some_number(repo_id)
            if kind.startswith(("Issue", "Pull"))
            else 1 + rng.getrandbits(12)
        )
        if kind == "PushEvent":
            push: dict[str, Any] = {"repository_id": repo_id, "push_id": rng.getrandbits(40)}
            if not self.trimmed:
                size = min(20, int(rng.paretovariate(1.5)))
                push["size"] = size
                push["distinct_size"] = size
            push |= {"ref": "refs/heads/main", "head": sha(rng), "before": sha(rng)}
            if not self.trimmed:
                push["commits"] = [
                    {
                        "sha": sha(rng),
                        "author": {
                            "email": f"{login(actor_id)}@mail.example",
                            "name": login(actor_id),
                        },
                        "message": "Fix the thing that was broken\n\nLonger explanation.",
                        "distinct": True,
                        "url": f"{API}/repos/{repo_name(repo_id)}/commits/{sha(rng)}",
                    }
                    for _ in range(push["size"])
                ]
            return push
        if kind == "CreateEvent":
            ref_type = rng.choices(("branch", "tag", "repository"), (70, 15, 15))[0]
            ref = None if ref_type == "repository" else f"topic-{number}"
            return {
                "ref": ref,
                "ref_type": ref_type,
                "full_ref": None if ref is None else f"refs/heads/{ref}",
                "master_branch": "main",
                "description": "A synthetic repository",
                "pusher_type": "user",
            }
        if kind == "DeleteEvent":
            return {
                "ref": f"topic-{number}",
                "ref_type": "branch",
                "full_ref": f"refs/heads/topic-{number}",
                "pusher_type": "user",
            }
        if kind == "WatchEvent":
            return {"action": "started"}
        if kind == "ForkEvent":
            return {
                "forkee": {
                    **full_repo(repo_id),
                    "id": rng.getrandbits(30),
                    "fork": True,
                    "owner": user(actor_id),
                }
            }
        if kind == "IssuesEvent":
            action = rng.choices(("opened", "closed", "reopened", "labeled"), (50, 40, 5, 5))[0]
            if action == "opened":
                number = self.new_number(repo_id)
            author = actor_id if action == "opened" else actor_id + number % 3
            return {
                "action": action,
                "issue": self.issue(repo_id, number, author, when, False, action == "closed"),
            }
        if kind == "IssueCommentEvent":
            on_pull = rng.random() < 0.4
            comment_id = rng.getrandbits(40)
            return {
                "action": "created",
                "issue": self.issue(repo_id, number, actor_id + 1, when, on_pull, False),
                "comment": {
                    "url": f"{API}/repos/{repo_name(repo_id)}/issues/comments/{comment_id}",
                    "html_url": f"{WEB}/{repo_name(repo_id)}/issues/{number}#issuecomment-{comment_id}",
                    "issue_url": f"{API}/repos/{repo_name(repo_id)}/issues/{number}",
                    "id": comment_id,
                    "node_id": f"IC_kwDO{comment_id}",
                    "user": user(actor_id),
                    "created_at": when,
                    "updated_at": when,
                    **({} if self.trimmed else {"author_association": "NONE"}),
                    "body": "Thanks, this works for me now. " * (1 + comment_id % 5),
                    "reactions": {"total_count": 0, "+1": 0, "-1": 0},
                    "performed_via_github_app": None,
                },
            }
        if kind == "PullRequestEvent":
            action = rng.choices(("opened", "closed", "reopened"), (48, 48, 4))[0]
            if action == "opened":
                number = self.new_number(repo_id)
            merged = action == "closed" and rng.random() < 0.7
            author = actor_id if action == "opened" else actor_id + number % 3
            state = "closed" if action == "closed" else "open"
            return {
                "action": action,
                "number": number,
                "pull_request": self.pull(repo_id, number, author, when, state, merged),
            }
        if kind == "PullRequestReviewEvent":
            review_id = rng.getrandbits(40)
            return {
                "action": "created",
                "review": {
                    "id": review_id,
                    "node_id": f"PRR_kwDO{review_id}",
                    "user": user(actor_id),
                    "body": None,
                    "commit_id": sha(rng),
                    "submitted_at": when,
                    "state": rng.choices(
                        ("approved", "commented", "changes_requested"), (50, 40, 10)
                    )[0],
                    "html_url": f"{WEB}/{repo_name(repo_id)}/pull/{number}#pullrequestreview-{review_id}",
                    "pull_request_url": f"{API}/repos/{repo_name(repo_id)}/pulls/{number}",
                    "_links": {"html": {"href": f"{WEB}/{repo_name(repo_id)}/pull/{number}"}},
                    "updated_at": when,
                },
                "pull_request": self.pull(repo_id, number, actor_id + 1, when, "open", False),
            }
        if kind == "PullRequestReviewCommentEvent":
            comment_id = rng.getrandbits(40)
            return {
                "action": "created",
                "comment": {
                    "url": f"{API}/repos/{repo_name(repo_id)}/pulls/comments/{comment_id}",
                    "pull_request_review_id": rng.getrandbits(40),
                    "id": comment_id,
                    "node_id": f"PRRC_kwDO{comment_id}",
                    "diff_hunk": "@@ -10,7 +10,7 @@ def thing():\n-    return 1\n+    return 2",
                    "path": "src/thing.py",
                    "commit_id": sha(rng),
                    "original_commit_id": sha(rng),
                    "user": user(actor_id),
                    "body": "Could this be simpler?",
                    "created_at": when,
                    "updated_at": when,
                    "html_url": f"{WEB}/{repo_name(repo_id)}/pull/{number}#discussion_r{comment_id}",
                    "pull_request_url": f"{API}/repos/{repo_name(repo_id)}/pulls/{number}",
                    "line": 11,
                    "side": "RIGHT",
                },
                "pull_request": self.pull(repo_id, number, actor_id + 1, when, "open", False),
            }
        if kind == "ReleaseEvent":
            release_id = rng.getrandbits(32)
            tag = f"v{number % 7}.{number % 13}.{number % 5}"
            return {
                "action": "published",
                "release": {
                    "url": f"{API}/repos/{repo_name(repo_id)}/releases/{release_id}",
                    "html_url": f"{WEB}/{repo_name(repo_id)}/releases/tag/{tag}",
                    "id": release_id,
                    "author": user(actor_id),
                    "node_id": f"RE_kwDO{release_id}",
                    "tag_name": tag,
                    "target_commitish": "main",
                    "name": tag,
                    "draft": False,
                    "prerelease": rng.random() < 0.1,
                    "created_at": when,
                    "published_at": when,
                    "assets": [],
                    "body": "## What's changed\n\n* Fixes\n* Improvements\n",
                },
            }
        if kind == "GollumEvent":
            return {
                "pages": [
                    {
                        "page_name": "Home",
                        "title": "Home",
                        "summary": None,
                        "action": "edited",
                        "sha": sha(rng),
                        "html_url": f"{WEB}/{repo_name(repo_id)}/wiki/Home",
                    }
                ]
            }
        if kind == "CommitCommentEvent":
            return {
                "comment": {
                    "id": rng.getrandbits(40),
                    "user": user(actor_id),
                    "body": "Nice.",
                    "commit_id": sha(rng),
                    "created_at": when,
                }
            }
        if kind == "MemberEvent":
            return {"member": user(actor_id + 1), "action": "added"}
        return {}

    def issue(
        self, repo_id: int, number: int, author: int, when: str, on_pull: bool, closed: bool
    ) -> dict[str, Any]:
        body = issue(repo_id, number, author, when, on_pull, closed)
        if self.trimmed:
            del body["author_association"]
        return body

    def pull(
        self, repo_id: int, number: int, author: int, when: str, state: str, merged: bool
    ) -> dict[str, Any]:
        if self.trimmed:
            return trimmed_pull(repo_id, number, self.rng)
        return pull(repo_id, number, author, when, self.rng, state, merged)


def hour_events(
    hour: datetime,
    count: int,
    first_id: int,
    people: Population,
    rng: random.Random,
    np_rng: np.random.Generator,
    trimmed: bool,
    numbers: dict[int, int],
) -> Iterator[dict[str, Any]]:
    kinds = rng.choices([k for k, _ in TYPE_MIX], [w for _, w in TYPE_MIX], k=count)
    repos = people.repo_ids[np_rng.choice(len(people.repo_ids), size=count, p=people.repo_weights)]
    actors = people.actor_ids[
        np_rng.choice(len(people.actor_ids), size=count, p=people.actor_weights)
    ]
    seconds = np.sort(np_rng.integers(0, 3600, size=count))
    writer = Hour(rng, trimmed, numbers)
    for n in range(count):
        kind = kinds[n]
        repo_id = int(repos[n])
        actor_id = int(actors[n])
        when = (hour + timedelta(seconds=int(seconds[n]))).strftime("%Y-%m-%dT%H:%M:%SZ")
        event: dict[str, Any] = {
            "id": str(first_id + n),
            "type": kind,
            "actor": actor(actor_id),
            "repo": {
                "id": repo_id,
                "name": repo_name(repo_id),
                "url": f"{API}/repos/{repo_name(repo_id)}",
            },
            "payload": writer.payload(kind, repo_id, actor_id, when),
            "public": True,
            "created_at": when,
        }
        owner = owner_of(repo_id)
        if owner >= 10_000_000:
            name = login(owner)
            event["org"] = {
                "id": owner,
                "login": name,
                "gravatar_id": "",
                "url": f"{API}/orgs/{name}",
                "avatar_url": f"{WEB}/avatars/u/{owner}?",
            }
        yield event


def generate(
    directory: Path,
    events: int = 1_000_000,
    seed: int = 7,
    *,
    per_hour: int = 50_000,
    trimmed_share: float = 0.0,
    start: datetime = datetime(2025, 9, 1, tzinfo=UTC),
    level: int = 6,
) -> list[Path]:
    """Write ``events`` events as consecutive hourly files from ``start`` into
    ``directory``; the last ``trimmed_share`` of the hours in the trimmed shape. Returns
    the files in time order. The same arguments always give the same bytes."""
    directory.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    np_rng = np.random.default_rng(seed)
    people = population(events, np_rng)
    hours = max(1, -(-events // per_hour))
    first_trimmed = hours - round(hours * trimmed_share)
    written: list[Path] = []
    numbers: dict[int, int] = {}
    done = 0
    for index in range(hours):
        hour = start + timedelta(hours=index)
        count = min(per_hour, events - done)
        path = directory / f"{hour:%Y-%m-%d}-{hour.hour}.json.gz"
        lines = [
            orjson.dumps(event)
            for event in hour_events(
                hour,
                count,
                40_000_000_000 + done,
                people,
                rng,
                np_rng,
                index >= first_trimmed,
                numbers,
            )
        ]
        with gzip.open(path, "wb", compresslevel=level) as handle:
            handle.write(b"\n".join(lines) + b"\n")
        written.append(path)
        done += count
    return written


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("directory", type=Path)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--per-hour", type=int, default=50_000)
    parser.add_argument("--trimmed-share", type=float, default=0.0)
    args = parser.parse_args()
    files = generate(
        args.directory,
        args.events,
        args.seed,
        per_hour=args.per_hour,
        trimmed_share=args.trimmed_share,
    )
    size = sum(f.stat().st_size for f in files)
    print(f"wrote {len(files)} hourly files, {args.events} events, {size / 1e6:.1f} MB compressed")


if __name__ == "__main__":
    main()
