"""The pinned npm against an npm index gated by REAL policies (applied with ``ossmeta policy
apply``, the index added with ``--policy``), advisories imported into ossmeta: allowed and
denied versions, waivers and their expiry, the cooldown and its security-fix exemption,
hardened releases on ``latest``/``trusted``, an offline upstream, revocation, and audit.
Assertions read npm's output and the stub upstream's request log."""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi import FastAPI

from ossmeta.service.index_npm import NpmIndex
from ossmeta.store import Store
from ossmeta.store.blobs import BlobStore
from ossmeta.surfaces.api.app import create_app
from ossmeta.surfaces.api.settings import ApiSettings
from tests.api.conftest import serve_app  # noqa: F401  (the fixture, reused)
from tests.index.npm.conftest import Npm
from tests.index.npm.flows import (
    BASELINE,
    FIXER_ADVISORY,
    FLOW_SPECS,
    HARDENED,
    LEFTISH_ADVISORY,
    Clock,
    apply,
    cli,
    gate,
    import_advisories,
)
from tests.index.npm_upstream import NpmUpstream, pack, running


@pytest.fixture(scope="session")
def flow_tarballs(
    npm_cli: list[str], tmp_path_factory: pytest.TempPathFactory
) -> dict[tuple[str, str], bytes]:
    return pack(npm_cli, [*FLOW_SPECS, HARDENED], tmp_path_factory.mktemp("flows"))


@dataclass
class Flow:
    store: Store
    upstream: NpmUpstream
    origin: str
    clock: Clock
    cli: list[str]
    work: Path
    hardened: bytes  # the foundation's tarball of leftish 1.2.0-trusted.1

    def gate(self, index: str, policy: str, text: str | None = None) -> None:
        body = text if text is not None else BASELINE.format(name=policy)
        gate(self.store, self.work, index, policy, body, self.upstream.base)

    def npm(self, index: str, who: str) -> Npm:
        folder = self.work / who
        folder.mkdir()
        return Npm(self.cli, f"{self.origin}/index/{index}/npm/", folder)


@pytest.fixture
def flow(
    store: Store,
    npm_cli: list[str],
    flow_tarballs: dict[tuple[str, str], bytes],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    serve_app: Callable[[FastAPI], str],  # noqa: F811
) -> Iterator[Flow]:
    # ``ossmeta hardened add`` stores into OSSMETA_HOME's blobs; the index reads the same.
    monkeypatch.setenv("OSSMETA_HOME", str(tmp_path / "home"))
    import_advisories(store, tmp_path / "osv")
    served = {k: v for k, v in flow_tarballs.items() if k != (HARDENED.name, HARDENED.version)}
    clock = Clock()
    with running(NpmUpstream(FLOW_SPECS, served)) as upstream:
        app = create_app(ApiSettings(database_url=store.url), store=store)
        index = NpmIndex(store, blobs=BlobStore(tmp_path / "home" / "blobs"), clock=clock)
        app.state.npm_index = index
        hardened = flow_tarballs[(HARDENED.name, HARDENED.version)]
        yield Flow(store, upstream, serve_app(app), clock, npm_cli, tmp_path, hardened)
        index.upstream.close()


def _installed(folder: Path, name: str) -> str:
    manifest = json.loads((folder / "node_modules" / name / "package.json").read_text())
    return str(manifest["version"])


def _install(npm: Npm, project: str, *args: str, cache: str = "cache") -> tuple[Path, str]:
    """The project folder and npm's stderr, after an install that must succeed."""
    folder = npm.project(project)
    done = npm.run(folder, "install", "--no-audit", *args, cache=cache)
    assert done.returncode == 0, done.stderr
    return folder, done.stderr


