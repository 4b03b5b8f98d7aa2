"""HEAD on the index pages: the headers a GET would carry (type, ETag, caching, Vary), no
body, and the same redirect for an un-normalized name."""

from __future__ import annotations

import httpx

from tests.index.pypi.conftest import Harness

JSON = "application/vnd.pypi.simple.v1+json"


def test_head_of_a_page_answers_its_get_headers_without_a_body(harness: Harness) -> None:
    for url in (harness.simple, harness.simple + "demo-a/"):
        got = httpx.get(url, headers={"Accept": JSON})
        head = httpx.head(url, headers={"Accept": JSON})
        assert got.status_code == head.status_code == 200
        assert head.content == b""
        for header in ("content-type", "etag", "cache-control", "vary"):
            assert head.headers[header] == got.headers[header], header


def test_head_of_an_unnormalized_name_redirects(harness: Harness) -> None:
    head = httpx.head(harness.simple + "Demo_A/")
    assert head.status_code == 301
    assert head.headers["location"].endswith("/index/main/simple/demo-a/")
