"""VEX benchmark: a project version of N synthetic PyPI components, each with one finding
(advisories written here), then

- import of an OpenVEX document with one statement per finding, next to two floors of the
  same run: reading the document alone (``parse_vex``) and reading the version's stored
  inventory once (``findings_report``, what every import does at least once);
- export of the SBOM with VEX, the VDR and the OpenVEX document, next to the floor of the
  plain ``--format cyclonedx`` document of the same report.

SQLite by default; ``--database-url`` (or ``OSSMETA_TEST_DATABASE_URL`` with ``--postgres``)
runs it on PostgreSQL in a schema of its own.

    .venv/bin/python bench/bench_vex.py [--components 2000] [--runs 3] [--postgres]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
import uuid
from pathlib import Path

from sqlalchemy import create_engine, text

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import best_of
from ossmeta.normalizers.vex import parse_vex
from ossmeta.service import inventories, vex
from ossmeta.service.accounts import Actor, create_tenant
from ossmeta.sources import osv
from ossmeta.store import open_store
from ossmeta.store.advisories import AdvisoryImporter
from ossmeta.surfaces.formats import cyclonedx
from ossmeta.surfaces.formats.openvex import openvex
from ossmeta.surfaces.formats.vex import cyclonedx_vex, vdr

ACTOR = Actor("bench:vex")


def _advisories(folder: Path, count: int) -> None:
    folder.mkdir()
    for n in range(count):
        record = {
            "id": f"PYSEC-9999-{n}",
            "modified": "2024-01-01T00:00:00Z",
            "aliases": [f"CVE-9999-{n:05d}"],
            "summary": f"synthetic issue {n}",
            "affected": [
                {
                    "package": {"ecosystem": "PyPI", "name": f"benchpkg{n}"},
                    "ranges": [
                        {"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "2.0"}]}
                    ],
                }
            ],
        }
        (folder / f"PYSEC-9999-{n}.json").write_text(json.dumps(record))


def _sbom(count: int) -> bytes:
    components = [
        {"type": "library", "bom-ref": f"c{n}", "name": f"benchpkg{n}", "version": "1.0",
         "purl": f"pkg:pypi/benchpkg{n}@1.0"}
        for n in range(count)
    ]  # fmt: skip
    return json.dumps(
        {"bomFormat": "CycloneDX", "specVersion": "1.6", "components": components}
    ).encode()


def _openvex(count: int) -> bytes:
    statements = [
        {"vulnerability": {"name": f"CVE-9999-{n:05d}"},
         "products": [{"@id": f"pkg:pypi/benchpkg{n}@1.0"}],
         "status": "not_affected", "justification": "vulnerable_code_not_present"}
        for n in range(count)
    ]  # fmt: skip
    document = {
        "@context": "https://openvex.dev/ns/v0.2.0",
        "@id": "https://bench.example/vex/1",
        "author": "bench",
        "timestamp": "2024-01-01T00:00:00Z",
        "version": 1,
        "statements": statements,
    }
    return json.dumps(document).encode()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--components", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--postgres", action="store_true")
    args = parser.parse_args()
    n = args.components
    with tempfile.TemporaryDirectory(prefix="ossmeta-bench-vex-") as folder:
        schema = None
        if args.postgres:
            base = os.environ.get("OSSMETA_TEST_DATABASE_URL")
            if not base:
                sys.exit("--postgres needs OSSMETA_TEST_DATABASE_URL")
            schema = f"bench_{uuid.uuid4().hex[:10]}"
            admin = create_engine(base)
            with admin.begin() as connection:
                connection.execute(text(f'CREATE SCHEMA "{schema}"'))
            url = base + ("&" if "?" in base else "?") + f"options=-csearch_path%3D{schema}"
        else:
            url = f"sqlite:///{Path(folder) / 'store.db'}"
        try:
            store = open_store(url)
            store.upgrade()
            _advisories(Path(folder) / "osv", n)
            files = osv.expand([str(Path(folder) / "osv")])
            AdvisoryImporter(store).run(osv.iter_records(files, "CC-BY-4.0"))
            tenant = create_tenant(store, "bench", ACTOR).id
            inventories.create_project(store, tenant, "shop", ACTOR)
            body = _sbom(n)
            versions = [f"v{r}" for r in range(args.runs)]
            for version in versions:
                inventories.upload(store, tenant, "shop", version, "bom.json", body, ACTOR)
            document = _openvex(n)

            timings = []
            for version in versions:  # each import onto a fresh version
                start = time.perf_counter()
                done = vex.import_vex(store, tenant, "shop", version, document, ACTOR)
                timings.append(time.perf_counter() - start)
                assert len(done.applied) == n and not done.skipped, done.skipped[:3]
            imported = min(timings)
            parse = best_of(args.runs, lambda: parse_vex(document))
            read = best_of(
                args.runs, lambda: inventories.findings_report(store, tenant, "shop", versions[0])
            )
            found = vex.export_data(store, tenant, "shop", versions[0])
            loading = best_of(
                args.runs, lambda: vex.export_data(store, tenant, "shop", versions[0])
            )
            plain = best_of(args.runs, lambda: json.dumps(cyclonedx.to_dict(found.report)))
            sbom = best_of(
                args.runs,
                lambda: json.dumps(cyclonedx_vex(found.report, found.applied, "shop", "v0")),
            )
            report_vdr = best_of(args.runs, lambda: json.dumps(vdr(found.report, "shop", "v0")))
            ovx = best_of(
                args.runs, lambda: json.dumps(openvex(found.report, found.applied, "shop", "v0"))
            )
            store.dispose()
        finally:
            if schema is not None:
                with admin.begin() as connection:
                    connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
                admin.dispose()
    where = "PostgreSQL" if args.postgres else "SQLite"
    print(f"VEX on {where}: {n} components, one finding each, best of {args.runs}")
    print(
        f"  import OpenVEX ({n} statements)     {imported:8.3f} s  {n / imported:9.0f} statements/s"
    )
    print(f"    floor: parse the document        {parse:8.3f} s  ratio {imported / parse:6.1f}x")
    print(f"    floor: read the inventory once   {read:8.3f} s  ratio {imported / read:6.1f}x")
    print(f"  load findings + decisions in force {loading:8.3f} s")
    print(f"  plain --format cyclonedx (floor)   {plain:8.3f} s")
    print(f"  SBOM with VEX                      {sbom:8.3f} s  ratio {sbom / plain:6.1f}x")
    print(
        f"  VDR                                {report_vdr:8.3f} s  ratio {report_vdr / plain:6.1f}x"
    )
    print(f"  OpenVEX                            {ovx:8.3f} s  ratio {ovx / plain:6.1f}x")


if __name__ == "__main__":
    main()
