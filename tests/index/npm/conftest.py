"""An npm index under test: the stub upstream (``tests.index.npm_upstream``) on loopback,
ossmeta's app on uvicorn over a migrated store, and a test decider that denies the
versions a test names (the policy engine is another module's; its contract is the
``Decider``)."""

from __future__ import annotations

import subprocess
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import pytest
from fastapi import FastAPI

from ossmeta.analyses.policy.model import Decider, Decision, Reason, UpstreamRelease
from ossmeta.service.index_npm import NpmIndex
from ossmeta.service.indexes import add_index
from ossmeta.store import Store
from ossmeta.store.blobs import BlobStore
from ossmeta.store.indexes import IndexDefinition
from ossmeta.surfaces.api.app import create_app
from ossmeta.surfaces.api.settings import ApiSettings
from ossmeta.surfaces.index.npm_client import NPM_VERSION, npm_command
from tests.api.conftest import serve_app  # noqa: F401  (the fixture, reused)
from tests.index.npm_upstream import NpmUpstream, Spec, npm_env, npm_isolation, pack, running

SPECS = [
    Spec("leftish", "1.0.0", "2024-01-01T00:00:00.000Z"),
    Spec("leftish", "1.1.0", "2024-02-01T00:00:00.000Z"),
    Spec("leftish", "2.0.0", "2024-03-01T00:00:00.000Z", license="GPL-3.0-only"),
    Spec("@acme/widget", "1.0.0", "2024-01-15T00:00:00.000Z", dependencies={"leftish": "^1.0.0"}),
]
DENY_REASON = Reason("licenses.deny", "GPL-3.0-only is on the deny list")


@dataclass
class TestPolicy:
    """Denies or hides the named versions; counts what it was asked."""

    deny: set[tuple[str, str]] = field(default_factory=lambda: {("leftish", "2.0.0")})
    hide: set[tuple[str, str]] = field(default_factory=set)
    asked: list[str] = field(default_factory=list)

    def factory(self, store: Store, definition: IndexDefinition, now: datetime) -> Decider:
        def decide(releases: Sequence[UpstreamRelease]) -> Sequence[Decision]:
            out = []
            for release in releases:
                key = (release.name, release.version)
                self.asked.append(f"{release.name}@{release.version}")
                if key in self.deny:
                    out.append(Decision("deny", (DENY_REASON,), "baseline", 3))
                elif key in self.hide:
                    out.append(Decision("hide", (), "baseline", 3))
                else:
                    out.append(Decision("allow", (), "baseline", 3))
            return out

        return decide

    def marker(self, store: Store, definition: IndexDefinition, name: str) -> str:
        return repr((sorted(self.deny), sorted(self.hide)))


@pytest.fixture(scope="session")
def npm_cli() -> list[str]:
    found = npm_command()
    if found is None:
        pytest.skip(f"needs node on PATH and the pinned npm {NPM_VERSION} (make install)")
    return found


@pytest.fixture(scope="session")
def tarballs(
    npm_cli: list[str], tmp_path_factory: pytest.TempPathFactory
) -> dict[tuple[str, str], bytes]:
    return pack(npm_cli, SPECS, tmp_path_factory.mktemp("pack"))


@pytest.fixture
def upstream(tarballs: dict[tuple[str, str], bytes]) -> Iterator[NpmUpstream]:
    with running(NpmUpstream(SPECS, tarballs)) as stub:
        yield stub


@dataclass
class Registry:
    url: str  # the index root npm is pointed at (ends with /)
    origin: str
    store: Store
    policy: TestPolicy
    blobs: BlobStore


def add_gated_index(store: Store, base: str, tmp_path: Path) -> None:
    """The index ``js`` gated by an applied policy ``baseline`` (an index refuses a policy
    that was never applied); the tests decide through their own decider."""
    from ossmeta.service.policy import apply_policy

    policy = tmp_path / "baseline.toml"
    policy.write_text('name = "baseline"\n', encoding="utf-8")
    apply_policy(store, policy, None, "test")
    add_index(store, "js", "npm", base, "baseline", "test")


@pytest.fixture
def registry(
    store: Store,
    upstream: NpmUpstream,
    tmp_path: Path,
    serve_app: Callable[[FastAPI], str],  # noqa: F811
) -> Iterator[Registry]:
    add_gated_index(store, upstream.base, tmp_path)
    policy = TestPolicy()
    blobs = BlobStore(tmp_path / "blobs")
    app = create_app(ApiSettings(database_url=store.url), store=store)
    index = NpmIndex(store, blobs=blobs, decider=policy.factory, marker=policy.marker)
    app.state.npm_index = index
    origin = serve_app(app)
    yield Registry(f"{origin}/index/js/npm/", origin, store, policy, blobs)
    index.upstream.close()


@dataclass
class Npm:
    """Runs the pinned npm in a fresh project with isolated config and cache."""

    cli: list[str]
    registry: str
    work: Path

    def project(self, name: str) -> Path:
        folder = self.work / name
        folder.mkdir()
        (folder / "package.json").write_text('{"name": "app", "version": "1.0.0"}')
        return folder

    def run(
        self, folder: Path, *args: str, cache: str = "cache"
    ) -> subprocess.CompletedProcess[str]:
        flags = npm_isolation(self.work)
        flags[flags.index("--cache") + 1] = str(self.work / cache)
        return subprocess.run(
            [*self.cli, *args, *flags, "--registry", self.registry, "--loglevel=warn"],
            cwd=folder, capture_output=True, text=True, env=npm_env(self.work), timeout=300,
        )  # fmt: skip


@pytest.fixture
def npm(npm_cli: list[str], registry: Registry, tmp_path: Path) -> Npm:
    work = tmp_path / "npm"
    work.mkdir()
    return Npm(npm_cli, registry.url, work)
