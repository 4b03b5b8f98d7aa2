"""The Python index over HTTP against the stub upstream: pages in both forms, negotiation,
ETag/304, files with HEAD and Range, ``.metadata``, enforcement at the file route (the
reason in the status line), tampered files, upstream yanks, deletions and outages."""

from __future__ import annotations

import hashlib
import http.client
from urllib.parse import urlsplit

import httpx
import orjson

from ossmeta.analyses.policy.model import Reason
from tests.index.pypi.conftest import Harness

JSON = "application/vnd.pypi.simple.v1+json"
PIP_ACCEPT = f"{JSON}, application/vnd.pypi.simple.v1+html; q=0.1, text/html; q=0.01"


def page(h: Harness, accept: str = PIP_ACCEPT, project: str = "demo-a") -> httpx.Response:
    return httpx.get(h.simple + project + "/", headers={"Accept": accept})


def files_by_name(response: httpx.Response) -> dict[str, dict[str, object]]:
    return {f["filename"]: f for f in response.json()["files"]}


def test_json_page_carries_upstream_facts(harness: Harness) -> None:
    response = page(harness)
    assert response.status_code == 200
    assert response.headers["content-type"] == JSON
    assert "Accept" in response.headers["vary"].split(", ")
    assert response.headers["cache-control"] == "max-age=0, must-revalidate"
    document = response.json()
    assert document["meta"] == {"api-version": "1.1"}
    assert document["versions"] == ["1.0", "1.1", "2.0"]
    files = files_by_name(response)
    wheel = harness.upstream.projects["demo-a"][2]
    entry = files[wheel.filename]
    assert entry["hashes"] == {"sha256": wheel.sha256}
    assert entry["size"] == len(wheel.content)
    assert entry["upload-time"] == wheel.uploaded.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    assert entry["requires-python"] == ">=3.8"
    assert entry["core-metadata"] == {"sha256": hashlib.sha256(wheel.metadata or b"").hexdigest()}
    assert "dist-info-metadata" not in entry
    assert files["demo_a-1.0.tar.gz"]["core-metadata"] is False
    # The upstream was asked for JSON, and the licence read from the core metadata.
    pages = [a for (_, path), a in zip(harness.upstream.log, harness.upstream.accepts, strict=True)
             if path.startswith("/simple/")]  # fmt: skip
    assert pages and all(accept == JSON for accept in pages)
    licenses = {r.version: r.license for r in harness.rules.seen}
    assert licenses == {"1.0": "MIT", "1.1": "MIT", "2.0": "GPL-3.0-only"}


def test_html_page_and_negotiation(harness: Harness) -> None:
    html = page(harness, "text/html")
    assert html.headers["content-type"].startswith("text/html")
    text = html.text
    assert '<meta name="pypi:repository-version" content="1.1">' in text
    assert 'data-requires-python="&gt;=3.8"' in text
    assert "data-upload-time=" in text and "data-core-metadata=" in text
    assert "data-dist-info-metadata=" in text and "#sha256=" in text
    v1 = page(harness, "application/vnd.pypi.simple.v1+html")
    assert v1.headers["content-type"].startswith("application/vnd.pypi.simple.v1+html")
    assert page(harness, "*/*").headers["content-type"] == JSON
    refused = page(harness, "application/xml")
    assert refused.status_code == 406
    assert refused.headers["content-type"] == "application/problem+json"
    assert page(harness, "").headers["content-type"].startswith("text/html")


def test_etag_revalidation_and_redirects(harness: Harness) -> None:
    first = page(harness)
    packed = httpx.get(
        harness.simple + "demo-a/", headers={"Accept": PIP_ACCEPT, "Accept-Encoding": "gzip"}
    )
    assert packed.headers["content-encoding"] == "gzip" and packed.json() == first.json()
    assert packed.headers["etag"] == first.headers["etag"]
    assert (
        "content-encoding"
        not in httpx.get(
            harness.simple + "demo-a/",
            headers={"Accept": PIP_ACCEPT, "Accept-Encoding": "identity"},
        ).headers
    )
    again = httpx.get(
        harness.simple + "demo-a/",
        headers={"Accept": PIP_ACCEPT, "If-None-Match": first.headers["etag"]},
    )
    assert again.status_code == 304 and again.headers["etag"] == first.headers["etag"]
    html = page(harness, "text/html")
    assert html.headers["etag"] != first.headers["etag"]  # one tag per representation
    moved = httpx.get(harness.simple + "Demo_A/")
    assert moved.status_code == 301
    assert moved.headers["location"] == "/index/main/simple/demo-a/"
    assert httpx.get(harness.simple + "demo-a").status_code == 301
    missing = page(harness, project="nothing-here")
    assert missing.status_code == 404
    assert httpx.get(f"{harness.base}/index/nope/simple/demo-a/").status_code == 404


def file_url(h: Harness, response: httpx.Response, filename: str) -> str:
    relative = str(files_by_name(response)[filename]["url"])
    return str(httpx.URL(h.simple + "demo-a/").join(relative))


