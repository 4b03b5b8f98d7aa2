"""Test cases of a policy (``ossmeta policy test FILE``): ``[[cases]]`` tables in the
policy file itself and in a sibling ``NAME.cases.toml`` (``baseline.toml`` ->
``baseline.cases.toml``), both run. Each case gives a release's facts and what the policy
must decide::

    [[cases]]
    name = "GPL is refused"
    purl = "pkg:pypi/demo@1.0"
    license = "GPL-3.0-only"
    age_days = 30                 # or published = 2026-01-01T00:00:00Z
    advisories = [{ id = "GHSA-aaaa-bbbb-cccc", severity = "high" }]
    # also: health_score, maintenance, deprecated, yanked, fixes = ["GHSA-..."], now = ...
    expect = "deny"               # allow | hide | deny
    expect_rules = ["licenses.deny"]   # optional: exactly these rules fire
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from ossmeta.analyses.policy.config import MAINTENANCE_STATUSES, Policy
from ossmeta.analyses.policy.engine import AdvisoryFact, ReleaseFacts, evaluate
from ossmeta.analyses.policy.model import Decision
from ossmeta.errors import UsageError
from ossmeta.model import SeverityLevel

__all__ = ["Case", "CaseResult", "parse_cases", "run_case"]

_KEYS = frozenset(
    {
        "name",
        "purl",
        "license",
        "published",
        "age_days",
        "now",
        "advisories",
        "health_score",
        "maintenance",
        "deprecated",
        "yanked",
        "fixes",
        "expect",
        "expect_rules",
    }
)
_LEVELS = {level.label: level for level in SeverityLevel}


@dataclass(frozen=True)
class Case:
    name: str
    facts: ReleaseFacts
    now: datetime
    expect: str
    expect_rules: tuple[str, ...] | None
    where: str  # "FILE:LINE" of its [[cases]] header


@dataclass(frozen=True)
class CaseResult:
    case: Case
    decision: Decision
    passed: bool
    problem: str  # empty when passed


def _headers(text: str) -> list[int]:
    return [
        number
        for number, line in enumerate(text.splitlines(), start=1)
        if line.split("#", 1)[0].strip().replace(" ", "") == "[[cases]]"
    ]


def _key_line(text: str, header: int | None, key: str) -> int | None:
    """The line setting ``key`` in the case whose ``[[cases]]`` header is at ``header``."""
    if header is None:
        return None
    for number, raw in enumerate(text.splitlines()[header:], start=header + 1):
        line = raw.split("#", 1)[0].strip()
        if line.startswith("["):
            return None
        if line.partition("=")[0].strip() == key:
            return number
    return None


def parse_cases(
    given: list[Any], source: str, text: str, now: datetime | None = None
) -> list[Case]:
    """The cases of one file; ``now`` (default: the current time) is the time a case
    without its own ``now`` is judged at."""
    lines = _headers(text)
    clock = now or datetime.now(UTC)
    out = []
    for index, table in enumerate(given):
        line = lines[index] if index < len(lines) else None

        def fail(message: str, line: int | None = line, index: int = index) -> UsageError:
            # Messages start with the key they are about: point at its line in the case.
            key = message.split(" ", 1)[0].rstrip(":")
            found = _key_line(text, line, key) if key in _KEYS else None
            return UsageError(f"case {index + 1}: {message}", path=source, line=found or line)

        if not isinstance(table, dict):
            raise fail("must be a table")
        out.append(_case(table, fail, clock, f"{source}:{line}" if line else source))
    return out


def _case(table: dict[str, Any], fail: Any, clock: datetime, where: str) -> Case:
    extra = sorted(set(table) - _KEYS)
    if extra:
        raise fail(f"unknown key {extra[0]!r} (known: {', '.join(sorted(_KEYS))})")
    purl = table.get("purl")
    if not isinstance(purl, str) or not purl.startswith("pkg:") or "@" not in purl[4:]:
        raise fail("purl must be a purl with a version: pkg:pypi/name@1.0")
    kind, _, rest = purl[4:].partition("/")
    name, _, version = rest.rpartition("@")
    if not kind or not name or not version:
        raise fail(f"purl {purl!r} must be pkg:TYPE/NAME@VERSION")
    name = name.replace("%40", "@")
    now = _time(table.get("now", clock), "now", fail)
    published = None
    if "published" in table:
        published = _time(table["published"], "published", fail)
    elif "age_days" in table:
        age = table["age_days"]
        if isinstance(age, bool) or not isinstance(age, int | float) or not 0 <= age < 36500:
            raise fail("age_days must be a number of days from 0")
        published = now - timedelta(days=age)
    expect = table.get("expect")
    if expect not in ("allow", "hide", "deny"):
        raise fail(f"expect must be allow, hide or deny, not {expect!r}")
    rules = table.get("expect_rules")
    if rules is not None and (
        not isinstance(rules, list) or not all(isinstance(r, str) for r in rules)
    ):
        raise fail("expect_rules must be a list of rule names")
    facts = ReleaseFacts(
        ecosystem=kind,
        name=name,
        version=version,
        published=published,
        license=_optional(table, "license", str, fail),
        advisories=_advisories(table.get("advisories", []), fail),
        health_score=_score(table.get("health_score"), fail),
        maintenance=_maintenance(table.get("maintenance"), fail),
        deprecated=bool(_optional(table, "deprecated", bool, fail)),
        yanked=bool(_optional(table, "yanked", bool, fail)),
        fixes_advisories=tuple(_strings(table.get("fixes", []), "fixes", fail)),
    )
    label = table.get("name", purl)
    if not isinstance(label, str):
        raise fail("name must be a string")
    return Case(label, facts, now, expect, None if rules is None else tuple(rules), where)


def _optional(table: dict[str, Any], key: str, kind: type, fail: Any) -> Any:
    value = table.get(key)
    if value is not None and (
        not isinstance(value, kind) or isinstance(value, bool) != (kind is bool)
    ):
        raise fail(f"{key} must be {'true or false' if kind is bool else 'a string'}")
    return value


def _time(value: object, key: str, fail: Any) -> datetime:
    if not isinstance(value, datetime):
        raise fail(f"{key} must be a TOML date-time (2026-01-01T00:00:00Z)")
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def _strings(value: object, key: str, fail: Any) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(i, str) for i in value):
        raise fail(f"{key} must be a list of strings")
    return value


def _score(value: object, fail: Any) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise fail("health_score must be a number")
    return float(value)


def _maintenance(value: object, fail: Any) -> str | None:
    if value is not None and value not in MAINTENANCE_STATUSES:
        raise fail(f"maintenance must be one of {', '.join(MAINTENANCE_STATUSES)}")
    return value if isinstance(value, str) else None


def _advisories(value: object, fail: Any) -> tuple[AdvisoryFact, ...]:
    if not isinstance(value, list):
        raise fail("advisories must be a list of tables: { id = ..., severity = ... }")
    out = []
    for item in value:
        if not isinstance(item, dict) or not isinstance(item.get("id"), str):
            raise fail("each advisory needs an id (a string)")
        extra = sorted(set(item) - {"id", "severity", "aliases", "malicious"})
        if extra:
            raise fail(f"advisory {item['id']}: unknown key {extra[0]!r}")
        level = item.get("severity", "unknown")
        if not isinstance(level, str) or level not in _LEVELS:
            raise fail(f"advisory {item['id']}: severity must be one of {', '.join(_LEVELS)}")
        aliases = _strings(item.get("aliases", []), "aliases", fail)
        malicious = item.get("malicious", False)
        if not isinstance(malicious, bool):
            raise fail(f"advisory {item['id']}: malicious must be true or false")
        out.append(AdvisoryFact(item["id"], _LEVELS[level], tuple(aliases), malicious))
    return tuple(out)


def run_case(policy: Policy, case: Case) -> CaseResult:
    decision = evaluate(policy, case.facts, (), case.now)
    fired = sorted({r.rule for r in decision.reasons})
    problems = []
    if decision.action != case.expect:
        problems.append(f"expected {case.expect}, got {decision.action}")
    if case.expect_rules is not None and fired != sorted(set(case.expect_rules)):
        problems.append(
            f"expected rules [{', '.join(sorted(set(case.expect_rules)))}], "
            f"fired [{', '.join(fired)}]"
        )
    return CaseResult(case, decision, not problems, "; ".join(problems))
