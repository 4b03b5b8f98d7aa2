"""The npm routes over HTTP (no npm needed: tarballs here are stand-in bytes): names and
scoped names, negotiation, ETags, upstream revalidation, deprecations and deletions that
propagate, a decision's end forcing a rebuild, and the audit endpoints' answers to bad input."""

from __future__ import annotations

import gzip
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import orjson
import pytest
from fastapi import FastAPI

from ossmeta.analyses.policy.model import Decider, Decision, UpstreamRelease
from ossmeta.service.index_npm import NpmIndex
from ossmeta.store import Store
from ossmeta.store.blobs import BlobStore
from ossmeta.store.indexes import IndexDefinition
from ossmeta.surfaces.api.app import create_app
from ossmeta.surfaces.api.settings import ApiSettings
from tests.index.npm.conftest import SPECS, Registry, add_gated_index
from tests.index.npm_upstream import NpmUpstream

CORGI = "application/vnd.npm.install-v1+json; q=1.0, application/json; q=0.8, */*"


@pytest.fixture
def tarballs() -> dict[tuple[str, str], bytes]:
    return {(s.name, s.version): f"{s.name}@{s.version}".encode() for s in SPECS}


def test_scoped_names_route_either_way_and_negotiate(registry: Registry) -> None:
    with httpx.Client(base_url=registry.url) as http:
        escaped = http.get("@acme%2fwidget", headers={"Accept": "application/json"})
        plain = http.get("@acme/widget", headers={"Accept": "application/json"})
        assert escaped.status_code == plain.status_code == 200
        assert escaped.content == plain.content
        full = escaped.json()
        assert full["name"] == "@acme/widget" and "time" in full
        corgi = http.get("@acme%2fwidget", headers={"Accept": CORGI})
        assert corgi.headers["content-type"].startswith("application/vnd.npm.install-v1+json")
        assert "time" not in corgi.json() and corgi.headers["etag"] != escaped.headers["etag"]
        assert corgi.headers["vary"] == "Accept, Accept-Encoding"
        again = http.get("@acme/widget", headers={"If-None-Match": plain.headers["etag"]})
        assert again.status_code == 304
        tarball = full["versions"]["1.0.0"]["dist"]["tarball"]
        assert tarball == f"{registry.url}@acme/widget/-/widget-1.0.0.tgz"
        assert httpx.get(tarball).content == b"@acme/widget@1.0.0"


def test_unknown_names_and_indexes_are_problems_npm_can_print(registry: Registry) -> None:
    with httpx.Client(base_url=registry.origin) as http:
        for path in (
            "/index/js/npm/nothing-here",
            "/index/nope/npm/leftish",
            "/index/js/npm/-/ping",
        ):
            answer = http.get(path)
            assert answer.status_code == 404, path
            assert answer.headers["content-type"] == "application/problem+json"
            assert answer.json()["error"]
        quick = http.post("/index/js/npm/-/npm/v1/security/audits/quick", json={})
        assert quick.status_code == 404 and "advisories/bulk" in quick.json()["detail"]
        bad = http.post("/index/js/npm/-/npm/v1/security/advisories/bulk", json={"x": "1.0.0"})
        assert bad.status_code == 400
        broken = http.post(
            "/index/js/npm/-/npm/v1/security/advisories/bulk",
            content=b"not gzip",
            headers={"Content-Encoding": "gzip"},
        )
        assert broken.status_code == 400
        fine = http.post(
            "/index/js/npm/-/npm/v1/security/advisories/bulk",
            content=gzip.compress(orjson.dumps({"leftish": ["1.0.0"]})),
            headers={"Content-Encoding": "gzip", "Content-Type": "application/json"},
        )
        assert fine.status_code == 200 and fine.json() == {}


