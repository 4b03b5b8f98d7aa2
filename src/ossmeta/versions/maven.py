"""Maven version order, matching Maven 3.9's ``ComparableVersion`` (maven-artifact).

The POM reference's "Version Order Specification" describes the idea; the class is what
Maven actually runs, and where the two differ this module follows the class. Its rules:

1. Lower-case the text and walk it. ``.`` ends an item, ``-`` ends an item and opens a
   nested list that takes everything after it. An empty item is ``0``.
2. Between digits and letters an item ends too. Digits then letters open a nested list
   before the letters. Letters then digits close the letters as a qualifier in a list of
   their own (``1.0.beta1`` = ``1-beta-1``), and only there ``a``/``b``/``m`` mean
   ``alpha``/``beta``/``milestone``. A qualifier at the very end of the text also moves
   into a list of its own (``1.0.foo`` = ``1-foo``), but one followed by ``.`` or ``-``
   stays where it is (``1.0.alpha.1`` keeps its ``0``).
3. ``cr`` means ``rc``; ``ga``, ``final`` and ``release`` mean the empty qualifier.
4. Each list drops trailing "null" items (``0`` and the empty qualifier), looking past a
   nested list at its end: ``1.0.0-foo.0.0`` -> ``1-foo``.
5. Compare item by item: qualifiers < nested lists < numbers; numbers by value;
   qualifiers ``alpha`` < ``beta`` < ``milestone`` < ``rc`` < ``snapshot`` < release <
   ``sp`` < unknown ones (among themselves lexically); lists recursively. A missing item
   ("null") equals ``0`` and the empty qualifier, is above the pre-release qualifiers and
   below everything else; a list against null is decided by its first non-null item.

A nested list is always the last item of its parent, so a version is a chain of levels
and the key is that chain flattened: each level's items, an OPEN token before the next
level, and END at the end. END must answer "the other side ran out", which depends on the
first non-null item still to come, so ``0``, the empty qualifier and OPEN carry that
item's sign: their token sits below END when it is a pre-release qualifier and above END
otherwise. Keys are then plain tuples and the order is total.

Maven's own order is not: null equals both ``0`` and the empty qualifier although ``0``
is above every qualifier, so ``1.0.alpha.1`` < ``1`` < ``1.ga.1`` < ``1.0.alpha.1`` in
Maven 3.9. In such cycles the sign against the common prefix wins here; every other
comparison is Maven's (tests/versions/test_maven_differential.py runs the real class).

Known divergences beyond those cycles, all outside ASCII: digits are what
``str.isdecimal`` says in the Basic Multilingual Plane (Java's ``Character.isDigit`` on
UTF-16 units), lower-casing is Python's rather than Java's English rules, and unknown
qualifiers compare by code point rather than by UTF-16 unit.
"""

from __future__ import annotations

import re

from ossmeta.versions import InvalidVersion

Token = tuple[int, int, str]
MavenKey = tuple[Token, ...]

# Token ranks. Pre-release qualifiers sit below END, everything else above it; the
# null-like tokens come in two flavours, by the sign of the first non-null item after them.
_QUALIFIER_RANK = {"alpha": 0, "beta": 1, "milestone": 2, "rc": 3, "snapshot": 4, "sp": 10}
_RELEASE_BELOW, _OPEN_BELOW, _ZERO_BELOW = 5, 6, 7
_END_RANK = 8
_RELEASE_ABOVE, _UNKNOWN, _OPEN_ABOVE, _NUMBER = 9, 11, 12, 13
_END: Token = (_END_RANK, 0, "")

_ALIASES = {"cr": "rc", "ga": "", "final": "", "release": ""}
_BEFORE_DIGIT_ALIASES = {"a": "alpha", "b": "beta", "m": "milestone"}

# Runs of digits, runs of other characters, or one separator.
_RUNS = re.compile(r"[0-9]+|[^0-9.\-]+|[.\-]")
_NON_ASCII = re.compile(r"[^\x00-\x7f]")
# Java's Character.isDigit sees UTF-16 units, so digits outside the BMP are letters there.
_DIGIT = r"(?:(?![\U00010000-\U0010ffff])\d)"
_UNICODE_RUNS = re.compile(rf"{_DIGIT}+|(?:(?!{_DIGIT})[^.\-])+|[.\-]")
# Maven's model validator bans these in versions; whitespace is never part of one.
_BANNED = re.compile(r"[\\/:\"<>|?*\s]")

