"""Allow and deny lists evaluated on an SPDX expression.

* ``A AND B``: every branch must pass (the user takes on both licences);
* ``A OR B``: one passing branch is enough (the user may choose it);
* ``A WITH exception``: a list may name the whole ``A WITH exception`` (checked first);
  otherwise it is judged by the licence key ``A``. An exception only ever grants extra
  permissions (the SPDX list holds no restricting exception), so a licence an allow list
  admits stays admitted with one, and a denied one stays denied unless the whole
  ``A WITH exception`` is allowed.

A branch that is neither allowed nor denied passes when there is no allow list, and fails
(as "not allowed") when there is one. An expression that does not parse, ``NOASSERTION``,
``NONE`` or a ``LicenseRef-`` is *unknown*: the policy's ``unknown`` rule decides.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Literal

from license_expression import (
    AND,
    OR,
    ExpressionError,
    LicenseSymbol,
    LicenseWithExceptionSymbol,
    Licensing,
)

from ossmeta.analyses.policy.config import LicenseRules

__all__ = ["LicenseVerdict", "judge_license"]

Outcome = Literal["pass", "denied", "not_allowed", "unknown"]
_UNKNOWN_KEYS = frozenset({"noassertion", "none", "unknown", ""})


@dataclass(frozen=True)
class LicenseVerdict:
    outcome: Outcome
    keys: tuple[str, ...] = ()  # the licence keys that made it fail (or were unknown)


@cache
def _licensing() -> Licensing:
    return Licensing()


@cache
def _parse(expression: str) -> object | None:
    try:
        parsed: object | None = _licensing().parse(expression, simple=False)
    except (ExpressionError, ValueError, TypeError, RecursionError):
        return None
    return parsed


def _key(symbol: object) -> str:
    if isinstance(symbol, LicenseWithExceptionSymbol):
        return str(symbol.license_symbol.key)
    return str(getattr(symbol, "key", symbol))


def judge_license(expression: str | None, rules: LicenseRules) -> LicenseVerdict:
    if expression is None or not expression.strip():
        return LicenseVerdict("unknown")
    parsed = _parse(expression.strip())
    if parsed is None:
        return LicenseVerdict("unknown", (expression.strip(),))
    allow = None if rules.allow is None else {k.casefold() for k in rules.allow}
    deny = {k.casefold() for k in rules.deny}
    return _walk(parsed, allow, deny)


def _walk(node: object, allow: set[str] | None, deny: set[str]) -> LicenseVerdict:
    if isinstance(node, LicenseSymbol | LicenseWithExceptionSymbol):
        key = _key(node)
        whole = str(node).casefold()
        if isinstance(node, LicenseWithExceptionSymbol) and whole != key.casefold():
            if whole in deny:
                return LicenseVerdict("denied", (str(node),))
            if allow is not None and whole in allow:
                return LicenseVerdict("pass")
        folded = key.casefold()
        if folded in deny:
            return LicenseVerdict("denied", (key,))
        if allow is not None and folded in allow:
            return LicenseVerdict("pass")
        if folded in _UNKNOWN_KEYS or folded.startswith("licenseref-"):
            return LicenseVerdict("unknown", (key,))
        if allow is not None:
            return LicenseVerdict("not_allowed", (key,))
        return LicenseVerdict("pass")
    args = getattr(node, "args", ())
    verdicts = [_walk(arg, allow, deny) for arg in args]
    if isinstance(node, OR):
        if any(v.outcome == "pass" for v in verdicts):
            return LicenseVerdict("pass")
        return _worst(verdicts)
    if isinstance(node, AND):
        failing = [v for v in verdicts if v.outcome != "pass"]
        return _worst(failing) if failing else LicenseVerdict("pass")
    return LicenseVerdict("unknown", (str(node),))


_RANK = {"denied": 3, "not_allowed": 2, "unknown": 1, "pass": 0}


def _worst(verdicts: list[LicenseVerdict]) -> LicenseVerdict:
    """The most severe failure, with the keys of every branch failing that way."""
    worst = max(verdicts, key=lambda v: _RANK[v.outcome]).outcome
    keys = tuple(dict.fromkeys(k for v in verdicts if v.outcome == worst for k in v.keys))
    return LicenseVerdict(worst, keys)
