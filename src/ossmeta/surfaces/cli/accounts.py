"""``ossmeta tenants|users|tokens``: the operator's account commands. Every change is
written to the audit log as ``cli:<os user>``."""

from __future__ import annotations

import getpass
import sys
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Annotated

import typer

from ossmeta.errors import UsageError
from ossmeta.surfaces.cli.common import DbOption, open_for_read, open_for_write, stderr
from ossmeta.surfaces.formats.terminal import terminal_safe

if TYPE_CHECKING:
    from ossmeta.service.accounts import Actor

tenants_app = typer.Typer(help="Create tenants.", no_args_is_help=True)
users_app = typer.Typer(help="Create users and give them a role in a tenant.", no_args_is_help=True)
tokens_app = typer.Typer(help="Create, list and revoke API tokens.", no_args_is_help=True)


def _actor() -> Actor:
    from ossmeta.service.accounts import Actor

    try:
        who = getpass.getuser()
    except (KeyError, OSError):  # no name for this uid (a bare container)
        who = "unknown"
    return Actor(f"cli:{who}")


@tenants_app.command("create")
def create_tenant(
    name: Annotated[str, typer.Argument(help="Lower-case letters, digits, '.', '_', '-'.")],
    db: DbOption = None,
) -> None:
    """Create a tenant."""
    from ossmeta.service.accounts import create_tenant

    tenant = create_tenant(open_for_write(db), name, _actor())
    stderr.print(f"tenant {tenant.name} created (id {tenant.id})")


@users_app.command("create")
def create_user(
    login: Annotated[str, typer.Argument(help="The user's login.")],
    tenant: Annotated[str, typer.Option("--tenant", help="The tenant they join.")],
    role: Annotated[str, typer.Option("--role", help="admin, curator, member or viewer.")],
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read a password from stdin's first line.")
    ] = False,
    db: DbOption = None,
) -> None:
    """Create a user (or take the existing one) with ROLE in TENANT."""
    from ossmeta.service.accounts import create_user

    password = None
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
        if not password:
            raise UsageError("--password-stdin: stdin gave no password")
    create_user(open_for_write(db), login, tenant, role, password, _actor())
    stderr.print(terminal_safe(f"user {login} is {role} in {tenant}", one_line=True))


def _expiry(value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise UsageError(f"--expires must be a date or time (2027-01-31), not {value!r}") from None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed


@tokens_app.command("create")
def create_token(
    login: Annotated[str, typer.Argument(help="Whose token.")],
    tenant: Annotated[
        str | None, typer.Option("--tenant", help="Needed when the user is in several.")
    ] = None,
    scope: Annotated[
        list[str] | None, typer.Option("--scope", help="read, write or admin; repeatable.")
    ] = None,
    expires: Annotated[
        str | None, typer.Option("--expires", help="Expiry date or time (UTC unless given).")
    ] = None,
    name: Annotated[str, typer.Option("--name", help="A label to recognise it by.")] = "",
    db: DbOption = None,
) -> None:
    """Create an API token and print only the token (it is shown this once)."""
    from ossmeta.service.accounts import create_token, tenant_named

    store = open_for_write(db)
    issued = create_token(
        store,
        login,
        actor=_actor(),
        tenant_id=tenant_named(store, tenant).id if tenant else None,
        scopes=tuple(scope or ("read",)),
        expires_at=_expiry(expires),
        name=name,
    )
    typer.echo(issued.secret)
    stderr.print(f"token {issued.record.id} ({issued.record.prefix}...) for {login}")


@tokens_app.command("revoke")
def revoke_token(
    token_id: Annotated[int, typer.Argument(metavar="ID", help="As 'tokens list' shows it.")],
    db: DbOption = None,
) -> None:
    """Revoke a token: it stops working at once."""
    from ossmeta.service.accounts import revoke

    record = revoke(open_for_write(db), token_id, _actor())
    stderr.print(f"token {record.id} ({record.prefix}...) of {record.login} revoked")


@tokens_app.command("list")
def list_tokens(db: DbOption = None) -> None:
    """Every tenant's tokens: id, tenant, login, prefix, scopes, expiry, state."""
    from ossmeta.service.accounts import list_all_tokens

    now = datetime.now(UTC)
    for tenant, record in list_all_tokens(open_for_read(db)):
        if record.revoked_at is not None:
            state = "revoked"
        elif record.expires_at is not None and record.expires_at <= now:
            state = "expired"
        else:
            state = "active"
        expires = record.expires_at.strftime("%Y-%m-%dT%H:%MZ") if record.expires_at else "-"
        fields = (
            str(record.id),
            tenant.name,
            record.login,
            f"{record.prefix}...",
            ",".join(record.scopes),
            expires,
            state,
            record.name,
        )
        # One line per token, tab-separated; each field is made safe on its own (a tab
        # inside a field would be escaped, not taken for a separator).
        typer.echo("\t".join(terminal_safe(field, one_line=True) for field in fields))
