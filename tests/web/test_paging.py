"""The workspace's next-page cursor is the API's: a link's cursor works on the API's
components route and the other way round."""

from __future__ import annotations

import pytest

from ossmeta.errors import InputError
from ossmeta.surfaces.api.pagination import decode_cursor, encode_cursor
from ossmeta.surfaces.web.paging import decode_position, encode_position


@pytest.mark.parametrize("position", [-1, 0, 1, 199, 2**31 - 1])
def test_the_cursor_is_the_apis(position: int) -> None:
    assert encode_position(position) == encode_cursor(position)
    assert decode_position(encode_cursor(position)) == position
    assert decode_cursor(encode_position(position)) == position


@pytest.mark.parametrize(
    "cursor", ["", "!", encode_cursor(True), encode_cursor("7"), encode_cursor(2**31)]
)
def test_a_cursor_the_site_never_gave_is_bad_input(cursor: str) -> None:
    with pytest.raises(InputError, match="cursor"):
        decode_position(cursor)
