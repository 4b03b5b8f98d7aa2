"""``ossmeta program evidence REPO``: a student's upstream contributions to one
repository during the program window, identity-matched, with work before the announcement
listed apart, commits by the mentor on the student's pull requests flagged, and the mentor's
responsiveness. ``--refresh`` collects the repository from the code host first.

Exit codes: 0 done; 2 bad input (a date, an identity, a repository name); 4 the code host or
the store is unavailable.
"""

from __future__ import annotations

import json
import sys
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from ossmeta.errors import UsageError
from ossmeta.surfaces.cli.common import DbOption, open_for_read, open_for_write, stderr
from ossmeta.surfaces.cli.options import Format, format_option
from ossmeta.surfaces.formats.terminal import json_safe, terminal_safe
from ossmeta.times import utc_text

if TYPE_CHECKING:
    from ossmeta.analyses.program_evidence import Evidence

__all__ = ["evidence", "evidence_json"]


def parse_when(text: str, option: str, *, end: bool = False) -> datetime:
    """``YYYY-MM-DD`` (a day, UTC; as an end, the whole day is inside) or an ISO 8601 time
    (without a zone: UTC)."""
    try:
        if len(text.strip()) == 10:
            day = date.fromisoformat(text.strip())
            start = datetime(day.year, day.month, day.day, tzinfo=UTC)
            return start + timedelta(days=1) if end else start
        value = datetime.fromisoformat(text.strip())
    except ValueError:
        raise UsageError(
            f"{option} {text!r}: write a date YYYY-MM-DD or an ISO 8601 time"
        ) from None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def evidence_json(found: Evidence) -> dict[str, Any]:
    """The evidence as the JSON contract writes it: the service's document, with the
    matched identities."""
    from ossmeta.service.program_views_evidence import evidence_document

    return evidence_document(found, identities=True)


def _text(found: Evidence) -> None:
    out = sys.stdout
    totals = ", ".join(f"{kind} {n}" for kind, n in found.totals.items())
    out.write(f"{found.repository}: {totals}\n")
    for title, items in (
        ("counted", found.counted),
        ("before the announcement (not counted)", found.before_announcement),
        ("outside the window (not counted)", found.outside_window),
    ):
        out.write(f"{title}: {len(items)}\n")
        for item in items:
            out.write(terminal_safe(f"  {utc_text(item.at)}  {item.kind:<12} {item.url}\n"))
    for commit in found.mentor_commits:
        out.write(
            terminal_safe(
                f"FLAG: commit {commit.sha[:12]} by the mentor ({commit.author_email}) on "
                f"{commit.pull_url}\n"
            )
        )
    if found.unchecked_pulls:
        numbers = ", ".join(f"#{n}" for n in found.unchecked_pulls)
        out.write(f"pull requests whose commits the git data lacks: {numbers}\n")
    from ossmeta.service.program_views_evidence import hours_of

    r = found.responsiveness
    out.write(
        f"mentor responsiveness: median {hours_of(r.median)} h, max {hours_of(r.max)} h, "
        f"{r.unanswered} unanswered\n"
    )


def evidence(
    repo: Annotated[str, typer.Argument(help="The repository: host/owner/name.")],
    student: Annotated[
        list[str], typer.Option("--student", help="A student login or e-mail (repeatable).")
    ],
    mentor: Annotated[
        list[str], typer.Option("--mentor", help="A mentor login or e-mail (repeatable).")
    ],
    announced: Annotated[str, typer.Option("--announced", help="When results were announced.")],
    start: Annotated[str, typer.Option("--from", help="The window's first day.")],
    end: Annotated[str, typer.Option("--to", help="The window's last day (inclusive).")],
    refresh: Annotated[
        bool, typer.Option("--refresh", help="Collect the repository from the code host first.")
    ] = False,
    api_url: Annotated[
        str | None, typer.Option("--api-url", help="The code host's REST API base URL.")
    ] = None,
    token_env: Annotated[
        str | None, typer.Option("--token-env", help="The variable holding the API token.")
    ] = None,
    format: Annotated[Format, format_option(Format.TEXT, Format.JSON)] = Format.TEXT,
    data_dir: Annotated[
        Path | None, typer.Option("--data-dir", help="Activity data directory.")
    ] = None,
    db: DbOption = None,
) -> None:
    """A student's contributions to REPO inside the program window."""
    from ossmeta.service.program_evidence import EvidenceRequest, program_evidence
    from ossmeta.store.activity_files import activity_root

    request = EvidenceRequest(
        repo,
        tuple(student),
        tuple(mentor),
        parse_when(announced, "--announced"),
        parse_when(start, "--from"),
        parse_when(end, "--to", end=True),
    )
    root = activity_root(data_dir)
    store = open_for_write(db) if refresh else open_for_read(db)
    try:
        if refresh:
            _refresh(store, root, repo, api_url, token_env)
        found = program_evidence(store, root, request)
    finally:
        store.dispose()
    if format is Format.JSON:
        typer.echo(json_safe(json.dumps(evidence_json(found), indent=2, ensure_ascii=False)))
    else:
        _text(found)


def _refresh(store: Any, root: Path, repo: str, api_url: str | None, token_env: str | None) -> None:
    from ossmeta.pipelines.config import codehost_options, http_settings, load_config
    from ossmeta.service.program_evidence import refresh_evidence
    from ossmeta.surfaces.cli.events_fetch import _token

    config = load_config()
    options = codehost_options(config, api_url, token_env, None)
    settings = replace(
        http_settings(config, None, None),
        rate_limit_max_wait=options.max_wait,
        retry_after_cap=options.max_wait,
    )
    token = _token(options.token_env)
    for report in refresh_evidence(
        store, root, [repo], api_url=options.api_url, token=token, settings=settings
    ):
        stderr.print(f"{report.repo}: {report.rows} event row(s) collected")
