"""The two forms of a Python index page (PEP 691 JSON, api-version 1.1, and PEP 503 HTML)
and the choice between them by the request's ``Accept`` header.

JSON carries hashes, size, the upstream's upload-time, requires-python, yanked and
``core-metadata`` (never ``dist-info-metadata``: old pips crash on it, PEP 714). HTML
carries the same as ``data-`` attributes plus ``data-upload-time`` (which uv reads) and both
metadata attributes, as PEP 714 recommends."""

from __future__ import annotations

import gzip
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape
from urllib.parse import quote

import orjson

from ossmeta.service.index_pypi_view import ProjectView, ServedFile
from ossmeta.times import as_utc

__all__ = [
    "HTML_TYPES",
    "JSON_TYPE",
    "Rendered",
    "choose_type",
    "render_list",
    "render_project",
]

API_VERSION = "1.1"
JSON_TYPE = "application/vnd.pypi.simple.v1+json"
HTML_V1 = "application/vnd.pypi.simple.v1+html"
HTML_TYPES = (HTML_V1, "text/html")
# What a client may ask for, and what it then gets (the "latest" aliases are v1 today).
_OFFERED = {
    JSON_TYPE: JSON_TYPE,
    "application/vnd.pypi.simple.latest+json": JSON_TYPE,
    HTML_V1: HTML_V1,
    "application/vnd.pypi.simple.latest+html": HTML_V1,
    "text/html": "text/html",
}
# On a tie (and for */*), JSON first: it is the only form with upload times.
_PREFERENCE = (JSON_TYPE, HTML_V1, "text/html")


def choose_type(accept: str | None) -> str | None:
    """The media type to answer with, or None when nothing acceptable is offered."""
    if not accept or not accept.strip():
        return "text/html"  # a plain browser or an old client: the frozen HTML form
    best: tuple[float, int, str] | None = None
    for part in accept.split(","):
        kind, *params = (piece.strip() for piece in part.split(";"))
        kind = kind.lower()
        quality = 1.0
        for param in params:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if quality <= 0:
            continue
        if kind in ("*/*", "application/*"):
            candidates = [JSON_TYPE]
        elif kind == "text/*":
            candidates = ["text/html"]
        elif kind in _OFFERED:
            candidates = [_OFFERED[kind]]
        else:
            continue
        for candidate in candidates:
            rank = (quality, -_PREFERENCE.index(candidate), candidate)
            if best is None or rank[:2] > best[:2]:
                best = rank
    return None if best is None else best[2]


# Pages at least this long are kept compressed too (the app's own gzip threshold).
GZIP_MIN_SIZE = 1024


@dataclass(frozen=True, slots=True)
class Rendered:
    body: bytes
    etag: str  # strong: the digest of exactly these bytes
    # Compressed once when rendered: compressing a 300-version page per request (as the
    # app's middleware would) costs ten times what answering it does.
    gzipped: bytes | None


def _rendered(body: bytes) -> Rendered:
    packed = gzip.compress(body, compresslevel=6, mtime=0) if len(body) >= GZIP_MIN_SIZE else None
    return Rendered(body, '"' + hashlib.sha256(body).hexdigest()[:40] + '"', packed)


def _url(project: str, file: ServedFile) -> str:
    # Relative to the page (…/simple/<project>/), so the index works behind any prefix.
    url = f"../../files/{quote(project)}/{quote(file.filename)}"
    if file.action == "deny":
        # pip and uv keep wheels by URL: a URL a revoked file never had before misses their
        # warm caches, so a pin asks for it and gets the 403 with the reason (measured: with
        # the plain URL both reinstalled the cached wheel, warning only).
        url += f"?denied=v{file.decision.policy_version}"
    return url


def _time(file: ServedFile) -> str | None:
    stamp = as_utc(file.upload_time)
    return None if stamp is None else stamp.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _json_file(project: str, file: ServedFile) -> dict[str, object]:
    entry: dict[str, object] = {
        "filename": file.filename,
        "url": _url(project, file),
        "hashes": {"sha256": file.sha256},
        "requires-python": file.requires_python,
        "yanked": False if file.yanked is None else (file.yanked or True),
        "core-metadata": (
            {"sha256": file.metadata_sha256} if file.metadata_sha256 is not None else False
        ),
    }
    if file.size is not None:
        entry["size"] = file.size
    upload_time = _time(file)
    if upload_time is not None:
        entry["upload-time"] = upload_time
    return entry


def _html_file(project: str, file: ServedFile) -> str:
    attributes = [f'href="{escape(_url(project, file))}#sha256={file.sha256}"']
    if file.requires_python:
        attributes.append(f'data-requires-python="{escape(file.requires_python)}"')
    if file.yanked is not None:
        attributes.append(f'data-yanked="{escape(file.yanked)}"')
    if file.metadata_sha256 is not None:
        value = f"sha256={file.metadata_sha256}"
        attributes.append(f'data-core-metadata="{value}"')
        attributes.append(f'data-dist-info-metadata="{value}"')
    upload_time = _time(file)
    if upload_time is not None:
        attributes.append(f'data-upload-time="{upload_time}"')
    return f"    <a {' '.join(attributes)}>{escape(file.filename)}</a><br/>"


def _html(title: str, links: Sequence[str]) -> bytes:
    head = (
        "<!DOCTYPE html>\n<html>\n  <head>\n"
        f'    <meta name="pypi:repository-version" content="{API_VERSION}">\n'
        f"    <title>{escape(title)}</title>\n  </head>\n  <body>\n"
        f"    <h1>{escape(title)}</h1>\n"
    )
    return (head + "\n".join(links) + "\n  </body>\n</html>\n").encode()


def render_project(view: ProjectView) -> tuple[Rendered, Rendered]:
    """The JSON and the HTML page of ``view``."""
    document = {
        "meta": {"api-version": API_VERSION},
        "name": view.name,
        "versions": list(view.versions),
        "files": [_json_file(view.name, file) for file in view.listed],
    }
    as_json = _rendered(orjson.dumps(document))
    links = [_html_file(view.name, file) for file in view.listed]
    as_html = _rendered(_html(f"Links for {view.name}", links))
    return as_json, as_html


def render_list(projects: Sequence[str], media_type: str) -> Rendered:
    if media_type == JSON_TYPE:
        document = {
            "meta": {"api-version": API_VERSION},
            "projects": [{"name": name} for name in projects],
        }
        return _rendered(orjson.dumps(document))
    links = [f'    <a href="{quote(name)}/">{escape(name)}</a><br/>' for name in projects]
    return _rendered(_html("Simple index", links))
