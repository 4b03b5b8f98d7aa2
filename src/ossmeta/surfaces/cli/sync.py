"""``ossmeta sync`` and ``ossmeta normalize``."""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Annotated

import typer

from ossmeta.surfaces.cli.common import DbOption, progress_bar, ready_store, stderr

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

    from ossmeta.pipelines.config import endpoints, http_settings, load_config, make_registry
    from ossmeta.pipelines.sync.gc_settings import rare_collections
    from ossmeta.pipelines.sync.run import SyncRequest, run_sync
    from ossmeta.sources.http import Fetcher

    config = load_config()
    where = endpoints(
        config, registry.value, registry_url, {"changes_url": changes_url, "api_url": api_url}
    )
    adapter = make_registry(registry.value, where)
    settings = http_settings(config, concurrency, rate)
    store = ready_store(db)
    request = SyncRequest(tuple(names or ()), changed)
    bar = progress_bar(f"syncing {registry.value}")

    async def go() -> SyncReport:
        async with Fetcher(settings, on_wait=lambda wait: stderr.print(str(wait))) as fetcher:
            task = bar.add_task("sync", total=None)
            return await run_sync(
                store,
                adapter,
                request,
                fetcher,
                progress=lambda _name, _result: bar.advance(task),
                on_total=lambda total, done: bar.update(task, total=total, completed=done),
                writer_process=where,
            )

    with bar, rare_collections():  # the command's process is the sync's own
        report = asyncio.run(go())
    store.dispose()
    _summary(report)
    if report.failed:
        raise typer.Exit(1)


def normalize(
    registries: Annotated[
        list[RegistryName] | None,
        typer.Argument(metavar="REGISTRY", help="Registries to re-normalize (default: all)."),
    ] = None,
    db: DbOption = None,
) -> None:
    """Re-run the normalizers over the stored documents (no fetching). Curations stay."""
    from ossmeta.pipelines.config import REGISTRIES, endpoints, make_registry
    from ossmeta.pipelines.normalize import count_stored, normalize_stored
    from ossmeta.pipelines.sync.run import utc_now

    store = ready_store(db)
    chosen = [r.value for r in registries] if registries else list(REGISTRIES)
    # Normalizing needs no addresses; the adapters are built with a placeholder.
    adapters = [make_registry(name, endpoints({}, name, "stored:", {})) for name in chosen]
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
