"""Long lists of keys cut into pieces a statement can take (``IN (...)`` lists, batches of
rows); shared by the advisory import and the scan's lookups, which import nothing else of
each other."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

CHUNK = 500  # ids per IN (...) list


def chunks(items: list[Any], size: int = CHUNK) -> Iterator[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
