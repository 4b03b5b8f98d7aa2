"""Web benchmark: the package page (``GET /packages/{purl}``) on PostgreSQL, server-side: one
request at a time through the app's ASGI interface in-process (middleware, routing, data and
template; no socket, so no client or network time), next to the API's
``GET /api/v1/packages/{purl}`` for the same packages in the same run (the floor: the same
app and store, JSON instead of a page). Target: page p50 <= 50 ms. The repository page
(``GET /repos/{host}/{owner}/{name}``, two years of monthly OpenDigger and git metrics) is
timed the same way, next to the API's ``GET /api/v1/repositories/.../metrics``.

A fresh PostgreSQL schema gets synthetic PyPI packages (versions, dependencies, dependents)
and the example advisories. Printed too: how much of a page is gathering its data.

    OSSMETA_BENCH_DATABASE_URL=postgresql+psycopg://user@host/db \\
        .venv/bin/python bench/bench_web.py [--packages 500] [--requests 300]

(``OSSMETA_TEST_DATABASE_URL`` is used when the first is unset.)
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import sys
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import create_engine, text

from ossmeta.model import LicenseValue
from ossmeta.store import open_store
from ossmeta.store.metrics import Metrics
from ossmeta.store.packages import save_package
from ossmeta.surfaces.api.app import create_app
from ossmeta.surfaces.api.settings import ApiSettings
from ossmeta.surfaces.web.package_page import package_page

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import percentiles_ms, synthetic_package

ROOT = Path(__file__).resolve().parents[1]
MIT = LicenseValue("MIT", "MIT", "exact", "pypi:license_expression")
WARMUP = 20
#: Monthly metrics each synthetic repository gets, over ``MONTHS`` months.
METRICS = (
    "activity",
    "openrank",
    "participants",
    "new_contributors",
    "issue_response_time.avg",
    "issue_resolution_duration.avg",
    "change_request_response_time.avg",
    "change_request_resolution_duration.avg",
    "bus_factor",
    "days_since_last_commit",
    "commit_frequency",
)
MONTHS = 24


async def _timed(client: httpx.AsyncClient, paths: list[str]) -> list[float]:
    samples = []
    for path in paths:
        start = time.perf_counter()
        answer = await client.get(path)
        samples.append(time.perf_counter() - start)
        if answer.status_code != 200:
            raise SystemExit(f"bench_web: {path} answered {answer.status_code}")
    return samples


def _metric_rows(
    repos: int, rng: random.Random
) -> list[tuple[str, str, str, float | None, str | None]]:
    months = [f"{2024 + i // 12}-{i % 12 + 1:02d}" for i in range(MONTHS)]
    return [
        (f"github.com/bench/bench-{n}", metric, month, round(rng.uniform(0.5, 50), 2), None)
        for n in range(repos)
        for metric in METRICS
        for month in months
    ] + [
        (f"github.com/bench/bench-{n}", "maintenance_status", month, None, '"active"')
        for n in range(repos)
        for month in months
    ]


async def _repos(app: Any, repos: list[str]) -> tuple[list[float], list[float]]:
    """The repository page and the API's metrics of the same repositories, as ``_measure``."""
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
        await _timed(client, [f"/repos/{r}" for r in repos[:WARMUP]])
        await _timed(client, [f"/api/v1/repositories/{r}/metrics" for r in repos[:WARMUP]])
        pages = await _timed(client, [f"/repos/{r}" for r in repos])
        floor = await _timed(client, [f"/api/v1/repositories/{r}/metrics" for r in repos])
    return pages, floor


