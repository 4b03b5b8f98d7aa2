"""``ossmeta program member add|remove|list``: which account login acts in which program role
(admin, community, university, mentor, teacher, student, reviewer) for which subject."""

from __future__ import annotations

import getpass
from datetime import UTC, datetime
from typing import Annotated

import typer

from ossmeta.surfaces.cli.common import DbOption, open_for_read, open_for_write, stderr
from ossmeta.surfaces.formats.terminal import terminal_safe

__all__ = ["app"]

app = typer.Typer(help="Program members: logins and their program roles.", no_args_is_help=True)

YearOption = Annotated[
    str | None, typer.Option("--year", help="The program year (default: the newest).")
]
Login = Annotated[str, typer.Argument(help="The account login.")]
Role = Annotated[
    str,
    typer.Argument(help="admin, community, university, mentor, teacher, student or reviewer."),
]
Subject = Annotated[
    str,
    typer.Argument(
        help="The key the role acts for: a community or university key, a person key "
        "(mentor, teacher, student), a reviewer's community (may be empty); none for admin."
    ),
]


def _actor() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):  # no name for this uid (a bare container)
        return "cli:unknown"


@app.command("add")
def add(
    login: Login, role: Role, subject: Subject = "", year: YearOption = None, db: DbOption = None
) -> None:
    """Give LOGIN the program ROLE for SUBJECT (audited)."""
    from ossmeta.service.program_access import Member, add_program_member

    added = add_program_member(
        open_for_write(db), year, Member(login, role, subject), _actor(), datetime.now(UTC)
    )
    what = f"{login}: {role} {subject}".rstrip()
    stderr.print(terminal_safe(f"{what} {'added' if added else 'was already a member'}"))


@app.command("remove")
def remove(
    login: Login, role: Role, subject: Subject = "", year: YearOption = None, db: DbOption = None
) -> None:
    """Take the program ROLE for SUBJECT from LOGIN (audited)."""
    from ossmeta.service.program_access import Member, remove_program_member

    removed = remove_program_member(
        open_for_write(db), year, Member(login, role, subject), _actor(), datetime.now(UTC)
    )
    what = f"{login}: {role} {subject}".rstrip()
    stderr.print(terminal_safe(f"{what} {'removed' if removed else 'was not a member'}"))


@app.command("list")
def list_(year: YearOption = None, db: DbOption = None) -> None:
    """Every member of the year: login, role, subject (tab-separated)."""
    from ossmeta.service.program_access import program_members

    for member in program_members(open_for_read(db), year):
        fields = (member.login, member.role, member.subject)
        typer.echo("\t".join(terminal_safe(f, one_line=True) for f in fields))
