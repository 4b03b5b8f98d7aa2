"""Maven version order, written from Maven's "Version Order Specification" (POM reference).

No library here does this (univers carries an old, pre-3.9 copy whose ``.qualifier`` rules
differ), so it is written by hand from the documented algorithm:

1. Lower-case the text and split it into tokens at ``.``, ``-`` and every transition
   between digits and other characters; a transition counts as ``-``. Each token keeps
   the separator in front of it (its prefix). Empty tokens become ``0``.
2. Qualifier aliases: ``a``/``b``/``m`` directly followed by a digit mean ``alpha`` /
   ``beta`` / ``milestone``; ``cr`` means ``rc``; ``ga``, ``final`` and ``release`` mean
   the empty qualifier (a release). Since Maven 3.9 (MNG-7644) a qualifier written after
   a dot orders as if written after a hyphen (``1.0.RC1`` == ``1.0-RC1``), so every
   qualifier gets the ``-`` prefix here.
3. Trim "null" tokens (``0`` and the empty qualifier) from the end, and again just before
   every remaining hyphen, from end to start: ``1.0.0`` -> ``1``,
   ``1.0.0-foo.0.0`` -> ``1-foo``, ``1-ga-1`` -> ``1-1``.
4. Compare token lists lexicographically, the shorter padded with nulls of the other
   side's prefix (``0`` for ``.``, the empty qualifier for ``-``). Token order:
   ``-qualifier`` < ``-number`` < ``.number``; numbers by value (any size); qualifiers
   ``alpha`` < ``beta`` < ``milestone`` < ``rc`` < ``snapshot`` < release < ``sp`` <
   unknown qualifiers (among themselves lexically).

The padding in step 4 depends on the other version, so it is folded into the key as an
END token. After trimming, every null token left in a list is followed by a non-null
token that sorts above its padding null (a ``.0`` is always followed by a positive
``.number`` before the next hyphen, a release qualifier by ``.``-numbers that are not all
zero), so "the list ended here" compares below those and below everything at or above
the release qualifier, and above the pre-release qualifiers: a fixed place between
``snapshot`` and release. Keys are then plain tuples, and the order is total.

Known divergences, all in corners real artifacts avoid: only ASCII 0-9 count as digits
(Java's ``Character.isDigit`` also takes other scripts' digits), and unknown qualifiers
compare by code point rather than by UTF-16 unit.
"""

from __future__ import annotations

import re

from ossmeta.versions import InvalidVersion

Token = tuple[int, int, str]
MavenKey = tuple[Token, ...]

# Qualifier ranks, spaced so END fits between snapshot and release.
_QUALIFIER_RANK = {"alpha": 0, "beta": 2, "milestone": 4, "rc": 6, "snapshot": 8, "": 10, "sp": 12}
_UNKNOWN_RANK = 14
_ALIASES = {"cr": "rc", "ga": "", "final": "", "release": ""}
_AFTER_DIGIT_ALIASES = {"a": "alpha", "b": "beta", "m": "milestone"}

_QUALIFIER = 1  # ("-", qualifier)
_HYPHEN_NUMBER = 2  # ("-", number)
_DOT_NUMBER = 3  # (".", number)
_END: Token = (_QUALIFIER, 9, "")
_RELEASE: Token = (_QUALIFIER, _QUALIFIER_RANK[""], "")

# Numbers, runs of other characters, or a single separator.
_PIECES = re.compile(r"[0-9]+|[^0-9.\-]+|[.\-]")
# Maven's model validator bans these in versions; whitespace is never part of one.
_BANNED = re.compile(r"[\\/:\"<>|?*\s]")


def _qualifier(word: str, before_digit: bool) -> Token:
    if before_digit and word in _AFTER_DIGIT_ALIASES:
        word = _AFTER_DIGIT_ALIASES[word]
    word = _ALIASES.get(word, word)
    rank = _QUALIFIER_RANK.get(word)
    if rank is None:
        return (_QUALIFIER, _UNKNOWN_RANK, word)
    return (_QUALIFIER, rank, "")


def _tokens(text: str) -> list[Token]:
    pieces = _PIECES.findall(text.lower())
    tokens: list[Token] = []
    separator = "."  # the first token orders as if after a dot
    pending = True  # a separator was seen and no token has followed it yet
    count = len(pieces)
    for index, piece in enumerate(pieces):
        if piece == "." or piece == "-":
            if pending:  # empty token
                tokens.append((_DOT_NUMBER if separator == "." else _HYPHEN_NUMBER, 0, ""))
            separator, pending = piece, True
            continue
        if not pending:  # digit/non-digit transition: an implicit hyphen
            separator = "-"
        if piece[0].isdigit():
            kind = _DOT_NUMBER if separator == "." else _HYPHEN_NUMBER
            tokens.append((kind, int(piece), ""))
        else:
            following = pieces[index + 1] if index + 1 < count else ""
            tokens.append(_qualifier(piece, following[:1].isdigit()))
        pending = False
    if pending and tokens:  # trailing separator: "1." and "1-" end with an empty token
        tokens.append((_DOT_NUMBER if separator == "." else _HYPHEN_NUMBER, 0, ""))
    return tokens


def _is_null(token: Token) -> bool:
    return token == _RELEASE or (token[0] != _QUALIFIER and token[1] == 0)


def _trim(tokens: list[Token]) -> list[Token]:
    """Drop null tokens at the end and just before each hyphen (right to left)."""
    kept: list[Token] = []
    trimming = True
    for token in reversed(tokens):
        if trimming and _is_null(token):
            continue
        kept.append(token)
        trimming = token[0] != _DOT_NUMBER  # a kept hyphen token: trim before it
    kept.reverse()
    return kept


class MavenOrdering:
    name = "Maven"

    def key(self, text: str) -> MavenKey:
        if not text or _BANNED.search(text):
            raise InvalidVersion(f"not a Maven version: {text!r}")
        try:
            tokens = _trim(_tokens(text))
        except ValueError:  # int() refusing a number with thousands of digits
            raise InvalidVersion(f"version number too large in {text!r}") from None
        tokens.append(_END)
        return tuple(tokens)

    def is_prerelease(self, text: str) -> bool:
        """True when a pre-release qualifier (alpha ... snapshot) is present."""
        return any(token[0] == _QUALIFIER and token[1] < _END[1] for token in self.key(text))


MAVEN = MavenOrdering()
