"""The real npm (the pinned one) against an npm index on loopback, isolated from the
machine's npm config and cache. Each flow asserts on npm's output and on what the stub
upstream was asked."""

from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path

import httpx

from ossmeta.sources import osv
from ossmeta.store.advisories import AdvisoryImporter
from tests.index.npm.conftest import DENY_REASON, Npm, Registry
from tests.index.npm_upstream import NpmUpstream


def _integrity(body: bytes) -> str:
    return "sha512-" + base64.b64encode(hashlib.sha512(body).digest()).decode()


def _lock(folder: Path) -> dict[str, object]:
    loaded: dict[str, object] = json.loads((folder / "package-lock.json").read_text())
    return loaded["packages"]  # type: ignore[return-value]


def test_allowed_pin_and_a_range_that_skips_the_denied_version(
    npm: Npm, registry: Registry, upstream: NpmUpstream
) -> None:
    pinned = npm.project("pinned")
    done = npm.run(pinned, "install", "leftish@1.1.0")
    assert done.returncode == 0, done.stderr
    entry = _lock(pinned)["node_modules/leftish"]
    assert isinstance(entry, dict)
    assert entry["version"] == "1.1.0"
    assert entry["integrity"] == _integrity(upstream.tarballs[("leftish", "1.1.0")])
    assert entry["resolved"] == f"{registry.url}leftish/-/leftish-1.1.0.tgz"
    assert upstream.tarball_hits("leftish", "1.1.0") == 1

    ranged = npm.project("ranged")
    done = npm.run(ranged, "install", "leftish@>=1.0.0")
    assert done.returncode == 0, done.stderr
    installed = json.loads((ranged / "node_modules/leftish/package.json").read_text())
    assert installed["version"] == "1.1.0"  # 2.0.0 is newer, but denied
    assert upstream.tarball_hits("leftish", "1.1.0") == 1  # the second install: from ossmeta
    assert upstream.tarball_hits("leftish", "2.0.0") == 0


def test_a_denied_pin_fails_with_the_policy_reason(
    npm: Npm, registry: Registry, upstream: NpmUpstream
) -> None:
    done = npm.run(npm.project("denied"), "install", "leftish@2.0.0")
    assert done.returncode != 0
    assert "E403" in done.stderr
    assert "due to policy violations" in done.stderr
    assert f"{DENY_REASON.rule}: {DENY_REASON.message}" in done.stderr
    assert upstream.tarball_hits("leftish", "2.0.0") == 0
    # Hiding is not access control: the tarball route refuses too, with the reason.
    answer = httpx.get(f"{registry.url}leftish/-/leftish-2.0.0.tgz")
    assert answer.status_code == 403
    assert DENY_REASON.message in answer.json()["error"]
    assert upstream.tarball_hits("leftish", "2.0.0") == 0


def test_a_scoped_package_installs_with_its_dependency(npm: Npm, upstream: NpmUpstream) -> None:
    folder = npm.project("scoped")
    done = npm.run(folder, "install", "@acme/widget")
    assert done.returncode == 0, done.stderr
    lock = _lock(folder)
    widget, leftish = lock["node_modules/@acme/widget"], lock["node_modules/leftish"]
    assert isinstance(widget, dict) and isinstance(leftish, dict)
    assert widget["version"] == "1.0.0" and leftish["version"] == "1.1.0"
    assert "GET /@acme/widget" in upstream.requests


def test_a_tampered_tarball_is_refused_and_not_kept(
    npm: Npm, registry: Registry, upstream: NpmUpstream
) -> None:
    upstream.tampered.add(("leftish", "1.0.0"))
    # npm retries a 5xx with back-off (10 s and more): once is enough here.
    done = npm.run(npm.project("tampered"), "install", "leftish@1.0.0", "--fetch-retries=0")
    assert done.returncode != 0
    assert "502" in done.stderr
    assert upstream.tarball_hits("leftish", "1.0.0") >= 1
    answer = httpx.get(f"{registry.url}leftish/-/leftish-1.0.0.tgz")
    assert answer.status_code == 502 and "sha" in answer.json()["error"]
    assert not list((registry.blobs.root / "sha256").glob("*/*"))


def test_upstream_offline_serves_what_was_cached_and_still_denies(
    npm: Npm, upstream: NpmUpstream
) -> None:
    assert npm.run(npm.project("warm"), "install", "leftish@1.1.0").returncode == 0
    upstream.offline = True
    before = len(upstream.requests)
    cold = npm.project("cold")
    done = npm.run(cold, "install", "leftish@1.1.0", cache="fresh-cache")
    assert done.returncode == 0, done.stderr
    assert (cold / "node_modules/leftish/package.json").is_file()
    assert len(upstream.requests) > before  # ossmeta did try upstream (and got 503)
    denied = npm.run(npm.project("denied"), "install", "leftish@2.0.0", cache="fresh-cache")
    assert denied.returncode != 0 and "E403" in denied.stderr


def test_npm_audit_reports_an_advisory_imported_into_ossmeta(
    npm: Npm, registry: Registry, tmp_path: Path
) -> None:
    record = {
        "schema_version": "1.6.0",
        "id": "GHSA-left-ish0-0001",
        "modified": "2024-05-01T00:00:00Z",
        "published": "2024-05-01T00:00:00Z",
        "summary": "leftish evaluates its input",
        "affected": [
            {
                "package": {"ecosystem": "npm", "name": "leftish"},
                "ranges": [{"type": "SEMVER", "events": [{"introduced": "0"}, {"fixed": "1.1.0"}]}],
            }
        ],
        "database_specific": {"severity": "HIGH", "cwe_ids": ["CWE-94"]},
    }
    folder = tmp_path / "osv"
    folder.mkdir()
    (folder / "GHSA-left-ish0-0001.json").write_text(json.dumps(record))
    AdvisoryImporter(registry.store).run(osv.iter_records(osv.expand([str(folder)]), "CC-BY-4.0"))

    project = npm.project("audited")
    assert npm.run(project, "install", "leftish@1.0.0", "--no-audit").returncode == 0
    done = npm.run(project, "audit", "--json")
    assert done.returncode == 1, done.stderr  # npm audit fails when it finds something
    report = json.loads(done.stdout)
    vulnerability = report["vulnerabilities"]["leftish"]
    assert vulnerability["severity"] == "high"
    (via,) = vulnerability["via"]
    assert via["title"] == "leftish evaluates its input"
    assert via["range"] == "<1.1.0"
    assert via["url"].endswith("/api/v1/advisories/GHSA-left-ish0-0001")

    fixed = npm.project("fixed")
    assert npm.run(fixed, "install", "leftish@1.1.0", "--no-audit").returncode == 0
    clean = npm.run(fixed, "audit", "--json")
    assert clean.returncode == 0, clean.stdout
