"""``ossmeta events fetch REPO``: one repository's issues, pull requests, reviews,
comments and releases from a code host's REST API (GitHub's shape), into the events
dataset, where they take precedence over GH Archive rows of the same events.

Exit codes: 0 done; 1 the host kept failing (5xx or timeouts after the retries, a rate
limit spent for longer than ``--max-wait``) or documents had to be skipped; 2 a usage
error, an unknown repository (404), a refusal (401/403) or an answer that is not JSON.
"""

from __future__ import annotations

import os
from dataclasses import replace
from typing import TYPE_CHECKING, Annotated

import typer

from ossmeta.errors import UsageError
from ossmeta.surfaces.cli.common import DbOption, open_for_write, progress_bar, stderr

if TYPE_CHECKING:
    from ossmeta.pipelines.codehost_collect import CollectReport

__all__ = ["fetch"]


def fetch(
    repo: Annotated[
        str, typer.Argument(help="The repository: host/owner/name (github.com/octo/widget).")
    ],
    api_url: Annotated[
        str | None,
        typer.Option(
            "--api-url",
            help="The REST API's base URL, e.g. https://codehost.example/api/v3 (else "
            "codehost.api_url in the config file).",
        ),
    ] = None,
    token_env: Annotated[
        str | None,
        typer.Option(
            "--token-env",
            help="The environment variable that holds the API token (sent as a Bearer "
            "token; never printed or stored). Default: no token.",
        ),
    ] = None,
    max_wait: Annotated[
        float | None,
        typer.Option(
            "--max-wait",
            min=0,
            help="Seconds a rate limit (a spent quota, or a Retry-After) may be waited for "
            "before giving up (default 3600, or codehost.max_wait).",
        ),
    ] = None,
    db: DbOption = None,
    data_dir: Annotated[
        str | None,
        typer.Option(
            "--data-dir",
            help="Activity data directory (default: OSSMETA_HOME/activity).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Fetch one repository's activity from a code host's API. A second run reads only
    what changed (conditional requests and a since-cursor per repository)."""
    import asyncio

    from ossmeta.pipelines.codehost_collect import collect_repo
    from ossmeta.pipelines.config import codehost_options, http_settings, load_config
    from ossmeta.sources.codehost import CodeHostApi, parse_repo
    from ossmeta.sources.http import Fetcher
    from ossmeta.store.activity_files import activity_root

    config = load_config()
    options = codehost_options(config, api_url, token_env, max_wait)
    where = parse_repo(repo)
    token = _token(options.token_env)
    settings = replace(
        http_settings(config, None, None),
        rate_limit_max_wait=options.max_wait,
        retry_after_cap=options.max_wait,
    )
    store = open_for_write(db)
    root = activity_root(data_dir)
    # A bar on a terminal only: piped, it would leave a blank line before the summary.
    bar = progress_bar(f"fetching {where.key}", disable=not stderr.is_terminal)

    async def go() -> CollectReport:
        task = bar.add_task("fetch", total=None)
        async with Fetcher(settings, on_wait=lambda wait: stderr.print(str(wait))) as fetcher:
            api = CodeHostApi(
                fetcher, options.api_url, where, token=token, on_request=lambda: bar.advance(task)
            )
            return await collect_repo(store, api, root)

    try:  # an unreachable or rate-limited code host is the environment's failure (exit 4)
        with bar:
            report = asyncio.run(go())
    finally:
        store.dispose()
    _summary(report)
    if report.skipped:
        raise typer.Exit(1)


def _token(variable: str | None) -> str | None:
    if variable is None:
        return None
    value = os.environ.get(variable, "").strip()
    if not value:
        raise UsageError(f"--token-env {variable}: that environment variable is not set")
    return value


def _summary(report: CollectReport) -> None:
    how = "first collection" if report.full else "changes since the last collection"
    stderr.print(
        f"{report.repo}: {how}: {report.rows} event row(s) written"
        + (f" in {', '.join(report.months)}" if report.months else "")
        + f"; {report.requests} request(s), {report.not_modified} not modified"
        + (f"; {report.duplicates} older row(s) replaced" if report.duplicates else "")
    )
    for message in report.skipped:
        stderr.print(f"  skipped {message}")
