"""``ossmeta serve``: the HTTP API on uvicorn, over the same store as the CLI."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from ossmeta.errors import UnavailableError, UsageError
from ossmeta.surfaces.cli.common import DbOption

if TYPE_CHECKING:
    import socket

_DEFAULT_MAX_BODY = 32 * 1024 * 1024


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


def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=0, max=65535, help="Port (0: any free one).")] = 8000,
    max_body: Annotated[
        int, typer.Option(min=1, help="Largest request body accepted, in bytes.")
    ] = _DEFAULT_MAX_BODY,
    db: DbOption = None,
) -> None:
    """Run the API (OpenAPI at /openapi.json) until interrupted; prints its address."""
    # FastAPI and uvicorn are imported here only: no other command pays for them.
    import uvicorn

    from ossmeta.surfaces.api.app import create_app
    from ossmeta.surfaces.api.settings import ApiSettings

    app = create_app(ApiSettings(database_url=db, max_body_bytes=max_body))
    listener = _listen(host, port)
    bound_host, bound_port = listener.getsockname()[:2]
    shown = f"[{bound_host}]" if ":" in bound_host else bound_host
    # Printed once the socket listens: a script may wait for this line and connect.
    typer.echo(f"ossmeta API listening on http://{shown}:{bound_port}")
    config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="on")
    uvicorn.Server(config).run(sockets=[listener])
