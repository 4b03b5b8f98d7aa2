"""OSV record (as given) -> ``Advisory``. Checks the shape the matcher relies on and
rejects what the OSV schema forbids; fields the matcher ignores are left in the raw record."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any, NoReturn

from ossmeta.errors import NormalizeError
from ossmeta.model import Advisory, Affected, Event, Range, Severity
from ossmeta.normalizers.severity import from_osv

EVENT_KINDS = ("introduced", "fixed", "last_affected", "limit")
RANGE_TYPES = ("SEMVER", "ECOSYSTEM", "GIT")
_FRACTION = re.compile(r"(\.\d{6})\d+")


class _Checker:
    def __init__(self, where: str) -> None:
        self.where = where

    def fail(self, message: str) -> NoReturn:
        raise NormalizeError(message, path=self.where)

    def text(self, value: object, what: str, *, required: bool = False) -> str:
        if value is None and not required:
            return ""
        if not isinstance(value, str):
            self.fail(f"{what} must be a string")
        return value

    def items(self, value: object, what: str) -> list[Any]:
        if value is None:
            return []
        if not isinstance(value, list):
            self.fail(f"{what} must be a list")
        return value

    def mapping(self, value: object, what: str) -> dict[str, Any]:
        if not isinstance(value, dict):
            self.fail(f"{what} must be an object")
        return value

    def timestamp(self, value: object, what: str, *, required: bool = False) -> datetime | None:
        if value is None and not required:
            return None
        text = self.text(value, what, required=True)
        try:
            # Python's parser takes at most microseconds; OSV allows nanoseconds.
            parsed = datetime.fromisoformat(_FRACTION.sub(r"\1", text.strip()))
        except ValueError:
            self.fail(f"{what} is not an RFC 3339 timestamp: {text!r}")
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _range(check: _Checker, raw: object, where: str) -> Range:
    entry = check.mapping(raw, where)
    kind = check.text(entry.get("type"), f"{where}.type", required=True)
    events: list[Event] = []
    for n, raw_event in enumerate(check.items(entry.get("events"), f"{where}.events")):
        event = check.mapping(raw_event, f"{where}.events[{n}]")
        keys = [k for k in EVENT_KINDS if k in event]
        if len(keys) != 1:
            check.fail(f"{where}.events[{n}] must have exactly one of {', '.join(EVENT_KINDS)}")
        value = event[keys[0]]
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)  # hand-written YAML often leaves `introduced: 0` unquoted
        events.append(
            Event(keys[0], check.text(value, f"{where}.events[{n}].{keys[0]}", required=True))
        )
    repo = entry.get("repo")
    return Range(kind, tuple(events), repo if isinstance(repo, str) else None)


def _affected(check: _Checker, raw: object, n: int, origin: str) -> Affected | None:
    where = f"affected[{n}]"
    entry = check.mapping(raw, where)
    package = entry.get("package")
    if package is None:
        return None  # a GIT-only entry (a repository, no package): nothing to match by name
    package = check.mapping(package, f"{where}.package")
    ecosystem = check.text(package.get("ecosystem"), f"{where}.package.ecosystem", required=True)
    name = check.text(package.get("name"), f"{where}.package.name", required=True)
    purl = package.get("purl")
    ranges = tuple(
        _range(check, r, f"{where}.ranges[{i}]")
        for i, r in enumerate(check.items(entry.get("ranges"), f"{where}.ranges"))
    )
    listed = check.items(entry.get("versions"), f"{where}.versions")
    # Lists run to thousands of versions: check them in one pass, and name the first
    # offender (building each one's field name up front) only when there is one.
    if all(type(v) is str for v in listed):
        versions = tuple(listed)
    else:
        versions = tuple(
            check.text(v, f"{where}.versions[{i}]", required=True) for i, v in enumerate(listed)
        )
    severity: Severity | None = None
    if entry.get("severity"):
        severity = from_osv(entry.get("severity"), origin=origin)
    return Affected(
        ecosystem, name, purl if isinstance(purl, str) else None, ranges, versions, severity
    )


def advisory_from_osv(record: dict[str, Any], where: str) -> Advisory:
    """Interpret one OSV record; ``where`` names the file for error messages."""
    check = _Checker(where)
    advisory_id = check.text(record.get("id"), "id", required=True).strip()
    if not advisory_id:
        check.fail("id is empty")
    modified = check.timestamp(record.get("modified"), "modified", required=True)
    assert modified is not None
    database = record.get("database_specific")
    rating = database.get("severity") if isinstance(database, dict) else None
    aliases = tuple(
        check.text(a, f"aliases[{i}]", required=True).strip()
        for i, a in enumerate(check.items(record.get("aliases"), "aliases"))
    )
    affected = tuple(
        a
        for n, raw in enumerate(check.items(record.get("affected"), "affected"))
        if (a := _affected(check, raw, n, advisory_id)) is not None
    )
    references = tuple(
        ref["url"]
        for ref in check.items(record.get("references"), "references")
        if isinstance(ref, dict) and isinstance(ref.get("url"), str)
    )
    return Advisory(
        id=advisory_id,
        modified=modified,
        published=check.timestamp(record.get("published"), "published"),
        withdrawn=check.timestamp(record.get("withdrawn"), "withdrawn"),
        aliases=tuple(a for a in dict.fromkeys(aliases) if a and a != advisory_id),
        summary=check.text(record.get("summary"), "summary"),
        details=check.text(record.get("details"), "details"),
        severity=from_osv(record.get("severity"), rating, origin=advisory_id),
        affected=affected,
        references=references,
    )
