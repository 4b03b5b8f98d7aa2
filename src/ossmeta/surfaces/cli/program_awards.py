"""``ossmeta program award titles|recommend|review|results|certify|revoke|certificate``: the
awards of a program year, as its operator (a program admin) runs them."""

from __future__ import annotations

import csv
import getpass
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer

from ossmeta.errors import InputError, OutputError
from ossmeta.surfaces.cli.common import DbOption, open_for_read, open_for_write, stderr
from ossmeta.surfaces.cli.options import Format, format_option
from ossmeta.surfaces.formats.terminal import json_safe, terminal_safe

__all__ = ["app"]

app = typer.Typer(
    help="Awards: titles, recommendations, cross-review, certification, certificates.",
    no_args_is_help=True,
)

YearOption = Annotated[
    str | None, typer.Option("--year", help="The program year (default: the newest).")
]
_MAX_FILE = 1024 * 1024


def _actor() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):  # no name for this uid (a bare container)
        return "cli:unknown"


def _row(*fields: str) -> None:
    typer.echo("\t".join(terminal_safe(field, one_line=True) for field in fields))


def _say(text: str) -> None:
    stderr.print(terminal_safe(text))


def _read(path: Path) -> str:
    try:
        if path.stat().st_size > _MAX_FILE:
            raise InputError(f"larger than {_MAX_FILE} bytes", path=str(path))
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise InputError(f"cannot read: {error}", path=str(path)) from None


@app.command("titles")
def titles_(
    file: Annotated[
        Path | None,
        typer.Argument(help="TOML: per_community = N and [[title]] tables (key, name, name_zh)."),
    ] = None,
    year: YearOption = None,
    db: DbOption = None,
) -> None:
    """Set the year's award titles from FILE (audited), or list them."""
    from ossmeta.service.program_access import operator_access
    from ossmeta.service.program_awards import set_titles, titles

    if file is None:
        shown = titles(open_for_read(db), year)
    else:
        store = open_for_write(db)
        access = operator_access(store, year, _actor())
        shown = set_titles(store, year, access, _read(file), str(file), datetime.now(UTC))
    for title in shown:
        _row(title.key, title.name, title.name_zh, str(title.per_community))


@app.command("recommend")
def recommend_(
    community: Annotated[str, typer.Argument(help="The community key.")],
    file: Annotated[Path, typer.Argument(help="CSV with the columns pair, title, citation.")],
    year: YearOption = None,
    db: DbOption = None,
) -> None:
    """Record COMMUNITY's recommendations (replacing its earlier ones)."""
    from ossmeta.service.program_access import operator_access
    from ossmeta.service.program_awards import Nomination, recommend

    rows = list(csv.reader(_read(file).splitlines()))
    if not rows or [c.strip().lower() for c in rows[0]] != ["pair", "title", "citation"]:
        raise InputError("the header must be: pair,title,citation", path=str(file), line=1)
    nominations = []
    for line, row in enumerate(rows[1:], 2):
        if len(row) != 3:
            raise InputError("three columns: pair, title, citation", path=str(file), line=line)
        nominations.append(Nomination(row[0].strip(), row[1].strip(), row[2]))
    store = open_for_write(db)
    access = operator_access(store, year, _actor())
    try:
        count = recommend(store, year, access, community, nominations, datetime.now(UTC))
    except InputError as error:
        raise InputError(error.message, path=str(file)) from None
    _say(f"community {community}: {count} pair(s) recommended")


@app.command("review")
def review_(
    reviewer: Annotated[str, typer.Argument(help="The reviewer's login.")],
    pairs: Annotated[list[str], typer.Argument(help="The recommended pairs, best first.")],
    year: YearOption = None,
    db: DbOption = None,
) -> None:
    """Record REVIEWER's ranking of the other communities' recommended pairs."""
    from ossmeta.service.program_access import operator_access
    from ossmeta.service.program_awards import review

    store = open_for_write(db)
    access = operator_access(store, year, _actor())
    count = review(store, year, access, reviewer, pairs, datetime.now(UTC))
    _say(f"reviewer {reviewer}: {count} pair(s) ranked")


