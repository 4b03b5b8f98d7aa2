"""Advisories and inventories the inventory tests share: the recorded PyPA advisories of
tests/data/osv plus a Jinja2 record written here, and small inputs of three formats
holding components those advisories affect."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ossmeta.sources import osv
from ossmeta.store import Store
from ossmeta.store.advisories import AdvisoryImporter
from tests.helpers import DATA

JINJA = "PYSEC-2019-217"
JINJA_ALIASES = ("CVE-2019-10906", "GHSA-462w-v97r-4m45")
REQUESTS_ALIASES = ("CVE-2018-18074", "GHSA-x84v-xcm2-53pg")


def jinja_record(fixed: str = "2.10.1", modified: str = "2024-01-01T00:00:00Z") -> dict[str, Any]:
    return {
        "id": JINJA,
        "modified": modified,
        "aliases": list(JINJA_ALIASES),
        "summary": "sandbox escape in str.format_map",
        "affected": [
            {
                "package": {"ecosystem": "PyPI", "name": "jinja2"},
                "ranges": [
                    {"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": fixed}]}
                ],
            }
        ],
        "severity": [{"type": "CVSS_V3", "score": "CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:N/A:N"}],
    }


def import_records(store: Store, folder: Path, *records: dict[str, Any]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for record in records:
        (folder / f"{record['id']}.json").write_text(json.dumps(record), encoding="utf-8")
    files = osv.expand([str(folder)])
    AdvisoryImporter(store).run(osv.iter_records(files, "CC-BY-4.0"))


def load_advisories(store: Store, tmp_path: Path) -> None:
    """The recorded advisories (requests < 2.20.0, Django 3.2 < 3.2.4, ...) and Jinja2's."""
    files = osv.expand([str(DATA / "osv")])
    AdvisoryImporter(store).run(osv.iter_records(files, "CC-BY-4.0"))
    import_records(store, tmp_path / "extra-osv", jinja_record())


REQUIREMENTS = b"jinja2==2.10\nrequests==2.19.0\nclick==8.1.7\n"

UV_LOCK = b"""version = 1
requires-python = ">=3.11"

[[package]]
name = "app"
version = "0.1.0"
source = { editable = "." }
dependencies = [{ name = "django" }]

[[package]]
name = "django"
version = "3.2"
source = { registry = "https://pypi.example/simple" }
dependencies = [{ name = "jinja2" }]

[[package]]
name = "jinja2"
version = "2.10"
source = { registry = "https://pypi.example/simple" }
"""


def cyclonedx(*purls: str) -> bytes:
    components = [
        {"type": "library", "bom-ref": p, "name": p.split("/")[-1].split("@")[0], "purl": p}
        for p in purls
    ]
    document = {
        "bomFormat": "CycloneDX",
        "specVersion": "1.6",
        "version": 1,
        "components": components,
    }
    return json.dumps(document).encode()
