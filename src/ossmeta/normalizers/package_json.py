"""A ``PackageRecord`` as the JSON contract of ``ossmeta packages show PURL --format json``
(issue 3). Exactly the contract's keys, nothing more, so the shape is stable for scripts:

    {"purl", "repository", "status",
     "license": {"spdx", "raw", "confidence", "source"} | null,
     "versions": [{"version", "published", "yanked", "license",
                   "dependencies": [{"purl", "requirement", "scope"}]}],
     "dependents"}

Versions are listed in the ecosystem's order, oldest first, as the record holds them.
``published`` is UTC ISO 8601 to the second with ``Z`` (null when unknown). ``source`` is
the record field a licence came from (``pypi:license_expression``, ``npm:licenses``...).
``dependents`` is counted by the store, so the caller passes it.
"""

from __future__ import annotations

from typing import Any

from ossmeta.model import LicenseValue, PackageRecord
from ossmeta.times import utc_text


def _license(value: LicenseValue | None) -> dict[str, Any] | None:
    if value is None:
        return None
    return {
        "spdx": value.spdx,
        "raw": value.raw,
        "confidence": value.confidence,
        "source": value.source,
    }


def package_to_json(record: PackageRecord, dependents: int = 0) -> dict[str, Any]:
    """The contract's JSON object (plain dicts, lists, strings, numbers) for ``record``."""
    return {
        "purl": record.purl,
        "repository": record.repository,
        "status": record.status.value,
        "license": _license(record.license),
        "versions": [
            {
                "version": version.version,
                "published": utc_text(version.published),
                "yanked": version.yanked,
                "license": _license(version.license),
                "dependencies": [
                    {"purl": d.purl, "requirement": d.requirement, "scope": d.scope}
                    for d in version.dependencies
                ],
            }
            for version in record.versions
        ],
        "dependents": dependents,
    }
