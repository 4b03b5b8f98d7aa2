"""The npm registry API of an npm index, for unmodified npm: ``/index/NAME/npm/``.

* ``GET <name>``, ``GET @scope%2fname`` (and ``@scope/name``): the packument, abbreviated
  for ``Accept: application/vnd.npm.install-v1+json``, full otherwise;
* ``GET <name>/-/<file>.tgz``: the tarball, verified against upstream's integrity; 403 with
  the policy's reason in npm's ``error`` field for a denied version;
* ``POST -/npm/v1/security/advisories/bulk``: ``npm audit``, from ossmeta's advisories.

Errors are RFC 9457 problems that also carry ``error`` (what npm prints)."""

from __future__ import annotations

import gzip
import os
import re
import threading
from typing import Any

import orjson
from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, Response

from ossmeta.errors import InputError, NotFoundError, UnavailableError
from ossmeta.service.index_npm import NpmIndex, PolicyDenied
from ossmeta.service.index_npm_audit import bulk_advisories
from ossmeta.store.blobs import BlobMismatch

__all__ = ["CORGI", "npm_index", "router"]

CORGI = "application/vnd.npm.install-v1+json"
# Index documents revalidate every time (a policy change must reach npm), with a strong
# ETag so that revalidating costs a 304; tarballs never change under one name.
DOCUMENT_CACHE = "max-age=0, must-revalidate"
TARBALL_CACHE = "public, max-age=31536000, immutable"
MAX_AUDIT_BODY = 16 * 1024 * 1024
_NAME = re.compile(r"(@[A-Za-z0-9][\w.~-]*/)?[A-Za-z0-9_.~-][\w.~-]*")
_TARBALL = re.compile(r"(?P<name>(@[^/]+/)?[^/@][^/]*)/-/(?P<file>[^/]+\.tgz)")

router = APIRouter(include_in_schema=False)
_lock = threading.Lock()


def npm_index(request: Request) -> NpmIndex:
    """The app's npm index service, made on first use (a test may set its own)."""
    state = request.app.state
    with _lock:
        found: NpmIndex | None = getattr(state, "npm_index", None)
        if found is None:
            found = state.npm_index = NpmIndex(state.store, revalidate_after=_revalidate_after())
    return found


def _revalidate_after() -> float:
    """Seconds a served packument is answered without asking upstream again
    (``OSSMETA_INDEX_REVALIDATE_SECONDS``, 30 by default); decision inputs are checked on
    every request whatever this is."""
    try:
        return max(0.0, float(os.environ.get("OSSMETA_INDEX_REVALIDATE_SECONDS", "30")))
    except ValueError:
        return 30.0


def _base(request: Request, index: str) -> str:
    return str(request.base_url).rstrip("/") + f"/index/{index}/npm/"


def _problem(request: Request, status: int, slug: str, title: str, detail: str) -> Response:
    """An RFC 9457 problem (as the API's), with ``error``: the field npm prints."""
    body = {
        "type": f"urn:ossmeta:problem:{slug}",
        "title": title,
        "status": status,
        "detail": detail,
        "instance": request.url.path,
        "error": detail,
    }
    return Response(orjson.dumps(body), status_code=status, media_type="application/problem+json")


def _failure(request: Request, error: Exception) -> Response:
    if isinstance(error, PolicyDenied):
        return _problem(request, 403, "policy-denied", "Denied by policy", str(error))
    if isinstance(error, NotFoundError):
        return _problem(request, 404, "not-found", "Not found", str(error))
    if isinstance(error, BlobMismatch):
        title = "Upstream integrity mismatch"
        return _problem(request, 502, "upstream-mismatch", title, str(error))
    if isinstance(error, UnavailableError):
        return _problem(request, 503, "unavailable", "Upstream unavailable", str(error))
    if isinstance(error, InputError):
        return _problem(request, 400, "bad-input", "Bad input", str(error))
    raise error


def _wants_corgi(accept: str) -> bool:
    """npm asks for the abbreviated document by naming its type (with q above 0)."""
    for part in accept.split(","):
        kind, *params = part.split(";")
        if kind.strip().lower() != CORGI:
            continue
        quality = 1.0
        for param in params:
            key, _, value = param.strip().partition("=")
            if key == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        return quality > 0
    return False


@router.post("/index/{index}/npm/-/npm/v1/security/advisories/bulk")
async def audit_bulk(index: str, request: Request) -> Response:
    raw = await request.body()
    if request.headers.get("content-encoding", "").lower() == "gzip":
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError):
            return _problem(request, 400, "bad-input", "Bad input", "the body is not gzip")
    if len(raw) > MAX_AUDIT_BODY:
        return _problem(request, 413, "too-large", "Request body too large", "audit body")
    try:
        body = orjson.loads(raw or b"{}")
    except orjson.JSONDecodeError:
        return _problem(request, 400, "bad-input", "Bad input", "the body is not JSON")
    service = npm_index(request)
    origin = str(request.base_url).rstrip("/")
    try:
        service.definition(index)
        answer = await _in_thread(
            lambda: bulk_advisories(
                service.store, body, lambda a: f"{origin}/api/v1/advisories/{a}"
            )
        )
    except (InputError, UnavailableError) as error:
        return _failure(request, error)
    return Response(orjson.dumps(answer), media_type="application/json")


async def _in_thread(work: Any) -> Any:
    import anyio.to_thread

    return await anyio.to_thread.run_sync(work)


@router.post("/index/{index}/npm/-/npm/v1/security/audits/quick")
@router.post("/index/{index}/npm/-/npm/v1/security/audits")
async def audit_quick(index: str, request: Request) -> Response:
    return _problem(
        request,
        404,
        "not-found",
        "Not found",
        "the quick audit endpoint is not served: npm 7+ uses -/npm/v1/security/advisories/bulk",
    )


@router.get("/index/{index}/npm/{rest:path}")
def npm_get(index: str, rest: str, request: Request) -> Response:
    service = npm_index(request)
    base = _base(request, index)
    try:
        tarball = _TARBALL.fullmatch(rest)
        if tarball is not None:
            path = service.tarball(index, tarball["name"], tarball["file"], base)
            return FileResponse(
                path,
                media_type="application/octet-stream",
                headers={"Cache-Control": TARBALL_CACHE},
            )
        if not _NAME.fullmatch(rest) or rest.startswith("-"):
            raise NotFoundError(f"{rest!r} is not a package this registry serves")
        corgi = _wants_corgi(request.headers.get("accept", ""))
        served = service.packument(index, rest, base, corgi=corgi)
    except (InputError, UnavailableError) as error:
        return _failure(request, error)
    headers = {
        "ETag": served.etag,
        "Cache-Control": DOCUMENT_CACHE,
        "Vary": "Accept, Accept-Encoding",
    }
    if served.etag in request.headers.get("if-none-match", ""):
        return Response(status_code=304, headers=headers)
    media = CORGI if corgi else "application/json"
    if "gzip" in request.headers.get("accept-encoding", ""):
        # The gzip middleware passes an encoded answer through as it is.
        headers["Content-Encoding"] = "gzip"
        return Response(served.gzipped, media_type=media, headers=headers)
    return Response(served.body, media_type=media, headers=headers)
