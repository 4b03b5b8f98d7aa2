"""``twine upload`` to a Python index: the legacy upload API (a multipart POST with
``:action=file_upload``), authenticated by HTTP basic auth whose password is an ossmeta API
token with the ``write`` scope (twine's ``-u __token__ -p <token>``, as on PyPI)."""

from __future__ import annotations

import base64
import binascii
from datetime import UTC, datetime

import orjson
from fastapi import Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from ossmeta.errors import AuthenticationError, ForbiddenError, InputError, NotFoundError
from ossmeta.service.accounts import Principal, authenticate, has_scope
from ossmeta.service.index_pypi import PythonIndexes
from ossmeta.service.index_pypi_upload import Upload, upload_file
from ossmeta.surfaces.index.reason_phrase import ReasonPhraseResponse

__all__ = ["upload_route"]


def _credentials(request: Request) -> str:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer" and value:
        return value.strip()
    if scheme.lower() != "basic" or not value:
        raise AuthenticationError("uploading needs an API token (twine -u __token__ -p TOKEN)")
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError) as exc:
        raise AuthenticationError("the basic credentials are not valid base64") from exc
    return decoded.partition(":")[2]


def _principal(request: Request) -> Principal:
    principal = authenticate(request.app.state.store, _credentials(request))
    if not has_scope(principal.scopes, "write"):
        raise ForbiddenError("the token lacks the 'write' scope")
    return principal


def _text(form: object, key: str) -> str | None:
    value = form.get(key)  # type: ignore[attr-defined]
    return value if isinstance(value, str) and value.strip() else None


def _refusal(error: InputError) -> Response:
    """twine prints the status line of a refused upload (as PyPI's answers carry their
    message there): the message goes in the reason phrase, and in the body."""
    status = 401 if isinstance(error, AuthenticationError) else 400
    status = 403 if isinstance(error, ForbiddenError) else status
    headers = {"WWW-Authenticate": 'Basic realm="ossmeta"'} if status == 401 else None
    body = orjson.dumps({"status": status, "detail": error.message})
    return ReasonPhraseResponse(
        body, status, media_type="application/problem+json", headers=headers, phrase=error.message
    )


async def _read(request: Request) -> Upload:
    async with request.form() as form:
        action = _text(form, ":action")
        if action != "file_upload":
            raise InputError(f"unsupported :action {action!r} (only file_upload)")
        content = form.get("content")
        if not isinstance(content, UploadFile) or not content.filename:
            raise InputError("the upload has no 'content' file")
        project, version = _text(form, "name"), _text(form, "version")
        if project is None or version is None:
            raise InputError("the upload needs 'name' and 'version'")
        return Upload(
            name=project,
            version=version,
            filename=content.filename,
            content=await content.read(),
            sha256_digest=_text(form, "sha256_digest"),
            requires_python=_text(form, "requires_python"),
            license=_text(form, "license_expression") or _text(form, "license"),
        )


async def upload_route(request: Request, name: str) -> Response:
    from ossmeta.surfaces.index.pypi import python_indexes

    indexes: PythonIndexes = python_indexes(request)
    try:
        await run_in_threadpool(indexes.definition, name)
        await run_in_threadpool(_principal, request)
        upload = await _read(request)
        await run_in_threadpool(upload_file, indexes, name, upload, datetime.now(UTC))
    except InputError as error:
        if isinstance(error, NotFoundError):
            raise
        return _refusal(error)
    return Response(status_code=200)
