"""The Python index routes: ``/index/NAME/simple/`` (PEP 503/691), the files and their
``.metadata`` sidecars under ``/index/NAME/files/``, and ``twine upload`` to ``/index/NAME/``.

Pages: ``Cache-Control: max-age=0, must-revalidate`` with a strong ETag (clients revalidate
every time, so a revoked version is never reinstalled from a client cache that is still
"fresh"), ``Vary: Accept``. Files: immutable, HEAD and Range (Starlette's FileResponse), an
ETag that is their SHA-256. A denied file answers 403 with the decision in the status line
(pip and uv print it) and in the body."""

from __future__ import annotations

import logging
import os
import threading
from typing import Annotated

import orjson
from fastapi import APIRouter, Header, Request
from fastapi.responses import FileResponse, RedirectResponse, Response

from ossmeta.errors import NotFoundError
from ossmeta.normalizers.simple_pages import normalize_project
from ossmeta.service.index_pypi import PythonIndexes
from ossmeta.service.index_pypi_files import FileDenied, IndexFile, index_file, metadata_file
from ossmeta.service.index_pypi_view import ProjectView
from ossmeta.store.blobs import BlobMismatch
from ossmeta.surfaces.index.pypi_render import (
    JSON_TYPE,
    Rendered,
    choose_type,
    render_list,
    render_project,
)
from ossmeta.surfaces.index.pypi_upload import upload_route
from ossmeta.surfaces.index.reason_phrase import ReasonPhraseResponse, install_reason_phrases

__all__ = ["python_indexes", "router"]

log = logging.getLogger("ossmeta.index")
router = APIRouter(include_in_schema=False)
install_reason_phrases()

PAGE_CACHE = "max-age=0, must-revalidate"
FILE_CACHE = "public, max-age=31536000, immutable"
_TTL_VARIABLE = "OSSMETA_INDEX_UPSTREAM_TTL"
_VARY = "Accept, Accept-Encoding"
_lock = threading.Lock()


def python_indexes(request: Request) -> PythonIndexes:
    """The app's Python indexes (made on first use; a test may set its own)."""
    state = request.app.state
    with _lock:
        held: PythonIndexes | None = getattr(state, "python_indexes", None)
        if held is None:
            ttl = float(os.environ.get(_TTL_VARIABLE, "30"))
            held = PythonIndexes(state.store, upstream_ttl=ttl)
            state.python_indexes = held
        return held


def _problem(request: Request, status: int, slug: str, title: str, detail: str) -> Response:
    body = {
        "type": f"urn:ossmeta:problem:{slug}",
        "title": title,
        "status": status,
        "detail": detail,
        "instance": request.url.path,
    }
    return Response(orjson.dumps(body), status, media_type="application/problem+json")


class _Rendered:
    """The two rendered forms of the last view of each project, reused while the service
    answers with the same view."""

    def __init__(self) -> None:
        self._held: dict[tuple[str, str], tuple[ProjectView, Rendered, Rendered]] = {}

    def get(self, index: str, view: ProjectView) -> tuple[Rendered, Rendered]:
        key = (index, view.name)
        held = self._held.get(key)
        if held is not None and held[0] is view:
            return held[1], held[2]
        as_json, as_html = render_project(view)
        if len(self._held) > 4096:
            self._held.clear()
        self._held[key] = (view, as_json, as_html)
        return as_json, as_html


_rendered = _Rendered()


def _answer(
    request: Request, rendered: Rendered, media_type: str, if_none_match: str | None
) -> Response:
    headers = {"ETag": rendered.etag, "Cache-Control": PAGE_CACHE, "Vary": _VARY}
    if if_none_match is not None and rendered.etag in (t.strip() for t in if_none_match.split(",")):
        return Response(status_code=304, headers=headers)
    kind = media_type if media_type == JSON_TYPE else media_type + "; charset=utf-8"
    if rendered.gzipped is not None and _accepts_gzip(request.headers.get("accept-encoding")):
        # Already compressed: the app's gzip middleware leaves an encoded answer alone.
        headers["Content-Encoding"] = "gzip"
        return Response(rendered.gzipped, media_type=kind, headers=headers)
    return Response(rendered.body, media_type=kind, headers=headers)


