"""``ossmeta program``: the graduation program's year, phases, tables and two-way selection.

Every command works on the newest program year unless ``--year`` names another."""

from __future__ import annotations

import getpass
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer

from ossmeta.errors import InputError
from ossmeta.surfaces.cli import (
    program_awards,
    program_evidence,
    program_members,
    program_milestones,
    program_notify,
)
from ossmeta.surfaces.cli.common import DbOption, open_for_read, open_for_write, stderr
from ossmeta.surfaces.cli.options import Format, format_option
from ossmeta.surfaces.formats.terminal import json_safe, terminal_safe

app = typer.Typer(
    help="Graduation program: program years, phases, tasks, applications and the two-way "
    "selection.",
    no_args_is_help=True,
)

YearOption = Annotated[
    str | None, typer.Option("--year", help="The program year (default: the newest).")
]
KINDS_HELP = "projects, mentors, people, tasks, applications or rankings"


def _actor() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):  # no name for this uid (a bare container)
        return "cli:unknown"


def _now() -> datetime:
    return datetime.now(UTC)


def _dump(document: Any) -> None:
    typer.echo(json_safe(json.dumps(document, indent=2, ensure_ascii=False)))


def _say(text: str) -> None:
    stderr.print(terminal_safe(text))


def _row(*fields: str) -> None:
    typer.echo("\t".join(terminal_safe(field, one_line=True) for field in fields))


def _verdict_lines(checked: Any) -> None:
    verdict = checked.verdict
    for problem in verdict.problems:
        _row("infeasible", problem.code, problem.subject)
    for b in verdict.blocking:
        _row("blocking", b.pair, b.task, b.case)


@app.command("create")
def create(
    year: Annotated[str, typer.Argument(help="The program year's name, e.g. 2027.")],
    config: Annotated[
        Path | None,
        typer.Option("--config", help="TOML: seed, max_choices, [phases], [eligibility]."),
    ] = None,
    db: DbOption = None,
) -> None:
    """Create a program year (phases, deadlines and eligibility rules from --config)."""
    from ossmeta.service.program import create_year, read_config

    made = create_year(open_for_write(db), year, read_config(config), _actor(), _now())
    _say(f"program {made.name} created, in phase {made.current.name}; {made.tie_rule}")


def _show_phases(year: Any) -> None:
    for phase in year.phases:
        mark = "*" if phase.position == year.phase else " "
        deadline = phase.deadline.isoformat() if phase.deadline else "-"
        _row(f"{mark} {phase.name}", deadline)


@app.command("phase")
def phase(
    action: Annotated[
        str, typer.Argument(help="show (default), advance, or extend DEADLINE.")
    ] = "show",
    deadline: Annotated[
        str | None, typer.Argument(help="For extend: the new deadline (ISO 8601, with zone).")
    ] = None,
    year: YearOption = None,
    db: DbOption = None,
) -> None:
    """Show the phases (* marks the current one), advance to the next, or extend the
    current phase's deadline."""
    from ossmeta.service.program import advance_phase, extend_deadline, get_year

    if action == "show":
        _show_phases(get_year(open_for_read(db), year))
    elif action == "advance":
        moved = advance_phase(open_for_write(db), year, _actor(), _now())
        _say(f"program {moved.name} is now in phase {moved.current.name}")
    elif action == "extend":
        if deadline is None:
            raise InputError("program phase extend needs the new DEADLINE")
        try:
            when = datetime.fromisoformat(deadline.replace("Z", "+00:00"))
        except ValueError:
            raise InputError(f"{deadline!r} is not an ISO 8601 date-time") from None
        moved = extend_deadline(open_for_write(db), year, when, _actor(), _now())
        _say(f"phase {moved.current.name} of program {moved.name} now ends {when.isoformat()}")
    else:
        raise InputError(f"program phase: show, advance or extend, not {action!r}")


@app.command("import")
def import_(
    kind: Annotated[str, typer.Argument(help=KINDS_HELP)],
    file: Annotated[Path, typer.Argument(metavar="FILE", help="A CSV or .xlsx file.")],
    year: YearOption = None,
    db: DbOption = None,
) -> None:
    """Import a table (replacing the year's rows of that kind), in its phase."""
    from ossmeta.service.program_imports import import_kind

    count = import_kind(open_for_write(db), year, kind, file, _actor(), _now())
    _say(f"{count} {kind} row(s) imported from {file.name}")


@app.command("export")
def export(
    kind: Annotated[str, typer.Argument(help=KINDS_HELP)],
    file: Annotated[Path, typer.Argument(metavar="FILE", help="A CSV or .xlsx file.")],
    year: YearOption = None,
    db: DbOption = None,
) -> None:
    """Export a table in the columns import reads."""
    from ossmeta.service.program_imports import export_kind

    count = export_kind(open_for_read(db), year, kind, file)
    _say(f"{count} {kind} row(s) written to {file.name}")


