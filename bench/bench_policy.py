"""Policy re-evaluation benchmark: seconds to decide 100,000 package versions (1,000 PyPI
projects x 100 versions) under the baseline policy, and to re-evaluate after an advisory
import.

A fresh store holds synthetic advisories on a tenth of the projects and the baseline policy.
Measured, each as an index would do it (one ``decide_releases`` call per project, decisions
recorded and audited when they change):

* first: every version decided for the first time (100,000 decisions recorded);
* markers: ``policy_inputs_marker`` of every project (how an index finds its stale pages);
* full: an import that changes 20 advisories, then every project decided again;
* batch: another 20 changes, then every version in one ``decide_releases`` call;
* incremental: another 20 changes, then only the projects whose marker moved;
* job: another 20 changes, then the ``policy.redecide`` job the import queued, run by a
  real worker round (only the packages the import names are decided again);
* job, everything: the same re-decision of every recorded release (the floor the job is
  compared with).

The center holds every project's versions (upload time and licence as the upstream gives
them), so the job decides them as the index did.

    .venv/bin/python bench/bench_policy.py [--projects 1000 --versions 100]

PostgreSQL when ``OSSMETA_BENCH_DATABASE_URL`` (or ``OSSMETA_TEST_DATABASE_URL``) names one
(a fresh schema in it, dropped afterwards), else (or with ``--sqlite``) SQLite in a
temporary folder.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text

from ossmeta.analyses.policy.model import UpstreamRelease
from ossmeta.model import LicenseValue, PackageRecord, PackageStatus, PackageVersion
from ossmeta.service.jobs import run_worker
from ossmeta.service.policy import apply_policy
from ossmeta.service.policy_decide import decide_releases, policy_inputs_marker
from ossmeta.service.policy_jobs import redecide
from ossmeta.sources import osv
from ossmeta.store import Store, open_store
from ossmeta.store.advisories import AdvisoryImporter
from ossmeta.store.packages import save_package
from ossmeta.store.tenancy import global_transaction

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import schema_url

BASELINE = """\
name = "baseline"
[security]
deny_at_or_above = "high"
[licenses]
deny = ["GPL-3.0-only", "AGPL-3.0-only"]
[cooldown]
min_age_days = 7
"""
HIGH = "CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:N"
MEDIUM = "CVSS:3.0/AV:N/AC:H/PR:L/UI:R/S:U/C:L/I:L/A:N"


def _record(n: int, fixed: int, score: str, modified: str) -> dict[str, Any]:
    return {
        "id": f"GHSA-bench-{n:04d}",
        "modified": f"{modified}T00:00:00Z",
        "summary": f"synthetic advisory {n}",
        "affected": [
            {
                "package": {"ecosystem": "PyPI", "name": f"bench-{n}"},
                "ranges": [
                    {"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": f"1.{fixed}"}]}
                ],
            }
        ],
        "severity": [{"type": "CVSS_V3", "score": score}],
    }


def _import(store: Store, folder: Path, records: list[dict[str, Any]]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.iterdir():
        old.unlink()
    for record in records:
        (folder / f"{record['id']}.json").write_text(json.dumps(record), encoding="utf-8")
    AdvisoryImporter(store).run(osv.iter_records(osv.expand([str(folder)]), "CC-BY-4.0"))


def _releases(projects: int, versions: int, now: datetime) -> dict[str, list[UpstreamRelease]]:
    out = {}
    for p in range(projects):
        name = f"bench-{p}"
        licence = "GPL-3.0-only" if p % 50 == 0 else "MIT"
        out[name] = [
            UpstreamRelease("pypi", name, f"1.{v}", now - timedelta(days=versions - v), licence)
            for v in range(versions)
        ]
    return out


def _center(store: Store, releases: dict[str, list[UpstreamRelease]], now: datetime) -> None:
    """The center's record of every project, as a registry sync would store it."""
    for name, listed in releases.items():
        spdx = listed[0].license or "MIT"
        licence = LicenseValue(spdx, spdx, "exact", "pypi:license")
        versions = tuple(
            PackageVersion(r.version, r.published, False, None, licence, ()) for r in listed
        )
        record = PackageRecord(
            purl=f"pkg:pypi/{name}",
            ecosystem="PyPI",
            name=name,
            repository=None,
            repository_raw=None,
            homepage=None,
            description=None,
            status=PackageStatus.ACTIVE,
            license=licence,
            versions=versions,
            maintainers=(),
            source="pypi:json",
        )
        with global_transaction(store) as tx:
            save_package(tx, record, now)


