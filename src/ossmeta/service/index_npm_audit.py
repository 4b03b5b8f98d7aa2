"""``npm audit`` through an npm index: the bulk advisory endpoint
(``POST /-/npm/v1/security/advisories/bulk``) answered from ossmeta's own advisories.

npm sends ``{"name": ["1.0.0", ...]}`` and reads, per name, a list of
``{id, url, title, severity, vulnerable_versions, cwe, cvss}``; it then decides itself
which installed versions fall in ``vulnerable_versions`` (a semver range), so that range
must say what the OSV record says."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from ossmeta.analyses.matcher import CompiledAffected
from ossmeta.ecosystems import NPM, name_key
from ossmeta.errors import InputError
from ossmeta.model import Affected, SeverityLevel, Verdict
from ossmeta.store.engine import Store
from ossmeta.store.lookup import AdvisoryLookup

__all__ = ["bulk_advisories", "vulnerable_range"]

MAX_NAMES = 10_000
# npm's words for the levels; an unknown severity is left out, and npm then assumes high.
_SEVERITY = {
    SeverityLevel.NONE: "info",
    SeverityLevel.LOW: "low",
    SeverityLevel.MEDIUM: "moderate",
    SeverityLevel.HIGH: "high",
    SeverityLevel.CRITICAL: "critical",
}


def vulnerable_range(entry: Affected) -> str:
    """The OSV entry's ranges and listed versions as one npm semver range."""
    parts: list[str] = []
    for compiled in entry.ranges:
        if compiled.type not in ("SEMVER", "ECOSYSTEM"):
            continue
        opened, low = False, ""
        for event in compiled.events:
            if event.kind == "introduced":
                opened, low = True, "" if event.version == "0" else f">={event.version}"
            elif opened and event.kind in ("fixed", "last_affected", "limit"):
                bound = ("<=" if event.kind == "last_affected" else "<") + event.version
                parts.append(f"{low} {bound}".strip())
                opened = False
        if opened:
            parts.append(low or "*")
    parts.extend(entry.versions)
    return " || ".join(dict.fromkeys(parts)) or "*"


def _request(body: Any) -> dict[str, list[str]]:
    if not isinstance(body, dict) or len(body) > MAX_NAMES:
        raise InputError(f"expected an object of at most {MAX_NAMES} package names")
    wanted: dict[str, list[str]] = {}
    for name, versions in body.items():
        if not isinstance(versions, list) or not all(isinstance(v, str) for v in versions):
            raise InputError(f"{name!r}: expected a list of version strings")
        wanted[str(name)] = versions
    return wanted


def bulk_advisories(
    store: Store, body: Any, advisory_url: Callable[[str], str]
) -> dict[str, list[dict[str, Any]]]:
    """The answer to one bulk request; InputError for a body of another shape."""
    wanted = _request(body)
    lookup = AdvisoryLookup(store)
    found = lookup.affected_for((NPM, name_key(NPM, name)) for name in wanted)
    hits: dict[str, list[tuple[str, Affected]]] = {}
    for name, versions in wanted.items():
        for stored in found.get((NPM, name_key(NPM, name)), []):
            compiled = CompiledAffected(stored.entry)
            if any(compiled.evaluate(v).verdict is Verdict.AFFECTED for v in versions):
                hits.setdefault(name, []).append((stored.advisory_id, stored.entry))
    known = lookup.advisories(a for pairs in hits.values() for a, _ in pairs)
    answer: dict[str, list[dict[str, Any]]] = {}
    for name, pairs in hits.items():
        for advisory_id, entry in pairs:
            stored_advisory = known.get(advisory_id)
            if stored_advisory is None:
                continue
            answer.setdefault(name, []).append(
                _advisory(advisory_id, stored_advisory, entry, advisory_url, lookup)
            )
    return answer


def _advisory(
    advisory_id: str,
    stored: Any,
    entry: Affected,
    advisory_url: Callable[[str], str],
    lookup: AdvisoryLookup,
) -> dict[str, Any]:
    severity = entry.severity or stored.severity
    item: dict[str, Any] = {
        "id": advisory_id,
        "url": advisory_url(advisory_id),
        "title": stored.summary or advisory_id,
        "vulnerable_versions": vulnerable_range(entry),
        "cwe": _cwes(lookup, advisory_id),
        "cvss": {"score": severity.score or 0, "vectorString": severity.vector},
    }
    label = _SEVERITY.get(severity.level)
    if label is not None:
        item["severity"] = label
    return item


def _cwes(lookup: AdvisoryLookup, advisory_id: str) -> list[str]:
    shown = lookup.show(advisory_id)
    record: Mapping[str, Any] = shown.record if shown is not None else {}
    specific = record.get("database_specific")
    ids: Sequence[Any] = specific.get("cwe_ids", []) if isinstance(specific, dict) else []
    return [str(x) for x in ids if isinstance(x, str)]