@app.command("match")
def match(
    mentor_optimal: Annotated[
        bool, typer.Option("--mentor-optimal", help="Mentor-optimal instead of pair-optimal.")
    ] = False,
    year: YearOption = None,
    db: DbOption = None,
) -> None:
    """Run the matching on the stored applications and rankings, check it, store it."""
    from ossmeta.service.program_selection import run_matching

    done = run_matching(
        open_for_write(db), year, mentor_optimal=mentor_optimal, actor=_actor(), now=_now()
    )
    matched = len(done.matching.assignment)
    _say(
        f"matching {done.matching.id} ({done.matching.variant}, seed {done.matching.seed}): "
        f"{matched} pair(s) matched; checker: {'stable' if done.verdict.ok else 'NOT stable'}"
    )
    _verdict_lines(done)


@app.command("check")
def check(year: YearOption = None, db: DbOption = None) -> None:
    """Check the current matching with the independent checker (exit 1 if not stable)."""
    from ossmeta.service.program_selection import check_current

    done = check_current(open_for_read(db), year, _now())
    _verdict_lines(done)
    if done.verdict.ok:
        _say(f"matching {done.matching.id} is feasible and stable")
        return
    if done.matching.override:
        _say(f"kept by override: {done.matching.override}")
    raise typer.Exit(1)


@app.command("edit")
def edit(
    pair: Annotated[str, typer.Argument(help="The pair id.")],
    task: Annotated[str, typer.Argument(help="The task to give it, or 'none'.")],
    override: Annotated[
        str | None,
        typer.Option("--override", help="Keep the edit even with blocking pairs: the reason."),
    ] = None,
    year: YearOption = None,
    db: DbOption = None,
) -> None:
    """Edit the current matching; re-checked, blocking pairs need --override REASON."""
    from ossmeta.service.program_selection import edit_matching

    done = edit_matching(
        open_for_write(db), year, pair, task, override=override, actor=_actor(), now=_now()
    )
    _verdict_lines(done)
    _say(f"matching {done.matching.id}: pair {pair} → {task}")


@app.command("publish")
def publish(year: YearOption = None, db: DbOption = None) -> None:
    """Publish the current matching as the year's results."""
    from ossmeta.service.program_selection import publish as publish_matching

    done = publish_matching(open_for_write(db), year, _actor(), _now())
    _say(f"matching {done.id} published")


@app.command("results")
def results(
    format: Annotated[Format, format_option(Format.TABLE, Format.JSON)] = Format.TABLE,
    year: YearOption = None,
    db: DbOption = None,
) -> None:
    """The published results: per pair its task (or none) and why."""
    from ossmeta.service.program_selection import results as read_results

    document = read_results(open_for_read(db), year)
    if format is Format.JSON:
        _dump(document)
        return
    for pair in document["pairs"]:
        why = "; ".join(f"{r['task']}: {r['code']} ({r['count']})" for r in pair["reasons"])
        _row(pair["pair"], pair["task"] or "none", pair["message_key"], why)
    room = ", ".join(f"{t['task']} ({t['free']})" for t in document["tasks_with_room"])
    _say(f"tasks with room: {room or 'none'}")


@app.command("audit")
def audit(
    format: Annotated[Format, format_option(Format.TABLE, Format.JSON)] = Format.TABLE,
    year: YearOption = None,
    db: DbOption = None,
) -> None:
    """The year's audit (append-only): when, who, what."""
    from ossmeta.service.program import audit_log

    entries = audit_log(open_for_read(db), year)
    if format is Format.JSON:
        _dump(
            [
                {"at": e.at.isoformat(), "actor": e.actor, "action": e.action, "detail": e.detail}
                for e in entries
            ]
        )
        return
    for e in entries:
        _row(e.at.isoformat(), e.actor, e.action, json.dumps(e.detail, ensure_ascii=False))


# ``program evidence``: a student's real upstream contributions (its own module: it reads the
# activity store, not the program's tables).
app.command("evidence")(program_evidence.evidence)

# ``program member``: logins and their program roles (the API's and the web's rights).
app.add_typer(program_members.app, name="member")
app.add_typer(program_notify.app, name="notify")
app.add_typer(program_notify.webhooks, name="webhook")

# ``program midterm`` and ``program defense``: the milestones after the selection.
app.add_typer(program_milestones.midterm, name="midterm")
app.add_typer(program_milestones.defense, name="defense")

# ``program award``: titles, recommendations, cross-review, certification, certificates.
app.add_typer(program_awards.app, name="award")
