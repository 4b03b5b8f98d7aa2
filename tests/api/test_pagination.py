"""Cursors: whatever a client sends as a cursor is either one this API gave out or a 400
problem, never another error; pages cut at ``limit`` and say whether more follow."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ossmeta.surfaces.api.pagination import PageRequest, decode_cursor, encode_cursor
from ossmeta.surfaces.api.problems import ApiProblem

# Keys are what the store sorts by: 64-bit ids, text, or tuples of them.
ids = st.integers(-(2**63), 2**63 - 1)
keys = st.one_of(ids, st.text(), st.lists(st.one_of(ids, st.text())))


@given(keys)
def test_a_cursor_decodes_to_its_key(key: object) -> None:
    assert decode_cursor(encode_cursor(key)) == key


@given(st.text())
def test_any_text_is_a_key_or_a_400(cursor: str) -> None:
    try:
        PageRequest(cursor, 10).after(0)
    except ApiProblem as problem:
        assert problem.status_code == 400


def test_a_key_of_another_type_is_a_400() -> None:
    with pytest.raises(ApiProblem):
        PageRequest(encode_cursor("name"), 10).after(0)
    with pytest.raises(ApiProblem):
        PageRequest(encode_cursor(True), 10).after(0)  # a bool is not an id
    assert PageRequest(encode_cursor(41), 10).after(0) == 41
    assert PageRequest(None, 10).after(7) == 7


def test_pages_cut_at_the_limit() -> None:
    page = PageRequest(None, 2)
    full = page.page([1, 2, 3], key=lambda n: n)
    assert full["items"] == [1, 2]
    assert decode_cursor(full["next"]) == 2
    assert page.page([1, 2], key=lambda n: n) == {"items": [1, 2], "next": None}
    assert page.page([], key=lambda n: n) == {"items": [], "next": None}


@pytest.mark.parametrize("key", [2**31, -(2**31) - 1, 2**62, ["a", 2**40]])
def test_a_number_no_store_column_holds_is_a_400(key: object) -> None:
    # Such a cursor once reached the database: an overflow there (500), not a 400.
    with pytest.raises(ApiProblem) as raised:
        PageRequest(encode_cursor(key), 10).after(0 if isinstance(key, int) else ["", 0])
    assert raised.value.status_code == 400
    assert PageRequest(encode_cursor(2**31 - 1), 10).after(0) == 2**31 - 1
