"""The OpenAPI document declares the problems the API answers, so that a client (or a
conformance check such as schemathesis) finds every status code and body it may get in the
document: RFC 9457 problems (``application/problem+json``) for bad input, unknown objects,
invalid requests (422, in place of FastAPI's own validation schema, which the API never
sends), an unreachable store and bugs; 401 and 403 where the operation needs a token; 408 and
413 where it takes a body. A route adds its own (409, say) with
``responses={409: {"description": "..."}}``; the problem body is filled in here."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI

from ossmeta.surfaces.api.problems import PROBLEM_JSON

__all__ = ["PROBLEM_SCHEMA", "document_problems"]

PROBLEM_SCHEMA: dict[str, Any] = {
    "title": "Problem",
    "description": "An RFC 9457 problem detail.",
    "type": "object",
    "required": ["type", "title", "status", "detail", "instance"],
    "properties": {
        "type": {"type": "string", "description": "urn:ossmeta:problem:<kind>"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "instance": {"type": "string"},
        "errors": {
            "type": "array",
            "description": "422: every invalid part of the request.",
            "items": {
                "type": "object",
                "properties": {
                    "location": {"type": "array", "items": {"type": "string"}},
                    "message": {"type": "string"},
                },
            },
        },
        "request_id": {"type": "string", "description": "500: where the error was logged."},
    },
}

_REF = {"$ref": "#/components/schemas/Problem"}

#: Status -> description, for every operation / secured ones / ones with a body.
_ALWAYS = {
    400: "Bad input (a malformed purl, a cursor this API did not give out...).",
    404: "No such resource (another tenant's is answered the same).",
    422: "The request does not fit the operation's parameters or body.",
    500: "A bug, logged under the request id the problem names.",
    503: "The store cannot be reached.",
}
_SECURED = {
    401: "No valid API token (missing, malformed, unknown, expired or revoked).",
    403: "The token lacks the scope, or its user the role.",
}
_WITH_BODY = {
    408: "The request body did not arrive in time.",
    413: "The request body is over the server's size limit.",
}


def _problem(description: str) -> dict[str, Any]:
    return {"description": description, "content": {PROBLEM_JSON: {"schema": _REF}}}


def _document(operation: dict[str, Any]) -> None:
    responses: dict[str, Any] = operation.setdefault("responses", {})
    wanted = dict(_ALWAYS)
    if operation.get("security"):
        wanted.update(_SECURED)
    if "requestBody" in operation:
        wanted.update(_WITH_BODY)
    for status, description in wanted.items():
        if str(status) == "422" or str(status) not in responses:
            responses[str(status)] = _problem(description)
    for code, response in responses.items():
        # A problem the route declared itself: give it the problem body.
        if code[0] in "45" and "content" not in response:
            response["content"] = {PROBLEM_JSON: {"schema": _REF}}


def document_problems(app: FastAPI) -> None:
    """Make ``app.openapi()`` declare the problem responses of every operation."""
    generate: Callable[[], dict[str, Any]] = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        schema = generate()
        for operations in schema.get("paths", {}).values():
            for operation in operations.values():
                _document(operation)
        schemas = schema.setdefault("components", {}).setdefault("schemas", {})
        schemas["Problem"] = PROBLEM_SCHEMA
        # FastAPI's validation error bodies are never sent (422 is a problem).
        for unused in ("HTTPValidationError", "ValidationError"):
            schemas.pop(unused, None)
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
