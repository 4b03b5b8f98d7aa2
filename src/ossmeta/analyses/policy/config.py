"""A policy file (TOML), checked into frozen dataclasses.

The smallest policy::

    name = "baseline"
    [security]
    deny_at_or_above = "high"
    [licenses]
    deny = ["GPL-3.0-only", "AGPL-3.0-only"]
    [cooldown]
    min_age_days = 7

Every key (see ``KNOWN``) is optional but ``name``. A wrong key, type or value is a one-line
usage error naming the file and, where the key is written plainly, its line.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from ossmeta.analyses.health.config import _line_of
from ossmeta.errors import UsageError
from ossmeta.model import SeverityLevel
from ossmeta.sources.files import InputFile, load_toml

__all__ = [
    "FORMAT",
    "KNOWN",
    "MAINTENANCE_STATUSES",
    "CooldownRules",
    "HealthRules",
    "LicenseRules",
    "Policy",
    "SecurityRules",
    "load_policy",
    "parse_policy",
]

FORMAT = 1  # the file format this parser reads (``format = 1``; absent means 1)
# The statuses the metrics give a repository (analyses/metrics/git_status.py).
MAINTENANCE_STATUSES = ("active", "slowing", "inactive", "archived")
_SEVERITIES = {level.label: level for level in SeverityLevel if level is not SeverityLevel.UNKNOWN}
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")

Gate = Literal["deny", "hide", "allow"]
_GATES: tuple[Gate, ...] = ("deny", "hide", "allow")

KNOWN: dict[str, frozenset[str]] = {
    "": frozenset(
        {
            "name",
            "format",
            "description",
            "dry_run",
            "security",
            "licenses",
            "health",
            "cooldown",
            "first_party",
            "cases",
        }
    ),
    "security": frozenset({"deny_at_or_above", "malicious"}),
    "licenses": frozenset({"allow", "deny", "unknown"}),
    "health": frozenset({"min_score", "maintenance_deny", "deny_deprecated", "deny_yanked"}),
    "cooldown": frozenset({"min_age_days", "security_fix_exempt", "unknown_age"}),
    "first_party": frozenset({"patterns"}),
}


@dataclass(frozen=True)
class SecurityRules:
    # Advisories at or above this level deny; an advisory of unknown severity counts as
    # failing, as ``scan --fail-on`` does. None: no severity rule.
    deny_at_or_above: SeverityLevel | None = None
    # MAL- advisories (malicious packages): denied even with no severity rule.
    malicious: Literal["deny", "hide"] = "deny"


@dataclass(frozen=True)
class LicenseRules:
    allow: tuple[str, ...] | None = None  # None: no allow list (everything not denied passes)
    deny: tuple[str, ...] = ()
    # A licence that is absent, not SPDX, NOASSERTION or unparseable. Defaults to "allow"
    # without an allow list and "deny" with one (an allow list admits only what it names).
    unknown: Gate = "allow"


@dataclass(frozen=True)
class HealthRules:
    min_score: float | None = None
    maintenance_deny: tuple[str, ...] = ()
    deny_deprecated: bool = False
    deny_yanked: bool = False


@dataclass(frozen=True)
class CooldownRules:
    min_age_days: float | None = None
    # A release that fixes an advisory affecting the release before it skips the cooldown:
    # a security fix must not wait a week behind a malware window.
    security_fix_exempt: bool = True
    # No upload time known: "hide" (not yet evaluated) unless said otherwise, so a missing
    # time never opens the cooldown (npm's client-side cooldown fails open that way).
    unknown_age: Gate = "hide"


@dataclass(frozen=True)
class Policy:
    name: str
    description: str = ""
    dry_run: bool = False
    security: SecurityRules = SecurityRules()
    licenses: LicenseRules = LicenseRules()
    health: HealthRules = HealthRules()
    cooldown: CooldownRules = CooldownRules()
    first_party: tuple[str, ...] = ()  # fnmatch patterns on the package name


def _kind(value: object) -> str:
    if isinstance(value, bool):
        return "a boolean"
    names = {int: "an integer", float: "a number", str: "a string", list: "a list"}
    return names.get(type(value), "a table" if isinstance(value, dict) else "a value")


class _Checker:
    def __init__(self, source: str, text: str | None) -> None:
        self.source = source
        self.text = text

    def fail(self, message: str, table: str = "", key: str | None = None) -> UsageError:
        line = None if self.text is None else _line_of(self.text, table, key)
        return UsageError(message, path=self.source, line=line)

    @staticmethod
    def _where(table: str, key: str) -> str:
        return f"[{table}] {key}" if table else key

    def table(self, given: dict[str, Any], key: str) -> dict[str, Any]:
        value = given.get(key, {})
        if not isinstance(value, dict):
            raise self.fail(f"[{key}] must be a table, not {_kind(value)}", "", key)
        extra = sorted(set(value) - KNOWN[key])
        if extra:
            known = ", ".join(sorted(KNOWN[key]))
            raise self.fail(f"[{key}]: unknown key {extra[0]!r} (known: {known})", key, extra[0])
        return value

    def boolean(self, given: dict[str, Any], table: str, key: str, default: bool) -> bool:
        value = given.get(key, default)
        if not isinstance(value, bool):
            where = self._where(table, key)
            raise self.fail(f"{where} must be true or false, not {_kind(value)}", table, key)
        return value

    def number(self, given: dict[str, Any], table: str, key: str) -> float | None:
        value = given.get(key)
        if value is None:
            return None
        where = self._where(table, key)
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.fail(f"{where} must be a number, not {_kind(value)}", table, key)
        if not math.isfinite(value) or value < 0:
            raise self.fail(f"{where} must be a finite number 0 or more, not {value}", table, key)
        return float(value)

    def strings(self, given: dict[str, Any], table: str, key: str) -> tuple[str, ...] | None:
        value = given.get(key)
        if value is None:
            return None
        if not isinstance(value, list) or not all(isinstance(i, str) and i.strip() for i in value):
            where = self._where(table, key)
            raise self.fail(f"{where} must be a list of non-empty strings", table, key)
        return tuple(i.strip() for i in value)

    def choice(
        self, given: dict[str, Any], table: str, key: str, choices: tuple[str, ...], default: str
    ) -> str:
        value = given.get(key, default)
        if value not in choices:
            where = self._where(table, key)
            shown = repr(value) if isinstance(value, str) else _kind(value)
            raise self.fail(f"{where} must be one of {', '.join(choices)}, not {shown}", table, key)
        return str(value)


def parse_policy(given: dict[str, Any], source: str, text: str | None = None) -> Policy:
    """A checked policy from a parsed TOML table; ``source`` names the file in errors and
    ``text`` (the file's) gives the line of a wrong key."""
    check = _Checker(source, text)
    extra = sorted(set(given) - KNOWN[""])
    if extra:
        known = ", ".join(sorted(KNOWN[""]))
        raise check.fail(f"unknown key {extra[0]!r} (known: {known})", "", extra[0])
    name = given.get("name")
    if not isinstance(name, str):
        raise check.fail("name is required: a string", "", "name" if "name" in given else None)
    if not _NAME.fullmatch(name):
        raise check.fail(
            f"name {name!r}: use letters, digits, '.', '_' or '-' (at most 64)", "", "name"
        )
    fmt = given.get("format", FORMAT)
    if isinstance(fmt, bool) or fmt != FORMAT:
        raise check.fail(f"format must be {FORMAT}, not {fmt!r}", "", "format")
    description = given.get("description", "")
    if not isinstance(description, str):
        raise check.fail(
            f"description must be a string, not {_kind(description)}", "", "description"
        )
    if "cases" in given and not isinstance(given["cases"], list):
        raise check.fail("cases must be an array of tables ([[cases]])", "", "cases")
    return Policy(
        name=name,
        description=description,
        dry_run=check.boolean(given, "", "dry_run", False),
        security=_security(check, check.table(given, "security")),
        licenses=_licenses(check, check.table(given, "licenses")),
        health=_health(check, check.table(given, "health")),
        cooldown=_cooldown(check, check.table(given, "cooldown")),
        first_party=check.strings(check.table(given, "first_party"), "first_party", "patterns")
        or (),
    )


def _security(check: _Checker, table: dict[str, Any]) -> SecurityRules:
    floor = table.get("deny_at_or_above")
    level = None
    if floor is not None:
        if not isinstance(floor, str) or floor.lower() not in _SEVERITIES:
            shown = repr(floor) if isinstance(floor, str) else _kind(floor)
            raise check.fail(
                f"[security] deny_at_or_above must be one of {', '.join(_SEVERITIES)}, not {shown}",
                "security",
                "deny_at_or_above",
            )
        level = _SEVERITIES[floor.lower()]
    malicious = check.choice(table, "security", "malicious", ("deny", "hide"), "deny")
    return SecurityRules(level, "deny" if malicious == "deny" else "hide")


def _licenses(check: _Checker, table: dict[str, Any]) -> LicenseRules:
    allow = check.strings(table, "licenses", "allow")
    deny = check.strings(table, "licenses", "deny") or ()
    both = sorted(set(allow or ()) & set(deny))
    if both:
        raise check.fail(f"[licenses] {both[0]!r} is both allowed and denied", "licenses", "deny")
    unknown = check.choice(
        table, "licenses", "unknown", _GATES, "allow" if allow is None else "deny"
    )
    return LicenseRules(allow, deny, _gate(unknown))


def _health(check: _Checker, table: dict[str, Any]) -> HealthRules:
    statuses = check.strings(table, "health", "maintenance_deny") or ()
    wrong = [s for s in statuses if s not in MAINTENANCE_STATUSES]
    if wrong:
        raise check.fail(
            f"[health] maintenance_deny: {wrong[0]!r} is not a maintenance status "
            f"(one of {', '.join(MAINTENANCE_STATUSES)})",
            "health",
            "maintenance_deny",
        )
    return HealthRules(
        min_score=check.number(table, "health", "min_score"),
        maintenance_deny=statuses,
        deny_deprecated=check.boolean(table, "health", "deny_deprecated", False),
        deny_yanked=check.boolean(table, "health", "deny_yanked", False),
    )


def _cooldown(check: _Checker, table: dict[str, Any]) -> CooldownRules:
    return CooldownRules(
        min_age_days=check.number(table, "cooldown", "min_age_days"),
        security_fix_exempt=check.boolean(table, "cooldown", "security_fix_exempt", True),
        unknown_age=_gate(check.choice(table, "cooldown", "unknown_age", _GATES, "hide")),
    )


def _gate(value: str) -> Gate:
    return "deny" if value == "deny" else "hide" if value == "hide" else "allow"


def load_policy(path: Path) -> tuple[Policy, str, dict[str, Any]]:
    """The policy in the file at ``path``, its text (as stored with each version) and the
    whole parsed table (its ``[[cases]]`` are for ``policy test``)."""
    file = InputFile.of(path)
    text = file.read_text()
    table = load_toml(file, text)
    return parse_policy(table, str(path), text), text, table