async def _measure(app: Any, purls: list[str]) -> tuple[list[float], list[float], list[float]]:
    """Page and API times, in-process: the app called through ASGI, no socket between, so
    the figures are the server's own (middleware, routing, data, template or JSON)."""
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
        await _timed(client, [f"/packages/{p}" for p in purls[:WARMUP]])
        await _timed(client, [f"/api/v1/packages/{p}" for p in purls[:WARMUP]])
        pages = await _timed(client, [f"/packages/{p}" for p in purls])
        floor = await _timed(client, [f"/api/v1/packages/{p}" for p in purls])
        health = await _timed(client, [f"/api/v1/health/{p}" for p in purls])
    # What a client would ask the API for to show most of the page: the package and its score.
    both = [a + b for a, b in zip(floor, health, strict=True)]
    return pages, floor, both


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--packages", type=int, default=500)
    parser.add_argument("--requests", type=int, default=300)
    args = parser.parse_args()
    base = os.environ.get("OSSMETA_BENCH_DATABASE_URL") or os.environ.get(
        "OSSMETA_TEST_DATABASE_URL"
    )
    if not base:
        # Not a failure of ``make bench`` on a machine without PostgreSQL: said, skipped.
        print("bench_web: skipped, needs OSSMETA_BENCH_DATABASE_URL (PostgreSQL)")
        return 0
    from ossmeta.sources import osv
    from ossmeta.store.advisories import AdvisoryImporter

    schema = f"bench_web_{uuid.uuid4().hex[:8]}"
    admin = create_engine(base)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = base + ("&" if "?" in base else "?") + f"options=-csearch_path%3D{schema}"
    store = open_store(url, access="write")
    try:
        store.upgrade()
        rng = random.Random(7)
        now = datetime(2026, 1, 1, tzinfo=UTC)
        with store.engine.begin() as connection:
            for n in range(args.packages):
                save_package(
                    connection,
                    synthetic_package(n, args.packages, rng, most_versions=25, yanked_every=11),
                    now,
                )
        repos = min(args.packages, 200)
        Metrics(store).replace(
            _metric_rows(repos, rng), engine="bench", computed_at=now, since=None
        )
        files = osv.expand([str(ROOT / "examples" / "advisories")])
        AdvisoryImporter(store).run(osv.iter_records(files, "CC-BY-4.0"))
        app = create_app(ApiSettings(database_url=url), store=store)
        purls = [f"pkg:pypi/bench-{rng.randrange(args.packages)}" for _ in range(args.requests)]
        pages, floor, both = asyncio.run(_measure(app, purls))
        repo_keys = [f"github.com/bench/bench-{rng.randrange(repos)}" for _ in range(args.requests)]
        repo_pages, repo_floor = asyncio.run(_repos(app, repo_keys))
        gather = []
        for purl in purls[:100]:
            start = time.perf_counter()
            package_page(store, purl)
            gather.append(time.perf_counter() - start)
    finally:
        store.dispose()
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
    page_p50, page_p99 = percentiles_ms(pages)
    api_p50, api_p99 = percentiles_ms(floor)
    both_p50, both_p99 = percentiles_ms(both)
    gather_p50, _ = percentiles_ms(gather)
    repo_p50, repo_p99 = percentiles_ms(repo_pages)
    metrics_p50, metrics_p99 = percentiles_ms(repo_floor)
    print(
        f"{args.requests} sequential requests through ASGI in-process, {args.packages} packages, PostgreSQL"
    )
    print(
        f"  page  GET /packages/{{purl}}                      p50 {page_p50:6.2f} ms  p99 {page_p99:7.2f} ms  (target p50 <= 50 ms)"
    )
    print(
        f"  page  GET /repos/{{host}}/{{owner}}/{{name}}  p50 {repo_p50:6.2f} ms  p99 {repo_p99:7.2f} ms  ({len(METRICS) + 1} metrics x {MONTHS} months)"
    )
    print(
        f"  floor GET /api/v1/packages/{{purl}}               p50 {api_p50:6.2f} ms  p99 {api_p99:7.2f} ms"
    )
    print(
        f"  API   GET /api/v1/packages/ + /api/v1/health/  p50 {both_p50:6.2f} ms  p99 {both_p99:7.2f} ms"
    )
    print(
        f"  page / API package p50: {page_p50 / api_p50:.2f}; page / (package + health): {page_p50 / both_p50:.2f}"
    )
    print(
        f"  floor GET /api/v1/repositories/.../metrics  p50 {metrics_p50:6.2f} ms  p99 {metrics_p99:7.2f} ms;"
        f" repository page / API metrics p50: {repo_p50 / metrics_p50:.2f}"
    )
    print(
        f"  in-process: gathering a page's data p50 {gather_p50:.2f} ms (the rest: the template, routing, middleware)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
