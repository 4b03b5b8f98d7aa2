"""The pure rules of ``build_evidence`` on hand-made event rows: a merge is void with its
pull request, a review of one's own pull request is no review, a mentor's words before the
pull request existed are no answer, and a pull request without an answer is counted as such."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from ossmeta.analyses.program_evidence import Identities, PullCommits, Window, build_evidence

STUDENT = Identities(frozenset({"stu"}), frozenset({"stu@uni.edu"}))
MENTOR = Identities(frozenset({"men"}), frozenset({"men@org.dev"}))
WINDOW = Window(datetime(2024, 5, 1), datetime(2024, 6, 1), datetime(2024, 9, 1))


def row(
    key: str, kind: str, action: str, when: str, actor: str, number: int, **more: Any
) -> dict[str, Any]:
    base: dict[str, Any] = {
        "event_key": key, "type": kind, "action": action, "created_at": datetime.fromisoformat(when),
        "actor_login": actor, "issue_number": number, "issue_title": f"#{number}",
        "issue_author_login": actor, "issue_is_pull": True, "issue_comment_id": None,
        "pull_merged": None, "pull_merged_at": None, "pull_review_id": None,
        "pull_review_comment_id": None,
    }  # fmt: skip
    base.update(more)
    return base


def test_rules() -> None:
    events = [
        # #1 opened before the announcement, merged inside the window: both void
        row("o1", "PullRequestEvent", "opened", "2024-04-20T00:00", "stu", 1),
        row(
            "m1",
            "PullRequestEvent",
            "closed",
            "2024-06-10T00:00",
            "men",
            1,
            issue_author_login="stu",
            pull_merged=True,
            pull_merged_at=datetime(2024, 6, 10),
        ),
        # #2 opened in the window; the mentor spoke before on a different pull request only
        row("o2", "PullRequestEvent", "opened", "2024-06-02T00:00", "stu", 2),
        row(
            "r2",
            "PullRequestReviewEvent",
            "created",
            "2024-06-02T05:00",
            "stu",
            2,
            issue_author_login="stu",
            pull_review_id=9,
        ),
        row(
            "c2",
            "PullRequestReviewCommentEvent",
            "created",
            "2024-06-03T00:00",
            "men",
            2,
            issue_author_login="stu",
            pull_review_comment_id=77,
        ),
        # #3 opened in the window, never answered
        row("o3", "PullRequestEvent", "opened", "2024-07-01T00:00", "stu", 3),
        # #4: someone else's, reviewed by the student
        row(
            "r4",
            "PullRequestReviewEvent",
            "created",
            "2024-07-02T00:00",
            "stu",
            4,
            issue_author_login="other",
            pull_review_id=10,
        ),
    ]
    commits = [
        {"sha": "m", "author_email": "STU@uni.edu", "author_time": datetime(2024, 6, 5),
         "is_merge": True},
        {"sha": "a", "author_email": "STU@uni.edu", "author_time": datetime(2024, 6, 5),
         "is_merge": False},
    ]  # fmt: skip
    pulls = {2: PullCommits(2, True, (("x", "men@org.dev", None), ("y", "stu@uni.edu", None)))}
    found = build_evidence(
        "h/o/r", "https://h/o/r", events, commits, STUDENT, MENTOR, WINDOW, pulls
    )
    # the merge of #1 is void with it, even though it happened inside the window
    assert [(i.kind, i.id) for i in found.before_announcement] == [
        ("pr_opened", "o1"), ("pr_merged", "m1"),
    ]  # fmt: skip
    # a merge commit is no contribution; a review of one's own pull request is no review
    assert [(i.kind, i.id) for i in found.counted] == [
        ("pr_opened", "o2"), ("commit", "a"), ("pr_opened", "o3"), ("pr_reviewed", "r4"),
    ]  # fmt: skip
    assert found.totals["pr_merged"] == 0 and found.totals["pr_reviewed"] == 1
    assert [c.sha for c in found.mentor_commits] == ["x"]
    assert found.unchecked_pulls == (3,)
    assert [r.waited for r in found.responsiveness.responses] == [timedelta(days=1), None]
    assert found.responsiveness.unanswered == 1
    assert found.responsiveness.median == found.responsiveness.max == timedelta(days=1)
    assert found.counted[-1].url == "https://h/o/r/pull/4#pullrequestreview-10"
