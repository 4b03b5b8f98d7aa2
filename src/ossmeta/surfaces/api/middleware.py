"""ASGI middleware of the API: a request id for every request (and the last word on any
exception the routes let through), and the body size limit, counted on the bytes as they
stream in so a client cannot get past it by leaving out ``Content-Length``, and a time limit
on each wait for the next part of the body, so a client that stalls keeps no worker busy."""

from __future__ import annotations

import asyncio
import itertools
import os

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ossmeta.surfaces.api.problems import ApiProblem, on_error, problem_response

__all__ = ["BodyLimit", "RequestContext"]

_CLOSE = {"Connection": "close"}

#: Request ids: random per process, then counted (unique without a uuid4 per request).
_ID_PREFIX = os.urandom(8).hex()
_ID_COUNTER = itertools.count(1)


class RequestContext:
    """Gives each request an id (``request.state.request_id``, the ``X-Request-ID`` answer
    header) and turns an exception no handler took into a problem response: a store
    failure into 503, a bug into 500 logged with the id."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = f"{_ID_PREFIX}{next(_ID_COUNTER):016x}"
        scope.setdefault("state", {})["request_id"] = request_id
        started = False

        async def send_with_id(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                headers = list(message.get("headers", []))
                headers.append((b"x-request-id", request_id.encode()))
                message = {**message, "headers": headers}
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception as error:
            if started:  # too late for another answer; the client sees a cut-off body
                raise
            response = await on_error(Request(scope), error)
            await response(scope, receive, send_with_id)


#: What a refused request's remaining body may cost before the connection closes.
_LINGER_BYTES = 1024 * 1024
_LINGER_S = 1.0


async def _linger(receive: Receive) -> None:
    """Read (and drop) a little of a refused body before answering, since the answer closes
    the connection: closing a socket with unread data sends a reset, which can destroy the
    answer on its way, and the client would see a broken connection instead of the 413 (a
    bounded lingering close; the server stops reading a body once the answer is sent)."""
    seen = 0
    try:
        async with asyncio.timeout(_LINGER_S):
            while seen < _LINGER_BYTES:
                message = await receive()
                if message["type"] != "http.request":
                    return
                seen += len(message.get("body", b""))
                if not message.get("more_body", False):
                    return
    except TimeoutError:
        return


class BodyLimit:
    """Refuses request bodies over ``max_bytes`` with 413: at once when ``Content-Length``
    says so, else when the streamed bytes pass the limit. A body whose next part does not
    arrive within ``timeout`` seconds is answered 408. Both close the connection (the rest
    of the body is never read)."""

    def __init__(self, app: ASGIApp, max_bytes: int, timeout: float | None = None) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.timeout = timeout

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers", [])).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            response = problem_response(
                Request(scope),
                413,
                "too-large",
                "Request body too large",
                self._detail(),
                headers=_CLOSE,
            )
            await _linger(receive)
            await response(scope, receive, send)
            return
        seen = 0
        complete = False

        async def counted() -> Message:
            nonlocal seen, complete
            if complete:  # past the body: waiting for a disconnect is not timed
                return await receive()
            try:
                message = await asyncio.wait_for(receive(), self.timeout)
            except TimeoutError:
                detail = f"the request body stalled for more than {self.timeout:g} seconds"
                raise ApiProblem(408, detail, headers=_CLOSE) from None
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    raise ApiProblem(413, self._detail(), headers=_CLOSE)
                complete = not message.get("more_body", False)
            else:
                complete = True
            return message

        await self.app(scope, counted, send)

    def _detail(self) -> str:
        return f"the request body is larger than the limit of {self.max_bytes} bytes"
