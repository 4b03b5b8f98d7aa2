"""``ossmeta sync`` and ``ossmeta normalize``."""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Annotated

import typer

from ossmeta.surfaces.cli.common import DbOption, open_for_write, progress_bar, stderr
from ossmeta.surfaces.cli.interrupts import kept_on_interrupt

if TYPE_CHECKING:  # the pipelines load httpx and every registry adapter: imported on use
    from ossmeta.pipelines.sync.run import SyncReport


class RegistryName(StrEnum):
    PYPI = "pypi"
    NPM = "npm"
    MAVEN = "maven"
    CRATES = "crates"


def _summary(report: SyncReport) -> None:
    for note in report.notes:
        stderr.print(note)
    stderr.print(
        f"{report.registry}: {report.total} package(s): {report.written} written, "
        f"{report.unchanged} unchanged, {report.failed} failed"
        + (f" ({report.resumed_from} done before the interruption)" if report.resumed_from else "")
    )
    for failure in report.failures:
        stderr.print(f"  failed {failure.name}: [{failure.kind}] {failure.message}")


def sync(
    registry: Annotated[RegistryName, typer.Argument(help="The registry to sync from.")],
    names: Annotated[
        list[str] | None,
        typer.Argument(help="Packages (npm names, PyPI projects, group:artifact, crates)."),
    ] = None,
    changed: Annotated[
        bool,
        typer.Option(
            "--changed",
            help="Sync what changed since the last --changed run (PyPI serial, npm "
            "changes feed; Maven and crates.io re-check every package held).",
        ),
    ] = False,
    registry_url: Annotated[
        str | None, typer.Option("--registry-url", help="Base URL (else the config file).")
    ] = None,
    changes_url: Annotated[
        str | None, typer.Option("--changes-url", help="npm: the replication feed's URL.")
    ] = None,
    api_url: Annotated[
        str | None, typer.Option("--api-url", help="crates.io: the web API's base URL.")
    ] = None,
    concurrency: Annotated[
        int | None, typer.Option("--concurrency", min=1, help="Requests in flight at most.")
    ] = None,
    rate: Annotated[
        float | None,
        typer.Option("--rate", min=0, help="Requests per second per host (0: no limit)."),
    ] = None,
    db: DbOption = None,
) -> None:
    """Fetch packages from a registry, keep the documents as given and normalize them.
    An interrupted sync resumes where it stopped when run again. Exit 1 when a package
    failed (listed at the end and in 'ossmeta quality')."""
    import asyncio

    from ossmeta.errors import UnavailableError
    from ossmeta.pipelines.config import endpoints, http_settings, load_config, make_registry
    from ossmeta.pipelines.sync.gc_settings import rare_collections
    from ossmeta.pipelines.sync.run import SyncRequest, run_sync
    from ossmeta.sources.http import Fetcher
    from ossmeta.store.sync_store import SyncState

    config = load_config()
    where = endpoints(
        config, registry.value, registry_url, {"changes_url": changes_url, "api_url": api_url}
    )
    adapter = make_registry(registry.value, where)
    settings = http_settings(config, concurrency, rate)
    store = open_for_write(db)
    request = SyncRequest(tuple(names or ()), changed)
    bar = progress_bar(f"syncing {registry.value}")

    def kept() -> str:
        """What the store holds of this run: a batch's commit can finish after Ctrl-C, so
        the run's items, not the progress seen, are counted, once the writer process (which
        finishes its batch) has ended."""
        import multiprocessing

        for writer in multiprocessing.active_children():
            writer.join(timeout=60)
        run = SyncState(store).unfinished_run(registry.value, request.key())
        if run is None:
            return "nothing stored yet; run the same command again"
        done = run.total - len(run.pending)
        return (
            f"{done:,} of {run.total:,} package(s) stored; run the same command again to "
            f"resume with the other {len(run.pending):,}"
        )

    task = bar.add_task("sync", total=None)

    async def go() -> SyncReport:
        async with Fetcher(settings, on_wait=lambda wait: stderr.print(str(wait))) as fetcher:
            return await run_sync(
                store,
                adapter,
                request,
                fetcher,
                progress=lambda _name, _result: bar.advance(task),
                on_total=lambda total, done: bar.update(task, total=total, completed=done),
                writer_process=where,
            )

    with bar, rare_collections(), kept_on_interrupt(kept):  # the process is the sync's own
        report = asyncio.run(go())
    store.dispose()
    _summary(report)
    if report.failed and _registry_unreachable(report):
        raise UnavailableError(
            f"{registry.value}: every package failed to fetch; is {where.url} reachable? "
            "Run the same command again to retry"
        )
    if report.failed:
        raise typer.Exit(1)


def _registry_unreachable(report: SyncReport) -> bool:
    """Nothing came through and every failure was the network's or the registry's (not a
    name it does not know, not a document it sent that could not be read): the registry,
    not the packages, failed (exit 4 rather than 1)."""
    return (
        report.written == 0
        and report.unchanged == 0
        and not report.resumed_from  # a resumed run got the rest through earlier
        and bool(report.failures)
        and all(failure.kind == "fetch" for failure in report.failures)
    )


def normalize(
    registries: Annotated[
        list[RegistryName] | None,
        typer.Argument(metavar="REGISTRY", help="Registries to re-normalize (default: all)."),
    ] = None,
    db: DbOption = None,
) -> None:
    """Re-run the normalizers over the stored documents (no fetching). Curations stay."""
    from ossmeta.pipelines.config import REGISTRIES, make_registry
    from ossmeta.pipelines.normalize import count_stored, normalize_stored
    from ossmeta.pipelines.sync.registry import Endpoints
    from ossmeta.pipelines.sync.run import utc_now

    store = open_for_write(db)
    chosen = [r.value for r in registries] if registries else list(REGISTRIES)
    # Normalizing reads stored documents only: the adapters need no registry address.
    adapters = [make_registry(name, Endpoints("stored:")) for name in chosen]
    total = count_stored(store, adapters)
    bar = progress_bar("normalizing", disable=total < 200)
    with bar:
        task = bar.add_task("normalize", total=total)
        report = normalize_stored(store, adapters, utc_now, lambda n: bar.advance(task, n))
    store.dispose()
    stderr.print(f"normalized {report.packages} package(s); {len(report.failed)} failed")
    for purl, error in report.failed:
        stderr.print(f"  failed {purl}: {error}")
    if report.failed:
        raise typer.Exit(1)


__all__ = ["normalize", "sync"]
