"""Program years of the graduation program: creating one from a TOML configuration, its
phases and deadlines, and the guard that allows each action only in its phase.

A phase's deadline is when the phase ends: an action is allowed while the program is in one
of the action's phases and that phase's deadline has not passed. An admin moves the program
to the next phase (``advance``) or extends the current phase's deadline; both are audited.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any

from ossmeta.analyses.program import tie_rule
from ossmeta.analyses.program.model import DEFAULT_MAX_CHOICES
from ossmeta.errors import InputError, NotFoundError
from ossmeta.store.engine import Store
from ossmeta.store.program import (
    AuditEntry,
    Year,
    add_audit,
    add_year,
    audit_entries,
    find_year,
    latest_year,
    set_deadline,
    set_phase,
)
from ossmeta.store.tenancy import Transaction, global_transaction

__all__ = [
    "ACTION_PHASES",
    "DEFAULT_PHASES",
    "DEFAULT_RULES",
    "PhaseError",
    "ProgramConfig",
    "advance_phase",
    "audit_log",
    "create_year",
    "extend_deadline",
    "get_year",
    "read_config",
    "require_phase",
]

DEFAULT_PHASES = (
    "funding",
    "tasks_fixed",
    "teacher_training",
    "launch",
    "selection",
    "work",
    "midterm",
    "defense",
    "awards",
)

#: Which phases allow which action (a phase's name says what ends at its deadline): the
#: selection's actions, which every year's phases must allow.
SELECTION_ACTIONS: Mapping[str, tuple[str, ...]] = {
    "import communities": ("funding", "tasks_fixed"),
    "import projects": ("funding", "tasks_fixed"),
    "import tasks": ("funding", "tasks_fixed"),
    "import mentors": ("funding", "tasks_fixed"),
    "import people": ("teacher_training", "launch"),
    "import universities": ("teacher_training", "launch"),
    "import applications": ("launch",),
    "import rankings": ("selection",),
    "match": ("selection",),
    "check": ("selection",),
    "edit": ("selection",),
    "publish": ("selection",),
}

#: Actions of the later phases (and of the surfaces); a year may leave their phases out
#: (a selection-only year), and then they are refused.
LATER_ACTIONS: Mapping[str, tuple[str, ...]] = {
    "apply": ("launch",),
    "rank": ("selection",),
    "midterm": ("midterm",),
    "end pair": ("midterm", "defense"),
    "assign reviewers": ("work", "midterm", "defense"),
    "score": ("defense",),
    "recommend": ("awards",),
    "cross-review": ("awards",),
    "certify": ("awards",),
}
ACTION_PHASES: Mapping[str, tuple[str, ...]] = {**SELECTION_ACTIONS, **LATER_ACTIONS}

#: The eligibility rules, each on unless the configuration turns it off.
DEFAULT_RULES: Mapping[str, bool] = {
    "mentor_not_student": True,  # a mentor's identity cannot also be a student's
    "maintainers_not_applicants": True,  # a project's maintainers cannot apply to its tasks
    "one_pair_per_student": True,  # a student is in one pair, so takes at most one task
}

_YEAR = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")


class PhaseError(InputError):
    """An action outside its phase, or after its phase's deadline (exit 2)."""


@dataclass(frozen=True)
class ProgramConfig:
    seed: int
    max_choices: int
    phases: tuple[tuple[str, datetime | None], ...]
    rules: dict[str, int]  # the switches, and top_committers (a number)


def _line(text: str, key: str) -> int | None:
    # ``key = ...`` or a ``[key]`` table header
    name = re.escape(key)
    pattern = re.compile(rf"^\s*(\"?{name}\"?\s*=|\[\s*{name}\s*\])", re.MULTILINE)
    found = pattern.search(text)
    return None if found is None else text.count("\n", 0, found.start()) + 1


def _deadline(value: object) -> datetime | None:
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError("a deadline needs a time zone (write Z for UTC)")
        return value.astimezone(UTC)
    if isinstance(value, date):
        return datetime.combine(value, time(), UTC)
    if value == "":
        return None
    raise ValueError(f"a deadline is a TOML date or date-time, not {value!r}")


