"""Inventory benchmark: a generated 2,000-component CycloneDX SBOM (half PyPI, half npm; a
share of the PyPI half at versions the advisories name) uploaded through the real HTTP API
(``PUT .../inventory?filename=bom.cdx.json``, ``ossmeta serve`` in its own process) until
its findings are available (``GET .../findings``), next to ``ossmeta scan`` of the same file
in the same run: in-process (the floor: parse, normalize, match, JSON report) and as a CLI
subprocess. Then the joined components (``GET .../components?limit=1000``, two pages),
with every other component's package in the center (versions, licence, repository metrics),
so that the join reads packages, metrics and health inputs, not only misses.

On SQLite always; on PostgreSQL too when ``OSSMETA_BENCH_DATABASE_URL`` (or
``OSSMETA_TEST_DATABASE_URL``) is set, in a fresh schema dropped afterwards.

    .venv/bin/python bench/bench_inventory.py [--components 2000] [--runs 3]
"""

from __future__ import annotations

import argparse
import io
import os
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import httpx
from sqlalchemy import create_engine, text

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import advisory_dir, best_of, dump, run_measured
from bench_scan import advisory_packages, generate_sbom
from ossmeta.analyses.scan import scan
from ossmeta.model import LicenseValue, PackageRecord, PackageStatus, PackageVersion
from ossmeta.normalizers.components import normalize_components
from ossmeta.purls import build_purl
from ossmeta.service import accounts
from ossmeta.sources import osv
from ossmeta.sources.files import InputFile
from ossmeta.sources.inputs import parse_file
from ossmeta.store import Store, open_store
from ossmeta.store.advisories import AdvisoryImporter
from ossmeta.store.lookup import AdvisoryLookup
from ossmeta.store.metrics import Metrics
from ossmeta.store.packages import save_package
from ossmeta.surfaces.formats import write_report

OPERATOR = accounts.Actor("cli:bench")
MIT = LicenseValue("MIT", "MIT", "exact", "bench")
NOW = datetime(2026, 3, 1, tzinfo=UTC)


@contextmanager
def sqlite_store(work: Path) -> Iterator[str]:
    yield f"sqlite:///{work / 'inventory.db'}"


