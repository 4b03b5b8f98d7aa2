"""A real policy on a hardened npm release (SQLite and PostgreSQL): not affected by the
advisory it was rebuilt to fix, so allowed while the upstream version it replaces is denied,
and exempt from the cooldown as a security fix; a malware record is never lifted."""

from __future__ import annotations

import io
import json
import tarfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

from ossmeta.analyses.policy.model import UpstreamRelease
from ossmeta.service.hardened import add_hardened
from ossmeta.service.policy import apply_policy
from ossmeta.service.policy_decide import decide_releases
from ossmeta.store import Store
from ossmeta.store.blobs import BlobStore
from tests.index.npm.flows import BASELINE, _record
from tests.service.inventories_data import import_records

NOW = datetime.now(UTC)


def _tarball(path: Path, name: str, version: str) -> Path:
    body = json.dumps({"name": name, "version": version, "license": "MIT"}).encode()
    member = tarfile.TarInfo("package/package.json")
    member.size = len(body)
    with tarfile.open(path, "w:gz") as tar:
        tar.addfile(member, io.BytesIO(body))
    return path


def _decide(store: Store, *versions: str) -> dict[str, list[str]]:
    old = NOW - timedelta(days=400)
    releases = [UpstreamRelease("npm", "leftish", v, old, "MIT") for v in versions[:-1]]
    releases.append(UpstreamRelease("npm", "leftish", versions[-1], NOW, "MIT"))  # today's
    decided = decide_releases(store, "gate", releases, NOW)
    return {r.version: [x.rule for x in d.reasons] for r, d in zip(releases, decided, strict=True)}


def test_a_hardened_release_is_not_denied_for_what_it_fixes(store: Store, tmp_path: Path) -> None:
    policy = tmp_path / "gate.toml"
    policy.write_text(BASELINE.format(name="gate"), encoding="utf-8")
    apply_policy(store, policy, None, "ops")
    flaw = _record("GHSA-left-ish0-0002", "leftish", "HIGH", [{"introduced": "1.1.0"}])
    import_records(store, tmp_path / "osv", flaw)  # type: ignore[arg-type]
    versions = ("1.0.0", "1.1.0", "1.2.0", "1.2.0-trusted.1")
    before = _decide(store, *versions)
    # Before it is added, 1.2.0-trusted.1 is just a fresh, affected prerelease.
    assert before["1.2.0-trusted.1"] == ["security.deny_at_or_above", "cooldown.min_age_days"]

    patch = tmp_path / "fix.patch"
    patch.write_text("--- a\n+++ b\n")
    artifact = _tarball(tmp_path / "leftish-1.2.0-trusted.1.tgz", "leftish", "1.2.0-trusted.1")
    fixes = ["ghsa-left-ish0-0002"]  # ids compare without case, as scans do
    add_hardened(store, "pkg:npm/leftish@1.2.0", artifact, fixes, [patch], "ops",
                 BlobStore(tmp_path / "blobs"))  # fmt: skip
    after = _decide(store, *versions)
    assert after == {
        "1.0.0": [],
        "1.1.0": ["security.deny_at_or_above"],
        "1.2.0": ["security.deny_at_or_above"],
        "1.2.0-trusted.1": [],  # not affected, and a security fix: no cooldown
    }

    # A rebuild that claims to fix malware does not lift it.
    malware = _record("MAL-2026-0001", "leftish", "CRITICAL", [{"introduced": "0"}])
    import_records(store, tmp_path / "mal", malware)  # type: ignore[arg-type]
    artifact = _tarball(tmp_path / "leftish-1.2.0-trusted.2.tgz", "leftish", "1.2.0-trusted.2")
    add_hardened(store, "pkg:npm/leftish@1.2.0", artifact, ["MAL-2026-0001"], [patch], "ops",
                 BlobStore(tmp_path / "blobs"))  # fmt: skip
    rules = _decide(store, "1.0.0", "1.2.0-trusted.2")["1.2.0-trusted.2"]
    assert "security.malicious" in rules, rules
