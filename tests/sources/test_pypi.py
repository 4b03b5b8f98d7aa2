"""The PyPI source against a real HTTP server on 127.0.0.1 serving documents shaped like
the registry's (tests/data/registries/pypi/): JSON API project and release documents,
PEP 691 JSON simple pages, PEP 658 core metadata and XML-RPC changelog answers.

The server's URL stands in for the registry's; ``@BASE@`` in a fixture is replaced by it,
so file URLs in the documents point back at the same server. A first path segment naming
a mode (``/flaky``, ``/broken``...) changes how the server answers, and since the base URL
is a parameter of every call, a test picks a mode by picking its base URL.
"""

from __future__ import annotations

import hashlib
import json
import xmlrpc.client
from collections.abc import Iterator
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

import orjson
import pytest

from ossmeta.errors import SourceError
from ossmeta.sources.http import Fetcher, FetchError, NotFound
from ossmeta.sources.pypi import (
    SIMPLE_JSON,
    Fetch,
    NotModified,
    changed_since,
    fetch_core_metadata,
    fetch_project,
    fetch_release,
    fetch_simple,
    file_url,
    last_serial,
    parse_core_metadata,
    project_name,
)
from tests.loopback import (
    Headers,
    Loopback,
    Request,
    Response,
    conditional,
    etag_of,
    fail_first,
    run_fetcher,
    serve,
    split,
    substituted,
)

T = TypeVar("T")
DATA = Path(__file__).parent.parent / "data" / "registries" / "pypi"
MODES = {"flaky", "broken", "html", "noheader", "v2", "dtd", "fault"}


# ------------------------------------------------------------------ the loopback registry


def _handle(server: Loopback, method: str, raw: str, headers: Headers, body: bytes) -> Response:
    """Answer the flaky mode's first try with a 503; serve the mode's documents."""
    parts = split(raw)[0].split("/")[1:]
    mode = parts.pop(0) if parts and parts[0] in MODES else ""
    if mode == "flaky":
        failed = fail_first(server.hits[f"{method} {raw}"], 1, 503, b"busy", retry_after="0")
        if failed is not None:
            return failed
    if method == "POST":
        return _xmlrpc(server, mode, parts, body)
    content_type = "application/json"
    if parts[:1] == ["pypi"] and len(parts) == 3 and parts[2] == "json":
        relative = f"project/{parts[1]}.json"
    elif parts[:1] == ["pypi"] and len(parts) == 4 and parts[3] == "json":
        relative = f"release/{parts[1]}/{parts[2]}.json"
    elif parts == ["simple", ""]:
        relative, content_type = "simple-index.json", SIMPLE_JSON
    elif parts[:1] == ["simple"] and len(parts) == 3 and parts[2] == "":
        relative, content_type = f"simple/{parts[1]}.json", SIMPLE_JSON
    elif parts[:1] == ["files"] and len(parts) == 2 and parts[1].endswith(".metadata"):
        relative, content_type = f"files/{parts[1]}", "application/octet-stream"
    else:
        return 404, {"Content-Type": "text/plain"}, b"Not Found"
    document = _document(server, mode, relative)
    if document is None:
        return 404, {"Content-Type": "text/plain"}, b"Not Found"
    answer = {"Content-Type": content_type}
    if mode == "html" and content_type == SIMPLE_JSON:
        # An index that ignores the Accept header and answers with its HTML page.
        answer["Content-Type"] = "text/html; charset=utf-8"
        document = b"<!DOCTYPE html><html><body><a href='x.whl'>x.whl</a></body></html>"
    serial = _serial_of(document) if content_type != "application/octet-stream" else None
    if serial is not None and mode != "noheader":
        answer["X-PyPI-Last-Serial"] = str(serial)
    etag = etag_of(document, length=20)
    return conditional(headers, 200, answer, document, etag=etag)


