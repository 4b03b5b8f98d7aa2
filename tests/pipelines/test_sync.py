"""``run_sync`` against the synthetic registries on loopback, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import gc
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from ossmeta.errors import UsageError
from ossmeta.pipelines.normalize import normalize_stored
from ossmeta.pipelines.sync.crates import CratesRegistry
from ossmeta.pipelines.sync.gc_settings import rare_collections
from ossmeta.pipelines.sync.maven import MavenRegistry
from ossmeta.pipelines.sync.npm import NpmRegistry
from ossmeta.pipelines.sync.pypi import PypiRegistry
from ossmeta.pipelines.sync.registry import Endpoints, Registry
from ossmeta.pipelines.sync.run import SyncReport, SyncRequest, run_sync, utc_now
from ossmeta.sources.http import Fetcher, HttpSettings
from ossmeta.store import Store, open_store
from ossmeta.store.packages import count_dependents, load_package
from ossmeta.store.schema import fetch_validators, sync_status
from tests.loopback import Loopback, serve
from tests.registry_server import Universe

FAST = HttpSettings(
    rate_per_host=None, max_retries=1, backoff_base=0.001, backoff_cap=0.01, trust_env=False
)


@pytest.fixture
def universe() -> Universe:
    return Universe.make(pypi=6, npm=6, crates=4, maven=4, versions=4)


@pytest.fixture
def server(universe: Universe) -> Iterator[Loopback]:
    with serve(quiet=True) as loopback:
        loopback.handler = universe.handler(loopback.origin)
        yield loopback


def registries(origin: str) -> dict[str, Registry]:
    return {
        "pypi": PypiRegistry(origin),
        "npm": NpmRegistry(Endpoints(origin + "/npm", {"changes_url": origin + "/npm-replicate"})),
        "crates": CratesRegistry(Endpoints(origin + "/crates-index")),
        "maven": MavenRegistry(origin + "/maven"),
    }


def sync(
    store: Store,
    registry: Registry,
    names: list[str] | tuple[str, ...] = (),
    changed: bool = False,
    settings: HttpSettings = FAST,
) -> SyncReport:
    async def go() -> SyncReport:
        async with Fetcher(settings) as fetcher:
            return await run_sync(store, registry, SyncRequest(tuple(names), changed), fetcher)

    return asyncio.run(go())


def names_of(universe: Universe, registry: str) -> list[str]:
    return {
        "pypi": universe.pypi_names,
        "npm": universe.npm_names,
        "crates": universe.crate_names,
        "maven": universe.maven_names,
    }[registry]


@pytest.mark.parametrize("name", ["pypi", "npm", "crates", "maven"])
def test_every_registry_syncs_then_answers_304(
    store: Store, server: Loopback, universe: Universe, name: str
) -> None:
    registry = registries(server.origin)[name]
    wanted = names_of(universe, name)
    first = sync(store, registry, wanted)
    assert (first.total, first.written, first.failed) == (len(wanted), len(wanted), 0)
    with store.engine.connect() as connection:
        for package in wanted:
            record = load_package(connection, registry.purl(package))
            assert record is not None, package
            assert [v.version for v in record.versions] == universe._versions(package)
            assert record.repository is not None and record.repository.startswith("github.com/")
        stored_validators = connection.execute(select(func.count()).select_from(fetch_validators))
        assert stored_validators.scalar_one() >= len(wanted)
    before = len(server.requests)
    again = sync(store, registry, wanted)
    assert (again.written, again.unchanged, again.failed) == (0, len(wanted), 0)
    answered = server.requests[before:]
    assert all("if-none-match" in r.headers for r in answered if r.method == "GET")


def test_pypi_versions_licences_dependencies_and_yanks(
    store: Store, server: Loopback, universe: Universe
) -> None:
    registry = registries(server.origin)["pypi"]
    sync(store, registry, universe.pypi_names)
    name = universe.pypi_names[1]
    with store.engine.connect() as connection:
        record = load_package(connection, registry.purl(name))
    assert record is not None
    oldest, *_, newest = record.versions
    # The generator yanks the first version on the simple page.
    assert oldest.yanked and oldest.yanked_reason == "broken build"
    assert not newest.yanked
    assert newest.license is not None and newest.license.raw
    assert any(d.extra == "test" and d.purl == "pkg:pypi/pytest" for d in newest.dependencies)
    assert {f.filename for f in newest.files} == {
        f"{name.replace('-', '_')}-{newest.version}-py3-none-any.whl",
        f"{name.replace('-', '_')}-{newest.version}.tar.gz",
    }


def test_pypi_changed_follows_the_serial(
    store: Store, server: Loopback, universe: Universe
) -> None:
    registry = registries(server.origin)["pypi"]
    sync(store, registry, universe.pypi_names)
    start = sync(store, registry, changed=True)
    assert start.total == 0 and "starting from serial 1000" in start.notes[0]
    universe.publish("pypi", universe.pypi_names[2])
    universe.publish("pypi", universe.pypi_names[4])
    changed = sync(store, registry, changed=True)
    assert (changed.total, changed.written) == (2, 2)
    with store.engine.connect() as connection:
        record = load_package(connection, registry.purl(universe.pypi_names[2]))
    assert record is not None and len(record.versions) == 5
    assert sync(store, registry, changed=True).total == 0  # the cursor moved on


def test_npm_changed_follows_the_feed(store: Store, server: Loopback, universe: Universe) -> None:
    registry = registries(server.origin)["npm"]
    assert "starting from 5000" in sync(store, registry, changed=True).notes[0]
    universe.publish("npm", universe.npm_names[0])
    changed = sync(store, registry, changed=True)
    assert (changed.total, changed.written) == (1, 1)
    with store.engine.connect() as connection:
        record = load_package(connection, registry.purl(universe.npm_names[0]))
    assert record is not None and len(record.versions) == 5
    assert sync(store, registry, changed=True).total == 0


@pytest.mark.parametrize("name", ["crates", "maven"])
def test_changed_without_a_feed_rechecks_what_is_held(
    store: Store, server: Loopback, universe: Universe, name: str
) -> None:
    registry = registries(server.origin)[name]
    held = names_of(universe, name)[:2]
    sync(store, registry, held)
    universe.publish(name, held[1])
    changed = sync(store, registry, changed=True)
    assert (changed.total, changed.written, changed.unchanged) == (2, 1, 1)


def test_maven_inherits_from_the_parent(store: Store, server: Loopback, universe: Universe) -> None:
    registry = registries(server.origin)["maven"]
    sync(store, registry, universe.maven_names)
    with store.engine.connect() as connection:
        record = load_package(connection, registry.purl(universe.maven_names[0]))
    assert record is not None
    latest = record.versions[-1]
    assert latest.license is not None and latest.license.spdx == "Apache-2.0"
    core = next(d for d in latest.dependencies if d.purl == "pkg:maven/org.lib/core")
    assert core.requirement == "2.1.0"  # managed by the parent, through a property
    assert any(d.scope == "dev" for d in latest.dependencies)


def test_failures_are_recorded_and_the_rest_goes_on(
    store: Store, server: Loopback, universe: Universe
) -> None:
    universe.faults[universe.pypi_names[0]] = "500"
    universe.faults[universe.pypi_names[1]] = "bad-json"
    loop_group = universe.maven_names[0].split(":")[0]
    universe.faults[universe.maven_names[0]] = "loop"
    report = sync(store, registries(server.origin)["pypi"], [*universe.pypi_names, "ghost-pkg"])
    assert (report.written, report.failed) == (len(universe.pypi_names) - 2, 3)
    kinds = {f.name: f.kind for f in report.failures}
    assert kinds == {
        universe.pypi_names[0]: "fetch",
        universe.pypi_names[1]: "invalid",
        "ghost-pkg": "not-found",
    }
    assert all("\n" not in f.message and f.message for f in report.failures)
    maven = sync(store, registries(server.origin)["maven"], universe.maven_names)
    looped = [n for n in universe.maven_names if n.startswith(loop_group + ":")]
    assert {f.name for f in maven.failures} == set(looped)
    assert all(f.kind == "pom-chain" and "cycle" in f.message.lower() for f in maven.failures)
    with store.engine.connect() as connection:
        recorded = connection.execute(
            select(func.count()).select_from(sync_status).where(sync_status.c.error.is_not(None))
        ).scalar_one()
    assert recorded == 3 + len(looped)


def test_a_slow_server_times_out_per_package(store: Store, universe: Universe) -> None:
    slow = universe.pypi_names[0]
    release = threading.Event()
    answered_slow: list[bool] = []  # the slow answers that went out, released or not

    def handler(method: str, raw: str, headers: dict[str, str], body: bytes) -> Any:
        if f"/{slow}/" in raw:
            # Held until the test has seen the sync finish: a sync that waited for this
            # answer would instead end only after a minute, with the answer given.
            release.wait(60)
            answered_slow.append(True)
        return universe.handler(origin)(method, raw, headers, body)

    with serve(handler, quiet=True) as loopback:
        origin = loopback.origin
        settings = HttpSettings(
            rate_per_host=None,
            max_retries=0,
            read_timeout=0.3,
            attempt_timeout=0.5,
            trust_env=False,
        )
        report = sync(store, PypiRegistry(origin), universe.pypi_names, settings=settings)
        finished_before_the_slow_answer = not answered_slow
        release.set()
    assert finished_before_the_slow_answer
    assert [f.name for f in report.failures] == [slow]
    assert report.written == len(universe.pypi_names) - 1


def test_names_the_registry_cannot_have_are_refused_up_front(
    store: Store, server: Loopback
) -> None:
    with pytest.raises(UsageError):
        sync(store, registries(server.origin)["pypi"])
    with pytest.raises(Exception, match="not a valid PyPI project name"):
        sync(store, registries(server.origin)["pypi"], ["ok", "../etc"])
    assert len(server.requests) == 0


def test_reverse_dependents_are_counted(store: Store, server: Loopback, universe: Universe) -> None:
    registry = registries(server.origin)["pypi"]
    sync(store, registry, universe.pypi_names)
    with store.engine.connect() as connection:
        assert count_dependents(connection, "pkg:pypi/pytest") == len(universe.pypi_names)


def test_normalize_rebuilds_the_same_rows(
    store: Store, server: Loopback, universe: Universe
) -> None:
    every = registries(server.origin)
    for name, registry in every.items():
        sync(store, registry, names_of(universe, name))
    with store.engine.connect() as connection:
        before = {
            registry.purl(n): load_package(connection, registry.purl(n))
            for name, registry in every.items()
            for n in names_of(universe, name)
        }
    report = normalize_stored(store, list(every.values()), utc_now)
    assert not report.failed
    assert report.packages == len(before)
    with store.engine.connect() as connection:
        after = {purl: load_package(connection, purl) for purl in before}
    assert after == before


@pytest.mark.parametrize("name", ["../../etc/passwd", "@scope", " padded", ".hidden", "a/b"])
def test_npm_names_npm_cannot_have_are_refused(name: str) -> None:
    with pytest.raises(Exception, match="not an npm package name"):
        NpmRegistry(Endpoints("http://127.0.0.1:9")).purl(name)


def test_the_writer_process_writes_the_same_store(
    store: Store, server: Loopback, universe: Universe, tmp_path: Path
) -> None:
    """``writer_process`` moves step 3 into a process of its own (as ``ossmeta sync`` does):
    the store it leaves is the one the in-process writer leaves, failures included."""
    universe.faults[universe.pypi_names[1]] = "500"
    registry = registries(server.origin)["pypi"]
    other = open_store(f"sqlite:///{tmp_path / 'in-process.db'}")
    other.upgrade()
    in_process = sync(other, registry, universe.pypi_names)

    async def go() -> SyncReport:
        async with Fetcher(FAST) as fetcher:
            request = SyncRequest(tuple(universe.pypi_names))
            return await run_sync(
                store, registry, request, fetcher, writer_process=Endpoints(server.origin)
            )

    spawned = asyncio.run(go())
    assert (spawned.written, spawned.failed) == (in_process.written, in_process.failed) == (5, 1)
    assert [(f.name, f.kind) for f in spawned.failures] == [
        (f.name, f.kind) for f in in_process.failures
    ]
    purls = [registry.purl(n) for n in universe.pypi_names]
    with store.engine.connect() as a, other.engine.connect() as b:
        assert [load_package(a, p) for p in purls] == [load_package(b, p) for p in purls]
    other.dispose()


def test_a_writer_process_that_cannot_start_is_reported_not_ready(tmp_path: Path) -> None:
    from ossmeta.pipelines.sync.process import ProcessWriter

    async def go() -> bool:
        # An unknown registry makes the child fail before it is ready; the sync then
        # writes in its own process.
        url = f"sqlite:///{tmp_path / 'x.db'}"
        async with ProcessWriter(url, "no-such-registry", Endpoints("http://127.0.0.1:9"), 1) as w:
            return w.ready

    assert asyncio.run(go()) is False


@dataclass(frozen=True)
class Collector:
    """The collector as an embedding application set it: its own thresholds, a ``frozen``
    object it froze (as a forking server does before forking), enabled or not."""

    threshold: tuple[int, int, int]
    frozen: list[str]
    enabled: bool

    def is_as_it_was(self) -> bool:
        # A frozen object is out of the three generations ``get_objects`` lists.
        thawed = any(o is self.frozen for o in gc.get_objects())
        same = (gc.get_threshold(), gc.isenabled()) == (self.threshold, self.enabled)
        return same and not thawed


@pytest.fixture
def someone_elses_collector() -> Iterator[Collector]:
    threshold = gc.get_threshold()
    assert gc.get_freeze_count() == 0
    frozen = ["frozen by the application"]
    gc.freeze()
    gc.set_threshold(1234, 11, 12)
    try:
        yield Collector(gc.get_threshold(), frozen, gc.isenabled())
    finally:
        gc.unfreeze()
        gc.set_threshold(*threshold)


def test_a_sync_in_someone_elses_process_leaves_the_collector_alone(
    store: Store, server: Loopback, universe: Universe, someone_elses_collector: Collector
) -> None:
    assert someone_elses_collector.is_as_it_was()
    report = sync(store, registries(server.origin)["pypi"], universe.pypi_names)
    assert report.written == len(universe.pypi_names)
    assert someone_elses_collector.is_as_it_was()


def test_rare_collections_inside_and_the_collector_as_it_was_after(
    someone_elses_collector: Collector,
) -> None:
    collector = someone_elses_collector
    try:
        for enabled in (False, True):
            gc.enable() if enabled else gc.disable()
            with rare_collections():
                assert gc.get_threshold() != collector.threshold
            assert (gc.isenabled(), gc.get_threshold()) == (enabled, collector.threshold)
            assert not any(o is collector.frozen for o in gc.get_objects())
    finally:
        gc.enable() if collector.enabled else gc.disable()
