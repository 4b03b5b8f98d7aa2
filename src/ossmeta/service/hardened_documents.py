"""The documents a hardened release carries (``ossmeta hardened show``): its provenance
(upstream version, patches with digests, advisories fixed, artifact digests, who and when)
and an OpenVEX 0.2.0 statement per fixed advisory saying the hardened version is
``not_affected`` (``vulnerable_code_not_present``: the patch removed it), with an impact
statement naming the patch. The OpenVEX document reads back through ossmeta's own VEX
reader (``normalizers.vex.parse_vex``), so ``vex import`` and other scanners take it."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import orjson

from ossmeta import __version__
from ossmeta.ecosystems import NPM
from ossmeta.normalizers.vex import OPENVEX_JUSTIFICATION
from ossmeta.purls import build_purl
from ossmeta.store.hardened import HardenedRow

__all__ = ["OPENVEX_CONTEXT", "hardened_openvex", "provenance"]

#: The OpenVEX version ossmeta writes (as ``surfaces.formats.openvex`` does).
OPENVEX_CONTEXT = "https://openvex.dev/ns/v0.2.0"
Json = dict[str, Any]


def _iso(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _purl(row: HardenedRow, version: str) -> str:
    made = build_purl(row.ecosystem, row.name, version)
    assert made is not None  # PyPI and npm names always make one
    return made


def _artifact(row: HardenedRow) -> Json:
    out: Json = {
        "filename": row.filename,
        "size": row.size,
        "digests": {"sha256": row.sha256, "sha512": row.sha512},
    }
    if row.ecosystem == NPM:
        out["integrity"] = "sha512-" + base64.b64encode(bytes.fromhex(row.sha512)).decode()
    return out


def provenance(rows: Sequence[HardenedRow]) -> Json:
    """One hardened version's provenance; ``rows`` are its files (one version)."""
    first = rows[0]
    patches = {p.name: {"name": p.name, "sha256": p.sha256} for r in rows for p in r.patches}
    return {
        "purl": _purl(first, first.version),
        "name": first.name,
        "version": first.version,
        "upstream": {
            "purl": _purl(first, first.upstream_version),
            "version": first.upstream_version,
        },
        "fixes": list(dict.fromkeys(f for r in rows for f in r.fixes)),
        "patches": list(patches.values()),
        "artifacts": [_artifact(r) for r in rows],
        "created_at": _iso(min(r.created_at for r in rows)),
        "created_by": list(dict.fromkeys(r.created_by for r in rows)),
    }


def _impact(rows: Sequence[HardenedRow]) -> str:
    first = rows[0]
    names = list(dict.fromkeys(p.name for r in rows for p in r.patches))
    return (
        f"{first.name} {first.version} is upstream {first.upstream_version} rebuilt with "
        f"the patch {', '.join(names)}, which removes the vulnerable code."
    )


def hardened_openvex(rows: Sequence[HardenedRow]) -> Json:
    """The OpenVEX document of one hardened version: ``not_affected`` by each advisory it
    fixes. The product carries the version's purl and its artifacts' SHA-256 digests."""
    first = rows[0]
    purl = _purl(first, first.version)
    when = _iso(min(r.created_at for r in rows))
    product: Json = {"@id": purl, "identifiers": {"purl": purl}}
    digests = list(dict.fromkeys(r.sha256 for r in rows))
    if len(digests) == 1:  # OpenVEX names one hash per algorithm: one file only
        product["hashes"] = {"sha-256": digests[0]}
    impact = _impact(rows)
    statements = [
        {
            "vulnerability": {"name": advisory},
            "timestamp": when,
            "products": [product],
            "status": "not_affected",
            "justification": OPENVEX_JUSTIFICATION["vulnerable_code_not_present"],
            "impact_statement": impact,
        }
        for advisory in dict.fromkeys(f for r in rows for f in r.fixes)
    ]
    digest = hashlib.sha256(orjson.dumps([purl, statements], option=orjson.OPT_SORT_KEYS))
    return {
        "@context": OPENVEX_CONTEXT,
        "@id": f"urn:ossmeta:openvex:hardened:{digest.hexdigest()}",
        "author": "ossmeta",
        "role": "Document Creator",
        "timestamp": when,
        "version": 1,
        "tooling": f"ossmeta {__version__}",
        "statements": statements,
    }