def _standings(store: Any, year: str | None) -> tuple[str, list[dict[str, Any]]]:
    from ossmeta.service.program_access import operator_access
    from ossmeta.service.program_awards import standings

    rule, order = standings(store, year, operator_access(store, year, _actor()))
    return rule, [
        {
            "place": s.ranked.place,
            "pair": s.ranked.pair,
            "score": str(s.ranked.score),
            "reviews": s.ranked.reviews,
            "community": s.recommendation.community,
            "title": s.recommendation.title,
            "student": s.facts.get("student_name", ""),
        }
        for s in order
    ]


@app.command("results")
def results(
    format: Annotated[Format, format_option(Format.TABLE, Format.JSON)] = Format.TABLE,
    year: YearOption = None,
    db: DbOption = None,
) -> None:
    """The cross-review's order under the published rule, and the certified awards."""
    from ossmeta.service.program_awards import awards

    store = open_for_read(db)
    rule, order = _standings(store, year)
    certified: list[dict[str, Any]] = [
        {
            "place": a.place,
            "pair": a.pair,
            "title": a.title,
            "code": a.code,
            "revoked": a.revoked_reason,
        }
        for a in awards(store, year)
    ]
    if format is Format.JSON:
        document = {"rule": rule, "standings": order, "awards": certified}
        typer.echo(json_safe(json.dumps(document, indent=2, ensure_ascii=False)))
        return
    _say(rule)
    for s in order:
        _row("standing", str(s["place"]), s["pair"], s["score"], s["community"], s["title"])
    for a in certified:
        state = f"revoked: {a['revoked']}" if a["revoked"] else "awarded"
        _row("award", str(a["place"]), a["pair"], a["title"], a["code"], state)


@app.command("certify")
def certify_(
    pair: Annotated[
        list[str] | None, typer.Option("--pair", help="Award only these pairs (repeatable).")
    ] = None,
    year: YearOption = None,
    db: DbOption = None,
) -> None:
    """Certify the awards: each recommended pair (or each --pair) in the cross-review's order
    gets its award, fixed, with a verification code."""
    from ossmeta.service.program_access import operator_access
    from ossmeta.service.program_awards import certify

    store = open_for_write(db)
    access = operator_access(store, year, _actor())
    for award in certify(store, year, access, datetime.now(UTC), pairs=pair or None):
        _row(str(award.place), award.pair, award.title, award.code)


@app.command("revoke")
def revoke_(
    code: Annotated[str, typer.Argument(help="The award's verification code.")],
    reason: Annotated[str, typer.Option("--reason", help="Why (shown on the public page).")],
    year: YearOption = None,
    db: DbOption = None,
) -> None:
    """Revoke a certified award (audited); its verification page then says so."""
    from ossmeta.service.program_access import operator_access
    from ossmeta.service.program_awards import revoke

    store = open_for_write(db)
    access = operator_access(store, year, _actor())
    award = revoke(store, year, access, code, reason, datetime.now(UTC))
    _say(f"the award of pair {award.pair} is revoked")


@app.command("certificate")
def certificate_(
    code: Annotated[str, typer.Argument(help="The award's verification code.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="The PDF file to write.")],
    person: Annotated[str, typer.Option("--for", help="student or teacher.")] = "student",
    base_url: Annotated[
        str,
        typer.Option(
            "--base-url",
            envvar="OSSMETA_PUBLIC_URL",
            help="The center's public address, for the verification URL.",
        ),
    ] = "",
    year: YearOption = None,
    db: DbOption = None,
) -> None:
    """Write the award's certificate (a Chinese and an English page) as a PDF."""
    from ossmeta.service.program_access import operator_access
    from ossmeta.service.program_certificates import certificate

    store = open_for_read(db)
    access = operator_access(store, year, _actor())
    made = certificate(store, year, access, code, person, base_url)
    try:
        out.write_bytes(made.pdf)
    except OSError as error:
        raise OutputError(f"cannot write: {error}", path=str(out)) from None
    _say(f"{out}: {len(made.pdf)} bytes; Chinese font: {made.font}")
