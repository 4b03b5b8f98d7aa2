"""``ossmeta identities``: who is who in the activity data; merge, split and bot curations.

Identities are ``login:NAME`` (lowercased), ``email:ADDRESS`` (lowercased) or ``name:TEXT``
(a git name; in a curation it selects every signature with that name).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from ossmeta.surfaces.cli.common import DbOption, open_for_read, open_for_write, stderr
from ossmeta.surfaces.cli.options import Format, format_option
from ossmeta.surfaces.formats.terminal import json_safe
from ossmeta.times import utc_text

if TYPE_CHECKING:
    from ossmeta.normalizers.identities import IdentityOverride, Person

app = typer.Typer(help="Contributor identities: merge, split, bots.", no_args_is_help=True)

DataDirOption = Annotated[
    Path | None,
    typer.Option(
        "--data-dir",
        metavar="DIR",
        help="Activity data directory (default: OSSMETA_HOME/activity).",
        show_default=False,
    ),
]
FormatOption = Annotated[Format, format_option(Format.TABLE, Format.JSON)]
ReasonOption = Annotated[str, typer.Option(help="Why (kept with the curation).")]
AuthorOption = Annotated[str, typer.Option(help="Who curates.")]
_IDENTITY_HELP = "login:NAME, email:ADDRESS or name:TEXT"


def _write_table(header: tuple[str, ...], rows: Sequence[tuple[str, ...]]) -> None:
    from ossmeta.surfaces.formats.tables import TextTable, write_tables

    table = TextTable(None, *header)
    for row in rows:
        table.add_row(*row)
    write_tables(sys.stdout, table)


def _person_json(person: Person) -> dict[str, Any]:
    return {
        "person": person.id,
        "display": person.display,
        "is_bot": person.is_bot,
        "bot_rule": person.bot_rule,
        "identities": [{"identity": m.identity, "rules": list(m.rules)} for m in person.members],
    }


def _people_table(found: list[Person]) -> None:
    rows: list[tuple[str, ...]] = []
    for person in found:
        for index, member in enumerate(person.members):
            first = index == 0
            rows.append(
                (
                    person.id if first else "",
                    person.display if first else "",
                    ("yes" if person.is_bot else "no") if first else "",
                    member.identity,
                    "; ".join(member.rules),
                )
            )
        if person.bot_rule:
            rows.append(("", "", "", "", person.bot_rule))
    _write_table(("PERSON", "DISPLAY", "BOT", "IDENTITY", "RULES"), rows)


@app.command("list")
def list_(
    person: Annotated[
        str | None,
        typer.Option(help="Only the person with this id, or who has this identity."),
    ] = None,
    bots: Annotated[bool, typer.Option("--bots", help="Only bots.")] = False,
    format: FormatOption = Format.TABLE,
    data_dir: DataDirOption = None,
    db: DbOption = None,
) -> None:
    """People in the activity data, each identity with the rule that joined it."""
    from ossmeta.analyses.identities import people
    from ossmeta.normalizers.identities import parse_identity
    from ossmeta.store.activity_files import activity_root

    wanted = None if person is None else parse_identity(person)
    store = open_for_read(db)
    try:
        everyone = people(store, activity_root(data_dir))
    finally:
        store.dispose()
    found = [
        p
        for p in everyone
        if (not bots or p.is_bot)
        and (wanted is None or p.id == wanted or any(m.identity == wanted for m in p.members))
    ]
    if format is Format.JSON:
        typer.echo(
            json_safe(json.dumps([_person_json(p) for p in found], indent=2, ensure_ascii=False))
        )
    elif found:
        _people_table(found)
    else:
        stderr.print("no such person" if wanted else "no identities")


def _add(
    action: str, identity: str, other: str | None, reason: str, author: str, db: str | None
) -> None:
    from ossmeta.store.identities import IdentityOverrides

    store = open_for_write(db)
    try:
        new_id = IdentityOverrides(store).add(action, identity, other, reason=reason, author=author)
    finally:
        store.dispose()
    typer.echo(new_id)
    stderr.print(f"identity curation #{new_id} ({action}) stored")


@app.command()
def merge(
    identity: Annotated[str, typer.Argument(metavar="A", help=_IDENTITY_HELP)],
    other: Annotated[str, typer.Argument(metavar="B", help=_IDENTITY_HELP)],
    reason: ReasonOption,
    author: AuthorOption,
    db: DbOption = None,
) -> None:
    """Make A's person and B's person one."""
    _add("merge", identity, other, reason, author, db)


@app.command()
def split(
    identity: Annotated[str, typer.Argument(metavar="A", help=_IDENTITY_HELP)],
    reason: ReasonOption,
    author: AuthorOption,
    db: DbOption = None,
) -> None:
    """Take A out of its person: every earlier join of A is cut."""
    _add("split", identity, None, reason, author, db)


@app.command()
def bot(
    identity: Annotated[str, typer.Argument(metavar="A", help=_IDENTITY_HELP)],
    reason: ReasonOption,
    author: AuthorOption,
    db: DbOption = None,
) -> None:
    """Mark A's person as a bot, whatever the rules say."""
    _add("bot", identity, None, reason, author, db)


@app.command()
def human(
    identity: Annotated[str, typer.Argument(metavar="A", help=_IDENTITY_HELP)],
    reason: ReasonOption,
    author: AuthorOption,
    db: DbOption = None,
) -> None:
    """Mark A's person as human, whatever the bot rules say."""
    _add("human", identity, None, reason, author, db)


def _override_json(o: IdentityOverride) -> dict[str, Any]:
    return {
        "id": o.id,
        "action": o.action,
        "identity": o.identity,
        "other": o.other,
        "reason": o.reason,
        "author": o.author,
        "created_at": utc_text(o.created_at),
    }


@app.command()
def overrides(
    identity: Annotated[
        str | None, typer.Option(help="Only the curations naming this identity.")
    ] = None,
    format: FormatOption = Format.TABLE,
    db: DbOption = None,
) -> None:
    """The identity curations, oldest first (they apply in this order)."""
    from ossmeta.store.identities import IdentityOverrides

    store = open_for_read(db)
    try:
        found = IdentityOverrides(store).find(identity)
    finally:
        store.dispose()
    if format is Format.JSON:
        typer.echo(
            json_safe(json.dumps([_override_json(o) for o in found], indent=2, ensure_ascii=False))
        )
    elif found:
        rows = [
            (f"#{o.id}", o.action, o.identity, o.other or "-", o.author, " ".join(o.reason.split()))
            for o in found
        ]
        _write_table(("ID", "ACTION", "IDENTITY", "OTHER", "AUTHOR", "REASON"), rows)
    else:
        stderr.print("no identity curations")


@app.command()
def remove(
    override_id: Annotated[
        int, typer.Argument(metavar="ID", min=1, max=2**31 - 1, help="The curation's id.")
    ],
    db: DbOption = None,
) -> None:
    """Delete an identity curation (the rules apply again as if it never was)."""
    from ossmeta.store.identities import IdentityOverrides

    store = open_for_write(db)
    try:
        gone = IdentityOverrides(store).remove(override_id)
    finally:
        store.dispose()
    stderr.print(f"removed identity curation #{gone.id} ({gone.action} {gone.identity})")