def read_config(path: Path | None) -> ProgramConfig:
    """The year's configuration; every mistake is one line naming the file and line."""
    data: dict[str, Any] = {}
    text = ""
    where = str(path) if path else None
    if path is not None:
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise InputError(f"cannot read: {error}", path=where) from None
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as error:
            found = re.search(r"line (\d+)", str(error))
            message = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(error))
            line = int(found.group(1)) if found else None
            raise InputError(f"not valid TOML: {message}", path=where, line=line) from None

    def fail(key: str, message: str) -> InputError:
        return InputError(message, path=where, line=_line(text, key))

    for key in data:
        if key not in ("seed", "max_choices", "phases", "eligibility"):
            raise fail(key, f"unknown setting {key!r} (seed, max_choices, phases, eligibility)")
    seed, choices = data.get("seed", 0), data.get("max_choices", DEFAULT_MAX_CHOICES)
    if not isinstance(seed, int) or isinstance(seed, bool) or not 0 <= seed < 2**62:
        raise fail("seed", "seed must be a whole number ≥ 0")
    if not isinstance(choices, int) or isinstance(choices, bool) or not 1 <= choices <= 10:
        raise fail("max_choices", "max_choices must be a whole number from 1 to 10")
    given = data.get("phases", dict.fromkeys(DEFAULT_PHASES, ""))
    if not isinstance(given, dict) or not given:
        raise fail("phases", "[phases] lists each phase as NAME = DEADLINE, in order")
    phases: list[tuple[str, datetime | None]] = []
    for name, value in given.items():
        if not re.fullmatch(r"[a-z][a-z0-9_]{0,63}", name):
            raise fail(name, f"phase name {name!r}: lower-case letters, digits and _")
        try:
            phases.append((name, _deadline(value)))
        except ValueError as error:
            raise fail(name, f"phase {name}: {error}") from None
    names = [name for name, _ in phases]
    for action, allowed in SELECTION_ACTIONS.items():
        if not set(allowed) & set(names):
            raise fail("phases", f"no phase for {action!r}: list one of {', '.join(allowed)}")
    rules: dict[str, int] = dict(DEFAULT_RULES)
    eligibility = data.get("eligibility", {})
    if not isinstance(eligibility, dict):
        raise fail("eligibility", "[eligibility] is a table of rule = true|false")
    for rule, value in eligibility.items():
        if rule == "top_committers":  # how many top committers count as maintainers
            if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 100:
                raise fail(rule, "eligibility: top_committers must be a whole number 0 to 100")
            rules[rule] = value
            continue
        if rule not in DEFAULT_RULES or not isinstance(value, bool):
            raise fail(
                rule,
                f"eligibility: {rule} is not one of {', '.join(DEFAULT_RULES)} "
                "set to true or false (or top_committers = N)",
            )
        rules[rule] = value
    return ProgramConfig(seed, choices, tuple(phases), rules)


def create_year(store: Store, name: str, config: ProgramConfig, actor: str, now: datetime) -> Year:
    if not _YEAR.fullmatch(name):
        raise InputError(f"program year {name!r}: letters, digits, '.', '_' or '-'")
    with global_transaction(store) as connection:
        if find_year(connection, name) is not None:
            raise InputError(f"program year {name!r} exists already")
        year_id = add_year(
            connection,
            name,
            seed=config.seed,
            tie_rule=tie_rule(config.seed),
            max_choices=config.max_choices,
            rules=config.rules,
            phases=config.phases,
            now=now,
        )
        detail = {"seed": config.seed, "phases": [p for p, _ in config.phases]}
        add_audit(connection, year_id, actor, "create", detail | {"rules": config.rules}, now)
        made = find_year(connection, name)
    assert made is not None
    return made


def year_in(connection: Transaction, name: str | None) -> Year:
    found = latest_year(connection) if name is None else find_year(connection, name)
    if found is None:
        raise NotFoundError(
            "no program year yet (ossmeta program create YEAR)"
            if name is None
            else f"no program year {name!r}"
        )
    return found


def get_year(store: Store, name: str | None) -> Year:
    with global_transaction(store) as connection:
        return year_in(connection, name)


def require_phase(year: Year, action: str, now: datetime) -> None:
    """Refuse ``action`` outside its phases or past the current phase's deadline."""
    allowed = ACTION_PHASES[action]
    current = year.current
    if current.name not in allowed:
        ends = [p for p in year.phases if p.name in allowed]
        when = ", ".join(
            f"{p.name} (deadline {p.deadline.isoformat() if p.deadline else 'none'})" for p in ends
        )
        raise PhaseError(
            f"{action} is allowed only in phase {when}; program {year.name} is in phase "
            f"{current.name}"
        )
    if current.deadline is not None and now >= current.deadline:
        raise PhaseError(
            f"{action}: phase {current.name} of program {year.name} ended at "
            f"{current.deadline.isoformat()} (an admin can extend it: ossmeta program phase "
            "extend DEADLINE)"
        )


def advance_phase(store: Store, name: str | None, actor: str, now: datetime) -> Year:
    with global_transaction(store) as connection:
        year = year_in(connection, name)
        if year.phase + 1 >= len(year.phases):
            raise InputError(f"program {year.name} is in its last phase, {year.current.name}")
        set_phase(connection, year.id, year.phase + 1)
        detail = {"from": year.current.name, "to": year.phases[year.phase + 1].name}
        add_audit(connection, year.id, actor, "advance", detail, now)
        return year_in(connection, year.name)


def extend_deadline(
    store: Store, name: str | None, deadline: datetime, actor: str, now: datetime
) -> Year:
    """Move the current phase's deadline later (never earlier: that would take away time
    people were promised)."""
    if deadline.tzinfo is None:
        raise InputError("a deadline needs a time zone (for example 2027-03-01T00:00:00Z)")
    with global_transaction(store) as connection:
        year = year_in(connection, name)
        old = year.current.deadline
        if old is not None and deadline <= old:
            raise InputError(
                f"the new deadline {deadline.isoformat()} is not after the current one, "
                f"{old.isoformat()}"
            )
        set_deadline(connection, year.id, year.phase, deadline)
        detail = {
            "phase": year.current.name,
            "from": old.isoformat() if old else None,
            "to": deadline.isoformat(),
        }
        add_audit(connection, year.id, actor, "extend", detail, now)
        return year_in(connection, year.name)


def audit_log(store: Store, name: str | None) -> list[AuditEntry]:
    """The year's audit, oldest first."""
    with global_transaction(store) as connection:
        return audit_entries(connection, year_in(connection, name).id)
