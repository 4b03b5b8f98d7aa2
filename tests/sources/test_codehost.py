"""The code-host source against a GitHub-shaped server on 127.0.0.1: paging by ``Link``,
conditional first pages, the token, rate limits (a spent quota's reset, ``Retry-After``)
waited through an injected clock, and the failures that must stay one line."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable, Iterator
from typing import Any, TypeVar

import pytest

from ossmeta.errors import SourceError, UsageError
from ossmeta.sources.codehost import (
    ACCEPT,
    CodeHostApi,
    Document,
    Page,
    RepoRef,
    Unchanged,
    next_link,
    parse_repo,
)
from ossmeta.sources.http import (
    AccessDenied,
    Fetcher,
    HttpSettings,
    NotFound,
    RateLimited,
    RetriesExhausted,
)
from ossmeta.sources.http_pacing import parse_rate_limit_reset
from tests.codehost_server import JSON_TYPE, FakeHost
from tests.loopback import Loopback, serve

T = TypeVar("T")
REPO = RepoRef("github.com", "acme", "widget")
TOKEN = "s3cret-token-value"


class FakeClock:
    """Virtual time: sleeping moves the clock instead of waiting."""

    def __init__(self) -> None:
        self.t = 1000.0
        self.sleeps: list[float] = []

    def now(self) -> float:
        return self.t

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.t += seconds
        await asyncio.sleep(0)


@pytest.fixture
def server() -> Iterator[tuple[Loopback, FakeHost]]:
    with serve(quiet=True) as loopback:
        host = FakeHost(loopback.origin)
        loopback.handler = host.handle
        yield loopback, host


def settings(**changes: Any) -> HttpSettings:
    base: dict[str, Any] = {
        "trust_env": False,
        "rate_per_host": None,
        "backoff_base": 0.01,
        "backoff_cap": 0.05,
        "max_retries": 2,
        "read_timeout": 5.0,
    }
    base.update(changes)
    return HttpSettings(**base)


def with_api(
    host: FakeHost,
    action: Callable[[CodeHostApi], Awaitable[T]],
    *,
    token: str | None = TOKEN,
    clock: FakeClock | None = None,
    **changes: Any,
) -> T:
    async def go() -> T:
        async with Fetcher(settings(**changes), clock=clock, rng=random.Random(5)) as fetcher:
            return await action(CodeHostApi(fetcher, host.api, REPO, token=token))

    return asyncio.run(go())


async def every_page(
    api: CodeHostApi, url: str, validators: tuple[str | None, str | None] | None = None
) -> list[Page | Unchanged]:
    return [page async for page in api.pages(url, validators)]


# ------------------------------------------------------------------ names and links


def test_parse_repo() -> None:
    assert parse_repo("github.com/acme/widget").key == "github.com/acme/widget"
    assert parse_repo(" https://GitHub.com/acme/widget.git/ ") == RepoRef(
        "github.com", "acme", "widget"
    )
    assert parse_repo("codehost.example:8443/a-b/c.d_e").host == "codehost.example:8443"
    for bad in ("acme/widget", "github.com/acme", "github.com/acme/../x", "h/a/b/c", "h/a b/c"):
        with pytest.raises(UsageError, match="host/owner/name"):
            parse_repo(bad)


def test_next_link() -> None:
    header = '<https://h.example/x?page=2>; rel="next", <https://h.example/x?page=5>; rel="last"'
    assert next_link(header) == "https://h.example/x?page=2"
    assert next_link('<https://h.example/x?page=1>; rel="prev first"') is None
    assert next_link('<https://h.example/a>; rel="prev next"') == "https://h.example/a"
    assert next_link("<https://h.example/b>; title=x; REL=next") == "https://h.example/b"
    assert next_link(None) is None and next_link("") is None and next_link("junk") is None


def test_urls_are_built_once_and_quoted() -> None:
    async def build(fetcher: Fetcher) -> tuple[str, str, str]:
        api = CodeHostApi(fetcher, "https://codehost.example/api/v3/", REPO, token=TOKEN)
        return api.url(), api.list_url("/issues", state="all"), repr(api)

    async def go() -> tuple[str, str, str]:
        async with Fetcher(settings()) as fetcher:
            return await build(fetcher)

    repo, issues, shown = asyncio.run(go())
    assert repo == "https://codehost.example/api/v3/repos/acme/widget"
    assert issues == repo + "/issues?state=all&per_page=100"
    assert TOKEN not in shown and "acme/widget" in shown


def test_an_api_url_that_is_not_http_is_a_usage_error() -> None:
    async def go() -> None:
        async with Fetcher(settings()) as fetcher:
            CodeHostApi(fetcher, "ftp://codehost.example", REPO)

    with pytest.raises(UsageError, match="must be http"):
        asyncio.run(go())


# ------------------------------------------------------------------ paging and validators


def test_pages_follow_the_next_link_to_the_end(server: tuple[Loopback, FakeHost]) -> None:
    loopback, host = server

    async def run(api: CodeHostApi) -> list[Page | Unchanged]:
        return await every_page(api, api.list_url("/issues", state="all", sort="updated"))

    pages = with_api(host, run)
    assert [type(p) for p in pages] == [Page, Page, Page]  # 5 issues, 2 a page: 2 + 2 + 1
    numbers = [item["number"] for page in pages if isinstance(page, Page) for item in page.items]
    # sort=updated, newest first: #5 (03-01), #4 (02-11), #3 (02-05), #2 (02-01), #1 (01-12)
    assert numbers == [5, 4, 3, 2, 1]
    assert [p.number for p in pages if isinstance(p, Page)] == [1, 2, 3]
    paths = [r.path for r in loopback.requests]
    assert paths[0].endswith("/issues?state=all&sort=updated&per_page=100")
    # Later pages are exactly the Link targets the server gave.
    assert [p.next_url for p in pages if isinstance(p, Page)] == [
        loopback.origin + paths[1],
        loopback.origin + paths[2],
        None,
    ]
    assert all(r.headers["accept"] == ACCEPT for r in loopback.requests)


def test_a_304_first_page_ends_the_list(server: tuple[Loopback, FakeHost]) -> None:
    loopback, host = server
    first = with_api(host, lambda api: every_page(api, api.list_url("/releases")))
    assert isinstance(first[0], Page) and first[0].etag and first[0].date
    before = len(loopback.requests)

    async def again(api: CodeHostApi) -> tuple[list[Page | Unchanged], int, int]:
        assert isinstance(first[0], Page)
        got = await every_page(api, api.list_url("/releases"), (first[0].etag, None))
        return got, api.requests, api.not_modified

    pages, requests, not_modified = with_api(host, again)
    assert len(pages) == 1 and isinstance(pages[0], Unchanged)
    assert (requests, not_modified, len(loopback.requests) - before) == (1, 1, 1)
    assert loopback.requests[-1].headers["if-none-match"] == first[0].etag


def test_a_document_and_its_304(server: tuple[Loopback, FakeHost]) -> None:
    _, host = server
    doc = with_api(host, lambda api: api.document(api.url()))
    assert isinstance(doc, Document) and doc.payload["full_name"] == "acme/widget"
    record = doc.record("codehost-repo", REPO.key)
    assert (record.provenance.source, record.provenance.locator) == ("codehost", doc.url)
    again = with_api(host, lambda api: api.document(api.url(), (doc.etag, None)))
    assert isinstance(again, Unchanged) and again.etag == doc.etag


def test_the_token_goes_as_a_bearer_header_or_not_at_all(
    server: tuple[Loopback, FakeHost],
) -> None:
    _, host = server
    with_api(host, lambda api: api.document(api.url()))
    with_api(host, lambda api: api.document(api.url()), token=None)
    assert host.authorizations == [f"Bearer {TOKEN}", None]


# ------------------------------------------------------------------ rate limits


def test_a_spent_quota_waits_until_its_reset(server: tuple[Loopback, FakeHost]) -> None:
    loopback, host = server
    host.script("/pulls/2", host.rate_limited(reset_in=42))
    clock = FakeClock()
    doc = with_api(host, lambda api: api.document(api.url("/pulls/2")), clock=clock)
    assert isinstance(doc, Document) and doc.payload["id"] == 7002
    # The reset is 42 s after the answer's Date: the wait, measured on the server's clock.
    assert clock.sleeps == [42.0]
    assert sum(1 for r in loopback.requests if r.path.endswith("/pulls/2")) == 2


def test_a_429_waits_for_retry_after(server: tuple[Loopback, FakeHost]) -> None:
    _, host = server
    host.script("/releases", host.secondary_limit(7))
    clock = FakeClock()
    pages = with_api(host, lambda api: every_page(api, api.list_url("/releases")), clock=clock)
    assert len(pages) == 2 and clock.sleeps == [7.0]


def test_a_403_secondary_limit_waits_for_retry_after(server: tuple[Loopback, FakeHost]) -> None:
    _, host = server
    host.script("", host.secondary_limit(60, status=403))
    clock = FakeClock()
    doc = with_api(host, lambda api: api.document(api.url()), clock=clock)
    assert isinstance(doc, Document) and clock.sleeps == [60.0]


def test_a_reset_beyond_the_longest_wait_fails_at_once(server: tuple[Loopback, FakeHost]) -> None:
    loopback, host = server
    host.script("", host.rate_limited(reset_in=3600))
    clock = FakeClock()
    with pytest.raises(RateLimited) as caught:
        with_api(host, lambda api: api.document(api.url()), clock=clock, rate_limit_max_wait=600)
    message = str(caught.value)
    assert message == (
        f"{host.repo_api}: HTTP 403 Forbidden: the rate limit is spent for 3600 s more, "
        "longer than the longest wait allowed (600 s); try again later"
    )
    assert clock.sleeps == [] and len(loopback.requests) == 1
    assert TOKEN not in message


def test_a_plain_403_is_access_denied(server: tuple[Loopback, FakeHost]) -> None:
    _, host = server
    host.script("", (403, {"Content-Type": JSON_TYPE}, b'{"message": "Resource not accessible"}'))
    clock = FakeClock()
    with pytest.raises(AccessDenied, match="HTTP 403 Forbidden"):
        with_api(host, lambda api: api.document(api.url()), clock=clock)
    assert clock.sleeps == []


def test_parse_rate_limit_reset() -> None:
    date = "Wed, 06 Mar 2024 00:00:00 GMT"  # 1709683200
    assert parse_rate_limit_reset("0", "1709683242", date) == 42.0
    assert parse_rate_limit_reset("0", "1709683100", date) == 0.0  # already past
    assert parse_rate_limit_reset("1", "1709683242", date) is None  # quota not spent
    assert parse_rate_limit_reset(None, "1709683242", date) is None
    assert parse_rate_limit_reset("0", "soon", date) is None
    assert parse_rate_limit_reset("0", None) is None
    with pytest.raises(ValueError, match="rate_limit_max_wait"):
        HttpSettings(rate_limit_max_wait=-1)


# ------------------------------------------------------------------ failures, one line each


def test_404_is_not_found(server: tuple[Loopback, FakeHost]) -> None:
    _, host = server

    async def missing(api: CodeHostApi) -> object:
        return await api.document(api.base + "/repos/acme/nothing")

    with pytest.raises(NotFound) as caught:
        with_api(host, missing)
    assert str(caught.value) == f"{host.api}/repos/acme/nothing: HTTP 404 Not Found"


def test_5xx_after_the_retries(server: tuple[Loopback, FakeHost]) -> None:
    _, host = server
    host.script("", *[(502, {}, b"bad gateway")] * 3)
    with pytest.raises(RetriesExhausted) as caught:
        with_api(host, lambda api: api.document(api.url()), max_retries=2)
    assert str(caught.value) == f"{host.repo_api}: gave up after 3 attempts: HTTP 502 Bad Gateway"


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        (b'{"id": 1,', "invalid JSON: "),
        (b"<html>maintenance</html>", "invalid JSON: "),
        (b'{"id": 1}', "expected a JSON array, got dict"),
        (b"null", "expected a JSON array, got null"),
    ],
)
def test_a_page_that_is_not_a_json_array_names_its_url(
    server: tuple[Loopback, FakeHost], body: bytes, problem: str
) -> None:
    _, host = server
    host.script("/releases", (200, {"Content-Type": JSON_TYPE}, body))
    with pytest.raises(SourceError) as caught:
        with_api(host, lambda api: every_page(api, api.list_url("/releases")))
    message = str(caught.value)
    assert message.startswith(f"{host.repo_api}/releases?per_page=100: {problem}")
    assert "\n" not in message


def test_a_document_that_is_not_an_object(server: tuple[Loopback, FakeHost]) -> None:
    _, host = server
    host.script("", (200, {}, b"[1, 2]"))
    with pytest.raises(SourceError, match="expected a JSON object, got list"):
        with_api(host, lambda api: api.document(api.url()))


def test_a_next_link_off_the_api_origin_is_refused(server: tuple[Loopback, FakeHost]) -> None:
    loopback, host = server
    elsewhere = '<http://127.0.0.2:9/steal?page=2>; rel="next"'
    host.script("/releases", (200, {"Link": elsewhere}, b"[]"))
    with pytest.raises(SourceError, match="leaves the API's origin"):
        with_api(host, lambda api: every_page(api, api.list_url("/releases")))
    assert len(loopback.requests) == 1  # the token never went anywhere else


def test_a_next_link_back_to_a_page_already_read_is_refused(
    server: tuple[Loopback, FakeHost],
) -> None:
    _, host = server

    async def run(api: CodeHostApi) -> list[Page | Unchanged]:
        url = api.list_url("/releases")
        host.script("/releases", (200, {"Link": f'<{url}>; rel="next"'}, b"[]"))
        return await every_page(api, url)

    with pytest.raises(SourceError, match="repeats a page"):
        with_api(host, run)
