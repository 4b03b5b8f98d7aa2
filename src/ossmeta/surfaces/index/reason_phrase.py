"""A response whose HTTP status line carries its own reason phrase.

pip prints a refused download as ``403 Client Error: <reason phrase> for url`` and uv shows
the phrase too, so a denied file must say *why* in its status line. ASGI has no field for a
reason phrase and uvicorn writes the standard one from a table keyed by status: both its
HTTP/1.1 implementations (h11 and httptools) look the status up in a module-level mapping
while the response's start message is sent. That send runs in the task that answers the
request, so the table is replaced with one that first consults a context variable, which
``ReasonPhraseResponse`` sets for exactly the duration of its own sending. Every other
response, and every other server, keeps the standard phrase."""

from __future__ import annotations

import contextvars
import re
from typing import Any

from starlette.responses import Response
from starlette.types import Receive, Scope, Send

__all__ = ["ReasonPhraseResponse", "install_reason_phrases", "safe_phrase"]

_CURRENT: contextvars.ContextVar[tuple[int, str] | None] = contextvars.ContextVar(
    "ossmeta_reason_phrase", default=None
)
_UNSAFE = re.compile(r"[^\x20-\x7e]+")
_MAX = 400


def safe_phrase(text: str) -> str:
    """One line of printable ASCII (what a status line may hold), bounded in length."""
    flat = _UNSAFE.sub(" ", text.replace("\u2014", "-")).strip()
    return flat if len(flat) <= _MAX else flat[: _MAX - 3] + "..."


class _Phrases(dict[int, Any]):
    """uvicorn's table of phrases (or of whole status lines), consulting the context first."""

    def __init__(self, table: dict[int, Any], line: bool) -> None:
        super().__init__(table)
        self._line = line

    def __getitem__(self, status: int) -> Any:
        current = _CURRENT.get()
        if current is not None and current[0] == status:
            phrase = current[1].encode("ascii")
            if self._line:
                return b"HTTP/1.1 %d %s\r\n" % (status, phrase)
            return phrase
        return super().__getitem__(status)


def install_reason_phrases() -> None:
    """Make uvicorn's HTTP/1.1 implementations honour ``ReasonPhraseResponse`` (idempotent)."""
    try:
        from uvicorn.protocols.http import h11_impl
    except ImportError:  # another server: standard phrases, the body still says why
        return
    if not isinstance(h11_impl.STATUS_PHRASES, _Phrases):
        h11_impl.STATUS_PHRASES = _Phrases(h11_impl.STATUS_PHRASES, line=False)
    try:
        from uvicorn.protocols.http import httptools_impl
    except ImportError:  # httptools is optional
        return
    if not isinstance(httptools_impl.STATUS_LINE, _Phrases):
        httptools_impl.STATUS_LINE = _Phrases(httptools_impl.STATUS_LINE, line=True)


class ReasonPhraseResponse(Response):
    """A response sent with ``phrase`` (made safe) as its status line's reason phrase."""

    def __init__(self, *args: Any, phrase: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.phrase = safe_phrase(phrase)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        token = _CURRENT.set((self.status_code, self.phrase))
        try:
            await super().__call__(scope, receive, send)
        finally:
            _CURRENT.reset(token)
