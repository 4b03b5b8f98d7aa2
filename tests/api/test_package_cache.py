"""The API keeps rendered package documents between requests (``package_cache``): every
change the store can make to a package shows on the next request, over real HTTP, and the
cache stays within its bounds."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from ossmeta.model import PackageRecord
from ossmeta.service import public
from ossmeta.store import Store
from ossmeta.store.curations import propose, review
from ossmeta.store.packages import delete_package, mark_removed, save_package
from ossmeta.surfaces.api.package_cache import PackageCache
from tests.api.conftest import ApiServer
from tests.api.world import public_package

T0 = datetime(2026, 3, 1, tzinfo=UTC)
URL = "/api/v1/packages/pkg:pypi/core"


def _save(store: Store, record: PackageRecord, now: datetime) -> None:
    with store.engine.begin() as connection:
        save_package(connection, record, now)


def test_every_change_to_a_package_shows_on_the_next_request(api: ApiServer) -> None:
    _save(api.store, public_package("core", {"1.0": ()}), T0)
    with api.client() as http:
        first = http.get(URL)
        again = http.get(URL)
        assert first.status_code == again.status_code == 200
        assert again.content == first.content
        assert again.headers["etag"] == first.headers["etag"]

        # A re-sync with a new version.
        _save(api.store, public_package("core", {"1.0": (), "1.1": ()}), T0 + timedelta(hours=1))
        synced = http.get(URL)
        assert [v["version"] for v in synced.json()["versions"]] == ["1.0", "1.1"]
        assert synced.headers["etag"] != first.headers["etag"]
        versions = http.get(URL + ":versions").json()["items"]
        assert [v["version"] for v in versions] == ["1.0", "1.1"]

        # A curation: proposed changes nothing, approved does.
        with api.store.engine.begin() as connection:
            curation = propose(
                connection,
                "pkg:pypi/core",
                "license",
                "Apache-2.0",
                reason="the LICENSE file is Apache 2.0",
                author="alice",
                evidence="https://example.org/LICENSE",
                now=T0,
            )
        assert http.get(URL).json()["license"]["spdx"] == "MIT"
        with api.store.engine.begin() as connection:
            review(connection, curation, True, "bob", "checked", T0)
        assert http.get(URL).json()["license"]["spdx"] == "Apache-2.0"

        # A new dependent, then that dependent gone again.
        _save(api.store, public_package("web", {"0.1": ("core",)}), T0)
        assert http.get(URL).json()["dependents"] == 1
        with api.store.engine.begin() as connection:
            delete_package(connection, "pkg:pypi/web")
        assert http.get(URL).json()["dependents"] == 0

        # Removed by the registry, then deleted from the store.
        with api.store.engine.begin() as connection:
            mark_removed(connection, "pkg:pypi/core", T0 + timedelta(hours=2))
        assert http.get(URL).json()["status"] == "removed"
        with api.store.engine.begin() as connection:
            delete_package(connection, "pkg:pypi/core")
        gone = http.get(URL)
        assert gone.status_code == 404
        assert gone.headers["content-type"] == "application/problem+json"


def test_a_kept_package_is_gzipped_once_and_answered_either_way(api: ApiServer) -> None:
    versions = tuple(f"1.{n}.0" for n in range(20))
    _save(api.store, public_package("core", dict.fromkeys(versions, ())), T0)
    with api.client() as http:
        plain = http.get(URL, headers={"accept-encoding": "identity"})
        packed = http.get(URL, headers={"accept-encoding": "gzip"})
        packed_again = http.get(URL, headers={"accept-encoding": "gzip, br"})
    assert plain.status_code == packed.status_code == 200
    assert "content-encoding" not in plain.headers
    assert packed.headers["content-encoding"] == "gzip"
    assert "accept-encoding" in packed.headers["vary"].lower()
    assert packed.content == plain.content  # httpx decodes it
    assert int(packed.headers["content-length"]) < len(plain.content)
    assert packed_again.content == plain.content
    assert packed.headers["etag"] == plain.headers["etag"]
    assert [v["version"] for v in packed.json()["versions"]] == list(versions)


def test_an_unchanged_package_is_not_read_again(store: Store) -> None:
    """While the marker holds, the store is asked for the marker only; a change to the
    package gives a new marker and the view again."""
    _save(store, public_package("core", {"1.0": ()}), T0)
    first = public.marked_package_view(store, "pkg:pypi/core")
    assert first is not None and first.view is not None
    held = public.marked_package_view(store, "pkg:pypi/core", first.marker)
    assert held is not None
    assert held.view is None
    assert held.marker == first.marker
    _save(store, public_package("core", {"1.0": (), "2.0": ()}), T0 + timedelta(seconds=1))
    changed = public.marked_package_view(store, "pkg:pypi/core", first.marker)
    assert changed is not None and changed.view is not None
    assert changed.marker != first.marker
    assert [v.version for v in changed.view.record.versions] == ["1.0", "2.0"]
    assert public.marked_package_view(store, "pkg:pypi/nothing") is None


def test_the_cache_keeps_to_its_bounds(store: Store) -> None:
    for n in range(4):
        _save(store, public_package(f"p{n}", {"1.0": ()}), T0)
    by_entries = PackageCache(store, max_entries=2, max_bytes=1 << 20)
    for n in range(4):
        found = by_entries.get(f"pkg:pypi/p{n}")
        assert found is not None
        assert found.document["purl"] == f"pkg:pypi/p{n}"
    assert len(by_entries) == 2
    body = by_entries.get("pkg:pypi/p0").size  # type: ignore[union-attr]
    assert by_entries.size_bytes == 2 * body  # the purls differ by no more than a digit

    by_bytes = PackageCache(store, max_entries=100, max_bytes=body)
    for n in range(4):
        assert by_bytes.get(f"pkg:pypi/p{n}") is not None
    assert len(by_bytes) == 1
    assert by_bytes.size_bytes <= body

    too_small = PackageCache(store, max_entries=100, max_bytes=body - 1)
    assert too_small.get("pkg:pypi/p0") is not None  # answered, not kept
    assert len(too_small) == 0
    assert too_small.size_bytes == 0


def test_a_package_gone_from_the_store_leaves_the_cache(store: Store) -> None:
    _save(store, public_package("core", {"1.0": ()}), T0)
    cache = PackageCache(store, max_entries=10, max_bytes=1 << 20)
    assert cache.get("pkg:pypi/core@1.0") is not None  # the version is not the key
    assert len(cache) == 1
    with store.engine.begin() as connection:
        delete_package(connection, "pkg:pypi/core")
    assert cache.get("pkg:pypi/core") is None
    assert len(cache) == 0


def test_a_resave_at_the_same_moment_is_still_seen(store: Store) -> None:
    """``save_package`` gives the package row a new id even when ``now`` repeats (SQLite
    would hand the deleted newest row's id to the next insert)."""
    _save(store, public_package("core", {"1.0": ()}), T0)
    cache = PackageCache(store, max_entries=10, max_bytes=1 << 20)
    before = cache.get("pkg:pypi/core")
    assert before is not None
    assert before.document["repository"] == "github.com/example/core"
    moved = replace(public_package("core", {"1.0": ()}), repository="github.com/example/moved")
    _save(store, moved, T0)
    after = cache.get("pkg:pypi/core")
    assert after is not None
    assert after.document["repository"] == "github.com/example/moved"