@contextmanager
def postgres_store(base: str) -> Iterator[str]:
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(base)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield base + ("&" if "?" in base else "?") + f"options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@contextmanager
def serving(url: str) -> Iterator[str]:
    """``ossmeta serve`` over ``url`` in its own process; its base URL."""
    server = subprocess.Popen(
        [sys.executable, "-m", "ossmeta", "serve", "--port", "0", "--db", url],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert server.stdout is not None
        base = server.stdout.readline().strip().rsplit(" ", 1)[-1]
        assert base.startswith("http"), base
        yield base
    finally:
        server.terminate()
        server.wait(timeout=30)


def scan_in_process(sbom: Path, store: Store) -> Callable[[], int]:
    lookup = AdvisoryLookup(store)

    def run() -> int:
        declared = parse_file(InputFile(sbom, "bom.cdx.json")).packages
        report = scan(normalize_components(declared), lookup)
        write_report(report, "json", io.StringIO())
        return sum(len(c.findings) for c in report.components)

    return run


def load_center(store: Store, sbom: Path) -> int:
    """Every other component's package into the center (its version and a newer one, a
    licence, a repository with monthly activity and OpenRank), so that the join has real
    packages, metrics and health scores to read; the rest stay unknown. Returns how many."""
    declared = parse_file(InputFile(sbom, "bom.cdx.json")).packages
    held = [c for c in normalize_components(declared)[::2] if c.ecosystem and c.version]
    metric_rows = []
    with store.engine.begin() as connection:
        for n, c in enumerate(held):
            assert c.ecosystem is not None and c.version is not None
            repo = f"github.com/bench/repo-{n}"
            versions = tuple(
                PackageVersion(v, datetime(2025, 1 + i, 1, tzinfo=UTC), False, None, MIT, ())
                for i, v in enumerate(dict.fromkeys((c.version, "999.0.0")))
            )
            record = PackageRecord(
                purl=str(build_purl(c.ecosystem, c.name, None)),
                ecosystem=c.ecosystem,
                name=c.name,
                repository=repo,
                repository_raw=None,
                homepage=None,
                description=None,
                status=PackageStatus.ACTIVE,
                license=MIT,
                versions=versions,
                maintainers=("bench",),
                source="bench",
            )
            save_package(connection, record, NOW)
            for month in ("2026-01", "2026-02"):
                metric_rows.append((repo, "activity", month, float(n % 40), None))
                metric_rows.append((repo, "openrank", month, float(n % 7) / 2, None))
    Metrics(store).replace(metric_rows, engine="duckdb", computed_at=NOW, since=None)
    return len(held)


def measure(label: str, url: str, sbom: Path, source: Path, runs: int) -> dict[str, float]:
    store = open_store(url)
    store.upgrade()
    AdvisoryImporter(store).run(osv.iter_records(osv.expand([str(source)])))
    known = load_center(store, sbom)
    tenant = accounts.create_tenant(store, "bench", OPERATOR)
    accounts.create_user(store, "bencher", "bench", "member", None, OPERATOR)
    token = accounts.create_token(
        store, "bencher", actor=OPERATOR, tenant_id=tenant.id, scopes=("read", "write")
    ).secret
    body = sbom.read_bytes()
    count = scan_in_process(sbom, store)
    findings = count()  # warm the caches once, untimed
    floor_s = best_of(runs, count)
    ossmeta = str(Path(sys.executable).with_name("ossmeta"))
    out = sbom.with_suffix(".report.json")
    cli = [ossmeta, "scan", str(sbom), "--format", "json", "--output", str(out), "--db", url]
    cli_s = min(run_measured(cli)[0] for _ in range(runs))
    uploads: list[float] = []
    joins: list[float] = []
    with (
        serving(url) as base,
        httpx.Client(
            base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=600
        ) as http,
    ):
        assert http.post("/api/v1/projects", json={"name": "bench"}).status_code == 201
        for n in range(runs):
            start = time.perf_counter()
            put = http.put(
                f"/api/v1/projects/bench/versions/v{n}/inventory",
                params={"filename": "bom.cdx.json"},
                content=body,
            )
            got = http.get(f"/api/v1/projects/bench/versions/v{n}/findings")
            uploads.append(time.perf_counter() - start)
            assert put.status_code == 201, put.text[:500]
            assert got.status_code == 200, got.text[:500]
            shown = sum(len(c["vulnerabilities"]) for c in got.json()["components"])
            assert shown == findings, (shown, findings)
            start = time.perf_counter()
            page = http.get(f"/api/v1/projects/bench/versions/v{n}/components?limit=1000")
            assert page.status_code == 200, page.text[:500]
            rest = http.get(
                f"/api/v1/projects/bench/versions/v{n}/components",
                params={"limit": 1000, "cursor": page.json()["next"]},
            )
            joins.append(time.perf_counter() - start)
            assert len(page.json()["items"]) + len(rest.json()["items"]) == len(
                got.json()["components"]
            )
    store.dispose()
    upload_s, join_s = min(uploads), min(joins)
    print(f"[{label}] findings: {findings} (component x alias group); {known} packages known")
    print(f"[{label}] floor  scan in-process (parse+match+JSON)  {floor_s:7.3f} s")
    print(f"[{label}]        `ossmeta scan` CLI subprocess        {cli_s:7.3f} s")
    print(
        f"[{label}]        upload over HTTP -> GET findings     {upload_s:7.3f} s  = "
        f"{upload_s / floor_s:.2f}x the in-process scan, {upload_s / cli_s:.2f}x the CLI"
    )
    print(
        f"[{label}]        GET components (joined, 2 pages)     {join_s:7.3f} s  = "
        f"{join_s / floor_s:.2f}x the in-process scan"
    )
    return {
        "scan_in_process_s": floor_s,
        "scan_cli_s": cli_s,
        "upload_to_findings_s": upload_s,
        "components_joined_s": join_s,
        "upload_over_scan": upload_s / floor_s,
        "upload_over_cli": upload_s / cli_s,
        "findings": findings,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--components", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--hit-rate", type=float, default=0.2)
    args = parser.parse_args()
    source, label = advisory_dir()
    work = Path(tempfile.mkdtemp(prefix="ossmeta-bench-inventory-"))
    sbom = work / "bom.cdx.json"
    mix = generate_sbom(sbom, args.components, advisory_packages(source), args.hit_rate)
    print(
        f"advisories: {label}; SBOM: {mix['components']} components, "
        f"{sbom.stat().st_size / 1e6:.1f} MB, {mix['pypi_with_advisories']} PyPI components "
        f"of packages that have advisories; best of {args.runs}"
    )
    figures: dict[str, object] = {"components": args.components}
    with sqlite_store(work) as url:
        figures["sqlite"] = measure("sqlite", url, sbom, source, args.runs)
    pg = os.environ.get("OSSMETA_BENCH_DATABASE_URL") or os.environ.get("OSSMETA_TEST_DATABASE_URL")
    if pg:
        with postgres_store(pg) as url:
            figures["postgresql"] = measure("postgresql", url, sbom, source, args.runs)
    else:
        print("[postgresql] skipped: set OSSMETA_BENCH_DATABASE_URL to measure it")
    dump("inventory", figures)


if __name__ == "__main__":
    main()
