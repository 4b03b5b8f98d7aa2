"""RPM package versions: ``[epoch:]version[-release]`` ordered as rpm's ``rpmvercmp``.

The epoch (absent means 0) compares as a number, then the version, then the release
(absent compares as empty). ``rpmvercmp`` splits each into runs of ASCII letters and runs
of ASCII digits; every other character only separates runs, except ``~`` and ``^``.
Position by position: ``~`` sorts below everything, the end of the text next, then
``^``, then a letter run, then a digit run; letter runs compare bytewise and digit runs
as numbers. So ``1.0~rc1`` < ``1.0`` < ``1.0^git1`` < ``1.0a`` < ``1.0.1``, and ``1.0``
equals ``1_0`` (separators do not count).

The key writes each position as a small tuple whose first element is that rank, which
makes Python's tuple order rpm's order.
"""

from __future__ import annotations

import re

from ossmeta.versions import InvalidVersion

Token = tuple[int, int, str] | tuple[int]
Part = tuple[Token, ...]
RpmKey = tuple[int, Part, Part]

_TILDE: Token = (0,)
_END: Token = (1,)
_CARET: Token = (2,)
_LETTERS = 3
_DIGITS = 4
_TOKENS = re.compile(r"[A-Za-z]+|[0-9]+|[~^]")
_EPOCH = re.compile(r"([0-9]+):")
_PRINTABLE = re.compile(r"[!-~]+")  # printable ASCII without spaces


def _part_key(text: str) -> Part:
    out: list[Token] = []
    for token in _TOKENS.findall(text):
        if token == "~":
            out.append(_TILDE)
        elif token == "^":
            out.append(_CARET)
        elif token[0].isdigit():
            digits = token.lstrip("0")
            out.append((_DIGITS, len(digits), digits))  # more digits, larger number
        else:
            out.append((_LETTERS, 0, token))
    out.append(_END)
    return tuple(out)


def split_evr(text: str) -> tuple[int, str, str]:
    """(epoch, version, release); ``InvalidVersion`` for empty parts or odd characters."""
    evr = text.strip(" \t\r\n")
    if not _PRINTABLE.fullmatch(evr):
        raise InvalidVersion(f"not an RPM version: {text[:60]!r} (empty or not printable ASCII)")
    epoch = 0
    found = _EPOCH.match(evr)
    if found:
        if len(found.group(1)) > 10:
            raise InvalidVersion(f"not an RPM version: {text[:60]!r} (the epoch is too big)")
        epoch, evr = int(found.group(1)), evr[found.end() :]
    version, hyphen, release = evr.rpartition("-")
    if not hyphen:
        version, release = evr, ""
    if not version or (hyphen and not release):
        raise InvalidVersion(f"not an RPM version: {text[:60]!r} (empty version or release)")
    return epoch, version, release


class RpmOrdering:
    """rpm's order, under the name of one OSV ecosystem that uses it."""

    def __init__(self, name: str) -> None:
        self.name = name

    def key(self, text: str) -> RpmKey:
        epoch, version, release = split_evr(text)
        return epoch, _part_key(version), _part_key(release)

    def is_prerelease(self, text: str) -> bool:
        """Always False: what the distribution ships is a release of the distribution,
        whatever its upstream calls it (``1.0~rc1-1.el9`` is a valid upgrade target)."""
        split_evr(text)
        return False


RED_HAT = RpmOrdering("Red Hat")
ROCKY_LINUX = RpmOrdering("Rocky Linux")
ALMALINUX = RpmOrdering("AlmaLinux")
OPENSUSE = RpmOrdering("openSUSE")
SUSE = RpmOrdering("SUSE")
MAGEIA = RpmOrdering("Mageia")
