"""The npm registry source against a real HTTP server on 127.0.0.1.

The server serves the packuments in ``tests/data/registries/npm/`` (``{{registry}}`` in a
file becomes the server's own URL, as a registry's tarball links point at itself) by the
raw request path, so a wrongly encoded scoped name misses; it also serves a replication
changes feed with integer sequences (``/replicate``) and the same feed with string
sequences as older CouchDB feeds gave them (``/couch``).
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Iterator
from functools import partial
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import parse_qs, urlsplit

import orjson
import pytest

from ossmeta.errors import SourceError
from ossmeta.sources.http import Fetcher, FetchError, NotFound
from ossmeta.sources.npm import (
    ACCEPT_FULL,
    KIND_PACKUMENT,
    README_LIMIT,
    ChangesPage,
    Fetch,
    NotModified,
    canonical,
    changes_since,
    fetch_packument,
    iter_changes,
    packument_url,
)
from tests.loopback import (
    Failures,
    Headers,
    Loopback,
    Response,
    conditional,
    etag_of,
    run_fetcher,
    serve,
    split,
    substituted,
)

T = TypeVar("T")
DATA = Path(__file__).parents[1] / "data" / "registries" / "npm"

# Raw request path -> fixture file. Scoped names are routed only in their encoded form.
PACKUMENTS = {
    "/tinyfold": "tinyfold.json",
    "/@acme%2fwidgets": "@acme__widgets.json",
    "/gridpane": "gridpane.json",
    "/gone-pkg": "gone-pkg.json",
    "/renamed-pkg": "renamed-pkg.json",
}

# (seq, id, deleted): duplicates inside a page (tinyfold) and across pages (@acme/widgets),
# a design document, and a package changed then deleted on the same page (gone-pkg).
FEED = [
    (1, "tinyfold", False),
    (2, "@acme/widgets", False),
    (3, "tinyfold", False),
    (4, "_design/app", False),
    (5, "gone-pkg", False),
    (6, "gone-pkg", True),
    (7, "gridpane", False),
    (8, "@acme/widgets", False),
]


def string_seq(n: int) -> str:
    """A CouchDB 2-style opaque sequence: a number, a dash and an encoded vector clock."""
    token = hashlib.sha256(str(n).encode()).hexdigest()[:24]
    return f"{n}-g1AAAAB7eJzLYWBg4MhgTmHgz8tPSTV0_{token}"


# ------------------------------------------------------------------ the loopback server


class _State:
    def __init__(self, server: Loopback) -> None:
        self.hits = server.hits  # raw path -> requests seen
        self.accept: dict[str, str | None] = {}
        self.throttle = Failures(429, b'{"error":"rate limited"}', retry_after="1")


def _json(status: int, doc: object) -> Response:
    return status, {"Content-Type": "application/json"}, json.dumps(doc).encode()


def _handle(server: Loopback, method: str, raw: str, headers: Headers, body: bytes) -> Response:
    state: _State = server.state
    path = split(raw)[0]  # raw as sent: never unquoted, so %2f stays %2f
    state.accept[raw] = headers.get("accept")
    throttled = state.throttle.take(path)
    if throttled is not None:
        return throttled
    if path.endswith("/_changes"):
        return _changes(path.removesuffix("/_changes"), parse_qs(urlsplit(raw).query))
    if path == "/broken-json":
        return 200, {}, b'{"name": "broken-json", "versions": {"1.0.0": {'
    if path == "/array-json":
        return _json(200, ["broken-json"])
    if path in PACKUMENTS:
        document = substituted(DATA / PACKUMENTS[path], {"{{registry}}": server.base})
        answer = {
            "Content-Type": "application/json",
            "Last-Modified": "Tue, 14 Feb 2023 09:30:45 GMT",
        }
        return conditional(headers, 200, answer, document, etag=etag_of(document, length=32))
    return _json(404, {"error": "Not found"})


def _changes(feed: str, query: dict[str, list[str]]) -> Response:
    since = query.get("since", ["0"])[0]
    limit = int(query.get("limit", ["1000"])[0])
    if feed == "/bad-feed":
        return 200, {}, b'{"results": [{"seq": 1, "id": "tinyfold"'
    if feed == "/stuck":
        rows = [{"seq": since, "id": "tinyfold", "changes": [{"rev": "1-a"}]}] * limit
        return _json(200, {"results": rows, "last_seq": since})
    as_string = feed == "/couch"
    if feed not in ("/replicate", "/couch"):
        return _json(404, {"error": "not_found", "reason": "Database does not exist."})
    seqs: list[int | str] = [string_seq(n) if as_string else n for n, _, _ in FEED]
    if since == "0":
        start = 0
    elif (since if as_string else int(since)) in seqs:
        start = seqs.index(since if as_string else int(since)) + 1
    else:
        # The sequence must come back exactly as the feed gave it.
        return _json(400, {"error": "bad_request", "reason": f"Malformed sequence {since}"})
    results: list[dict[str, object]] = []
    for seq, (n, doc_id, deleted) in list(zip(seqs, FEED, strict=True))[start : start + limit]:
        row: dict[str, object] = {"seq": seq, "id": doc_id, "changes": [{"rev": f"{n}-ab{n}"}]}
        if deleted:
            row["deleted"] = True
        results.append(row)
    last_seq = results[-1]["seq"] if results else (since if as_string else int(since))
    return _json(200, {"results": results, "last_seq": last_seq})


@pytest.fixture(scope="module")
def registry() -> Iterator[Loopback]:
    with serve() as server:
        server.state = _State(server)
        server.handler = partial(_handle, server)
        yield server


# ------------------------------------------------------------------ helpers


run = run_fetcher


def packument(registry: Loopback, name: str, **kw: Any) -> Fetch:
    got = run(lambda f: fetch_packument(f, registry.base, name, **kw))
    assert isinstance(got, Fetch)
    return got


def served(registry: Loopback, filename: str) -> dict[str, Any]:
    text = (DATA / filename).read_text(encoding="utf-8")
    loaded: dict[str, Any] = json.loads(text.replace("{{registry}}", registry.base))
    return loaded


def pages(registry: Loopback, feed: str, since: str | int, limit: int) -> list[ChangesPage]:
    async def collect(fetcher: Fetcher) -> list[ChangesPage]:
        return [
            page async for page in iter_changes(fetcher, registry.base + feed, since, limit=limit)
        ]

    return run(collect)


# ------------------------------------------------------------------ packuments


def test_packument_url_encodes_the_scope_slash() -> None:
    assert packument_url("http://127.0.0.1:1", "tinyfold") == "http://127.0.0.1:1/tinyfold"
    assert (
        packument_url("http://127.0.0.1:1/", "@acme/widgets")
        == "http://127.0.0.1:1/@acme%2fwidgets"
    )
    assert (
        packument_url("http://127.0.0.1:1/mirror/", "@a b/c")
        == "http://127.0.0.1:1/mirror/@a%20b%2fc"
    )
    with pytest.raises(SourceError):
        packument_url("http://127.0.0.1:1", "")


def test_plain_packument_is_kept_exactly_as_given(registry: Loopback) -> None:
    got = packument(registry, "tinyfold")
    record = got.record
    expected = served(registry, "tinyfold.json")
    assert record.kind == KIND_PACKUMENT == "npm-packument"
    assert record.external_id == "tinyfold"
    assert record.modified == "2023-02-14T09:30:45.123Z"
    assert record.payload == expected
    assert record.provenance.source == "npm"
    assert record.provenance.locator == f"{registry.base}/tinyfold"
    assert record.canonical_json == orjson.dumps(expected, option=orjson.OPT_SORT_KEYS).decode()
    assert (
        record.provenance.content_hash == hashlib.sha256(record.canonical_json.encode()).hexdigest()
    )
    assert (got.unpublished, got.dropped) == (False, ())
    assert got.etag is not None and got.etag.startswith('"')
    assert got.last_modified == "Tue, 14 Feb 2023 09:30:45 GMT"
    # The full document, not the abbreviated install format.
    assert registry.state.accept["/tinyfold"] == ACCEPT_FULL == "application/json"


def test_every_legacy_licence_shape_and_the_deprecation_survive(registry: Loopback) -> None:
    versions: Any = packument(registry, "tinyfold").record.payload["versions"]
    assert versions["0.1.0"]["license"] == {
        "type": "MIT",
        "url": "https://opensource.org/licenses/MIT",
    }
    assert [entry["type"] for entry in versions["0.2.0"]["licenses"]] == ["MIT", "Apache-2.0"]
    assert versions["0.3.0"]["license"] == "(MIT OR Apache-2.0)"
    assert versions["0.3.0"]["deprecated"].startswith("0.3.0 corrupts")
    assert versions["1.0.0"]["license"] == "MIT"
    assert "deprecated" not in versions["1.0.0"]
    dist = versions["1.0.0"]["dist"]
    assert set(dist) >= {"tarball", "shasum", "integrity", "fileCount", "unpackedSize"}
    assert dist["tarball"] == f"{registry.base}/tinyfold/-/tinyfold-1.0.0.tgz"
    assert versions["1.0.0"]["_npmUser"] == {"name": "alice", "email": "alice@example.com"}


def test_scoped_package_requests_the_encoded_path(registry: Loopback) -> None:
    got = packument(registry, "@acme/widgets")
    assert got.record.external_id == "@acme/widgets"
    assert got.record.provenance.locator == f"{registry.base}/@acme%2fwidgets"
    assert registry.state.hits["/@acme%2fwidgets"] >= 1
    assert registry.state.hits["/@acme/widgets"] == 0
    assert got.record.payload["dist-tags"] == {"latest": "2.1.0", "next": "2.2.0-beta.1"}


def test_peer_optional_and_bundled_dependencies_in_both_spellings(registry: Loopback) -> None:
    payload: Any = packument(registry, "gridpane").record.payload
    old, new = payload["versions"]["3.0.0"], payload["versions"]["3.1.0"]
    assert old["bundleDependencies"] == ["left-pad-lite"] and "bundledDependencies" not in old
    assert new["bundledDependencies"] == ["left-pad-lite"] and "bundleDependencies" not in new
    assert new["peerDependencies"] == {"react": ">=17 <19", "react-dom": ">=17 <19"}
    assert new["peerDependenciesMeta"] == {"react-dom": {"optional": True}}
    assert new["optionalDependencies"] == {"fsevents": "^2.3.2"}
    assert payload["repository"] == "gridpane/gridpane"  # the shorthand, not interpreted here


def test_unpublished_package_is_a_flagged_record(registry: Loopback) -> None:
    got = packument(registry, "gone-pkg")
    assert got.unpublished is True
    assert got.record.external_id == "gone-pkg"
    assert got.record.modified == "2021-04-02T11:22:33.444Z"
    assert got.record.payload == served(registry, "gone-pkg.json")
    assert packument(registry, "tinyfold").unpublished is False


def test_readmes_over_the_limit_are_dropped_and_named(registry: Loopback) -> None:
    assert README_LIMIT >= 16 * 1024  # ordinary readmes are kept; the fixture ones are small
    original = served(registry, "tinyfold.json")
    top_only = packument(registry, "tinyfold", readme_limit=100)
    assert top_only.dropped == ("readme",)
    assert "readme" not in top_only.record.payload
    assert top_only.record.payload["readmeFilename"] == "README.md"
    both = packument(registry, "tinyfold", readme_limit=10)
    assert both.dropped == ("readme", 'versions["0.1.0"].readme')
    del original["readme"], original["versions"]["0.1.0"]["readme"]
    assert both.record.payload == original
    # The hash is of what is kept, so it differs from the hash of the full document.
    assert both.record.provenance.content_hash == canonical(original)[0]
    assert (
        both.record.provenance.content_hash
        != packument(registry, "tinyfold").record.provenance.content_hash
    )


def test_canonical_hash_ignores_key_order_and_formatting() -> None:
    first = canonical({"b": [1, {"y": 2, "x": 1}], "a": "é"})
    second = canonical(json.loads('{\n  "a": "\\u00e9",\n  "b": [1, {"x": 1, "y": 2}]\n}'))
    assert first == second
    assert first[1] == '{"a":"é","b":[1,{"x":1,"y":2}]}'


def test_etag_gives_not_modified(registry: Loopback) -> None:
    first = packument(registry, "gridpane")
    again = run(lambda f: fetch_packument(f, registry.base, "gridpane", etag=first.etag))
    assert isinstance(again, NotModified)
    assert again.etag == first.etag
    assert again.url == f"{registry.base}/gridpane"
    # The same bytes give the same hash: a re-sync of an unchanged packument is a no-op.
    assert packument(registry, "gridpane").record.provenance == first.record.provenance


def test_429_with_retry_after_then_200(registry: Loopback) -> None:
    registry.state.throttle["/@acme%2fwidgets"] = 1
    before = registry.state.hits["/@acme%2fwidgets"]
    started = time.monotonic()
    got = packument(registry, "@acme/widgets")
    assert time.monotonic() - started >= 0.9  # Retry-After: 1 was honoured
    assert registry.state.hits["/@acme%2fwidgets"] == before + 2
    assert got.record.external_id == "@acme/widgets"


def test_404_propagates_not_found(registry: Loopback) -> None:
    with pytest.raises(NotFound) as caught:
        run(lambda f: fetch_packument(f, registry.base, "no-such-pkg"))
    assert caught.value.status == 404
    assert str(caught.value).startswith(f"{registry.base}/no-such-pkg: ")


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("broken-json", "malformed JSON in packument"),
        ("array-json", "packument is not a JSON object"),
        ("renamed-pkg", "packument names 'other-pkg', not the requested 'renamed-pkg'"),
    ],
)
def test_bad_packuments_are_one_line_source_errors_naming_the_url(
    registry: Loopback, name: str, message: str
) -> None:
    with pytest.raises(SourceError) as caught:
        run(lambda f: fetch_packument(f, registry.base, name))
    assert not isinstance(caught.value, FetchError)
    text = str(caught.value)
    assert text.startswith(f"{registry.base}/{name}: {message}")
    assert "\n" not in text


# ------------------------------------------------------------------ the changes feed


def test_changes_page_across_three_pages_with_integer_seqs(registry: Loopback) -> None:
    after_last = "/replicate/_changes?since=8&limit=3"
    before = registry.state.hits[after_last]
    got = pages(registry, "/replicate", 0, limit=3)
    assert [(p.since, p.changed, p.deleted, p.last_seq, p.rows) for p in got] == [
        ("0", ("tinyfold", "@acme/widgets"), (), "3", 3),
        ("3", (), ("gone-pkg",), "6", 3),  # design doc skipped; the deletion came last
        ("6", ("gridpane", "@acme/widgets"), (), "8", 2),
    ]
    # The short third page ended the walk: no fourth request.
    assert registry.state.hits[after_last] == before


def test_changes_with_string_seqs_keep_them_opaque(registry: Loopback) -> None:
    got = pages(registry, "/couch", "0", limit=3)
    assert [p.last_seq for p in got] == [string_seq(3), string_seq(6), string_seq(8)]
    assert [p.since for p in got] == ["0", string_seq(3), string_seq(6)]
    assert [p.changed for p in got] == [
        ("tinyfold", "@acme/widgets"),
        (),
        ("gridpane", "@acme/widgets"),
    ]
    assert got[1].deleted == ("gone-pkg",)


def test_a_full_last_page_is_followed_by_an_empty_one(registry: Loopback) -> None:
    before = registry.state.hits["/replicate/_changes?since=8&limit=4"]
    got = pages(registry, "/replicate", 0, limit=4)
    assert [p.last_seq for p in got] == ["4", "8"]
    assert registry.state.hits["/replicate/_changes?since=8&limit=4"] == before + 1


def test_changes_since_resumes_from_a_stored_cursor(registry: Loopback) -> None:
    since: str | int
    for since in (6, "6"):
        page = run(
            partial(changes_since, replicate_url=registry.base + "/replicate", since=since, limit=3)
        )
        assert (page.changed, page.last_seq, page.rows) == (("gridpane", "@acme/widgets"), "8", 2)
    empty = run(lambda f: changes_since(f, registry.base + "/replicate/", 8, limit=3))
    assert (empty.changed, empty.deleted, empty.last_seq, empty.rows) == ((), (), "8", 0)


def test_changes_feed_errors(registry: Loopback) -> None:
    with pytest.raises(SourceError) as caught:
        run(lambda f: changes_since(f, registry.base + "/bad-feed", 0))
    assert str(caught.value).startswith(
        f"{registry.base}/bad-feed/_changes?since=0&limit=500: malformed JSON"
    )
    with pytest.raises(SourceError, match="does not advance"):
        pages(registry, "/stuck", 5, limit=2)
    with pytest.raises(NotFound):
        run(lambda f: changes_since(f, registry.base + "/nowhere", 0))
    with pytest.raises(SourceError, match="neither a number nor a string"):
        run(lambda f: changes_since(f, registry.base + "/replicate", True))
    with pytest.raises(ValueError, match="limit"):
        run(lambda f: changes_since(f, registry.base + "/replicate", 0, limit=0))
