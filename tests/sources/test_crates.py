"""The crates.io source against a real HTTP server on 127.0.0.1.

The server serves ``tests/data/registries/crates/`` in the registry's own layout: the
sparse index under ``/index/`` (``config.json`` and the ``1/``, ``2/``, ``3/x/`` and
``ab/cd/`` files; ``{{base}}`` in a file becomes the server's URL) and the web API under
``/api/v1/crates/{name}``, which, like crates.io, refuses requests without a User-Agent and
looks names up case-insensitively. ``/spaced/`` serves the same index files re-serialized
with other spacing and key order, as another mirror might.
"""

from __future__ import annotations

import hashlib
import http.client
import json
from collections.abc import Iterator
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

import orjson
import pytest

from ossmeta.errors import SourceError
from ossmeta.sources import crates
from ossmeta.sources.crates import (
    KIND_CRATE,
    KIND_INDEX,
    Fetch,
    IndexConfig,
    NotModified,
    config,
    crate_url,
    fetch_crate,
    fetch_index,
    index_path,
)
from ossmeta.sources.http import (
    USER_AGENT,
    AccessDenied,
    Fetcher,
    NotFound,
    RetriesExhausted,
)
from tests.loopback import (
    Failures,
    Headers,
    Loopback,
    Response,
    conditional,
    etag_of,
    fixture_file,
    run_fetcher,
    serve,
    split,
    substituted,
)

T = TypeVar("T")
DATA = Path(__file__).parents[1] / "data" / "registries" / "crates"
LAST_MODIFIED = "Tue, 05 Mar 2024 16:42:11 GMT"

# ------------------------------------------------------------------ the loopback server


class _State:
    def __init__(self, server: Loopback) -> None:
        self.hits = server.hits  # path -> requests seen
        self.agents: dict[str, str | None] = {}
        self.accept: dict[str, str | None] = {}
        self.unavailable = Failures(  # path -> 503s still to send
            503, b"<html>Service Unavailable</html>", {"Content-Type": "text/html"}
        )


def _errors(status: int, detail: str) -> Response:
    # The web API's error shape: {"errors": [{"detail": ...}]}.
    body = json.dumps({"errors": [{"detail": detail}]}).encode()
    return status, {"Content-Type": "application/json; charset=utf-8"}, body


def _handle(server: Loopback, method: str, raw: str, headers: Headers, body: bytes) -> Response:
    status, answer, document = _answer(server, split(raw)[0], headers)
    if status >= 400:
        # The client drops an error response's connection without reading the body;
        # closing it here first keeps that from showing up as a reset in the server.
        answer["Connection"] = "close"
    return status, answer, document


def _answer(server: Loopback, path: str, headers: Headers) -> Response:
    state: _State = server.state
    state.agents[path] = headers.get("user-agent")
    state.accept[path] = headers.get("accept")
    unavailable = state.unavailable.take(path)
    if unavailable is not None:
        return unavailable
    if path.startswith("/api/v1/crates/"):
        return _api(path.removeprefix("/api/v1/crates/"), headers)
    if path == "/index/le/ga/legal-hold":
        return 451, {}, b"Unavailable For Legal Reasons"
    if path.startswith("/index/"):
        return _index(server, path.removeprefix("/index/"), headers, spaced=False)
    if path.startswith("/spaced/"):
        return _index(server, path.removeprefix("/spaced/"), headers, spaced=True)
    return 404, {}, b"not found"


def _conditional(headers: Headers, body: bytes, content_type: str) -> Response:
    etag = etag_of(body, length=24)
    return conditional(
        headers,
        200,
        {"Content-Type": content_type},
        body,
        etag=etag,
        last_modified=LAST_MODIFIED,
        not_modified_headers={"ETag": etag, "Last-Modified": LAST_MODIFIED},
    )


