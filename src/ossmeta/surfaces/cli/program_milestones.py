"""``ossmeta program midterm questions|submit|results|end`` and ``ossmeta program defense
rubric|assign|score|results``: the mid-term check and the defense, for the program's
operator (a program admin). ``program.py`` adds the two groups.
"""

from __future__ import annotations

import getpass
import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer

from ossmeta.errors import InputError
from ossmeta.surfaces.cli.common import DbOption, open_for_read, open_for_write, stderr
from ossmeta.surfaces.cli.options import Format, format_option
from ossmeta.surfaces.formats.terminal import json_safe, terminal_safe

__all__ = ["defense", "midterm"]

midterm = typer.Typer(
    help="The mid-term check: forms, the pass rule, ending a failed pair.", no_args_is_help=True
)
defense = typer.Typer(
    help="The defense: rubric, reviewers, scores and the published rule.", no_args_is_help=True
)

YearOption = Annotated[
    str | None, typer.Option("--year", help="The program year (default: the newest).")
]
ConfigFile = Annotated[
    Path | None,
    typer.Argument(help="A TOML file to set (admins); without it, show the current one."),
]
FormatOption = Annotated[Format, format_option(Format.TABLE, Format.JSON)]
Pair = Annotated[str, typer.Argument(help="The pair's key.")]


def _actor() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):  # no name for this uid (a bare container)
        return "cli:unknown"


def _now() -> datetime:
    return datetime.now(UTC)


def _dump(document: Any) -> None:
    typer.echo(json_safe(json.dumps(document, indent=2, ensure_ascii=False)))


def _row(*fields: str) -> None:
    typer.echo("\t".join(terminal_safe(field, one_line=True) for field in fields))


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise InputError(f"cannot read: {error}", path=str(path)) from None


def _pairs(given: list[str], option: str) -> dict[str, str]:
    """``KEY=VALUE`` options as a mapping; a malformed one names itself."""
    found: dict[str, str] = {}
    for item in given:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise InputError(f"{option} {item!r}: write KEY=VALUE")
        found[key.strip()] = value.strip()
    return found


@midterm.command("questions")
def questions(file: ConfigFile = None, year: YearOption = None, db: DbOption = None) -> None:
    """Set the year's mid-term questions from FILE, or show them (form, key, kind, labels)."""
    from ossmeta.service.program_access import operator_access
    from ossmeta.service.program_midterm import questions as read_questions
    from ossmeta.service.program_midterm import set_questions

    if file is not None:
        store = open_for_write(db)
        access = operator_access(store, year, _actor())
        set_questions(store, year, access, _read(file), str(file), _now())
    forms = read_questions(open_for_read(db), year)
    for form in forms.values():
        for q in form.questions:
            kind = f"{q.kind}: {', '.join(q.options)}" if q.options else q.kind
            required = "required" if q.required else "optional"
            _row(form.name, q.key, kind, required, q.label, q.label_zh)


@midterm.command("submit")
def submit(
    pair: Pair,
    form: Annotated[str, typer.Argument(help="university or mentor")],
    passed: Annotated[bool, typer.Option("--pass/--fail", help="The form's verdict.")],
    answer: Annotated[
        list[str] | None, typer.Option("--answer", help="QUESTION=ANSWER (repeatable).")
    ] = None,
    year: YearOption = None,
    db: DbOption = None,
) -> None:
    """Record a pair's university or mentor form (as the operator, e.g. from paper)."""
    from ossmeta.service.program_access import operator_access
    from ossmeta.service.program_midterm import submit_form

    store = open_for_write(db)
    access = operator_access(store, year, _actor())
    answers = _pairs(answer or [], "--answer")
    submit_form(store, year, access, pair, form, answers, passed, _now())
    stderr.print(
        terminal_safe(f"pair {pair}: {form} form recorded ({'pass' if passed else 'fail'})")
    )


@midterm.command("results")
def midterm_results(
    format: FormatOption = Format.TABLE, year: YearOption = None, db: DbOption = None
) -> None:
    """Each matched pair's mid-term outcome (pass only when both forms pass)."""
    from ossmeta.service.program_midterm import outcomes

    document = outcomes(open_for_read(db), year)
    if format is Format.JSON:
        _dump(document)
        return

    def verdict(value: bool | None) -> str:
        return "pending" if value is None else "pass" if value else "fail"

    for p in document["pairs"]:
        ended = f"ended: {p['reason']}" if p["ended"] else ""
        _row(
            p["pair"],
            p["result"],
            f"university {verdict(p['university'])}",
            f"mentor {verdict(p['mentor'])}",
            ended,
        )
    stderr.print(terminal_safe(document["rule"]))


