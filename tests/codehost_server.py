"""A code host on loopback that answers like GitHub's REST API (v3) for one small synthetic
repository (importable as ``tests.codehost_server``).

The repository is ``tests/data/codehost/widget.json``, written compactly; ``FakeHost``
renders it in GitHub's shapes (users, issues with ``pull_request``, pull requests, issue
events with their ``issue``, comments, reviews, review comments, releases) and serves it
the way GitHub does:

- lists in pages of ``page_size`` items (fewer than the ``per_page=100`` asked for, so a
  small repository still has several pages), with ``Link: <...>; rel="next"`` headers;
  ``per_page`` other than 100 is refused (422), so a client that forgets it fails;
- the sort orders GitHub documents (``sort``/``direction`` on issues and comments; the
  repository's issue events newest first; an issue's events and a pull request's reviews
  oldest first; releases newest first);
- a weak ETag on every answer and 304 to a matching ``If-None-Match``;
- ``Date`` from ``now`` (a time the test sets), ``X-RateLimit-*`` on every answer;
- scripted answers per path (``script``) sent before the real one: a spent rate limit, a
  ``Retry-After``, a 502, a body that is not JSON.

Every request's ``Authorization`` header is kept in ``authorizations``.
"""

from __future__ import annotations

import copy
import hashlib
import json
from collections import deque
from datetime import datetime
from email.utils import formatdate
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode

from tests.loopback import Headers, Response, split

DATA = Path(__file__).parent / "data" / "codehost" / "widget.json"
API_PREFIX = "/api/v3"
JSON_TYPE = "application/json; charset=utf-8"


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


