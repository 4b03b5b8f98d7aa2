"""PEP 508 ``Requires-Dist`` lines -> ``Dependency`` values (pure).

- The target is ``build_purl("PyPI", name, None)``; the requirement is the version
  specifier exactly as declared (``>=1.21.1,<3``, not packaging's re-sorted form), a
  direct reference's URL, or "" for "any version".
- ``extra == "x"`` joined by ``and`` to the rest of a marker makes the dependency optional
  for extra ``x`` (canonicalized, as packaging does) and the rest is kept as ``markers``;
  ``(extra == "a" or extra == "b") and ...`` gives one dependency per extra. A marker that
  uses extras in any other way (under an ``or`` with other conditions, say) cannot be
  split safely: it stays whole, the scope is optional, and ``extra`` is set only when a
  single extra is named. The marker tree is packaging's (``Marker._markers``); if its
  shape is not what this module knows, the marker is kept whole.
- A line packaging cannot parse is kept, scope runtime, with the raw line as requirement
  and the flag ``unparsed``, when a project name can be read at its start (over-reporting
  a dependency beats losing one); otherwise it is dropped, having no target.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

from packaging.markers import InvalidMarker, Marker
from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import InvalidSpecifier, SpecifierSet

from ossmeta.ecosystems import PYPI
from ossmeta.model import Dependency
from ossmeta.purls import build_purl

_NAME = r"[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?"
_LEADING_NAME = re.compile(rf"\s*({_NAME})")
_HEAD = re.compile(rf"\s*{_NAME}\s*(?:\[[^\]]*\])?\s*")

#: (scope, extra, markers) for one dependency made from a requirement line.
_Part = tuple[str, str | None, str | None]


def dependencies(lines: Iterable[str]) -> tuple[Dependency, ...]:
    """Every requirement line as one or more dependencies, in the order declared."""
    return tuple(d for line in lines for d in _line(line))


@lru_cache(maxsize=65536)
def _line(line: str) -> tuple[Dependency, ...]:
    # Cached: a project repeats the same requirement lines in version after version, and
    # packaging's parser is the costliest step of normalizing a PyPI release.
    try:
        requirement = Requirement(line)
    except InvalidRequirement:
        name = _LEADING_NAME.match(line)
        purl = build_purl(PYPI, name.group(1), None) if name else None
        if purl is None:
            return ()
        return (Dependency(purl, line.strip(), "runtime", flags=("unparsed",)),)
    purl = build_purl(PYPI, requirement.name, None)
    if purl is None:  # pragma: no cover - a parsed requirement always has a PEP 508 name
        return ()
    declared = _declared(line, requirement)
    return tuple(
        Dependency(purl, declared, scope, markers, extra)
        for scope, extra, markers in _split(requirement.marker)
    )


def _declared(line: str, requirement: Requirement) -> str:
    """The specifier as written; packaging's form when the text cannot be isolated."""
    if requirement.url:
        return requirement.url
    head = line.split(";", 1)[0]  # a specifier never contains ";"
    match = _HEAD.match(head)
    text = head[match.end() :].strip() if match else ""
    if text.startswith("(") and text.endswith(")"):  # the old "name (>=1.0)" form
        text = text[1:-1].strip()
    try:
        same = SpecifierSet(text) == requirement.specifier
    except InvalidSpecifier:
        same = False
    return text if same else str(requirement.specifier)


def _is_extra_clause(node: Any) -> str | None:
    """The extra of an ``extra == "x"`` clause (either way round), else None."""
    if not isinstance(node, tuple) or len(node) != 3:
        return None
    left, op, right = node
    if getattr(op, "value", None) != "==":
        return None
    for variable, value in ((left, right), (right, left)):
        kinds = (type(variable).__name__, type(value).__name__)
        if kinds == ("Variable", "Value") and variable.value == "extra":
            return str(value.value)
    return None


def _extra_group(node: Any) -> list[str] | None:
    """The extras of a clause or an ``or`` of clauses naming only extras, else None."""
    single = _is_extra_clause(node)
    if single is not None:
        return [single]
    if isinstance(node, list) and node and set(node[1::2]) == {"or"}:
        groups = [_extra_group(part) for part in node[0::2]]
        if all(g is not None for g in groups):
            return [extra for g in groups if g is not None for extra in g]
    return None


def _mentions_extra(node: Any) -> list[str]:
    if isinstance(node, list):
        return [extra for part in node for extra in _mentions_extra(part)]
    if isinstance(node, tuple):
        single = _is_extra_clause(node)
        if single is not None:
            return [single]
        return ["?"] if any(getattr(n, "value", None) == "extra" for n in node) else []
    return []


def _render(node: Any) -> str:
    """packaging's own way of writing a marker tree back as text."""
    if isinstance(node, list):
        return " ".join(f"({_render(n)})" if isinstance(n, list) else _render(n) for n in node)
    if isinstance(node, tuple):
        return " ".join(part.serialize() for part in node)
    return str(node)


def _split(marker: Marker | None) -> list[_Part]:
    if marker is None:
        return [("runtime", None, None)]
    whole = str(marker)
    tree = getattr(marker, "_markers", None)
    try:
        mentioned = _mentions_extra(tree)
        if not mentioned:
            return [("runtime", None, whole)]
        assert isinstance(tree, list)
        # A top-level "or" is one conjunct; a top-level "and" chain is its parts.
        ops = set(tree[1::2])
        conjuncts = tree[0::2] if ops <= {"and"} else [tree]
        groups = [(n, g) for n, c in enumerate(conjuncts) if (g := _extra_group(c)) is not None]
        if len(groups) == 1:
            at, extras = groups[0]
            rest = [c for n, c in enumerate(conjuncts) if n != at]
            if not any(_mentions_extra(c) for c in rest):
                text = " and ".join(
                    f"({_render(c)})" if isinstance(c, list) else _render(c) for c in rest
                )
                if text:
                    Marker(text)  # what was cut out must still be a valid marker
                return [("optional", extra, text or None) for extra in dict.fromkeys(extras)]
    except (AssertionError, AttributeError, TypeError, ValueError, InvalidMarker):
        pass  # a tree of another shape: keep the marker whole
    names = {name for name in _mentions_extra(tree) if name != "?"}
    return [("optional", names.pop() if len(names) == 1 else None, whole)]
