"""Private advisories in matching: the scan of 2,000 PyPI components through a tenant's
lookup (public advisories plus the tenant's private ones) next to the floor of the same
scan through the public lookup alone, in one run over one store; and the time to import
the tenant's private records.

    .venv/bin/python bench/bench_private.py [--components 2000] [--private 500] [--runs 5]
        [--db URL]   (default: a fresh SQLite file; a PostgreSQL URL of an empty database)
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import best_of, dump
from ossmeta.analyses.scan import scan
from ossmeta.model import Component, ComponentStatus
from ossmeta.service import accounts, private
from ossmeta.service.inventories import advisory_lookup
from ossmeta.sources import osv
from ossmeta.store import open_store
from ossmeta.store.advisories import AdvisoryImporter
from ossmeta.store.lookup import AdvisoryLookup

OPERATOR = accounts.Actor("cli:bench")


def public_records(count: int = 2661, seed: int = 7) -> list[dict[str, object]]:
    """Public records shaped like the PyPA database's: 660 packages, a fixed version each."""
    rng = random.Random(seed)
    return [
        {
            "id": f"PYSEC-2099-{n}",
            "modified": "2024-01-01T00:00:00Z",
            "aliases": [f"CVE-2099-{n}"],
            "affected": [
                {
                    "package": {"ecosystem": "PyPI", "name": f"package-{n % 660}"},
                    "ranges": [
                        {
                            "type": "ECOSYSTEM",
                            "events": [
                                {"introduced": "0"},
                                {"fixed": f"{rng.randrange(4)}.{rng.randrange(6)}.0"},
                            ],
                        }
                    ],
                }
            ],
        }
        for n in range(count)
    ]


def private_records(count: int, seed: int = 5) -> list[dict[str, object]]:
    """Records about the generated set's packages and the tenant's own, half of them
    aliasing a public CVE id."""
    rng = random.Random(seed)
    out: list[dict[str, object]] = []
    for n in range(count):
        package = f"package-{rng.randrange(660)}" if n % 2 else f"acme-internal-{n % 50}"
        out.append(
            {
                "id": f"ACME-{n}",
                "modified": "2026-11-01T00:00:00Z",
                "aliases": [f"CVE-2099-{rng.randrange(2661)}"] if n % 2 else [],
                "summary": "private",
                "affected": [
                    {
                        "package": {"ecosystem": "PyPI", "name": package},
                        "ranges": [
                            {
                                "type": "ECOSYSTEM",
                                "events": [
                                    {"introduced": "0"},
                                    {"fixed": f"{rng.randint(1, 3)}.0"},
                                ],
                            }
                        ],
                    }
                ],
            }
        )
    return out


def components(count: int, seed: int = 9) -> list[Component]:
    rng = random.Random(seed)
    out = []
    for n in range(count):
        name = f"package-{rng.randrange(660)}" if n % 4 else f"acme-internal-{n % 60}"
        version = f"{rng.randrange(4)}.{rng.randrange(6)}.{rng.randrange(4)}"
        out.append(Component(None, "PyPI", name, version, ComponentStatus.OK, ()))
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--components", type=int, default=2000)
    parser.add_argument("--private", type=int, default=500)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--db")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        store = open_store(args.db or f"sqlite:///{Path(folder) / 'store.db'}")
        store.upgrade()
        AdvisoryImporter(store).run(osv.records_from_json(public_records(), "bench"))
        tenant = accounts.create_tenant(store, f"bench{int(time.time())}", OPERATOR)
        records = osv.records_from_json(private_records(args.private), "bench")
        start = time.perf_counter()
        stats = private.import_advisories(store, tenant.id, records, OPERATOR)
        imported = time.perf_counter() - start
        wanted = components(args.components)
        public = AdvisoryLookup(store)
        mine = advisory_lookup(store, tenant.id)
        floor = best_of(args.runs, lambda: scan(wanted, public))
        joined = best_of(args.runs, lambda: scan(wanted, mine))
        found_public = sum(len(r.findings) for r in scan(wanted, public).components)
        found_joined = sum(len(r.findings) for r in scan(wanted, mine).components)
        store.dispose()
    figures = {
        "advisories": "2,661 generated public records over 660 PyPI packages",
        "store": store.engine.dialect.name,
        "components": args.components,
        "private_records": stats.added,
        "private_import_s": round(imported, 3),
        "scan_public_only_s (floor)": round(floor, 3),
        "scan_public_plus_private_s": round(joined, 3),
        "ratio": round(joined / floor, 2),
        "findings_public_only": found_public,
        "findings_with_private": found_joined,
    }
    for key, value in figures.items():
        print(f"{key}: {value}")
    dump("bench_private", figures)


if __name__ == "__main__":
    main()