def _refused(npm: Npm, spec: str, cache: str = "cache") -> str:
    done = npm.run(npm.project(f"refused-{len(list(npm.work.iterdir()))}"), "install",
                   "--no-audit", spec, cache=cache)  # fmt: skip
    assert done.returncode != 0, done.stdout
    assert "E403" in done.stderr and "due to policy violations" in done.stderr, done.stderr
    return done.stderr


def _tags(npm: Npm, name: str) -> dict[str, str]:
    done = npm.run(npm.work, "view", name, "dist-tags", "--json")
    assert done.returncode == 0, done.stderr
    tags: dict[str, str] = json.loads(done.stdout)
    return tags


def test_allowed_denied_range_tags_and_audit(flow: Flow) -> None:
    flow.gate("js", "gate")
    npm = flow.npm("js", "dev")
    folder, _ = _install(npm, "pinned", "leftish@1.0.0")
    assert _installed(folder, "leftish") == "1.0.0"
    assert flow.upstream.tarball_hits("leftish", "1.0.0") == 1

    # A pin on the vulnerable version: E403 naming the rule and the advisory; never fetched.
    stderr = _refused(npm, "leftish@1.2.0")
    assert "security.deny_at_or_above" in stderr and LEFTISH_ADVISORY in stderr
    assert flow.upstream.tarball_hits("leftish", "1.2.0") == 0

    folder, _ = _install(npm, "ranged", "leftish@^1.0.0")
    assert _installed(folder, "leftish") == "1.0.0"  # 1.1.0 and 1.2.0 are newer, but denied
    assert flow.upstream.tarball_hits("leftish", "1.0.0") == 1  # served from ossmeta now
    # Upstream tags 1.2.0 latest: the index's tags never name a denied version.
    assert _tags(npm, "leftish") == {"latest": "1.0.0"}

    # npm audit through the gated index: a low advisory the policy lets through.
    audited, _ = _install(npm, "audited", "fixer@1.0.0")
    done = npm.run(audited, "audit", "--json")
    assert done.returncode == 1, done.stderr
    report = json.loads(done.stdout)["vulnerabilities"]["fixer"]
    assert report["severity"] == "low"
    assert report["via"][0]["url"].endswith(f"/api/v1/advisories/{FIXER_ADVISORY}")


def test_cooldown_its_exemption_and_npm_min_release_age(flow: Flow) -> None:
    flow.gate("js", "gate")
    npm = flow.npm("js", "dev")
    assert "cooldown.min_age_days" in _refused(npm, "fresh@1.1.0")  # a day old
    folder, _ = _install(npm, "fresh", "fresh")
    assert _installed(folder, "fresh") == "1.0.0"  # latest moved off the held version
    # fixer 1.0.1 is as fresh, but fixes an advisory of 1.0.0: exempt.
    folder, _ = _install(npm, "fixed", "fixer")
    assert _installed(folder, "fixer") == "1.0.1"
    # The index keeps the ``time`` map, so npm's own cooldown works on top of the policy.
    folder, _ = _install(npm, "aged", "fixer", "--min-release-age=3")
    assert _installed(folder, "fixer") == "1.0.0"


def test_a_waiver_lets_a_version_through_until_it_expires(flow: Flow) -> None:
    flow.gate("js", "gate")
    npm = flow.npm("js", "dev")
    _refused(npm, "fresh@1.1.0")
    waiver = ("policy", "waiver", "add", "gate", "pkg:npm/fresh", "--versions", "==1.1.0")
    people = ("--reason", "needed now", "--requested-by", "ann", "--approved-by", "ben")
    assert cli(*waiver, *people, "--days", "1", "--db", flow.store.url) == 0
    folder, _ = _install(npm, "waived", "fresh@1.1.0")
    assert _installed(folder, "fresh") == "1.1.0"
    # The index's clock passes the expiry (the decision's valid_until): refused again.
    flow.clock.offset = timedelta(days=1, hours=1)
    assert "cooldown.min_age_days" in _refused(npm, "fresh@1.1.0", cache="after-expiry")


