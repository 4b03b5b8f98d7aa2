"""The pieces the policy flows rely on, without clients: a hardened release is decided by
the advisories it does not fix (and the fixed ones exempt it from the cooldown, as a
security fix), without taking the security-fix exemption away from the upstream release
after it; the Python index lists a hardened file from the blob store with its own hashes,
size, upload time and extracted core metadata, and a page is rebuilt when one is added."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from ossmeta.analyses.policy.model import UpstreamRelease
from ossmeta.service.hardened import add_hardened, hardened_list
from ossmeta.service.index_pypi import PythonIndexes
from ossmeta.service.indexes import add_index
from ossmeta.service.policy import apply_policy
from ossmeta.service.policy_decide import decide_releases
from ossmeta.store import Store
from ossmeta.store.blobs import BlobStore
from tests.index.pypi.policy_harness import ADV_HARD, BASELINE, HIGH, advisory
from tests.index.pypi_upstream import Dist, Upstream, make_wheel
from tests.service.inventories_data import import_records

NOW = datetime(2026, 6, 1, tzinfo=UTC)
DAY = timedelta(days=1)


def _hardened(store: Store, tmp_path: Path, blobs: BlobStore) -> Dist:
    # The wheel's own time is not used: a hardened file's upload time is when it was added.
    wheel = make_wheel("hard-pkg", "1.0+trusted.1", NOW, license="Apache-2.0")
    path = tmp_path / wheel.filename
    path.write_bytes(wheel.content)
    patch = tmp_path / "fix.patch"
    patch.write_text("--- a\n+++ b\n", encoding="utf-8")
    add_hardened(store, "pkg:pypi/hard-pkg@1.0", path, [ADV_HARD], [patch], "ops", blobs)
    return wheel


def test_a_hardened_release_is_decided_by_what_it_does_not_fix(
    store: Store, tmp_path: Path
) -> None:
    policy = tmp_path / "baseline.toml"
    policy.write_text(BASELINE, encoding="utf-8")
    apply_policy(store, policy, None, "ops")
    other = "GHSA-pppp-qqqq-rrrr"
    import_records(
        store,
        tmp_path / "osv",
        advisory(ADV_HARD, "hard-pkg", HIGH, fixed="1.1"),
        advisory(other, "hard-pkg", HIGH, introduced="0.9", fixed="0.9.1"),
    )
    _hardened(store, tmp_path, BlobStore(tmp_path / "blobs"))
    releases = [
        UpstreamRelease("pypi", "hard-pkg", "1.0", NOW - 100 * DAY, "MIT"),
        UpstreamRelease("pypi", "hard-pkg", "1.0+trusted.1", NOW - DAY, "Apache-2.0"),
        UpstreamRelease("pypi", "hard-pkg", "1.1", NOW - DAY, "MIT"),
        UpstreamRelease("pypi", "hard-pkg", "0.9+trusted.1", NOW - 100 * DAY, "MIT"),
    ]
    upstream, hardened, fix, unrelated = decide_releases(store, "baseline", releases, NOW)
    assert upstream.action == "deny" and upstream.reasons[0].advisory == ADV_HARD
    # Fresh, but it fixes the advisory of the version it replaces: exempt, and allowed.
    assert hardened.action == "allow", hardened.summary()
    # The upstream fix keeps its own exemption (the hardened release does not hide that it
    # fixes what 1.0 had).
    assert fix.action == "allow", fix.summary()
    # A hardened version is matched by its own version: 0.9+trusted.1 is not 1.0+trusted.1.
    assert unrelated.action == "deny" and {r.advisory for r in unrelated.reasons} >= {other}


def test_the_index_lists_a_hardened_file(store: Store, tmp_path: Path) -> None:
    upstream = Upstream()
    upstream.add("hard-pkg", make_wheel("hard-pkg", "1.0", NOW - 100 * DAY))
    blobs = BlobStore(tmp_path / "blobs")
    with upstream.serve():
        add_index(store, "main", "pypi", upstream.base + "/simple/", None, "ops")
        indexes = PythonIndexes(store, blobs, upstream_ttl=0)
        try:
            before = indexes.project("main", "hard-pkg")
            assert before is not None and before.versions == ("1.0",)
            wheel = _hardened(store, tmp_path, blobs)
            after = indexes.project("main", "hard-pkg")
        finally:
            indexes.close()
    assert after is not None and after.versions == ("1.0", "1.0+trusted.1")
    served = after.files[wheel.filename]
    assert (served.origin, served.sha256, served.size) == (
        "hardened",
        wheel.sha256,
        len(wheel.content),
    )
    assert served.upload_time == hardened_list(store)[0].created_at
    assert wheel.metadata is not None
    assert served.metadata_sha256 == hashlib.sha256(wheel.metadata).hexdigest()
    assert blobs.find(served.metadata_sha256) is not None  # the sidecar can be served
    assert served.upstream_url is None and served.action == "allow"


def test_a_hardened_file_missing_from_the_blob_store_is_not_listed(
    store: Store, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    upstream = Upstream()
    upstream.add("hard-pkg", make_wheel("hard-pkg", "1.0", NOW - 100 * DAY))
    with upstream.serve():
        add_index(store, "main", "pypi", upstream.base + "/simple/", None, "ops")
        _hardened(store, tmp_path, BlobStore(tmp_path / "elsewhere"))
        indexes = PythonIndexes(store, BlobStore(tmp_path / "blobs"), upstream_ttl=0)
        try:
            view = indexes.project("main", "hard-pkg")
        finally:
            indexes.close()
    assert view is not None and view.versions == ("1.0",)
    assert "not in the blob store" in caplog.text
