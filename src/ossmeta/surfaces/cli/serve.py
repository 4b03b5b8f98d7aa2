"""``ossmeta serve``: the HTTP API on uvicorn, over the same store as the CLI."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from typing import TYPE_CHECKING, Annotated, Any

import typer

from ossmeta.errors import UnavailableError, UsageError
from ossmeta.surfaces.cli.common import DbOption

if TYPE_CHECKING:
    import socket

    from fastapi import FastAPI

    from ossmeta.store import Store
    from ossmeta.surfaces.api.settings import ApiSettings

_DEFAULT_MAX_BODY = 32 * 1024 * 1024
#: Seconds before the in-process worker starts again after a failure.
_RESTART_S = 5.0


def _listen(host: str, port: int) -> socket.socket:
    """A listening socket on ``host:port``; a name that does not resolve is the user's
    mistake (exit 2), a port in use or not ours to take the machine's (exit 4)."""
    import socket  # only 'serve' listens: other commands do not pay for it

    try:
        family, _kind, _proto, _name, address = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM
        )[0]
    except (socket.gaierror, UnicodeError) as error:
        raise UsageError(f"cannot listen on {host!r}: {error}") from None
    try:
        return socket.create_server(address, family=family)
    except OSError as error:
        raise UnavailableError(f"cannot listen on {host}:{port}: {error.strerror}") from None


@contextmanager
def in_process_worker(store: Store, enabled: bool) -> Iterator[None]:
    """With ``enabled``, a worker thread runs jobs and deliveries while in the block; it is
    stopped (after the job or delivery in hand) when the block ends."""
    if not enabled:
        yield
        return
    from ossmeta.service.jobs import WorkerSettings, run_worker

    settings = WorkerSettings.from_env()
    stop = threading.Event()

    def work() -> None:
        # The server outlives a failure of the store or a bug in a worker round: the
        # worker says so on stderr and starts again a little later.
        while not stop.is_set():
            try:
                run_worker(store, stop_event=stop, settings=settings)
            except Exception as error:
                logging.getLogger("ossmeta.worker").error(
                    "the in-process worker failed (%s: %s); it starts again in %s s",
                    type(error).__name__,
                    error,
                    _RESTART_S,
                )
                stop.wait(_RESTART_S)

    thread = threading.Thread(target=work, name="ossmeta-worker", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=0, max=65535, help="Port (0: any free one).")] = 8000,
    max_body: Annotated[
        int, typer.Option(min=1, help="Largest request body accepted, in bytes.")
    ] = _DEFAULT_MAX_BODY,
    body_timeout: Annotated[
        float,
        typer.Option(min=0.001, help="Seconds a request body may stall before the answer is 408."),
    ] = 30.0,
    log_level: Annotated[
        str,
        typer.Option(
            help="Server log level: critical, error, warning, info (with an access log) or debug."
        ),
    ] = "warning",
    db: DbOption = None,
    workers: Annotated[
        int,
        typer.Option(
            min=1,
            max=64,
            help="Server processes sharing the port (each with its own connections and "
            "cache); jobs run in this one only.",
        ),
    ] = 1,
    worker: Annotated[
        bool | None,
        typer.Option(
            "--worker/--no-worker",
            help="Also run jobs and deliveries in this process (default: on SQLite only; "
            "on PostgreSQL run 'ossmeta worker' processes).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Run the API (OpenAPI at /openapi.json) until interrupted; prints its address."""
    # FastAPI and uvicorn are imported here only: no other command pays for them.
    from ossmeta.surfaces.api.app import create_app, open_api_store
    from ossmeta.surfaces.api.settings import ApiSettings
    from ossmeta.surfaces.cli.serve_logging import uvicorn_logging

    logging_options = uvicorn_logging(log_level)  # a bad level stops here (exit 2)
    settings = ApiSettings(database_url=db, max_body_bytes=max_body, body_timeout=body_timeout)
    store = open_api_store(settings)
    try:
        app = create_app(settings, store=store)
        listener = _listen(host, port)
        with_worker = store.dialect == "sqlite" if worker is None else worker
        _run(app, listener, store, with_worker, logging_options, workers)
    finally:
        store.dispose()


def _run(
    app: FastAPI,
    listener: socket.socket,
    store: Store,
    with_worker: bool,
    logging_options: dict[str, Any],
    workers: int = 1,
) -> None:
    import uvicorn

    from ossmeta.surfaces.api.app import create_app
    from ossmeta.surfaces.cli.worker import stop_on_signals

    bound_host, bound_port = listener.getsockname()[:2]
    shown = f"[{bound_host}]" if ":" in bound_host else bound_host
    if workers > 1:
        # Each server process makes its own app (store, pool, cache) from the settings;
        # this one keeps the socket, the in-process worker and the children.
        settings: ApiSettings = app.state.settings
        config = uvicorn.Config(
            partial(create_app, settings),
            factory=True,
            workers=workers,
            lifespan="on",
            **logging_options,
        )
    else:
        config = uvicorn.Config(app, lifespan="on", **logging_options)
    stopped = threading.Event()
    # uvicorn stops on SIGTERM/SIGINT and then raises the signal again once it has put its
    # own handlers back: with these in place, that ends the command cleanly (exit 0) after
    # the in-process worker has finished what it had in hand.
    with stop_on_signals(stopped), in_process_worker(store, with_worker):
        if with_worker:
            typer.echo("ossmeta worker running in process (jobs and deliveries)", err=True)
        # Printed once the socket listens: a script may wait for this line and connect.
        typer.echo(f"ossmeta API listening on http://{shown}:{bound_port}")
        if stopped.is_set():
            return
        if workers > 1:
            from uvicorn.supervisors import Multiprocess

            Multiprocess(config, sockets=[listener]).run()
        else:
            uvicorn.Server(config).run(sockets=[listener])
