"""A hypothesis strategy that damages a JSON-shaped payload the way a registry, a mirror
or a stored record can: keys dropped and values of the wrong type, at any depth
(importable as ``tests.normalizers.damage``)."""

from __future__ import annotations

import copy
from typing import Any

from hypothesis import strategies as st

from ossmeta.errors import NormalizeError

REPLACEMENTS: tuple[object, ...] = (None, 0, -1, 1.5, True, False, "", "x", [], {}, [1], {"a": 1})


def _slots(doc: object) -> list[tuple[Any, Any]]:
    found: list[tuple[Any, Any]] = []
    stack = [doc]
    while stack:
        node = stack.pop()
        pairs = (
            node.items()
            if isinstance(node, dict)
            else enumerate(node)
            if isinstance(node, list)
            else ()
        )
        for key, value in pairs:
            found.append((node, key))
            stack.append(value)
    return found


@st.composite
def damaged(draw: st.DrawFn, original: object, most: int = 3) -> Any:
    """A deep copy of ``original`` after 1 to ``most`` edits: a key or item removed, or a
    value replaced by one of ``REPLACEMENTS``; the whole document may be replaced too."""
    doc = copy.deepcopy(original)
    for _ in range(draw(st.integers(1, most))):
        slots = _slots(doc)
        if not slots or draw(st.integers(0, 40)) == 0:
            return copy.deepcopy(draw(st.sampled_from(REPLACEMENTS)))
        parent, key = draw(st.sampled_from(slots))
        if draw(st.booleans()):
            del parent[key]
        else:
            parent[key] = copy.deepcopy(draw(st.sampled_from(REPLACEMENTS)))
    return doc


def check_one_line(error: NormalizeError, kinds: tuple[str, ...]) -> None:
    """A malformed record's error: one line that starts by naming the record's kind."""
    message = str(error)
    assert len(message.splitlines()) == 1, message
    assert message.startswith(kinds), message
    assert message.partition(": ")[2].strip(), message
