"""Strong ETags for public resources: the hash of the exact body, so equal bodies share a
tag; ``If-None-Match`` with a matching tag is answered 304 without the body."""

from __future__ import annotations

import hashlib
from typing import Any

import orjson
from fastapi import Request
from fastapi.responses import Response

__all__ = ["json_with_etag", "render", "tagged"]


def _matches(header: str | None, tag: str) -> bool:
    if not header:
        return False
    if header.strip() == "*":
        return True
    # Weak comparison, as RFC 9110 asks for If-None-Match: W/"x" matches "x".
    return any(candidate.strip().removeprefix("W/") == tag for candidate in header.split(","))


def render(payload: Any) -> tuple[bytes, str]:
    """The JSON body of ``payload`` and its strong ETag."""
    body = orjson.dumps(payload)
    return body, '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def tagged(
    request: Request, body: bytes, tag: str, *, max_age: int = 60, gzipped: bytes | None = None
) -> Response:
    """The answer for a rendered body: 304 when the client holds ``tag``, else the body;
    ``gzipped``, the body compressed once beforehand, when the client accepts gzip (the
    gzip middleware passes an encoded answer through as it is)."""
    headers = {"ETag": tag, "Cache-Control": f"public, max-age={max_age}"}
    if _matches(request.headers.get("if-none-match"), tag):
        return Response(status_code=304, headers=headers)
    if gzipped is not None and "gzip" in request.headers.get("accept-encoding", ""):
        headers |= {"Content-Encoding": "gzip", "Vary": "Accept-Encoding"}
        return Response(gzipped, media_type="application/json", headers=headers)
    return Response(body, media_type="application/json", headers=headers)


def json_with_etag(request: Request, payload: Any, *, max_age: int = 60) -> Response:
    body, tag = render(payload)
    return tagged(request, body, tag, max_age=max_age)
