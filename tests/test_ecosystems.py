"""Package-name keys: the fast path of PEP 503 folding agrees with its definition."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from ossmeta.ecosystems import canonical_name, name_key

PEP503 = re.compile(r"[-_.]+")


@given(st.text(alphabet="aZz9-_.İßǅ", max_size=12))
def test_pypi_names_fold_as_pep_503_says(name: str) -> None:
    expected = PEP503.sub("-", name).lower()
    assert name_key("PyPI", name) == expected
    assert canonical_name("PyPI", name) == expected


def test_separator_runs_fold_and_plain_names_only_lower() -> None:
    assert name_key("PyPI", "Zope.Interface__Extras--x") == "zope-interface-extras-x"
    assert name_key("PyPI", "Django-REST") == "django-rest"
    assert canonical_name("npm", "Left-Pad") == "Left-Pad"