Item = int | str  # a number, or a qualifier after aliasing ("" is the release)


def _is_digit(char: str) -> bool:
    return char.isdecimal() and ord(char) < 0x10000


def _runs(text: str) -> list[str]:
    if _NON_ASCII.search(text):  # other scripts' digits are digits to Java too
        return _UNICODE_RUNS.findall(text)
    return _RUNS.findall(text)


def _qualifier(word: str, before_digit: bool) -> str:
    if before_digit and word in _BEFORE_DIGIT_ALIASES:
        return _BEFORE_DIGIT_ALIASES[word]
    return _ALIASES.get(word, word)


def _levels(text: str) -> list[list[Item]]:
    """The chain of lists ComparableVersion builds, before trimming."""
    levels: list[list[Item]] = [[]]
    pending = ""  # the run not yet turned into an item
    for run in _runs(text.lower()):
        level = levels[-1]
        if run == "." or run == "-":
            level.append(_item(pending) if pending else 0)
            pending = ""
            if run == "-":
                levels.append([])
        elif not pending:
            pending = run
        elif _is_digit(run[0]):  # letters then digits: the letters are a qualifier list
            if level:
                levels.append(level := [])
            level.append(_qualifier(pending, before_digit=True))
            levels.append([])
            pending = run
        else:  # digits then letters
            level.append(int(pending))
            levels.append([])
            pending = run
    if pending:
        if not _is_digit(pending[0]) and levels[-1]:
            levels.append([])  # a trailing qualifier gets a list of its own
        levels[-1].append(_item(pending))
    return levels


def _item(run: str) -> Item:
    return int(run) if _is_digit(run[0]) else _qualifier(run, before_digit=False)


def _trim(levels: list[list[Item]]) -> list[list[Item]]:
    """Drop trailing nulls in every list, and lists left empty at the end of the chain."""
    for level in levels:
        while level and (level[-1] == 0 or level[-1] == ""):
            level.pop()
    while len(levels) > 1 and not levels[-1]:
        levels.pop()
    return levels


def _sign(item: Item) -> int:
    """How a non-null item compares with a missing one."""
    if isinstance(item, int):
        return 1
    rank = _QUALIFIER_RANK.get(item)
    return -1 if rank is not None and rank < _RELEASE_BELOW else 1


def _token(item: Item | None, after: int) -> Token:
    """``item`` (None for OPEN) as a token; ``after`` is the sign of what follows."""
    if item is None:
        return (_OPEN_BELOW if after < 0 else _OPEN_ABOVE, 0, "")
    if isinstance(item, int):
        if item == 0 and after < 0:
            return (_ZERO_BELOW, 0, "")
        return (_NUMBER, item, "")
    if item == "":
        return (_RELEASE_BELOW if after < 0 else _RELEASE_ABOVE, 0, "")
    rank = _QUALIFIER_RANK.get(item)
    return (rank, 0, "") if rank is not None else (_UNKNOWN, 0, item)


def _key(text: str) -> MavenKey:
    items: list[Item | None] = []  # None marks where a nested list opens
    for depth, level in enumerate(_trim(_levels(text))):
        if depth:
            items.append(None)
        items.extend(level)
    tokens = [_END]
    after = 1  # nothing follows the last item, and after trimming it is never null
    for item in reversed(items):
        if item is not None and item != 0 and item != "":
            after = _sign(item)
        tokens.append(_token(item, after))
    tokens.reverse()
    return tuple(tokens)


class MavenOrdering:
    name = "Maven"

    def key(self, text: str) -> MavenKey:
        if not text or _BANNED.search(text):
            raise InvalidVersion(f"not a Maven version: {text!r}")
        try:
            return _key(text)
        except ValueError:  # int() refusing a number with thousands of digits
            raise InvalidVersion(f"version number too large in {text!r}") from None

    def is_prerelease(self, text: str) -> bool:
        """True when a pre-release qualifier (alpha ... snapshot) is present."""
        return any(token[0] < _RELEASE_BELOW for token in self.key(text))


MAVEN = MavenOrdering()