def _index(server: Loopback, relative: str, headers: Headers, *, spaced: bool) -> Response:
    # The server, too, refuses a path that climbs out of the fixture tree.
    target = fixture_file(DATA, f"index/{relative}")
    if target is None:
        # The sparse index answers an unknown crate with a plain 404.
        return 404, {"Content-Type": "text/plain"}, b"not found"
    text = substituted(target, {"{{base}}": server.base}).decode("utf-8")
    if spaced:
        lines = [json.loads(line) for line in text.splitlines() if line.strip()]
        text = "".join(json.dumps(dict(reversed(line.items()))) + "\n" for line in lines)
    return _conditional(headers, text.encode(), "text/plain")


def _api(name: str, headers: Headers) -> Response:
    agent = headers.get("user-agent")
    if agent is None or not agent.strip():
        return _errors(403, "We require a User-Agent header that names your tool and a contact")
    if name == "erroring":
        return _errors(200, "the crate database is in maintenance")
    target = fixture_file(DATA, f"api/v1/crates/{name.lower()}.json")
    if target is None or "/" in name:
        return _errors(404, f"crate `{name}` does not exist")
    return _conditional(headers, target.read_bytes(), "application/json; charset=utf-8")


@pytest.fixture(scope="module")
def registry() -> Iterator[Loopback]:
    with serve(key=lambda method, raw: split(raw)[0]) as server:
        server.state = _State(server)
        server.handler = partial(_handle, server)
        yield server


# ------------------------------------------------------------------ helpers


run = run_fetcher


def index(registry: Loopback, name: str, **kw: Any) -> Fetch:
    got = run(lambda f: fetch_index(f, registry.base + "/index", name, **kw))
    assert isinstance(got, Fetch)
    return got


def crate(registry: Loopback, name: str, **kw: Any) -> Fetch:
    got = run(lambda f: fetch_crate(f, registry.base, name, **kw))
    assert isinstance(got, Fetch)
    return got


