"""Helpers for the end-to-end flows of an npm index gated by a REAL policy: the stub upstream's
packages (some published a day ago, measured from now), advisories imported into ossmeta as
OSV files, policies applied and indexes added through the CLI, and an index clock a test may
move forward (the honest time seam: the index decides with ``NpmIndex.clock``)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from ossmeta.sources import osv
from ossmeta.store import Store
from ossmeta.store.advisories import AdvisoryImporter
from ossmeta.surfaces.cli.app import main
from tests.index.npm_upstream import Spec

STARTED = datetime.now(UTC)
YESTERDAY = (STARTED - timedelta(days=1)).isoformat(timespec="milliseconds").replace("+00:00", "Z")

FLOW_SPECS = [
    Spec("leftish", "1.0.0", "2024-01-01T00:00:00.000Z"),
    Spec("leftish", "1.1.0", "2024-02-01T00:00:00.000Z"),
    Spec("leftish", "1.2.0", "2024-03-01T00:00:00.000Z"),
    Spec("fresh", "1.0.0", "2024-01-01T00:00:00.000Z"),
    Spec("fresh", "1.1.0", YESTERDAY),
    Spec("fixer", "1.0.0", "2024-01-01T00:00:00.000Z"),
    Spec("fixer", "1.0.1", YESTERDAY),
]
# The foundation's rebuild of leftish 1.2.0 (not on the upstream).
HARDENED = Spec("leftish", "1.2.0-trusted.1", "2024-03-02T00:00:00.000Z")

# leftish 1.1.0 introduced a high-severity flaw, fixed upstream only in 2.0.0 (not on the
# stub): the foundation's 1.2.0-trusted.1 fixes it in the 1.x line.
LEFTISH_ADVISORY = "GHSA-left-ish0-0002"
# fixer 1.0.0 has a low one, fixed by 1.0.1 (a day old: the cooldown's exemption).
FIXER_ADVISORY = "GHSA-fixr-0000-0001"

BASELINE = """\
name = "{name}"
[security]
deny_at_or_above = "high"
[cooldown]
min_age_days = 7
"""


@dataclass
class Clock:
    """The index's clock: real time plus an offset a test moves forward."""

    offset: timedelta = field(default_factory=timedelta)

    def __call__(self) -> datetime:
        return datetime.now(UTC) + self.offset


def _record(ident: str, name: str, severity: str, events: list[dict[str, str]]) -> object:
    return {
        "schema_version": "1.6.0",
        "id": ident,
        "modified": "2024-05-01T00:00:00Z",
        "published": "2024-05-01T00:00:00Z",
        "summary": f"{name} has a flaw",
        "affected": [
            {
                "package": {"ecosystem": "npm", "name": name},
                "ranges": [{"type": "SEMVER", "events": events}],
            }
        ],
        "database_specific": {"severity": severity},
    }


def import_advisories(store: Store, folder: Path) -> None:
    folder.mkdir()
    records = [
        _record(LEFTISH_ADVISORY, "leftish", "HIGH", [{"introduced": "1.1.0"}, {"fixed": "2.0.0"}]),
        _record(FIXER_ADVISORY, "fixer", "LOW", [{"introduced": "0"}, {"fixed": "1.0.1"}]),
    ]
    for record in records:
        (folder / f"{record['id']}.json").write_text(json.dumps(record))  # type: ignore[index]
    AdvisoryImporter(store).run(osv.iter_records(osv.expand([str(folder)]), "CC-BY-4.0"))


def cli(*args: str) -> int:
    code: int = main(list(args))
    return code


def gate(store: Store, folder: Path, index: str, policy: str, text: str, upstream: str) -> None:
    """``ossmeta policy apply`` then ``ossmeta index add --policy``, as an operator would."""
    path = folder / f"{policy}.toml"
    path.write_text(text, encoding="utf-8")
    assert cli("policy", "apply", str(path), "--db", store.url) == 0
    added = ("index", "add", index, "--ecosystem", "npm", "--upstream", upstream)
    assert cli(*added, "--policy", policy, "--db", store.url) == 0


def apply(store: Store, folder: Path, policy: str, text: str) -> None:
    path = folder / f"{policy}.toml"
    path.write_text(text, encoding="utf-8")
    assert cli("policy", "apply", str(path), "--db", store.url) == 0