@midterm.command("end")
def end(
    pair: Pair,
    reason: Annotated[str, typer.Option("--reason", help="Why the pair ends (audited).")],
    year: YearOption = None,
    db: DbOption = None,
) -> None:
    """End a pair that failed the mid-term; it takes no further part (final, audited)."""
    from ossmeta.service.program_access import operator_access
    from ossmeta.service.program_midterm import end_failed_pair

    store = open_for_write(db)
    end_failed_pair(store, year, operator_access(store, year, _actor()), pair, reason, _now())
    stderr.print(terminal_safe(f"pair {pair} ended"))


@defense.command("rubric")
def rubric(file: ConfigFile = None, year: YearOption = None, db: DbOption = None) -> None:
    """Set the year's rubric from FILE, or show it (key, weight, max, labels)."""
    from ossmeta.service.program_access import operator_access
    from ossmeta.service.program_defense import rubric as read_rubric
    from ossmeta.service.program_defense import set_rubric

    if file is not None:
        store = open_for_write(db)
        set_rubric(
            store, year, operator_access(store, year, _actor()), _read(file), str(file), _now()
        )
    for c in read_rubric(open_for_read(db), year):
        _row(c.key, f"weight {c.weight}", f"max {c.max}", c.label, c.label_zh)


def _each_reviewer(
    change: Callable[..., bool],
    pair: str,
    reviewers: list[str],
    year: str | None,
    db: str | None,
    said: tuple[str, str],
) -> None:
    """Apply an assignment change to each reviewer in turn, saying what each one did."""
    from ossmeta.service.program_access import operator_access

    store = open_for_write(db)
    access = operator_access(store, year, _actor())
    for reviewer in reviewers:
        done = change(store, year, access, pair, reviewer, _now())
        stderr.print(terminal_safe(f"pair {pair}: {reviewer} {said[0] if done else said[1]}"))


@defense.command("assign")
def assign(
    pair: Pair,
    reviewers: Annotated[list[str], typer.Argument(help="Reviewer logins.")],
    year: YearOption = None,
    db: DbOption = None,
) -> None:
    """Assign reviewers to PAIR (refused on a conflict of interest)."""
    from ossmeta.service.program_defense import assign_reviewer

    _each_reviewer(assign_reviewer, pair, reviewers, year, db, ("assigned", "was assigned already"))


@defense.command("unassign")
def unassign(
    pair: Pair,
    reviewers: Annotated[list[str], typer.Argument(help="Reviewer logins.")],
    year: YearOption = None,
    db: DbOption = None,
) -> None:
    """Take reviewers off PAIR, with the scores they gave it."""
    from ossmeta.service.program_defense import unassign_reviewer

    _each_reviewer(unassign_reviewer, pair, reviewers, year, db, ("taken off", "was not assigned"))


@defense.command("score")
def score(
    pair: Pair,
    reviewer: Annotated[str, typer.Option("--reviewer", help="The reviewer's login.")],
    criterion: Annotated[
        list[str], typer.Option("--score", help="CRITERION=SCORE (one per criterion).")
    ],
    year: YearOption = None,
    db: DbOption = None,
) -> None:
    """Record a reviewer's scores for PAIR (entered by the operator in the reviewer's name)."""
    from ossmeta.service.program_access import access_of
    from ossmeta.service.program_defense import score_pair

    store = open_for_write(db)
    number = score_pair(
        store, year, access_of(store, year, reviewer), pair, _pairs(criterion, "--score"), _now()
    )
    stderr.print(terminal_safe(f"pair {pair}: {reviewer} gives {float(number):.2f} of 100"))


@defense.command("results")
def defense_results(
    format: FormatOption = Format.TABLE, year: YearOption = None, db: DbOption = None
) -> None:
    """Each defended pair's score (median of the reviewers'), reviewer count and rank."""
    from ossmeta.service.program_defense import defense_results as read_results

    document = read_results(open_for_read(db), year, with_reviewers=True)
    if format is Format.JSON:
        _dump(document)
        return
    for p in document["pairs"]:
        each = ", ".join(f"{r} {n:.2f}" for r, n in p["by_reviewer"].items())
        _row(str(p["rank"]), p["pair"], f"{p['score']:.2f}", f"{p['reviewers']} reviewer(s)", each)
    stderr.print(terminal_safe(document["rule"]))