def _xmlrpc(server: Loopback, mode: str, parts: list[str], request: bytes) -> Response:
    if parts != ["pypi"]:
        return 404, {}, b"Not Found"
    params, method = xmlrpc.client.loads(request)
    if mode in ("dtd", "fault"):
        name = f"xmlrpc/changelog_{mode}.xml" if mode == "dtd" else "xmlrpc/fault.xml"
    elif method != "changelog_since_serial" or not isinstance(params[0], int):
        name = "xmlrpc/fault.xml"
    elif params[0] >= 26011942:
        name = "xmlrpc/changelog_empty.xml"
    else:
        name = "xmlrpc/changelog_since_serial.xml"
    body = _document(server, "broken" if mode == "broken" else "", name) or b""
    return 200, {"Content-Type": "text/xml"}, body


def _document(server: Loopback, mode: str, relative: str) -> bytes | None:
    path = DATA / relative
    if not path.is_file():
        return None
    body = substituted(path, {"@BASE@": server.base + (f"/{mode}" if mode else "")})
    if mode == "broken":
        return body[: len(body) // 2]  # a truncated answer: invalid JSON or XML
    if mode == "v2":
        return body.replace(b'"api-version": "1.1"', b'"api-version": "2.0"')
    return body


def _serial_of(body: bytes) -> int | None:
    """The serial a real index puts in its header: the document's own."""
    try:
        document = json.loads(body)
    except ValueError:
        return None
    if not isinstance(document, dict):
        return None
    meta = document.get("meta")
    value = meta.get("_last-serial") if isinstance(meta, dict) else document.get("last_serial")
    return value if isinstance(value, int) else None


class Registry:
    def __init__(self, server: Loopback) -> None:
        self.server = server
        self.base = server.base

    def mode(self, name: str) -> str:
        assert name in MODES
        return f"{self.base}/{name}"

    def hits(self, method: str, path: str) -> int:
        return self.server.hits[f"{method} {path}"]

    @property
    def requests(self) -> list[Request]:
        return self.server.requests


@pytest.fixture
def registry() -> Iterator[Registry]:
    # One server per test: the flaky mode counts hits per path, so tests must not share.
    with serve(key=lambda method, raw: f"{method} {raw}") as server:
        server.handler = partial(_handle, server)
        yield Registry(server)


run = partial(run_fetcher, max_retries=3)


def fetched(result: Fetch | NotModified) -> Fetch:
    assert isinstance(result, Fetch), result
    return result


def served(registry: Registry, relative: str) -> Any:
    """A fixture as the server gives it, parsed: what a record's payload must equal."""
    return json.loads((DATA / relative).read_text().replace("@BASE@", registry.base))


# ------------------------------------------------------------------ the JSON API


def test_project_is_a_raw_record_with_provenance_and_the_serial(registry: Registry) -> None:
    got = fetched(run(lambda f: fetch_project(f, registry.base, "Aurora_Cache")))
    record = got.record
    assert (record.kind, record.external_id, record.modified) == (
        "pypi-project",
        "aurora-cache",
        "24100387",
    )
    assert record.payload == served(registry, "project/aurora-cache.json")
    assert (
        record.canonical_json == orjson.dumps(record.payload, option=orjson.OPT_SORT_KEYS).decode()
    )
    provenance = record.provenance
    assert provenance.source == "pypi" and provenance.data_license is None
    assert provenance.locator == f"{registry.base}/pypi/aurora-cache/json"
    assert provenance.content_hash == hashlib.sha256(record.canonical_json.encode()).hexdigest()
    assert got.last_serial == 24100387 and got.etag and got.etag.startswith('"')
    # The yanked release and its reason are there, uninterpreted.
    release = record.payload["releases"]["1.1.0"][0]  # type: ignore[index]
    assert (release["yanked"], release["yanked_reason"]) == (
        True,
        "Wheel is broken on Windows; use 1.1.1",
    )
    assert registry.requests[-1][2]["accept"] == "application/json"


def test_etag_gives_not_modified(registry: Registry) -> None:
    first = fetched(run(lambda f: fetch_project(f, registry.base, "quill-lex")))
    again = run(lambda f: fetch_project(f, registry.base, "quill-lex", etag=first.etag))
    assert again == NotModified(f"{registry.base}/pypi/quill-lex/json", first.etag, None)
    assert registry.requests[-1][2]["if-none-match"] == first.etag


def test_release_documents_keep_per_version_metadata(registry: Registry) -> None:
    quill = fetched(run(lambda f: fetch_release(f, registry.base, "Quill.Lex", "1.0.0"))).record
    assert (quill.kind, quill.external_id, quill.modified) == (
        "pypi-release",
        "quill-lex@1.0.0",
        "25873310",
    )
    info: Any = quill.payload["info"]
    assert (info["license"], info["license_expression"]) == (None, "MIT OR Apache-2.0")
    assert info["license_files"] == ["LICENSE-APACHE", "LICENSE-MIT"]
    assert "releases" not in quill.payload
    assert quill.provenance.locator == f"{registry.base}/pypi/quill-lex/1.0.0/json"

    fennec = fetched(run(lambda f: fetch_release(f, registry.base, "fennec-http", "2.3.0"))).record
    info = fennec.payload["info"]
    assert (
        'brotli>=1.1; extra == "brotli" and platform_python_implementation == "CPython"'
        in info["requires_dist"]
    )
    assert info["project_urls"]["Source"] == "https://gitlab.com/fennec/fennec-http"
    assert fennec.payload["vulnerabilities"][0]["fixed_in"] == ["2.3.1"]  # type: ignore[index]

    aurora = fetched(run(lambda f: fetch_release(f, registry.base, "aurora-cache", "1.1.0"))).record
    info = aurora.payload["info"]
    assert (info["yanked"], info["yanked_reason"]) == (
        True,
        "Wheel is broken on Windows; use 1.1.1",
    )
    assert (info["license"], info["author"], info["maintainer"]) == (
        "Apache 2.0",
        "Mira Okafor",
        "",
    )


def test_a_version_is_quoted_into_one_path_segment(registry: Registry) -> None:
    with pytest.raises(NotFound) as caught:
        run(lambda f: fetch_release(f, registry.base, "quill-lex", "1.0.0+local.1"))
    assert caught.value.url == f"{registry.base}/pypi/quill-lex/1.0.0%2Blocal.1/json"
    with pytest.raises(SourceError, match="not a usable version"):
        run(lambda f: fetch_release(f, registry.base, "quill-lex", "../1.0"))


def test_503_then_200_is_retried(registry: Registry) -> None:
    base = registry.mode("flaky")
    got = fetched(run(lambda f: fetch_project(f, base, "fennec-http")))
    assert got.record.external_id == "fennec-http" and got.last_serial == 26011942
    assert registry.hits("GET", "/flaky/pypi/fennec-http/json") == 2


def test_404_is_not_found(registry: Registry) -> None:
    with pytest.raises(NotFound) as caught:
        run(lambda f: fetch_project(f, registry.base, "No_Such.Project"))
    assert caught.value.url == f"{registry.base}/pypi/no-such-project/json"
    assert caught.value.status == 404


def test_malformed_json_is_a_source_error_naming_the_url(registry: Registry) -> None:
    base = registry.mode("broken")
    with pytest.raises(SourceError) as caught:
        run(lambda f: fetch_project(f, base, "aurora-cache"))
    assert not isinstance(caught.value, FetchError)
    text = str(caught.value)
    assert text.startswith(f"{base}/pypi/aurora-cache/json: invalid JSON")
    assert "\n" not in text


@pytest.mark.parametrize("name", ["", "-lead", "trail-", "two words", "a/b", "ünï"])
def test_names_pypi_cannot_have_are_refused_before_any_request(
    registry: Registry, name: str
) -> None:
    with pytest.raises(SourceError, match="not a valid PyPI project name"):
        run(lambda f: fetch_project(f, registry.base, name))
    assert registry.requests == []


def test_project_name_is_pep_503() -> None:
    assert project_name("Aurora_Cache") == "aurora-cache"
    assert project_name("zope.Interface") == "zope-interface"
    assert project_name("a--_.b") == "a-b"


def test_the_base_url_may_end_with_a_slash(registry: Registry) -> None:
    got = fetched(run(lambda f: fetch_project(f, registry.base + "/", "quill-lex")))
    assert got.record.provenance.locator == f"{registry.base}/pypi/quill-lex/json"


# ------------------------------------------------------------------ PEP 691 simple pages


def test_simple_page_is_a_raw_record(registry: Registry) -> None:
    got = fetched(run(lambda f: fetch_simple(f, registry.base, "AURORA.cache")))
    record = got.record
    assert (record.kind, record.external_id, record.modified) == (
        "pypi-simple",
        "aurora-cache",
        "24100387",
    )
    assert record.provenance.locator == f"{registry.base}/simple/aurora-cache/"
    assert record.payload == served(registry, "simple/aurora-cache.json")
    files: Any = record.payload["files"]
    assert [f["yanked"] for f in files] == [
        False,
        False,
        "Wheel is broken on Windows; use 1.1.1",
        False,
        False,
    ]
    assert files[0]["core-metadata"] == files[0]["data-dist-info-metadata"]
    assert files[1]["core-metadata"] is False
    assert files[0]["upload-time"] == "2023-02-14T09:21:07.331845Z" and files[0]["size"] == 9214
    assert record.payload["versions"] == ["1.0.0", "1.1.0", "1.1.1"]
    assert registry.requests[-1][2]["accept"] == SIMPLE_JSON
    assert got.last_serial == 24100387


def test_simple_page_etag_gives_not_modified(registry: Registry) -> None:
    first = fetched(run(lambda f: fetch_simple(f, registry.base, "quill-lex")))
    again = run(lambda f: fetch_simple(f, registry.base, "quill-lex", etag=first.etag))
    assert isinstance(again, NotModified) and again.etag == first.etag


def test_simple_page_in_html_is_refused(registry: Registry) -> None:
    base = registry.mode("html")
    with pytest.raises(
        FetchError, match=r"expected application/vnd\.pypi\.simple\.v1\+json, got text/html"
    ) as caught:
        run(lambda f: fetch_simple(f, base, "quill-lex"))
    assert caught.value.url == f"{base}/simple/quill-lex/" and caught.value.status == 200


def test_simple_page_of_an_unknown_major_version_is_refused(registry: Registry) -> None:
    with pytest.raises(SourceError, match=r"unsupported simple API version '2\.0'"):
        run(lambda f: fetch_simple(f, registry.mode("v2"), "quill-lex"))


def test_simple_page_with_broken_json(registry: Registry) -> None:
    with pytest.raises(SourceError, match="invalid JSON"):
        run(lambda f: fetch_simple(f, registry.mode("broken"), "fennec-http"))


# ------------------------------------------------------------------ PEP 658 core metadata


def _metadata(registry: Registry, project: str, filename: str) -> Fetch:
    """Fetch a file's metadata the way a sync does: from its simple page entry."""

    async def go(fetcher: Fetcher) -> Fetch:
        page = fetched(await fetch_simple(fetcher, registry.base, project))
        files: Any = page.record.payload["files"]
        entry = next(f for f in files if f["filename"] == filename)
        url = file_url(page.record.provenance.locator, entry["url"])
        expected = entry["core-metadata"]["sha256"]
        return fetched(await fetch_core_metadata(fetcher, url, expected_sha256=expected))

    return run(go)


def test_core_metadata_with_markers_and_extras(registry: Registry) -> None:
    got = _metadata(registry, "fennec-http", "fennec_http-2.3.0-py3-none-any.whl")
    record = got.record
    assert (record.kind, record.external_id, record.modified) == (
        "pypi-core-metadata",
        "fennec_http-2.3.0-py3-none-any.whl",
        None,
    )
    assert (
        record.provenance.locator
        == f"{registry.base}/files/fennec_http-2.3.0-py3-none-any.whl.metadata"
    )
    fields: Any = record.payload
    assert fields["Requires-Dist"] == [
        "idna>=3.4",
        "certifi",
        'tomli>=2.0; python_version < "3.11"',
        'brotli>=1.1; extra == "brotli" and platform_python_implementation == "CPython"',
        'brotlicffi>=1.1; extra == "brotli" and platform_python_implementation != "CPython"',
        'h2[hpack]<5,>=4; extra == "http2"',
        'pytest>=8; extra == "test"',
    ]
    assert fields["Provides-Extra"] == ["brotli", "http2", "test"]
    assert fields["License"] == ["BSD"] and fields["Maintainer"] == ["Fennec team"]
    assert fields["Author-email"] == [
        "Priya Natarajan <priya@example.com>, Tomasz Wilk <tomasz@example.com>"
    ]
    assert fields["Description"] == [
        "# fennec-http\n\nAn HTTP client with optional HTTP/2 and Brotli support.\n"
    ]
    assert (
        record.provenance.content_hash == hashlib.sha256(record.canonical_json.encode()).hexdigest()
    )


def test_core_metadata_with_a_pep_639_licence_expression(registry: Registry) -> None:
    # The simple page gives this file a relative URL with a hash fragment.
    fields: Any = _metadata(
        registry, "quill-lex", "quill_lex-1.0.0-py3-none-any.whl"
    ).record.payload
    assert fields["Metadata-Version"] == ["2.4"]
    assert fields["License-Expression"] == ["MIT OR Apache-2.0"] and "License" not in fields
    assert fields["License-File"] == ["LICENSE-APACHE", "LICENSE-MIT"]
    assert fields["Project-URL"][1] == "Repository, https://github.com/quill-lex/quill-lex.git"
    assert fields["Classifier"] == [
        "Programming Language :: Python :: 3",
        "Programming Language :: Python :: 3.12",
        "Typing :: Typed",
    ]
    older: Any = _metadata(registry, "quill-lex", "quill_lex-0.9.0-py3-none-any.whl").record.payload
    assert older["License"] == ["MIT"] and "Description" not in older


def test_core_metadata_of_a_yanked_file(registry: Registry) -> None:
    fields: Any = _metadata(
        registry, "aurora-cache", "aurora_cache-1.1.0-py3-none-any.whl"
    ).record.payload
    assert (fields["Name"], fields["Version"], fields["License"]) == (
        ["Aurora_Cache"],
        ["1.1.0"],
        ["Apache 2.0"],
    )
    assert fields["Author"] == ["Mira Okafor"] and fields["Home-page"] == [
        "https://aurora-cache.example.org"
    ]


def test_core_metadata_that_does_not_match_the_index_hash_is_refused(registry: Registry) -> None:
    url = f"{registry.base}/files/quill_lex-1.0.0-py3-none-any.whl"
    with pytest.raises(SourceError, match="does not match the index's 00ff"):
        run(lambda f: fetch_core_metadata(f, url, expected_sha256="00ff" * 16))


def test_core_metadata_missing_is_not_found(registry: Registry) -> None:
    url = f"{registry.base}/files/aurora_cache-1.1.1.tar.gz"
    with pytest.raises(NotFound):
        run(lambda f: fetch_core_metadata(f, url))


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"Metadata-Version: 2.1\nName: x\nVersion: \xff\n", "not UTF-8"),
        (b"Name: x\nVersion: 1\n", "without Metadata-Version and Name"),
        (
            b"Metadata-Version: 2.1\nName: x\n  leading continuation is fine\nthis is no header\nVersion: 1\n",
            "malformed core metadata",
        ),
        (b'{"info": {}}', "without Metadata-Version and Name"),
    ],
)
def test_malformed_core_metadata(data: bytes, message: str) -> None:
    with pytest.raises(SourceError, match=message) as caught:
        parse_core_metadata(data, "http://127.0.0.1:1/files/x.whl.metadata")
    assert str(caught.value).startswith("http://127.0.0.1:1/files/x.whl.metadata: ")


