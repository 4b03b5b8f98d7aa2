"""The workspace's "next page" links carry the API's cursor: base64url of the JSON key the
last shown row ended on, so a page's link and the API's ``next`` are the same string. The
web may not import the API, hence this small twin of its encoder."""

from __future__ import annotations

import base64
import binascii

import orjson

from ossmeta.errors import InputError

__all__ = ["decode_position", "encode_position"]

#: The store's integer columns are 32 bits on PostgreSQL; a forged cursor may hold any number.
_LOWEST, _HIGHEST = -(2**31), 2**31
#: Far longer than any cursor this site gives out.
_LONGEST = 64


def encode_position(position: int) -> str:
    return base64.urlsafe_b64encode(orjson.dumps(position)).decode().rstrip("=")


def decode_position(cursor: str) -> int:
    """The position a cursor names; a damaged or forged one is bad input (a 400 page)."""
    if len(cursor) > _LONGEST:
        raise InputError("the cursor is not one this site gave out")
    try:
        key = orjson.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (binascii.Error, ValueError):
        key = None
    # bool is an int to Python, not to a cursor: compare the exact type.
    if type(key) is not int or not _LOWEST <= key < _HIGHEST:
        raise InputError("the cursor is not one this site gave out")
    return key