def test_a_hardened_release_is_latest_when_upstream_is_denied(flow: Flow) -> None:
    # The hardened release is a build of today, but fixes an advisory of the version before
    # it (in semver order, 1.1.0 < 1.2.0-trusted.1 < 1.2.0): the cooldown exempts it.
    flow.gate("js", "gate")
    npm = flow.npm("js", "dev")
    tarball = flow.work / f"leftish-{HARDENED.version}.tgz"
    tarball.write_bytes(flow.hardened)
    patch = flow.work / "fix.patch"
    patch.write_text("--- a/index.js\n+++ b/index.js\n")
    added = ("hardened", "add", "pkg:npm/leftish@1.2.0", str(tarball), "--patch", str(patch))
    assert cli(*added, "--fixes", LEFTISH_ADVISORY, "--db", flow.store.url) == 0

    assert _tags(npm, "leftish") == {"latest": HARDENED.version, "trusted": HARDENED.version}
    folder, _ = _install(npm, "latest", "leftish@latest")
    assert _installed(folder, "leftish") == HARDENED.version
    locked = json.loads((folder / "package-lock.json").read_text())["packages"]
    digest = base64.b64encode(hashlib.sha512(flow.hardened).digest()).decode()
    assert locked["node_modules/leftish"]["integrity"] == f"sha512-{digest}"  # its own
    saved = json.loads((folder / "package.json").read_text())["dependencies"]["leftish"]
    assert saved == f"^{HARDENED.version}"  # later installs keep the hardened line
    folder, _ = _install(npm, "tagged", "leftish@trusted")
    assert _installed(folder, "leftish") == HARDENED.version
    # npm semantics: a range of releases never picks a prerelease; the pin stays refused.
    folder, _ = _install(npm, "ranged", "leftish@^1.0.0")
    assert _installed(folder, "leftish") == "1.0.0"
    _refused(npm, "leftish@1.2.0")
    assert flow.upstream.tarball_hits("leftish", HARDENED.version) == 0
    assert flow.upstream.tarball_hits("leftish", "1.2.0") == 0


def test_offline_upstream_then_revocation(flow: Flow) -> None:
    loose = BASELINE.format(name="gate").replace('"high"', '"critical"')
    flow.gate("js", "gate", loose)
    npm = flow.npm("js", "dev")
    locked, _ = _install(npm, "locked", "leftish@1.2.0")  # allowed while only critical counts
    _refused(npm, "fresh@1.1.0")  # ossmeta now holds fresh's packument too

    flow.upstream.offline = True
    before = len(flow.upstream.requests)
    folder, _ = _install(npm, "offline", "leftish@1.2.0", cache="offline-cache")
    assert _installed(folder, "leftish") == "1.2.0"
    assert len(flow.upstream.requests) > before  # ossmeta asked upstream (503), then its store
    _refused(npm, "fresh@1.1.0", cache="offline-cache")  # denied stays denied
    flow.upstream.offline = False

    # Revocation: a stricter policy is applied; the index's next answer refuses 1.2.0.
    apply(flow.store, flow.work, "gate", BASELINE.format(name="gate"))
    assert LEFTISH_ADVISORY in _refused(npm, "leftish@1.2.0", cache="after-revocation")
    # A lock file still naming it: npm's cache serves the tarball it holds by integrity,
    # without asking the index, so the runbook clears the cache; then the tarball route
    # refuses (403) with the reason.
    cached = npm.run(locked, "ci", "--no-audit", "--offline")
    assert cached.returncode == 0, cached.stderr
    assert npm.run(locked, "cache", "clean", "--force").returncode == 0
    done = npm.run(locked, "ci", "--no-audit", "--fetch-retries=0")
    assert done.returncode != 0 and "403" in done.stderr, done.stderr
    assert LEFTISH_ADVISORY in done.stderr, done.stderr
    assert flow.upstream.tarball_hits("leftish", "1.2.0") == 1  # only the first install