def _accepts_gzip(accept_encoding: str | None) -> bool:
    for part in (accept_encoding or "").lower().split(","):
        coding, _, params = part.strip().partition(";")
        if coding.strip() == "gzip":
            return params.replace(" ", "") not in ("q=0", "q=0.0", "q=0.00", "q=0.000")
    return False


def _not_acceptable(request: Request) -> Response:
    detail = f"this index serves {JSON_TYPE}, application/vnd.pypi.simple.v1+html or text/html"
    response = _problem(request, 406, "not-acceptable", "Not acceptable", detail)
    response.headers["Vary"] = "Accept"
    return response


@router.api_route("/index/{name}/simple/", methods=["GET", "HEAD"])
def project_list(
    request: Request,
    name: str,
    accept: Annotated[str | None, Header()] = None,
    if_none_match: Annotated[str | None, Header()] = None,
) -> Response:
    media_type = choose_type(accept)
    if media_type is None:
        return _not_acceptable(request)
    projects = python_indexes(request).projects(name)
    return _answer(request, render_list(projects, media_type), media_type, if_none_match)


@router.api_route("/index/{name}/simple/{project}", methods=["GET", "HEAD"])
def project_without_slash(name: str, project: str) -> Response:
    return RedirectResponse(f"/index/{name}/simple/{normalize_project(project)}/", 301)


@router.api_route("/index/{name}/simple/{project}/", methods=["GET", "HEAD"])
def project_page(
    request: Request,
    name: str,
    project: str,
    accept: Annotated[str | None, Header()] = None,
    if_none_match: Annotated[str | None, Header()] = None,
) -> Response:
    normalized = normalize_project(project)
    if normalized != project:
        return RedirectResponse(f"/index/{name}/simple/{normalized}/", 301)
    media_type = choose_type(accept)
    if media_type is None:
        return _not_acceptable(request)
    view = python_indexes(request).project(name, project)
    if view is None:
        raise NotFoundError(f"index {name!r} has no project {project!r}")
    as_json, as_html = _rendered.get(name, view)
    chosen = as_json if media_type == JSON_TYPE else as_html
    return _answer(request, chosen, media_type, if_none_match)


def _media_type(filename: str) -> str:
    # Types GZipMiddleware leaves alone, so Content-Length and Range stay those of the file.
    if filename.endswith((".whl", ".zip")):
        return "application/zip"
    if filename.endswith((".tar.gz", ".tgz")):
        return "application/gzip"
    return "application/octet-stream"


def _file_response(found: IndexFile, if_none_match: str | None, media_type: str) -> Response:
    etag = f'"{found.sha256}"'
    headers = {"ETag": etag, "Cache-Control": FILE_CACHE, "Accept-Ranges": "bytes"}
    if if_none_match is not None and etag in (t.strip() for t in if_none_match.split(",")):
        return Response(status_code=304, headers=headers)
    return FileResponse(found.path, media_type=media_type, headers=headers)


@router.api_route("/index/{name}/files/{project}/{filename}", methods=["GET", "HEAD"])
def project_file(
    request: Request,
    name: str,
    project: str,
    filename: str,
    if_none_match: Annotated[str | None, Header()] = None,
) -> Response:
    indexes = python_indexes(request)
    try:
        if filename.endswith(".metadata"):
            found = metadata_file(indexes, name, project, filename.removesuffix(".metadata"))
            return _file_response(found, if_none_match, "text/plain; charset=utf-8")
        found = index_file(indexes, name, project, filename)
        return _file_response(found, if_none_match, _media_type(filename))
    except FileDenied as denied:
        body = {
            "type": "urn:ossmeta:problem:policy-denied",
            "title": "Denied by policy",
            "status": 403,
            "detail": denied.message,
            "instance": request.url.path,
            "error": denied.message,
        }
        return ReasonPhraseResponse(
            orjson.dumps(body),
            403,
            media_type="application/problem+json",
            phrase=denied.message,
        )
    except BlobMismatch as mismatch:
        detail = f"refused: the upstream file differs from its listed hash ({mismatch})"
        return _problem(request, 502, "upstream-mismatch", "Bad gateway", detail)


router.add_api_route("/index/{name}/", upload_route, methods=["POST"])
router.add_api_route("/index/{name}", upload_route, methods=["POST"])