def test_upstream_is_revalidated_and_its_changes_propagate(
    registry: Registry, upstream: NpmUpstream
) -> None:
    url = registry.url + "leftish"
    assert "deprecated" not in httpx.get(url).json()["versions"]["1.0.0"]
    upstream.deprecated[("leftish", "1.0.0")] = "upgrade to 1.1.0"
    assert httpx.get(url).json()["versions"]["1.0.0"]["deprecated"] == "upgrade to 1.1.0"
    assert upstream.loopback is not None
    asked = [r for r in upstream.loopback.requests if r.path == "/leftish"]
    assert "if-none-match" not in asked[0].headers and "if-none-match" in asked[1].headers
    upstream.deleted.add("leftish")
    gone = httpx.get(url)
    assert gone.status_code == 404
    assert httpx.get(registry.url + "leftish/-/leftish-1.1.0.tgz").status_code == 404
    upstream.offline = True  # what upstream deleted stays deleted when it is down
    assert httpx.get(url).status_code == 404


def test_a_decision_that_ends_forces_a_rebuild(
    store: Store, upstream: NpmUpstream, tmp_path: Path
) -> None:
    add_gated_index(store, upstream.base, tmp_path)
    now = [datetime(2026, 1, 1, tzinfo=UTC)]
    until = now[0] + timedelta(days=7)
    asked: list[str] = []

    def factory(store: Store, definition: IndexDefinition, at: datetime) -> Decider:
        def decide(releases: object) -> list[Decision]:
            listed: list[UpstreamRelease] = list(releases)  # type: ignore[call-overload]
            asked.extend(r.version for r in listed)
            deny = at < until  # a cooldown that ends at ``until``
            return [
                Decision("deny" if deny else "allow", valid_until=until if deny else None)
                for _ in listed
            ]

        return decide

    index = NpmIndex(
        store,
        blobs=BlobStore(tmp_path / "blobs"),  # type: ignore[operator]
        decider=factory,
        marker=lambda *_: "",
        clock=lambda: now[0],
    )
    try:
        first = orjson.loads(index.packument("js", "leftish", "http://x/", corgi=False).body)
        assert set(first["policyRestrictions"]["versions"]) == {"1.0.0", "1.1.0", "2.0.0"}
        index.packument("js", "leftish", "http://x/", corgi=False)
        assert len(asked) == 3  # kept: the same upstream document and the same inputs
        now[0] = until + timedelta(seconds=1)
        later = orjson.loads(index.packument("js", "leftish", "http://x/", corgi=False).body)
        assert "policyRestrictions" not in later and len(asked) == 6
    finally:
        index.upstream.close()


def test_within_the_revalidation_window_upstream_is_not_asked_but_inputs_are(
    store: Store, upstream: NpmUpstream, tmp_path: object
) -> None:
    from ossmeta.service.indexes import add_index

    add_index(store, "js", "npm", upstream.base, None, "test")
    markers = ["v1"]
    index = NpmIndex(
        store,
        blobs=BlobStore(tmp_path / "blobs"),  # type: ignore[operator]
        marker=lambda *_: markers[0],
        revalidate_after=3600,
    )
    try:
        first = index.packument("js", "leftish", "http://x/", corgi=True)
        assert index.packument("js", "leftish", "http://x/", corgi=True) is first
        markers[0] = "v2"  # the policy changed: rebuilt, from the held upstream document
        second = index.packument("js", "leftish", "http://x/", corgi=True)
        assert second is not first and second.body == first.body
        assert upstream.requests == ["GET /leftish"]
    finally:
        index.upstream.close()


def test_the_app_makes_its_own_index_service_for_an_index_without_policy(
    store: Store,
    upstream: NpmUpstream,
    tmp_path: object,
    monkeypatch: pytest.MonkeyPatch,
    serve_app: Callable[[FastAPI], str],
) -> None:
    from ossmeta.service.indexes import add_index

    monkeypatch.setenv("OSSMETA_HOME", str(tmp_path))
    monkeypatch.setenv("OSSMETA_INDEX_REVALIDATE_SECONDS", "0")
    add_index(store, "open", "npm", upstream.base, None, "test")
    app = create_app(ApiSettings(database_url=store.url), store=store)
    origin = serve_app(app)
    try:
        full = httpx.get(f"{origin}/index/open/npm/leftish").json()
        assert "policyRestrictions" not in full and full["dist-tags"]["latest"] == "2.0.0"
        tarball = httpx.get(full["versions"]["2.0.0"]["dist"]["tarball"])
        assert tarball.content == b"leftish@2.0.0"
        assert list((tmp_path / "blobs" / "sha256").glob("*/*"))  # type: ignore[operator]
    finally:
        app.state.npm_index.upstream.close()