def test_core_metadata_keeps_a_description_header_and_folded_values() -> None:
    data = b"Metadata-Version: 1.2\nName: old\nDescription: first line\n        |second line\nSummary: s\n"
    fields = parse_core_metadata(data, "u")
    assert fields == {
        "Metadata-Version": ["1.2"],
        "Name": ["old"],
        "Description": ["first line\n        |second line"],
        "Summary": ["s"],
    }


def test_file_url_resolves_relative_urls_and_drops_the_fragment() -> None:
    page = "http://127.0.0.1:9/simple/quill-lex/"
    assert file_url(page, "../../files/q.whl#sha256=ab") == "http://127.0.0.1:9/files/q.whl"
    assert file_url(page, "http://127.0.0.2/f/q.whl") == "http://127.0.0.2/f/q.whl"


# ------------------------------------------------------------------ serials


def test_last_serial_from_the_header(registry: Registry) -> None:
    assert run(lambda f: last_serial(f, registry.base)) == 26011942
    method, path, headers, _ = registry.requests[-1]
    assert (method, path, headers["accept"]) == ("GET", "/simple/", SIMPLE_JSON)


def test_last_serial_from_the_json_root_without_the_header(registry: Registry) -> None:
    assert run(lambda f: last_serial(f, registry.mode("noheader"))) == 26011942