class FakeHost:
    def __init__(self, origin: str, *, page_size: int = 2, now: str = "2024-03-06T00:00:00Z"):
        self.origin = origin
        self.api = origin + API_PREFIX
        self.web = origin + "/web"
        self.data: dict[str, Any] = json.loads(DATA.read_text(encoding="utf-8"))
        self.page_size = page_size
        self.now = at(now)
        self.scripts: dict[str, deque[Response]] = {}
        self.authorizations: list[str | None] = []
        repo = self.data["repo"]
        self.repo_path = f"/repos/{repo['owner']}/{repo['name']}"
        self.repo_api = self.api + self.repo_path

    # -- what tests change -----------------------------------------------------------------

    def script(self, path: str, *answers: Response) -> None:
        """Send ``answers`` (in order) to the next requests for ``path`` (relative to the
        repository: ``/pulls/2``; ``""`` is the repository itself), then the real one."""
        self.scripts.setdefault(path, deque()).extend(answers)

    def date(self) -> str:
        return formatdate(self.now.timestamp(), usegmt=True)

    def rate_limited(self, reset_in: int) -> Response:
        """A spent primary rate limit that resets ``reset_in`` seconds after ``now``."""
        reset = int(self.now.timestamp()) + reset_in
        headers = {
            "Content-Type": JSON_TYPE,
            "Date": self.date(),
            "X-RateLimit-Limit": "5000",
            "X-RateLimit-Remaining": "0",
            "X-RateLimit-Reset": str(reset),
        }
        return 403, headers, b'{"message": "API rate limit exceeded"}'

    def secondary_limit(self, retry_after: int, status: int = 429) -> Response:
        message = b'{"message": "You have exceeded a secondary rate limit."}'
        return status, {"Retry-After": str(retry_after), "Content-Type": JSON_TYPE}, message

    def comment(self, number: int, comment_id: int, user: str, when: str) -> None:
        """A new comment on issue ``number``; the issue's ``updated_at`` moves with it."""
        self.data["comments"].append(
            {
                "id": comment_id,
                "issue": number,
                "user": user,
                "created_at": when,
                "updated_at": when,
                "body": "A new comment.",
            }
        )
        issue = self._issue(number)
        issue["comments"] += 1
        issue["updated_at"] = when

    def close(self, number: int, event_id: int, actor: str, when: str) -> None:
        self.data["events"].append(
            {"id": event_id, "issue": number, "event": "closed", "actor": actor, "created_at": when}
        )
        issue = self._issue(number)
        issue["closed_at"] = when
        issue["updated_at"] = when

    def _issue(self, number: int) -> dict[str, Any]:
        found: dict[str, Any] = next(i for i in self.data["issues"] if i["number"] == number)
        return found

    # -- GitHub's shapes ---------------------------------------------------------------------

    def user(self, login: str | None) -> dict[str, Any] | None:
        if login is None:
            return None
        kind = "Bot" if login.endswith("[bot]") else "User"
        if login == self.data["repo"]["owner"]:
            kind = "Organization"
        ident = self.data["users"][login]
        return {
            "login": login,
            "id": ident,
            "node_id": f"MDQ6VXNlcj{ident}",
            "avatar_url": f"{self.web}/avatars/{ident}",
            "gravatar_id": "",
            "url": f"{self.api}/users/{login}",
            "html_url": f"{self.web}/{login}",
            "type": kind,
            "site_admin": False,
        }

    def repository(self) -> dict[str, Any]:
        r = self.data["repo"]
        full = f"{r['owner']}/{r['name']}"
        return {
            "id": r["id"],
            "node_id": f"MDEwOlJlcG9zaXRvcnk{r['id']}",
            "name": r["name"],
            "full_name": full,
            "private": False,
            "owner": self.user(r["owner"]),
            "html_url": f"{self.web}/{full}",
            "description": r["description"],
            "fork": False,
            "url": self.repo_api,
            "issues_url": self.repo_api + "/issues{/number}",
            "pulls_url": self.repo_api + "/pulls{/number}",
            "releases_url": self.repo_api + "/releases{/id}",
            "created_at": r["created_at"],
            "updated_at": r["updated_at"],
            "pushed_at": r["pushed_at"],
            "homepage": None,
            "size": 108,
            "stargazers_count": 42,
            "watchers_count": 42,
            "language": "Python",
            "has_issues": True,
            "forks_count": 3,
            "archived": r["archived"],
            "disabled": False,
            "open_issues_count": sum(1 for i in self.data["issues"] if not i["closed_at"]),
            "license": {"key": "mit", "name": "MIT License", "spdx_id": "MIT"},
            "topics": ["widgets"],
            "visibility": "public",
            "default_branch": r["default_branch"],
        }

    def issue(self, i: dict[str, Any]) -> dict[str, Any]:
        n = i["number"]
        doc: dict[str, Any] = {
            "url": f"{self.repo_api}/issues/{n}",
            "repository_url": self.repo_api,
            "labels_url": f"{self.repo_api}/issues/{n}/labels{{/name}}",
            "comments_url": f"{self.repo_api}/issues/{n}/comments",
            "events_url": f"{self.repo_api}/issues/{n}/events",
            "html_url": f"{self.web}/{self.repo_path}/issues/{n}",
            "id": i["id"],
            "node_id": f"I_kwDO{i['id']}",
            "number": n,
            "title": i["title"],
            "user": self.user(i["user"]),
            "labels": [],
            "state": "closed" if i["closed_at"] else "open",
            "locked": False,
            "assignee": None,
            "assignees": [],
            "milestone": None,
            "comments": i["comments"],
            "created_at": i["created_at"],
            "updated_at": i["updated_at"],
            "closed_at": i["closed_at"],
            "author_association": "MEMBER" if i["user"] == "alice" else "CONTRIBUTOR",
            "active_lock_reason": None,
            "body": f"About: {i['title']}",
            "reactions": {"url": f"{self.repo_api}/issues/{n}/reactions", "total_count": 0},
            "state_reason": "completed" if i["closed_at"] else None,
        }
        if "pull" in i:
            doc["draft"] = False
            doc["pull_request"] = {
                "url": f"{self.repo_api}/pulls/{n}",
                "html_url": f"{self.web}/{self.repo_path}/pull/{n}",
                "diff_url": f"{self.web}/{self.repo_path}/pull/{n}.diff",
                "patch_url": f"{self.web}/{self.repo_path}/pull/{n}.patch",
                "merged_at": i["pull"]["merged_at"],
            }
        return doc

    def pull(self, i: dict[str, Any]) -> dict[str, Any]:
        p = i["pull"]
        n = i["number"]
        sha = hashlib.sha1(str(p["id"]).encode()).hexdigest()
        return {
            "url": f"{self.repo_api}/pulls/{n}",
            "id": p["id"],
            "node_id": f"PR_kwDO{p['id']}",
            "html_url": f"{self.web}/{self.repo_path}/pull/{n}",
            "issue_url": f"{self.repo_api}/issues/{n}",
            "number": n,
            "state": "closed" if i["closed_at"] else "open",
            "locked": False,
            "title": i["title"],
            "user": self.user(i["user"]),
            "body": f"About: {i['title']}",
            "created_at": i["created_at"],
            "updated_at": i["updated_at"],
            "closed_at": i["closed_at"],
            "merged_at": p["merged_at"],
            "merge_commit_sha": sha if p["merged_at"] else None,
            "assignee": None,
            "assignees": [],
            "requested_reviewers": [],
            "labels": [],
            "draft": False,
            "head": {"label": p["head"], "ref": p["head"].split(":")[1], "sha": sha},
            "base": {"label": f"acme:{p['base']}", "ref": p["base"], "sha": sha[::-1]},
            "author_association": "CONTRIBUTOR",
            "merged": p["merged_at"] is not None,
            "mergeable": None,
            "merged_by": self.user(p["merged_by"]),
            "comments": i["comments"],
            "review_comments": sum(1 for c in self.data["review_comments"] if c["pull"] == n),
            "commits": p["commits"],
            "additions": p["additions"],
            "deletions": p["deletions"],
            "changed_files": p["changed_files"],
        }

    def issue_event(self, e: dict[str, Any], *, embed: bool) -> dict[str, Any]:
        doc: dict[str, Any] = {
            "id": e["id"],
            "node_id": f"CE_lADO{e['id']}",
            "url": f"{self.repo_api}/issues/events/{e['id']}",
            "actor": self.user(e["actor"]),
            "event": e["event"],
            "commit_id": None,
            "commit_url": None,
            "created_at": e["created_at"],
            "performed_via_github_app": None,
        }
        if "label" in e:
            doc["label"] = {"name": e["label"], "color": "a2eeef"}
        if embed:  # the repository-wide list says which issue; an issue's own list not
            doc["issue"] = self.issue(self._issue(e["issue"]))
        return doc

    def issue_comment(self, c: dict[str, Any]) -> dict[str, Any]:
        return {
            "url": f"{self.repo_api}/issues/comments/{c['id']}",
            "html_url": f"{self.web}/{self.repo_path}/issues/{c['issue']}#issuecomment-{c['id']}",
            "issue_url": f"{self.repo_api}/issues/{c['issue']}",
            "id": c["id"],
            "node_id": f"IC_kwDO{c['id']}",
            "user": self.user(c["user"]),
            "created_at": c["created_at"],
            "updated_at": c["updated_at"],
            "author_association": "MEMBER",
            "body": c["body"],
            "performed_via_github_app": None,
        }

    def review(self, r: dict[str, Any]) -> dict[str, Any]:
        doc: dict[str, Any] = {
            "id": r["id"],
            "node_id": f"PRR_kwDO{r['id']}",
            "user": self.user(r["user"]),
            "body": "",
            "state": r["state"],
            "html_url": f"{self.web}/{self.repo_path}/pull/{r['pull']}#pullrequestreview-{r['id']}",
            "pull_request_url": f"{self.repo_api}/pulls/{r['pull']}",
            "author_association": "MEMBER",
            "commit_id": "0" * 40,
        }
        if r["submitted_at"] is not None:  # a pending review has no submitted_at at all
            doc["submitted_at"] = r["submitted_at"]
        return doc

    def review_comment(self, c: dict[str, Any]) -> dict[str, Any]:
        return {
            "url": f"{self.repo_api}/pulls/comments/{c['id']}",
            "pull_request_review_id": c["review"],
            "id": c["id"],
            "node_id": f"PRRC_kwDO{c['id']}",
            "diff_hunk": "@@ -1,3 +1,4 @@",
            "path": c["path"],
            "commit_id": "0" * 40,
            "original_commit_id": "0" * 40,
            "user": self.user(c["user"]),
            "body": c["body"],
            "created_at": c["created_at"],
            "updated_at": c["updated_at"],
            "html_url": f"{self.web}/{self.repo_path}/pull/{c['pull']}#discussion_r{c['id']}",
            "pull_request_url": f"{self.repo_api}/pulls/{c['pull']}",
            "author_association": "MEMBER",
            "line": 3,
            "side": "RIGHT",
        }

    def release(self, r: dict[str, Any]) -> dict[str, Any]:
        url = f"{self.repo_api}/releases/{r['id']}"
        return {
            "url": url,
            "assets_url": url + "/assets",
            "html_url": f"{self.web}/{self.repo_path}/releases/tag/{r['tag_name']}",
            "id": r["id"],
            "node_id": f"RE_kwDO{r['id']}",
            "tag_name": r["tag_name"],
            "target_commitish": "main",
            "name": r["name"],
            "draft": r["draft"],
            "prerelease": r["prerelease"],
            "created_at": r["created_at"],
            "published_at": r["published_at"],
            "author": self.user(r["author"]),
            "assets": [],
            "tarball_url": f"{self.repo_api}/tarball/{r['tag_name']}",
            "zipball_url": f"{self.repo_api}/zipball/{r['tag_name']}",
            "body": f"Release {r['name']}",
        }

    # -- serving -------------------------------------------------------------------------------

    def handle(self, method: str, raw: str, headers: Headers, body: bytes) -> Response:
        self.authorizations.append(headers.get("authorization"))
        path, query = split(raw)
        params = {k: v[-1] for k, v in parse_qs(query, keep_blank_values=True).items()}
        if not path.startswith(API_PREFIX + self.repo_path):
            return self._json(404, {"message": "Not Found"}, headers)
        local = path.removeprefix(API_PREFIX + self.repo_path)
        scripted = self.scripts.get(local)
        if scripted:
            return scripted.popleft()
        answer = self._route(local, params)
        if answer is None:
            return self._json(404, {"message": "Not Found"}, headers)
        if isinstance(answer, dict):
            return self._json(200, answer, headers)
        if params.get("per_page") != "100":
            return self._json(422, {"message": "per_page must be 100 here"}, headers)
        return self._page(path, params, answer, headers)

    def _route(self, local: str, params: dict[str, str]) -> dict[str, Any] | list[Any] | None:
        d = self.data
        parts = local.strip("/").split("/") if local else []
        issues = {i["number"]: i for i in d["issues"]}
        if not parts:
            return self.repository()
        if parts == ["issues"]:
            if params.get("state") != "all":
                return [self.issue(i) for i in d["issues"] if not i["closed_at"]]
            return [self.issue(i) for i in _sorted(d["issues"], params, "created")]
        if parts == ["issues", "events"]:
            newest = sorted(d["events"], key=lambda e: -e["id"])
            return [self.issue_event(e, embed=True) for e in newest]
        if parts == ["issues", "comments"]:
            return [self.issue_comment(c) for c in _sorted(d["comments"], params, None)]
        if parts == ["pulls", "comments"]:
            return [self.review_comment(c) for c in _sorted(d["review_comments"], params, None)]
        if parts == ["releases"]:
            newest = sorted(d["releases"], key=lambda r: r["created_at"], reverse=True)
            return [self.release(r) for r in newest]
        if len(parts) >= 2 and parts[1].isdigit() and int(parts[1]) in issues:
            issue = issues[int(parts[1])]
            n = issue["number"]
            if parts == ["issues", parts[1]]:
                return self.issue(issue)
            if parts == ["issues", parts[1], "events"]:
                own = sorted((e for e in d["events"] if e["issue"] == n), key=lambda e: e["id"])
                return [self.issue_event(e, embed=False) for e in own]
            if "pull" in issue and parts == ["pulls", parts[1]]:
                return self.pull(issue)
            if "pull" in issue and parts == ["pulls", parts[1], "reviews"]:
                mine = sorted((r for r in d["reviews"] if r["pull"] == n), key=lambda r: r["id"])
                return [self.review(r) for r in mine]
        return None

    def _page(
        self, path: str, params: dict[str, str], items: list[Any], headers: Headers
    ) -> Response:
        page = int(params.get("page", "1"))
        size = self.page_size
        last = max(1, -(-len(items) // size))
        chosen = items[(page - 1) * size : page * size]
        links = []

        def link(number: int, rel: str) -> str:
            query = urlencode({**params, "page": number})
            return f'<{self.origin}{path}?{query}>; rel="{rel}"'

        if page < last:
            links += [link(page + 1, "next"), link(last, "last")]
        if page > 1:
            links += [link(1, "first"), link(page - 1, "prev")]
        extra = {"Link": ", ".join(links)} if links else {}
        return self._json(200, chosen, headers, extra)

    def _json(
        self, status: int, payload: object, request: Headers, extra: Headers | None = None
    ) -> Response:
        body = json.dumps(payload, indent=1).encode()
        etag = 'W/"' + hashlib.sha256(body).hexdigest()[:32] + '"'
        answer = {
            "Content-Type": JSON_TYPE,
            "Date": self.date(),
            "X-RateLimit-Limit": "5000",
            "X-RateLimit-Remaining": "4999",
            "X-RateLimit-Reset": str(int(self.now.timestamp()) + 3600),
            **(extra or {}),
        }
        if status == 200:
            answer["ETag"] = etag
            if request.get("if-none-match") == etag:
                return 304, {k: v for k, v in answer.items() if k != "Content-Type"}, b""
        return status, answer, body


def _sorted(items: list[dict[str, Any]], params: dict[str, str], default: str | None) -> list[Any]:
    """``sort`` (created | updated) and ``direction`` as GitHub reads them; without
    ``sort``, ``default`` descending, or by id ascending when there is no default."""
    field = params.get("sort") or default
    if field is None:
        return sorted(items, key=lambda i: i["id"])
    reverse = params.get("direction", "desc") == "desc"
    key = f"{field}_at"
    return sorted(copy.copy(items), key=lambda i: (i[key], i["id"]), reverse=reverse)