def test_files_head_range_etag_and_metadata(harness: Harness) -> None:
    listing = page(harness)
    wheel = harness.upstream.projects["demo-a"][0]
    url = file_url(harness, listing, wheel.filename)
    full = httpx.get(url, headers={"Accept-Encoding": "gzip"})
    assert full.status_code == 200 and full.content == wheel.content
    assert "content-encoding" not in full.headers  # never re-compressed
    assert full.headers["cache-control"].endswith("immutable")
    assert full.headers["etag"] == f'"{wheel.sha256}"'
    head = httpx.head(url)
    assert head.status_code == 200 and int(head.headers["content-length"]) == len(wheel.content)
    assert head.headers["accept-ranges"] == "bytes"
    part = httpx.get(url, headers={"Range": "bytes=10-19", "Accept-Encoding": "gzip"})
    assert part.status_code == 206 and part.content == wheel.content[10:20]
    cached = httpx.get(url, headers={"If-None-Match": f'"{wheel.sha256}"'})
    assert cached.status_code == 304
    metadata = httpx.get(url + ".metadata")
    assert metadata.status_code == 200 and metadata.content == wheel.metadata
    # Served from the kept copy: the upstream was asked for the file once.
    assert harness.upstream.requested("/files/" + wheel.filename) == 1
    assert (
        httpx.get(file_url(harness, listing, "demo_a-1.0.tar.gz") + ".metadata").status_code == 404
    )


def test_denied_version_is_yanked_and_its_file_refused_with_the_reason(harness: Harness) -> None:
    reason = Reason("licenses.deny", "GPL-3.0-only is denied")
    harness.rules.denied[("demo-a", "2.0")] = reason
    listing = page(harness)
    wheel = harness.upstream.projects["demo-a"][3]
    entry = files_by_name(listing)[wheel.filename]
    assert entry["yanked"] == "policy test v1: licenses.deny: GPL-3.0-only is denied"
    assert 'data-yanked="policy test v1: licenses.deny' in page(harness, "text/html").text
    url = urlsplit(file_url(harness, listing, wheel.filename))
    connection = http.client.HTTPConnection(url.hostname or "", url.port)
    connection.request("GET", url.path)
    answer = connection.getresponse()
    body = orjson.loads(answer.read())
    connection.close()
    assert answer.status == 403
    assert answer.reason == "policy test v1: licenses.deny: GPL-3.0-only is denied"
    assert body["detail"] == answer.reason
    assert harness.upstream.requested("/files/" + wheel.filename) == 0  # never fetched
    # The metadata sidecar of a denied file is refused too.
    assert httpx.get(file_url(harness, listing, wheel.filename) + ".metadata").status_code == 403


def test_hidden_version_is_absent_and_its_file_refused(harness: Harness) -> None:
    allowed = page(harness)
    url = file_url(harness, allowed, "demo_a-1.1-py3-none-any.whl")
    harness.rules.hidden.add(("demo-a", "1.1"))
    listing = page(harness)
    assert "demo_a-1.1-py3-none-any.whl" not in files_by_name(listing)
    assert listing.json()["versions"] == ["1.0", "2.0"]
    assert httpx.get(url).status_code == 404  # hiding is access control at the file route too


def test_tampered_upstream_file_is_refused_and_not_kept(harness: Harness) -> None:
    listing = page(harness)
    wheel = harness.upstream.projects["demo-a"][0]
    harness.upstream.tamper(wheel.filename)
    refused = httpx.get(file_url(harness, listing, wheel.filename))
    assert refused.status_code == 502
    assert "differs from its listed hash" in refused.json()["detail"]
    assert not list((harness.blobs / "sha256").rglob(wheel.sha256))
    assert not [p for p in (harness.blobs / "sha256").rglob("*") if p.is_file() and
                p.read_bytes()[:4] == b"PK\x03\x04" and p.stat().st_size == len(wheel.content)]  # fmt: skip


def test_upstream_yank_and_delete_propagate(harness: Harness) -> None:
    page(harness)
    harness.upstream.yank("demo_a-1.1-py3-none-any.whl", "broken build")
    harness.upstream.delete("demo-a", "1.0")
    listing = page(harness)
    files = files_by_name(listing)
    assert files["demo_a-1.1-py3-none-any.whl"]["yanked"] == "broken build"
    assert "demo_a-1.0-py3-none-any.whl" not in files
    assert listing.json()["versions"] == ["1.1", "2.0"]


def test_offline_upstream_serves_kept_pages_and_files_never_denied_ones(harness: Harness) -> None:
    harness.rules.denied[("demo-a", "2.0")] = Reason("cooldown.min_age_days", "1 day old")
    listing = page(harness)
    wheel = harness.upstream.projects["demo-a"][0]
    url = file_url(harness, listing, wheel.filename)
    assert httpx.get(url).status_code == 200
    harness.upstream.offline()
    assert page(harness).json() == listing.json()
    assert httpx.get(url).content == wheel.content
    denied = file_url(harness, listing, "demo_a-2.0-py3-none-any.whl")
    assert httpx.get(denied).status_code == 403
    never_seen = page(harness, project="other")
    assert never_seen.status_code == 503
    assert never_seen.headers["content-type"] == "application/problem+json"


def test_project_list(harness: Harness) -> None:
    page(harness)
    listed = httpx.get(harness.simple, headers={"Accept": JSON})
    assert listed.json()["projects"] == [{"name": "demo-a"}]
    assert 'href="demo-a/"' in httpx.get(harness.simple, headers={"Accept": "text/html"}).text