def lines(relative: str) -> list[dict[str, Any]]:
    text = (DATA / "index" / relative).read_text(encoding="utf-8")
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def api_doc(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((DATA / "api/v1/crates" / f"{name}.json").read_text())
    return loaded


def by_version(fetched: Fetch) -> dict[str, dict[str, Any]]:
    versions: Any = fetched.record.payload["versions"]
    return {line["vers"]: line for line in versions}


# ------------------------------------------------------------------ paths


def test_index_path_follows_the_length_rules_and_lower_cases() -> None:
    assert index_path("z") == "1/z"
    assert index_path("Ab") == "2/ab"
    assert index_path("Kit") == "3/k/kit"
    assert index_path("abcd") == "ab/cd/abcd"
    assert index_path("tidewater") == "ti/de/tidewater"
    assert index_path("Serde_JSON") == "se/rd/serde_json"
    assert index_path("a-b-c") == "a-/b-/a-b-c"


@pytest.mark.parametrize("bad", ["", "../etc", "a/b", "caf\u00e9", "x y", "%2e%2e", "a.b"])
def test_names_that_would_make_other_paths_are_refused(bad: str) -> None:
    with pytest.raises(SourceError, match="not a crate name"):
        index_path(bad)
    with pytest.raises(SourceError, match="not a crate name"):
        crate_url("http://127.0.0.1:1", bad)


def test_base_urls_are_parameters_only() -> None:
    """No registry host is written into the module: every URL comes from the caller."""
    source = Path(crates.__file__).read_text(encoding="utf-8")
    assert "://" not in source
    assert crate_url("http://127.0.0.1:1/mirror/", "Kit") == (
        "http://127.0.0.1:1/mirror/api/v1/crates/Kit"
    )


# ------------------------------------------------------------------ the sparse index


def test_index_file_is_kept_line_by_line_as_given(registry: Loopback) -> None:
    got = index(registry, "tidewater")
    record = got.record
    served = lines("ti/de/tidewater")
    expected = {"name": "tidewater", "versions": served}
    assert record.kind == KIND_INDEX == "crates-index"
    assert record.external_id == "tidewater"
    assert record.payload == expected
    assert [line["vers"] for line in served] == [
        "0.1.0",
        "0.2.0",
        "0.3.0",
        "1.0.0",
        "1.1.0-beta.1",
    ]
    assert record.provenance.source == "crates"
    assert record.provenance.locator == f"{registry.base}/index/ti/de/tidewater"
    assert record.canonical_json == orjson.dumps(expected, option=orjson.OPT_SORT_KEYS).decode()
    digest = hashlib.sha256(record.canonical_json.encode()).hexdigest()
    assert record.provenance.content_hash == digest
    # The index has no timestamp: modified names the content (see the module docstring).
    assert record.modified == digest
    assert got.etag is not None and got.etag.startswith('"')
    assert got.last_modified == LAST_MODIFIED
    assert registry.state.agents["/index/ti/de/tidewater"] == USER_AGENT


def test_yanked_kinds_targets_renames_and_features2_survive(registry: Loopback) -> None:
    versions = by_version(index(registry, "tidewater"))
    assert [v for v, line in versions.items() if line["yanked"]] == ["0.2.0"]

    deps = versions["0.3.0"]["deps"]
    assert {d["name"]: d["kind"] for d in deps if d["kind"] != "normal"} == {
        "cc": "build",
        "proptest": "dev",
    }
    targets = {d["name"]: d["target"] for d in deps if d["target"] is not None}
    assert targets == {
        "libc": "cfg(unix)",
        "windows-sys": "cfg(windows)",
        "wasm-bindgen": "wasm32-unknown-unknown",
    }
    assert versions["0.3.0"]["links"] == "tidewater_sys"

    one = versions["1.0.0"]
    renamed = next(d for d in one["deps"] if d["name"] == "serde1")
    assert renamed["package"] == "serde"  # the crate's real name; "serde1" is the rename
    assert (renamed["optional"], renamed["default_features"]) == (True, False)
    assert [d["kind"] for d in one["deps"] if d["name"] == "tokio"] == ["normal", "dev"]
    private = next(d for d in one["deps"] if d["name"] == "tidewater-internal-macros")
    assert private["registry"] == "https://example.invalid/private-index"
    assert one["v"] == 2
    assert one["features2"] == {"serde": ["dep:serde1", "tokio?/serde"], "async": ["dep:tokio"]}
    assert one["features"] == {"default": ["std"], "std": []}
    assert one["rust_version"] == "1.70"
    # Old lines lack the newer keys: nothing is filled in for them.
    assert not {"v", "features2", "rust_version"} & set(versions["0.1.0"])
    assert "package" not in versions["0.1.0"]["deps"][0]


@pytest.mark.parametrize(
    ("asked", "path", "spelled"),
    [("z", "/index/1/z", "z"), ("ab", "/index/2/ab", "ab"), ("KIT", "/index/3/k/kit", "Kit")],
)
def test_short_names_are_requested_at_their_paths(
    registry: Loopback, asked: str, path: str, spelled: str
) -> None:
    before = registry.state.hits[path]
    record = index(registry, asked).record
    assert registry.state.hits[path] == before + 1
    assert record.provenance.locator == registry.base + path
    # external_id is the index's own spelling, whatever case the caller used.
    assert record.external_id == spelled
    assert record.payload["name"] == spelled


def test_the_same_lines_served_differently_hash_the_same(registry: Loopback) -> None:
    plain = index(registry, "tidewater").record
    spaced = run(lambda f: fetch_index(f, registry.base + "/spaced/", "tidewater"))
    assert isinstance(spaced, Fetch)
    assert spaced.record.provenance.content_hash == plain.provenance.content_hash
    assert spaced.record.canonical_json == plain.canonical_json
    assert spaced.record.provenance.locator == f"{registry.base}/spaced/ti/de/tidewater"


def test_etag_and_last_modified_give_not_modified(registry: Loopback) -> None:
    first = index(registry, "tidewater")
    again = run(lambda f: fetch_index(f, registry.base + "/index", "tidewater", etag=first.etag))
    assert again == NotModified(
        f"{registry.base}/index/ti/de/tidewater", first.etag, first.last_modified
    )
    by_date = run(
        lambda f: fetch_index(
            f, registry.base + "/index", "tidewater", last_modified=first.last_modified
        )
    )
    assert isinstance(by_date, NotModified)
    stale = index(registry, "tidewater", etag='"not-the-current-one"')
    assert stale.record == first.record


def test_503_then_200_is_retried(registry: Loopback) -> None:
    path = "/index/2/ab"
    registry.state.unavailable[path] = 1
    before = registry.state.hits[path]
    got = index(registry, "ab")
    assert registry.state.hits[path] == before + 2
    assert got.record.payload["versions"] == lines("2/ab")


def test_503_every_time_exhausts_the_retries(registry: Loopback) -> None:
    path = "/index/1/z"
    registry.state.unavailable[path] = 10
    try:
        with pytest.raises(RetriesExhausted) as caught:
            index(registry, "z")
    finally:
        registry.state.unavailable[path] = 0
    assert caught.value.attempts == 3
    assert str(caught.value).startswith(f"{registry.base}{path}: gave up after 3 attempts")


@pytest.mark.parametrize(
    ("name", "path", "status"),
    [
        ("no-such-crate", "/index/no/-s/no-such-crate", 404),
        ("empty-crate", "/index/em/pt/empty-crate", 200),
        ("legal-hold", "/index/le/ga/legal-hold", 451),
    ],
)
def test_missing_empty_and_withheld_files_are_not_found(
    registry: Loopback, name: str, path: str, status: int
) -> None:
    with pytest.raises(NotFound) as caught:
        index(registry, name)
    assert caught.value.url == registry.base + path
    assert caught.value.status == status
    assert "\n" not in str(caught.value)


def test_a_malformed_line_names_the_url_and_the_line(registry: Loopback) -> None:
    with pytest.raises(SourceError) as caught:
        index(registry, "broken-idx")
    error = caught.value
    url = f"{registry.base}/index/br/ok/broken-idx"
    assert (error.path, error.line) == (url, 3)
    assert str(error).startswith(f"{url}:3: index line 3 is not valid JSON")
    assert "\n" not in str(error)


def test_an_index_file_of_another_crate_is_refused(registry: Loopback) -> None:
    with pytest.raises(SourceError, match=r"names 'not-other', not the requested 'other-crate'"):
        index(registry, "other-crate")


# ------------------------------------------------------------------ the web API


def test_crate_document_is_kept_as_given(registry: Loopback) -> None:
    got = crate(registry, "tidewater")
    record = got.record
    expected = api_doc("tidewater")
    path = "/api/v1/crates/tidewater"
    assert record.kind == KIND_CRATE == "crates-crate"
    assert record.external_id == "tidewater"
    assert record.payload == expected
    assert record.modified == "2024-03-05T16:42:10.512390+00:00" == expected["crate"]["updated_at"]
    assert record.provenance.source == "crates"
    assert record.provenance.locator == registry.base + path
    assert record.canonical_json == orjson.dumps(expected, option=orjson.OPT_SORT_KEYS).decode()
    assert (
        record.provenance.content_hash == hashlib.sha256(record.canonical_json.encode()).hexdigest()
    )
    # The web API needs a User-Agent; the shared client's one arrived.
    assert registry.state.agents[path] == USER_AGENT
    assert registry.state.accept[path] == "application/json"

    payload: Any = record.payload
    info = payload["crate"]
    assert info["repository"] == "https://github.com/tidewater-rs/tidewater.git"
    assert (info["max_version"], info["max_stable_version"]) == ("1.1.0-beta.1", "1.0.0")
    versions = {v["num"]: v for v in payload["versions"]}
    # Licences in every shape the API has served, including none, are kept for the normalizer.
    assert versions["1.0.0"]["license"] == "MIT OR Apache-2.0"
    assert versions["0.3.0"]["license"] == "MIT/Apache-2.0"
    assert versions["0.1.0"]["license"] is None
    assert versions["0.2.0"]["yanked"] is True
    assert versions["0.2.0"]["yank_message"].startswith("0.2.0 deadlocks")
    assert versions["0.1.0"]["published_by"] is None
    assert versions["1.0.0"]["published_by"]["login"] == "mwaters"
    assert versions["1.0.0"]["crate_size"] == 46930
    assert versions["1.1.0-beta.1"]["rust_version"] == "1.74"


def test_crate_name_is_folded_by_the_api_and_kept_as_spelled(registry: Loopback) -> None:
    record = crate(registry, "kit").record
    assert record.external_id == "Kit"
    assert record.provenance.locator == f"{registry.base}/api/v1/crates/kit"
    assert record.modified == "2021-06-10T11:11:11.111111+00:00"


def test_crate_document_etag_gives_not_modified(registry: Loopback) -> None:
    first = crate(registry, "tidewater")
    again = run(lambda f: fetch_crate(f, registry.base, "tidewater", etag=first.etag))
    assert isinstance(again, NotModified)
    assert again.etag == first.etag


def test_crate_document_503_then_200(registry: Loopback) -> None:
    path = "/api/v1/crates/kit"
    registry.state.unavailable[path] = 1
    before = registry.state.hits[path]
    assert crate(registry, "kit").record.external_id == "Kit"
    assert registry.state.hits[path] == before + 2


def test_missing_user_agent_is_refused_by_the_server(registry: Loopback) -> None:
    # http.client adds no User-Agent of its own, so this request really has none.
    host, port = registry.server_address[:2]
    connection = http.client.HTTPConnection(str(host), int(port), timeout=5)
    try:
        connection.request("GET", "/api/v1/crates/tidewater")
        response = connection.getresponse()
        body = json.loads(response.read())
    finally:
        connection.close()
    assert response.status == 403
    assert "User-Agent" in body["errors"][0]["detail"]

    with pytest.raises(AccessDenied) as caught:
        run(lambda f: fetch_crate(f, registry.base, "tidewater"), user_agent="")
    assert caught.value.status == 403
    assert str(caught.value) == f"{registry.base}/api/v1/crates/tidewater: HTTP 403 Forbidden"


def test_unknown_crate_is_not_found(registry: Loopback) -> None:
    with pytest.raises(NotFound) as caught:
        crate(registry, "no-such-crate")
    assert caught.value.status == 404


def test_api_error_bodies_and_misrouted_documents_are_refused(registry: Loopback) -> None:
    with pytest.raises(SourceError) as caught:
        crate(registry, "erroring")
    assert str(caught.value) == (
        f"{registry.base}/api/v1/crates/erroring: API error: the crate database is in maintenance"
    )
    with pytest.raises(SourceError, match=r"names 'Kit', not the requested 'misrouted'"):
        crate(registry, "misrouted")


# ------------------------------------------------------------------ discovery


def test_config_gives_the_api_that_fetch_crate_uses(registry: Loopback) -> None:
    async def discover(fetcher: Fetcher) -> tuple[IndexConfig, Fetch | NotModified]:
        found = await config(fetcher, registry.base + "/index/")
        assert found.api is not None
        return found, await fetch_crate(fetcher, found.api, "tidewater")

    found, got = run(discover)
    assert found == IndexConfig(
        url=f"{registry.base}/index/config.json",
        dl=f"{registry.base}/api/v1/crates",
        api=registry.base,
        auth_required=False,
        payload={"dl": f"{registry.base}/api/v1/crates", "api": registry.base},
    )
    assert isinstance(got, Fetch) and got.record.external_id == "tidewater"


def test_config_of_a_missing_index_is_not_found(registry: Loopback) -> None:
    with pytest.raises(NotFound):
        run(lambda f: config(f, registry.base + "/nowhere"))