def _decide_all(store: Store, releases: dict[str, list[UpstreamRelease]], now: datetime) -> int:
    denied = 0
    for listed in releases.values():
        denied += sum(d.action != "allow" for d in decide_releases(store, "baseline", listed, now))
    return denied


def _markers(store: Store, names: list[str]) -> dict[str, str]:
    return {name: policy_inputs_marker(store, "baseline", "pypi", name) for name in names}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--projects", type=int, default=1000)
    parser.add_argument("--versions", type=int, default=100)
    parser.add_argument("--sqlite", action="store_true", help="SQLite even when a URL is set")
    args = parser.parse_args()
    base = os.environ.get("OSSMETA_BENCH_DATABASE_URL") or os.environ.get(
        "OSSMETA_TEST_DATABASE_URL"
    )
    if args.sqlite:
        base = None
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        if base:
            schema = f"bench_policy_{uuid.uuid4().hex[:8]}"
            admin = create_engine(base)
            with admin.begin() as connection:
                connection.execute(text(f'CREATE SCHEMA "{schema}"'))
            try:
                _run(schema_url(base, schema), folder, args.projects, args.versions)
            finally:
                with admin.begin() as connection:
                    connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
                admin.dispose()
        else:
            _run(f"sqlite:///{folder / 'bench.db'}", folder, args.projects, args.versions)


def _run(url: str, folder: Path, projects: int, versions: int) -> None:
    store = open_store(url)
    store.upgrade()
    policy = folder / "baseline.toml"
    policy.write_text(BASELINE, encoding="utf-8")
    apply_policy(store, policy, None, "bench")
    now = datetime.now(UTC)
    advised = list(range(0, projects, 10))
    _import(
        store,
        folder / "osv",
        [_record(n, versions // 2, HIGH, "2025-01-01") for n in advised],
    )
    releases = _releases(projects, versions, now)
    _center(store, releases, now)
    total = projects * versions
    figures: dict[str, float] = {}

    start = time.perf_counter()
    denied = _decide_all(store, releases, now)
    figures["first"] = time.perf_counter() - start

    start = time.perf_counter()
    before = _markers(store, list(releases))
    figures["markers"] = time.perf_counter() - start

    step = max(1, min(20, len(advised) // 3))
    changed = [_record(n, versions - 1, HIGH, "2025-02-01") for n in advised[:step]]
    _import(store, folder / "osv", changed)
    start = time.perf_counter()
    _decide_all(store, releases, now)
    figures["full"] = time.perf_counter() - start

    everything = [r for listed in releases.values() for r in listed]
    batch = [_record(n, versions - 1, HIGH, "2025-02-15") for n in advised[step : 2 * step]]
    _import(store, folder / "osv", batch)
    start = time.perf_counter()
    decide_releases(store, "baseline", everything, now)
    figures["batch"] = time.perf_counter() - start

    before = _markers(store, list(releases))
    lowered = [_record(n, versions - 1, MEDIUM, "2025-03-01") for n in advised[2 * step : 3 * step]]
    _import(store, folder / "osv", lowered)
    start = time.perf_counter()
    after = _markers(store, list(releases))
    stale = {name: releases[name] for name in releases if after[name] != before[name]}
    _decide_all(store, stale, now)
    figures["incremental"] = time.perf_counter() - start

    run_worker(store, once=True)  # the jobs the imports above queued
    raised = [_record(n, versions - 1, HIGH, "2025-04-01") for n in advised[2 * step : 3 * step]]
    _import(store, folder / "osv", raised)
    start = time.perf_counter()
    summary = run_worker(store, once=True)
    figures["job"] = time.perf_counter() - start
    start = time.perf_counter()
    floor = redecide(store, None)
    figures["job_all"] = time.perf_counter() - start
    store.dispose()

    kind = url.split(":", 1)[0]
    print(f"policy re-evaluation on {kind}: {projects} projects x {versions} versions = {total}")
    print(f"  first decisions (all recorded): {figures['first']:.2f} s ({denied} not allowed)")
    print(f"  inputs markers of every project: {figures['markers']:.2f} s")
    print(f"  full re-evaluation after a {step}-advisory import: {figures['full']:.2f} s")
    print(f"  the same in one decide_releases call (set-based): {figures['batch']:.2f} s")
    print(
        f"  incremental (markers, then {len(stale)} stale projects): {figures['incremental']:.2f} s"
    )
    print(
        f"  re-decision job after a {step}-advisory import ({summary.jobs} job, "
        f"{step * versions} releases): {figures['job']:.2f} s"
    )
    print(
        f"  re-decision of every recorded release ({floor.releases}, {floor.changed} changed): "
        f"{figures['job_all']:.2f} s"
    )


if __name__ == "__main__":
    main()
