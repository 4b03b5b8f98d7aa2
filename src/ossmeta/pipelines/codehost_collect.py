"""``ossmeta events fetch``: one repository's activity from a code host's REST API.

Steps, each a method of ``_Collection`` below:

1. **State.** The since-cursor, the validators and the stored repository document.
2. **Repository.** Its document (conditional) gives the id, name and owner every row
   carries, and ``repo_facts``; the server's ``Date`` on that answer is when this run began.
3. **Lists**, sorted newest first so that any change reaches the first page: issues (with
   pull requests), issue comments and review comments by ``updated_at``, releases. Each
   first page is conditional (a 304 means the list is as it was: nothing to read); the
   issue and comment lists stop at the first item older than the cursor. The first-page
   URLs never change between runs (the cursor is applied here, not as a ``since``
   parameter), so an unchanged repository answers 304 to every one of them.
4. **Issue events** (closed, reopened, with who did it): on the first collection the
   repository-wide list, read whole; afterwards the events of each issue that changed,
   whose order does not matter, rather than relying on the order of the repository-wide
   list, which the API does not document.
5. **Per pull request** touched: ``pulls/{n}`` (its id, merge, additions...) and its
   reviews; **per issue** a comment names that no list gave: ``issues/{n}``.
6. **Write.** Rows are staged in the ``events`` dataset in batches (unseen by readers)
   and published at the end (also when a later step failed) with the compaction of their
   months in one swap, where an API row replaces a GH Archive row of the same
   ``event_key``: a reader sees all of a run's rows, deduplicated, or none of them.
7. **Bookkeeping**, in one transaction after the rows: the cursor (the run's start less
   ``CURSOR_OVERLAP``), validators, the repository record and ``repo_facts``.

A run that fails before step 7 stored none of its bookkeeping, so the next run does the
same work again; the rows it had written collapse with the new ones in compaction. A document
that cannot be read (``NormalizeError``) or that vanished (404) is skipped and reported;
everything else that fails ends the run.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable
from contextlib import aclosing
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Final

import pyarrow as pa

from ossmeta.errors import NormalizeError, SourceError, StoreError
from ossmeta.model import RawRecord
from ossmeta.normalizers.codehost_documents import (
    IssueRef,
    PullRef,
    RepoContext,
    embedded_issue,
    is_state_change,
    issue_ref,
    number_from_url,
    pull_ref,
    repo_context,
    updated_at,
)
from ossmeta.normalizers.codehost_events import (
    Row,
    issue_comment_row,
    opened_issue_row,
    opened_pull_row,
    release_row,
    review_comment_row,
    review_row,
    state_change_row,
)
from ossmeta.sources.codehost import KIND_REPO, SOURCE_ID, CodeHostApi, Document, Unchanged
from ossmeta.sources.http import NotFound
from ossmeta.store import Store
from ossmeta.store.activity_files import DATASETS, ActivityFiles, new_owner
from ossmeta.store.codehost_state import CodehostState, RepoFacts, Stored

__all__ = ["BATCH_ROWS", "CURSOR_OVERLAP", "CollectReport", "collect_repo", "utc_now"]

#: Items changed this long before a run began are read again by the next run: the API's
#: clock and its database may disagree by a little, and re-reading costs only duplicates.
CURSOR_OVERLAP: Final = timedelta(minutes=5)
BATCH_ROWS: Final = 50_000

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class CollectReport:
    repo: str
    full: bool  # no cursor yet: everything was read
    requests: int
    not_modified: int
    rows: int  # rows appended (before duplicates collapse)
    months: tuple[str, ...]
    duplicates: int  # rows compaction removed (older copies, GH Archive rows replaced)
    skipped: tuple[str, ...]  # one line per document that could not be used
    cursor: str


async def collect_repo(
    store: Store,
    api: CodeHostApi,
    root: Path,
    *,
    now: Clock = utc_now,
    batch_rows: int = BATCH_ROWS,
) -> CollectReport:
    """Collect ``api.repo`` into the events dataset under ``root``; see the module
    docstring for the steps."""
    collection = _Collection(store, api, root, now, batch_rows)
    return await collection.run()


@dataclass(slots=True)
class _Deferred:
    """Documents that need a pull request or issue fetched later, by its number."""

    pull_events: list[tuple[int, object]] = field(default_factory=list)
    comments: list[tuple[int, object]] = field(default_factory=list)
    review_comments: list[tuple[int, object]] = field(default_factory=list)


class _Collection:
    def __init__(self, store: Store, api: CodeHostApi, root: Path, now: Clock, batch: int):
        self.store = store
        self.api = api
        self.files = ActivityFiles(root, "events")
        self.owner = new_owner()  # rows are staged, unseen, until published in one swap
        self.now = now
        self.batch = batch
        self.repo_url = api.url()
        self.urls = {
            "issues": api.list_url("/issues", state="all", sort="updated", direction="desc"),
            "comments": api.list_url("/issues/comments", sort="updated", direction="desc"),
            "review_comments": api.list_url("/pulls/comments", sort="updated", direction="desc"),
            "releases": api.list_url("/releases"),
        }
        self.stored = Stored(None, {}, None)
        self.since: datetime | None = None
        self.validators: dict[str, tuple[str | None, str | None]] = {}
        self.rows: list[Row] = []
        self.written = 0
        self.months: set[str] = set()
        self.skipped: list[str] = []
        self.issues: dict[int, IssueRef] = {}
        self.pulls: dict[int, PullRef] = {}
        self.changed: set[int] = set()  # issue numbers listed as changed since the cursor
        self.want_pulls: set[int] = set()
        self.want_issues: set[int] = set()
        self.deferred = _Deferred()

    # -- the steps -------------------------------------------------------------------------

    async def run(self) -> CollectReport:
        self.stored = CodehostState(self.store).load(
            SOURCE_ID, KIND_REPO, self.api.repo.key, [self.repo_url, *self.urls.values()]
        )
        if self.stored.cursor:
            self.since = _cursor_time(self.stored.cursor, self.api.repo.key)
        try:
            ctx, record, began = await self._gather()
        finally:
            # The rows of what was read are right even when a later request failed: they
            # are published with the compaction of their months in one swap, so a reader
            # sees all of them, deduplicated, or none (never a row twice).
            self._flush()
            duplicates = self.files.publish(self.owner).dropped if self.months else 0
        cursor = (began - CURSOR_OVERLAP).strftime("%Y-%m-%dT%H:%M:%SZ")
        CodehostState(self.store).save(
            repo_key=self.api.repo.key,
            cursor=cursor,
            validators=self.validators,
            repo_record=record,
            facts=RepoFacts(ctx.archived, ctx.default_branch),
            now=self.now(),
        )
        return CollectReport(
            repo=self.api.repo.key,
            full=self.since is None,
            requests=self.api.requests,
            not_modified=self.api.not_modified,
            rows=self.written,
            months=tuple(sorted(self.months)),
            duplicates=duplicates,
            skipped=tuple(self.skipped),
            cursor=cursor,
        )

    async def _gather(self) -> tuple[RepoContext, RawRecord | None, datetime]:
        """Steps 2 to 5: the context, the repository's record (None when it answered 304)
        and when the run began; the rows wait in ``rows`` or are written in batches."""
        ctx, record, began = await self._repository()
        await self._walk(self.urls["issues"], lambda item: self._issue(ctx, item))
        if self.since is None:
            events = self.api.list_url("/issues/events")
            await self._walk(events, lambda item: self._issue_event(ctx, item), first=False)
        else:
            await self._each(self.changed, lambda n: self._events_of(ctx, n))
        await self._walk(self.urls["comments"], self._comment)
        await self._walk(self.urls["review_comments"], self._review_comment)
        await self._walk(self.urls["releases"], lambda item: self._release(ctx, item), stop=False)
        await self._each(self.want_issues - self.issues.keys(), self._missing_issue)
        await self._each(self.want_pulls, lambda n: self._pull(ctx, n))
        self._resolve(ctx)
        return ctx, record, began

    async def _repository(self) -> tuple[RepoContext, RawRecord | None, datetime]:
        """The repository's context, its raw record when it changed, and the run's start."""
        url = self.repo_url
        held = self.stored.repo_payload
        try:
            answer = await self.api.document(
                url, self.stored.validators.get(url) if held is not None else None
            )
        except NotFound as error:
            raise NotFound(
                f"HTTP 404: no repository {self.api.repo.key} here (check the name, the API "
                "URL and the token's access)",
                url=url,
                status=error.status,
                attempts=error.attempts,
            ) from None
        began = _server_time(answer.date) or self.now()
        if isinstance(answer, Unchanged):
            if held is None:
                raise SourceError("304 to a request that was not conditional", path=url)
            return repo_context(self.api.repo.host, held), None, began
        self.validators[url] = (answer.etag, answer.last_modified)
        ctx = repo_context(self.api.repo.host, answer.payload)
        return ctx, answer.record(KIND_REPO, self.api.repo.key), began

    async def _walk(
        self,
        url: str,
        handle: Callable[[object], None],
        *,
        first: bool = True,
        stop: bool = True,
    ) -> None:
        """Every item of a list to ``handle``. ``first``: the first page is conditional on
        the stored validators and its new ones are kept. ``stop``: the list is sorted
        newest first, so it ends at the first item older than the cursor."""
        validators = self.stored.validators.get(url) if first else None
        async with aclosing(self.api.pages(url, validators)) as pages:
            async for page in pages:
                if isinstance(page, Unchanged):
                    return
                if first and page.number == 1:
                    self.validators[url] = (page.etag, page.last_modified)
                past = False
                for item in page.items:
                    changed = updated_at(item)
                    if stop and self.since and changed is not None and changed < self.since:
                        past = True
                        break
                    self._guarded(handle, item)
                self._flush(self.batch)
                if past:
                    return

    async def _each(self, numbers: Iterable[int], work: Callable[[int], Awaitable[None]]) -> None:
        """``work`` for every number, as many at once as the fetcher allows."""
        pending = iter(sorted(numbers))

        async def worker() -> None:
            for number in pending:
                await work(number)

        width = self.api.concurrency
        tasks = [asyncio.create_task(worker()) for _ in range(width)]
        try:
            await asyncio.gather(*tasks)
        except BaseException:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            raise
        self._flush(self.batch)

    # -- handlers: one API document each ------------------------------------------------------

    def _guarded(self, handle: Callable[[object], None], item: object) -> None:
        try:
            handle(item)
        except NormalizeError as error:
            self.skipped.append(str(error))

    def _issue(self, ctx: RepoContext, item: object) -> None:
        issue = issue_ref(item)
        self.issues[issue.number] = issue
        self.changed.add(issue.number)
        if issue.is_pull:
            self.want_pulls.add(issue.number)
        else:
            self.rows.append(opened_issue_row(ctx, issue))

    def _issue_event(self, ctx: RepoContext, item: object, issue: IssueRef | None = None) -> None:
        if not is_state_change(item):
            return
        issue = issue or embedded_issue(item)
        if issue is None:
            self.skipped.append(_describe(item, "issue-event", "names no issue"))
            return
        self.issues.setdefault(issue.number, issue)
        if issue.is_pull:
            self.want_pulls.add(issue.number)
            self.deferred.pull_events.append((issue.number, item))
            return
        row = state_change_row(ctx, item, issue, None)
        if row is not None:
            self.rows.append(row)

    def _comment(self, item: object) -> None:
        number = number_from_url(item, "issue_url", "issue-comment")
        self.deferred.comments.append((number, item))
        self.want_issues.add(number)

    def _review_comment(self, item: object) -> None:
        number = number_from_url(item, "pull_request_url", "review-comment")
        self.deferred.review_comments.append((number, item))
        self.want_pulls.add(number)

    def _release(self, ctx: RepoContext, item: object) -> None:
        row = release_row(ctx, item)
        if row is not None:
            self.rows.append(row)

    # -- per number ---------------------------------------------------------------------------

    async def _events_of(self, ctx: RepoContext, number: int) -> None:
        issue = self.issues[number]
        url = self.api.list_url(f"/issues/{number}/events")

        def handle(item: object) -> None:
            self._issue_event(ctx, item, issue)

        try:
            # Oldest first and short: read whole (rows of older events collapse as duplicates).
            await self._walk(url, handle, first=False, stop=False)
        except NotFound:
            self.skipped.append(f"{url}: the events of #{number} are gone (HTTP 404)")

    async def _missing_issue(self, number: int) -> None:
        answer = await self._document(f"/issues/{number}")
        if answer is not None:
            self._guarded(self._keep_issue, answer.payload)

    def _keep_issue(self, payload: object) -> None:
        issue = issue_ref(payload)
        self.issues[issue.number] = issue

    async def _pull(self, ctx: RepoContext, number: int) -> None:
        answer = await self._document(f"/pulls/{number}")
        if answer is None:
            return
        try:
            pull = pull_ref(answer.payload)
        except NormalizeError as error:
            self.skipped.append(str(error))
            return
        self.pulls[number] = pull
        self.rows.append(opened_pull_row(ctx, pull))
        reviews = self.api.list_url(f"/pulls/{number}/reviews")

        def review(item: object) -> None:
            row = review_row(ctx, item, pull)
            if row is not None:
                self.rows.append(row)

        await self._walk(reviews, review, first=False, stop=False)

    async def _document(self, path: str) -> Document | None:
        url = self.api.url(path)
        try:
            answer = await self.api.document(url)
        except NotFound:
            self.skipped.append(f"{url}: gone (HTTP 404)")
            return None
        if isinstance(answer, Unchanged):
            raise SourceError("304 to a request that was not conditional", path=url)
        return answer

    def _resolve(self, ctx: RepoContext) -> None:
        """Rows of the documents that waited for their pull request or issue."""
        deferred, self.deferred = self.deferred, _Deferred()
        for number, item in deferred.pull_events:
            pull = self.pulls.get(number)
            try:
                if pull is None:
                    raise _unknown(item, "issue-event", f"pull request #{number}")
                row = state_change_row(ctx, item, self.issues[number], pull)
                if row is not None:
                    self.rows.append(row)
            except NormalizeError as error:
                self.skipped.append(str(error))
        for number, item in deferred.comments:
            issue = self.issues.get(number)
            try:
                if issue is None:
                    raise _unknown(item, "issue-comment", f"issue #{number}")
                self.rows.append(issue_comment_row(ctx, item, issue))
            except NormalizeError as error:
                self.skipped.append(str(error))
        for number, item in deferred.review_comments:
            pull = self.pulls.get(number)
            try:
                if pull is None:
                    raise _unknown(item, "review-comment", f"pull request #{number}")
                self.rows.append(review_comment_row(ctx, item, pull))
            except NormalizeError as error:
                self.skipped.append(str(error))

    # -- writing ------------------------------------------------------------------------------

    def _flush(self, at_least: int = 1) -> None:
        if len(self.rows) < max(at_least, 1):
            return
        table = pa.Table.from_pylist(self.rows, schema=DATASETS["events"].schema)
        self.months.update(self.files.stage(table, self.owner))
        self.written += len(self.rows)
        self.rows = []


def _cursor_time(text: str, repo: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise StoreError(f"the stored cursor of {repo} is not a time: {text[:40]!r}") from None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def _server_time(date: str | None) -> datetime | None:
    if not date:
        return None
    try:
        parsed = parsedate_to_datetime(date)
    except (TypeError, ValueError, IndexError):
        return None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def _describe(item: object, kind: str, problem: str) -> str:
    ident = item.get("id") if isinstance(item, dict) else None
    shown = ident if isinstance(ident, int) and not isinstance(ident, bool) else "?"
    return f"codehost {kind} {shown}: {problem}"


def _unknown(item: object, kind: str, what: str) -> NormalizeError:
    """The error of a document whose issue or pull request could not be fetched."""
    ident = item.get("id") if isinstance(item, dict) else None
    shown = ident if isinstance(ident, int) and not isinstance(ident, bool) else "?"
    return NormalizeError(f"{what} could not be read", path=f"codehost {kind} {shown}")