def test_last_serial_without_header_or_json_is_an_error(registry: Registry) -> None:
    with pytest.raises(SourceError, match="no x-pypi-last-serial header"):
        run(lambda f: last_serial(f, registry.mode("html")))


def test_changed_since_gives_distinct_pep_503_names_and_the_highest_serial(
    registry: Registry,
) -> None:
    names, serial = run(lambda f: changed_since(f, registry.base, 24100000))
    assert names == ["aurora-cache", "quill-lex", "fennec-http"]
    assert serial == 26011942
    method, path, headers, body = registry.requests[-1]
    assert (method, path) == ("POST", "/pypi") and headers["content-type"] == "text/xml"
    assert xmlrpc.client.loads(body) == ((24100000,), "changelog_since_serial")


def test_changed_since_with_nothing_new_keeps_the_serial(registry: Registry) -> None:
    assert run(lambda f: changed_since(f, registry.base, 26011942)) == ([], 26011942)


def test_changed_since_retries_the_post_after_a_503(registry: Registry) -> None:
    names, serial = run(lambda f: changed_since(f, registry.mode("flaky"), 1))
    assert (len(names), serial) == (3, 26011942)
    assert registry.hits("POST", "/flaky/pypi") == 2


def test_an_xml_rpc_answer_with_a_dtd_is_refused(registry: Registry) -> None:
    base = registry.mode("dtd")
    with pytest.raises(SourceError, match="XML-RPC answer refused: DTDForbidden") as caught:
        run(lambda f: changed_since(f, base, 1))
    assert str(caught.value).startswith(f"{base}/pypi: ")


def test_an_xml_rpc_fault_is_a_source_error(registry: Registry) -> None:
    with pytest.raises(
        SourceError, match="XML-RPC fault -32601: server error; requested method not found"
    ):
        run(lambda f: changed_since(f, registry.mode("fault"), 1))


def test_truncated_xml_is_a_source_error(registry: Registry) -> None:
    with pytest.raises(SourceError, match="invalid XML"):
        run(lambda f: changed_since(f, registry.mode("broken"), 1))


@pytest.mark.parametrize("serial", [-1, True, 1.5])
def test_changed_since_wants_a_serial(registry: Registry, serial: Any) -> None:
    with pytest.raises(ValueError, match="non-negative integer"):
        run(lambda f: changed_since(f, registry.base, serial))
