"""Cursor pagination for every list: ``?cursor=&limit=`` in, ``{"items": [...], "next":
cursor | null}`` out. A cursor is opaque to clients (base64url of a small JSON value the
route chooses, usually the last item's sort key); a damaged one is a 400 problem.

A route::

    @router.get("/things", response_model=Page[Thing])
    def things(page: Annotated[PageRequest, Depends(page_request)]) -> Page[Thing]:
        after = page.after(default=0)               # the key the last page ended on
        rows = load(after=after, limit=page.limit + 1)
        return page.page(rows, key=lambda row: row.id)
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Annotated, Any, Generic, TypeVar

import orjson
from fastapi import Query
from pydantic import BaseModel

from ossmeta.surfaces.api.problems import ApiProblem

__all__ = [
    "DEFAULT_LIMIT",
    "MAX_LIMIT",
    "Page",
    "PageRequest",
    "decode_cursor",
    "encode_cursor",
    "page_request",
]

DEFAULT_LIMIT = 100
MAX_LIMIT = 1000
T = TypeVar("T")
Item = TypeVar("Item")


class Page(BaseModel, Generic[Item]):
    items: list[Item]
    next: str | None


def encode_cursor(key: Any) -> str:
    return base64.urlsafe_b64encode(orjson.dumps(key)).decode().rstrip("=")


def decode_cursor(cursor: str) -> Any:
    try:
        return orjson.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (binascii.Error, ValueError):
        raise ApiProblem(400, "the cursor is not one this API gave out") from None


def _storable(key: Any) -> bool:
    """Whether every integer in ``key`` fits the store's integer columns (32 bits on
    PostgreSQL); a forged cursor may hold any number."""
    if isinstance(key, bool):
        return True
    if isinstance(key, int):
        return -(2**31) <= key < 2**31
    if isinstance(key, list):
        return all(_storable(part) for part in key)
    return True


@dataclass(frozen=True)
class PageRequest:
    cursor: str | None
    limit: int

    def after(self, default: T) -> T:
        """The key the previous page ended on, of the same type as ``default``."""
        if self.cursor is None:
            return default
        key: Any = decode_cursor(self.cursor)
        # bool is an int to Python, not to a cursor: compare the exact types.
        if type(key) is not type(default) or not _storable(key):
            raise ApiProblem(400, "the cursor is not one this API gave out")
        return key

    def page(self, rows: Sequence[T], key: Callable[[T], Any]) -> dict[str, Any]:
        """The response for ``rows`` fetched with ``limit + 1``: the extra row only says
        there is a next page."""
        shown = list(rows[: self.limit])
        more = len(rows) > self.limit
        return {"items": shown, "next": encode_cursor(key(shown[-1])) if more and shown else None}


async def page_request(
    cursor: Annotated[str | None, Query(description="From the previous page's `next`.")] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
) -> PageRequest:
    return PageRequest(cursor, limit)
