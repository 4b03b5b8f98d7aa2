"""Alpine package versions (``apk``), ordered the way current apk-tools compares them.

A version is ``N{.N}...{letter}{_suffix{N}}...{~hash}{-rN}``: numbers separated by
dots, at most one lower-case letter after them (``1.2a``), any number of suffixes
``_alpha``, ``_beta``, ``_pre``, ``_rc`` (below the bare version) and ``_cvs``, ``_svn``,
``_git``, ``_hg``, ``_p`` (above it), each with an optional number, an optional commit
hash after ``~``, and the package revision ``-rN`` last.

apk-tools compares token by token while both versions continue with the same kind of
token: numbers as numbers, except that a number after a dot compares as text when either
side starts with ``0`` (``1.05`` < ``1.5``, ``1.10`` > ``1.09``), letters by code,
suffixes by the order above, hashes as text. Where the kinds part, a pre-release suffix
is the lower side, and otherwise the kind that comes later in the grammar is the lower
(so the end of the text is lower than any continuation but a pre-release suffix).

The key lists, per token, a rank for its kind and its value, so Python's tuple order
replays that walk. Text outside the grammar raises ``InvalidVersion``.
"""

from __future__ import annotations

import re

from ossmeta.versions import InvalidVersion

Token = tuple[int, int, int | str]  # (rank of the kind, 0 text / 1 number, value)
ApkKey = tuple[Token, ...]

# apk-tools' token kinds, in grammar order.
_INITIAL_DIGIT, _DIGIT, _LETTER, _SUFFIX, _SUFFIX_NO, _COMMIT_HASH, _REVISION_NO, _END = range(8)
_PRE_SUFFIXES = ("alpha", "beta", "pre", "rc")
_POST_SUFFIXES = ("cvs", "svn", "git", "hg", "p")
_SUFFIX_VALUE = {
    **{word: n - len(_PRE_SUFFIXES) for n, word in enumerate(_PRE_SUFFIXES)},
    **{word: n + 1 for n, word in enumerate(_POST_SUFFIXES)},
}  # the bare version sits at 0
_PRE_SUFFIX_RANK = -100  # a pre-release suffix sorts below every other continuation
_END_TOKEN: Token = (-_END, 1, 0)

_NUMBER = re.compile(r"[0-9]+")
_WORD = re.compile(r"[a-z]*")
_HASH = re.compile(r"[0-9a-fA-F]+")


def _invalid(text: str, why: str) -> InvalidVersion:
    return InvalidVersion(f"not an Alpine version: {text[:60]!r} ({why})")


def _number(text: str, at: int) -> tuple[str, int]:
    found = _NUMBER.match(text, at)
    if found is None:
        raise _invalid(text, f"a number is missing at {text[at:][:20]!r}")
    return found.group(), found.end()


def tokens(text: str) -> list[tuple[int, int | str]]:
    """(kind, value) of every token, the digits of numbers kept as text."""
    digits, at = _number(text, 0)
    found: list[tuple[int, int | str]] = [(_INITIAL_DIGIT, digits)]
    kind = _INITIAL_DIGIT
    while at < len(text):
        char = text[at]
        value: int | str
        if "a" <= char <= "z" and kind <= _DIGIT:
            kind, value, at = _LETTER, ord(char), at + 1
        elif char == "." and kind <= _DIGIT:
            kind = _DIGIT
            value, at = _number(text, at + 1)
        elif "0" <= char <= "9" and kind == _SUFFIX:
            kind = _SUFFIX_NO
            value, at = _number(text, at)
        elif char == "_" and kind <= _SUFFIX_NO:
            word = _WORD.match(text, at + 1)
            assert word is not None  # [a-z]* always matches
            if word.group() not in _SUFFIX_VALUE:
                raise _invalid(text, f"unknown suffix {word.group()!r}")
            kind, value, at = _SUFFIX, _SUFFIX_VALUE[word.group()], word.end()
        elif char == "~" and kind < _COMMIT_HASH:
            commit = _HASH.match(text, at + 1)
            if commit is None:
                raise _invalid(text, "'~' must be followed by a commit hash")
            kind, value, at = _COMMIT_HASH, commit.group(), commit.end()
        elif text.startswith("-r", at) and kind < _REVISION_NO:
            kind = _REVISION_NO
            value, at = _number(text, at + 2)
        else:
            raise _invalid(text, f"unexpected {text[at:][:20]!r}")
        found.append((kind, value))
    return found


def _token_key(kind: int, value: int | str) -> Token:
    if kind == _SUFFIX:
        assert isinstance(value, int)
        return (_PRE_SUFFIX_RANK if value < 0 else -kind), 1, value
    if kind == _COMMIT_HASH or (kind == _DIGIT and str(value).startswith("0")):
        return -kind, 0, str(value)  # compared as text
    if isinstance(value, str):
        return -kind, 1, int(value)
    return -kind, 1, value


class ApkOrdering:
    """apk-tools' order, under the name of one OSV ecosystem that uses it."""

    def __init__(self, name: str) -> None:
        self.name = name

    def key(self, text: str) -> ApkKey:
        try:
            return (*(_token_key(kind, value) for kind, value in tokens(text)), _END_TOKEN)
        except ValueError:  # int() refusing a number with thousands of digits
            raise _invalid(text, "a number is too large") from None

    def is_prerelease(self, text: str) -> bool:
        """Always False: what the distribution ships is a release of the distribution,
        whatever its upstream calls it (``1.0_rc1-r0`` is a valid upgrade target)."""
        tokens(text)
        return False


ALPINE = ApkOrdering("Alpine")
WOLFI = ApkOrdering("Wolfi")
CHAINGUARD = ApkOrdering("Chainguard")
