"""Import benchmark: advisories/s of `ossmeta advisories import` on the PyPA advisory
database, next to the floor of only parsing the same YAML files, in the same run.

    .venv/bin/python bench/bench_import.py [--runs N]
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import advisory_dir, best_cpu_of, best_of, dump, run_measured
from ossmeta.sources import osv
from ossmeta.store import open_store
from ossmeta.store.advisories import AdvisoryImporter


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    source, label = advisory_dir()
    files = sorted(source.rglob("*.yaml"))
    print(
        f"data: {label}: {len(files)} YAML files, {sum(f.stat().st_size for f in files) / 1e6:.1f} MB"
    )

    def floor() -> None:
        for path in files:
            yaml.load(path.read_bytes(), Loader=yaml.CSafeLoader)

    floor_s = best_of(args.runs, floor)
    floor_cpu = best_cpu_of(args.runs, floor)

    work = Path(tempfile.mkdtemp(prefix="ossmeta-bench-"))

    def ours() -> None:
        db = work / "import.db"
        for leftover in work.glob("import.db*"):
            leftover.unlink()
        store = open_store(f"sqlite:///{db}")
        store.upgrade()
        inputs = osv.expand([str(source)])
        AdvisoryImporter(store).run(osv.iter_records(inputs))
        store.dispose()

    ours_s = best_of(args.runs, ours)
    ours_cpu = best_cpu_of(args.runs, ours)

    def reimport() -> None:
        store = open_store(f"sqlite:///{work / 'import.db'}")
        AdvisoryImporter(store).run(osv.iter_records(osv.expand([str(source)])))
        store.dispose()

    again_s = best_of(args.runs, reimport)

    pg_s = None
    pg_base = os.environ.get("OSSMETA_TEST_DATABASE_URL")
    if pg_base:  # the same import into a fresh PostgreSQL schema
        from sqlalchemy import create_engine, text

        admin = create_engine(pg_base)
        with admin.begin() as connection:
            connection.execute(text("DROP SCHEMA IF EXISTS ossmeta_bench CASCADE"))
            connection.execute(text("CREATE SCHEMA ossmeta_bench"))
        sep = "&" if "?" in pg_base else "?"
        store = open_store(f"{pg_base}{sep}options=-csearch_path%3Dossmeta_bench")
        store.upgrade()
        start = time.perf_counter()
        AdvisoryImporter(store).run(osv.iter_records(osv.expand([str(source)])))
        pg_s = time.perf_counter() - start
        store.dispose()
        with admin.begin() as connection:
            connection.execute(text("DROP SCHEMA ossmeta_bench CASCADE"))
        admin.dispose()

    cli_db = work / "cli.db"
    env = {"OSSMETA_DATABASE_URL": f"sqlite:///{cli_db}"}
    ossmeta = str(Path(sys.executable).with_name("ossmeta"))
    _, _, code = run_measured([ossmeta, "db", "upgrade"], env)  # only 'db upgrade' creates
    assert code == 0, f"ossmeta db upgrade exited {code}"
    wall, rss, code = run_measured([ossmeta, "advisories", "import", str(source)], env)
    assert code == 0, f"ossmeta advisories import exited {code}"
    n = len(files)
    print(
        f"floor  (parse YAML only)         {floor_s:7.2f} s   {n / floor_s:8.0f} advisories/s"
        f"   CPU {floor_cpu:.2f} s"
    )
    print(
        f"ossmeta import (fresh SQLite)    {ours_s:7.2f} s   {n / ours_s:8.0f} advisories/s"
        f"   = {ours_s / floor_s:.2f}x the floor; CPU {ours_cpu:.2f} s"
        f" = {ours_cpu / floor_cpu:.2f}x the floor's CPU"
    )
    print(
        f"ossmeta re-import (no changes)   {again_s:7.2f} s   {n / again_s:8.0f} advisories/s"
        f"   = {again_s / floor_s:.2f}x the floor"
    )
    if pg_s is not None:
        print(
            f"ossmeta import (PostgreSQL)      {pg_s:7.2f} s   {n / pg_s:8.0f} advisories/s"
            f"   = {pg_s / floor_s:.2f}x the floor"
        )
    print(f"CLI `ossmeta advisories import`  {wall:7.2f} s   peak RSS {rss:.0f} MiB")
    dump(
        "import",
        {
            "files": n,
            "floor_s": floor_s,
            "floor_cpu_s": floor_cpu,
            "import_s": ours_s,
            "import_cpu_s": ours_cpu,
            "reimport_s": again_s,
            "ratio": ours_s / floor_s,
            "cli_wall_s": wall,
            "cli_peak_rss_mib": rss,
        },
    )
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
