"""``ossmeta program notify`` (run on a schedule) and ``ossmeta program webhook add|list|
remove`` (the year's operator-level webhooks)."""

from __future__ import annotations

import getpass
import re
from datetime import UTC, datetime, timedelta
from typing import Annotated

import typer

from ossmeta.errors import InputError
from ossmeta.surfaces.cli.common import DbOption, open_for_read, open_for_write, stderr
from ossmeta.surfaces.formats.terminal import terminal_safe

__all__ = ["app", "webhooks"]

YearOption = Annotated[
    str | None, typer.Option("--year", help="The program year (default: the newest).")
]

app = typer.Typer(
    help="Send the program's due notices (deadline reminders, results), once each.",
    invoke_without_command=True,
)
webhooks = typer.Typer(help="The program year's webhooks.", no_args_is_help=True)

_LEAD = re.compile(r"(\d+)\s*([dhm])")


def _actor() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):  # no name for this uid (a bare container)
        return "cli:unknown"


def _lead(text: str) -> timedelta:
    found = _LEAD.fullmatch(text.strip())
    if found is None:
        raise InputError(f"--lead {text!r}: a number with d, h or m (3d, 12h, 90m)")
    unit = {"d": "days", "h": "hours", "m": "minutes"}[found.group(2)]
    return timedelta(**{unit: int(found.group(1))})


def _when(text: str | None) -> datetime:
    if not text:
        return datetime.now(UTC)
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise InputError(f"--now {text!r}: an ISO 8601 date-time with a time zone") from None
    if value.tzinfo is None:
        raise InputError(f"--now {text!r}: give a time zone (Z for UTC)")
    return value.astimezone(UTC)


@app.callback()
def notify(
    ctx: typer.Context,
    year: YearOption = None,
    lead: Annotated[
        str, typer.Option("--lead", help="How long before a deadline to remind (3d, 12h).")
    ] = "3d",
    base_url: Annotated[
        str, typer.Option("--base-url", help="The center's web address, for the links.")
    ] = "",
    now: Annotated[
        str | None, typer.Option("--now", help="The time to act at (default: now).")
    ] = None,
    db: DbOption = None,
) -> None:
    """Record and send the year's due notices; exit 4 when some could not be sent (a webhook
    that answered 410 Gone is disabled, said once, and gets no more notices)."""
    if ctx.invoked_subcommand is not None:
        return
    from ossmeta.service.notify_email import SmtpSettings
    from ossmeta.service.program_notify import notify as run

    report = run(
        open_for_write(db),
        year,
        _when(now),
        lead=_lead(lead),
        base_url=base_url,
        smtp=SmtpSettings.from_env(),
    )
    stderr.print(
        f"{report.recorded} new notice(s), {report.sent} sent, {len(report.failed)} failed"
    )
    for who in report.unreachable:
        stderr.print(terminal_safe(f"no e-mail address for {who}"))
    for failure in report.failed:
        stderr.print(terminal_safe(f"failed (retried next run): {failure}"))
    for hook in report.disabled:
        stderr.print(terminal_safe(f"webhook {hook} disabled: it answered 410 Gone"))
    if report.failed or report.disabled:
        raise typer.Exit(4)


@webhooks.command("add")
def add(
    url: Annotated[str, typer.Argument(help="Where to POST the notices.")],
    year: YearOption = None,
    db: DbOption = None,
) -> None:
    """Register URL; prints its id and signing secret (shown only this once)."""
    from ossmeta.service.program_notify import add_program_webhook

    hook_id, secret = add_program_webhook(
        open_for_write(db), year, url, _actor(), datetime.now(UTC)
    )
    stderr.print(f"webhook {hook_id} added; its signing secret (shown once):")
    typer.echo(secret)


@webhooks.command("list")
def list_(year: YearOption = None, db: DbOption = None) -> None:
    """The year's webhooks: id and URL (tab-separated), then "disabled" for one whose
    receiver answered 410 Gone."""
    from ossmeta.service.program_notify import program_webhooks

    for hook in program_webhooks(open_for_read(db), year):
        state = "" if hook.disabled_at is None else "\tdisabled"
        typer.echo(f"{hook.id}\t{terminal_safe(hook.url, one_line=True)}{state}")


@webhooks.command("remove")
def remove(
    hook_id: Annotated[int, typer.Argument(help="The webhook's id.")],
    year: YearOption = None,
    db: DbOption = None,
) -> None:
    """Stop sending to webhook ID (audited)."""
    from ossmeta.service.program_notify import remove_program_webhook

    remove_program_webhook(open_for_write(db), year, hook_id, _actor(), datetime.now(UTC))
    stderr.print(f"webhook {hook_id} removed")
