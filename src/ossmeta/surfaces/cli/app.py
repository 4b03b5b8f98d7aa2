"""The ``ossmeta`` command and the one place where errors become exit codes:
0 success / nothing found, 1 findings, 2 usage or input error, 3 an internal error.

Every command module imports only what its help needs; what a command runs on (the
store, the pipelines, DuckDB, Spark, PyArrow, SciPy, Rich) is imported inside it, so
``ossmeta --help`` and a small scan do not pay for the metric engines.
"""

from __future__ import annotations

import sys
import traceback
from typing import Any

import typer

from ossmeta import __version__
from ossmeta.errors import OssmetaError
from ossmeta.surfaces.cli import advisories, curate, db, events, git, identities, metrics, packages
from ossmeta.surfaces.cli.helptext import plain_help
from ossmeta.surfaces.cli.quality import quality
from ossmeta.surfaces.cli.scan import scan
from ossmeta.surfaces.cli.sync import normalize, sync
from ossmeta.surfaces.cli.why import why

app = typer.Typer(
    name="ossmeta",
    help="Open-source metadata center: advisories and scans, package metadata from "
    "registries, curation and data quality, activity and community-health metrics.",
    epilog="Exit codes: 0 success or nothing found, 1 findings or failed items, 2 usage or "
    "input error, 3 internal error, 4 upstream, network or store unavailable.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
app.add_typer(db.app, name="db")
app.add_typer(advisories.app, name="advisories")
app.command()(scan)
app.command()(sync)
app.command()(normalize)
app.add_typer(packages.app, name="packages")
app.add_typer(curate.app, name="curate")
app.command()(why)
app.command()(quality)
app.add_typer(events.app, name="events")
app.add_typer(git.app, name="git")
app.add_typer(identities.app, name="identities")
app.add_typer(metrics.app, name="metrics")


def _version(value: bool) -> None:
    if value:
        typer.echo(f"ossmeta {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version."
    ),
) -> None:
    """ossmeta: open-source metadata, advisories and scans."""


def cli_command() -> Any:
    """The click command ``main`` runs: Typer's tree with plain help text."""
    return plain_help(typer.main.get_command(app))


class _NoStoreError(Exception):
    """Stands for SQLAlchemy's error class until SQLAlchemy is loaded (never raised)."""


def _store_error() -> type[Exception]:
    # Importing SQLAlchemy only to name its error class would cost every '--help' a
    # quarter second; an error of that class can only exist once a command loaded it.
    loaded = sys.modules.get("sqlalchemy.exc")
    return loaded.SQLAlchemyError if loaded is not None else _NoStoreError


def main(argv: list[str] | None = None) -> int:
    command = cli_command()
    try:
        result = command.main(args=argv, prog_name="ossmeta", standalone_mode=False)
    except OssmetaError as error:
        print(f"ossmeta: error: {error}", file=sys.stderr)
        return 2
    except _store_error() as error:  # the store failed underneath (disk, server, schema)
        detail = str(getattr(error, "orig", None) or error).strip().splitlines()
        print(
            f"ossmeta: error: the store failed: {detail[0] if detail else error}", file=sys.stderr
        )
        return 2
    except typer.Exit as done:
        return int(done.exit_code)
    except typer.Abort:
        print("ossmeta: aborted", file=sys.stderr)
        return 130
    except typer.TyperException as error:  # usage errors: bad option, missing argument
        show = getattr(error, "show", None)
        if callable(show):
            show()
        else:
            print(f"ossmeta: error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("ossmeta: interrupted", file=sys.stderr)
        return 130
    except Exception:  # a bug, not a user mistake: keep the traceback, never exit 0/1/2
        traceback.print_exc()
        return 3
    return int(result) if isinstance(result, int) else 0


if __name__ == "__main__":
    raise SystemExit(main())
