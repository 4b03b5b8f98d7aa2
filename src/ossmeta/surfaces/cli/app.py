"""The ``ossmeta`` command and the one place where errors become exit codes (the table is
in ``ossmeta.errors``).

Every command module imports only what its help needs; what a command runs on (the
store, the pipelines, DuckDB, Spark, PyArrow, SciPy, Rich) is imported inside it, so
``ossmeta --help`` and a small scan do not pay for the metric engines.
"""

from __future__ import annotations

import errno
import os
import sys
from typing import Any

import typer

from ossmeta import __version__
from ossmeta.errors import (
    EXIT_CLOSED_PIPE,
    EXIT_INPUT,
    EXIT_INTERRUPTED,
    Interrupted,
    OssmetaError,
    UnavailableError,
    exit_code,
)
from ossmeta.surfaces.cli import (
    accounts,
    advisories,
    curate,
    db,
    events,
    git,
    hardened,
    identities,
    index,
    metrics,
    packages,
    policy,
    program,
)
from ossmeta.surfaces.cli.coercion import lean_coercion
from ossmeta.surfaces.cli.common import close_opened
from ossmeta.surfaces.cli.health import compare, health
from ossmeta.surfaces.cli.helptext import plain_help
from ossmeta.surfaces.cli.lazytree import lazy_command
from ossmeta.surfaces.cli.quality import quality
from ossmeta.surfaces.cli.scan import scan
from ossmeta.surfaces.cli.serve import serve
from ossmeta.surfaces.cli.sync import normalize, sync
from ossmeta.surfaces.cli.why import why
from ossmeta.surfaces.cli.worker import worker
from ossmeta.surfaces.formats.terminal import terminal_safe

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
app.command()(health)
app.command()(compare)
app.add_typer(events.app, name="events")
app.add_typer(git.app, name="git")
app.add_typer(identities.app, name="identities")
app.add_typer(metrics.app, name="metrics")
app.add_typer(index.app, name="index")
app.add_typer(program.app, name="program")
app.add_typer(policy.app, name="policy")
app.add_typer(hardened.app, name="hardened")
app.command()(serve)
app.command()(worker)
app.add_typer(accounts.tenants_app, name="tenants")
app.add_typer(accounts.users_app, name="users")
app.add_typer(accounts.tokens_app, name="tokens")


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
    """The click command ``main`` runs: Typer's tree with plain help text, and values
    converted without importing Pydantic where they are plain (see ``coercion``), each
    command built when the command line reaches it (see ``lazytree``)."""
    return lazy_command(app, _finish)


def _finish(command: Any) -> Any:
    return plain_help(lean_coercion(command))


class _NoStoreError(Exception):
    """Stands for SQLAlchemy's error class until SQLAlchemy is loaded (never raised)."""


def _store_error() -> type[Exception]:
    # Importing SQLAlchemy only to name its error class would cost every '--help' a
    # quarter second; an error of that class can only exist once a command loaded it.
    loaded = sys.modules.get("sqlalchemy.exc")
    return loaded.SQLAlchemyError if loaded is not None else _NoStoreError


def main(argv: list[str] | None = None) -> int:
    """Run one command; every way it can end becomes an exit code from the table in
    ``ossmeta.errors`` (input 2, bug 3, environment 4, interrupted 130)."""
    command = cli_command()
    try:
        result = command.main(args=argv, prog_name="ossmeta", standalone_mode=False)
        sys.stdout.flush()  # a full disk or a closed pipe shows here, not after we return
    except typer.Exit as done:
        return int(done.exit_code)
    except typer.Abort:  # end of input at a prompt (Typer answers Ctrl-C with exit 130)
        print("ossmeta: aborted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except SystemExit as stop:
        if isinstance(stop.__context__, BrokenPipeError):  # Click's exit(1) on a closed pipe
            return _failed(stop.__context__)
        raise
    except typer.TyperException as error:  # usage errors: bad option, missing argument
        show = getattr(error, "show", None)
        if callable(show):
            show()
        else:
            _say(f"ossmeta: error: {error}")
        return EXIT_INPUT
    except BaseException as error:  # every other ending is classified in _failed
        return _failed(error)
    finally:
        close_opened()
    if result == EXIT_INTERRUPTED:  # Typer's answer to Ctrl-C, a plain exit code (no cause)
        print("ossmeta: interrupted", file=sys.stderr)
    return int(result) if isinstance(result, int) else 0


def _failed(error: BaseException) -> int:
    """Say what went wrong in one line (a traceback only for a bug) and pick the code."""
    if isinstance(error, (SystemExit, GeneratorExit)):
        raise error
    if isinstance(error, BrokenPipeError):  # the reader went away (``| head``): not an error
        _silence_stdout()
        return EXIT_CLOSED_PIPE
    if isinstance(error, Interrupted):
        _say(f"ossmeta: interrupted: {error.kept}")
        return EXIT_INTERRUPTED
    if isinstance(error, KeyboardInterrupt):
        print("ossmeta: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    if isinstance(error, _store_error()):
        from ossmeta.store import store_failure

        error = store_failure(error) or error
    elif isinstance(error, OSError) and error.errno in _MACHINE_ERRNOS:
        # A full disk, an I/O error, a directory of the store the user may not write: the
        # machine's failure. Without a file name it was stdout.
        if error.filename is None:
            _silence_stdout()
        where = error.filename if error.filename is not None else "the output"
        error = UnavailableError(f"cannot write {where}: {error.strerror}")
    if isinstance(error, OssmetaError):
        _say(f"ossmeta: error: {error}")
    else:  # a bug, not a user mistake: keep the traceback, never exit 0/1/2
        import traceback  # only for a bug: it costs every command a hundredth of a second

        traceback.print_exception(error)
    return exit_code(error)


def _say(message: str) -> None:
    """One line on stderr; a file name or upstream text in it cannot drive the terminal."""
    print(terminal_safe(message, one_line=True), file=sys.stderr)


_MACHINE_ERRNOS = {
    errno.ENOSPC,
    errno.EIO,
    errno.EDQUOT,
    errno.EFBIG,
    errno.EROFS,
    errno.EACCES,
    errno.EPERM,
}


def _silence_stdout() -> None:
    """Point stdout at /dev/null so the interpreter's final flush of what is still buffered
    does not fail again (and print a second, unhelpful message)."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):  # stdout without a file descriptor (captured in tests)
        pass


if __name__ == "__main__":
    raise SystemExit(main())
