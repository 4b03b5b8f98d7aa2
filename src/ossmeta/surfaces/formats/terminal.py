"""Untrusted text made safe to print on a terminal.

Advisory summaries, registry descriptions, maintainer names and curation reasons come from
strangers. Printed raw, an ``ESC ] 0 ; … BEL`` retitles the window, ``ESC [ 2 J`` clears it,
a carriage return overwrites what was just shown, an 8-bit CSI (U+009B) does what
``ESC [`` does on many terminals, and a right-to-left override reorders what the reader
sees. :func:`terminal_safe` shows each such character as a visible escape (``\\x1b``,
``\\u202e``) instead, so nothing is hidden and nothing is executed; printable text,
including every script and emoji, passes unchanged. :func:`json_safe` does the same for
JSON output, where encoders escape the C0 controls but leave DEL, the C1 controls and the
bidirectional controls raw: it writes those as ``\\uXXXX``, which every parser reads back
as the same character.
"""

from __future__ import annotations

import re
from functools import cache

# C0 controls but tab and newline, DEL, C1 controls, the line and paragraph separators,
# and the bidirectional embeddings, overrides and isolates.
_UNSAFE = "[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]"
_UNSAFE_ONE_LINE = "[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]"


# What JSON leaves raw that a terminal may act on: DEL, the C1 controls (U+009B is a CSI),
# the line and paragraph separators and the bidirectional controls. C0 controls are always
# escaped by JSON encoders.
_JSON_UNSAFE = "[\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]"


@cache
def _compiled(pattern: str) -> re.Pattern[str]:
    """Compiled when first used: each costs every command's start (``--help`` included)
    about a millisecond, and most print neither untrusted text nor JSON."""
    return re.compile(pattern)


def _visible(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def _json_escape(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group()):04x}"


def json_safe(document: str) -> str:
    """JSON text with the characters a terminal may act on written as ``\\uXXXX``
    escapes: the same document to any parser, inert on a terminal. (They can only occur
    inside strings, where the escape means the same character.)"""
    if document.isascii() and "\x7f" not in document:
        return document  # the usual report: nothing to escape, and isascii is O(1)
    return _compiled(_JSON_UNSAFE).sub(_json_escape, document)


def terminal_safe(text: str, *, one_line: bool = False) -> str:
    """``text`` with every control character shown as a visible escape. Tabs and line
    breaks are kept unless ``one_line``, where they are escaped too (a name, an id, a
    table cell that must stay on its row)."""
    return _compiled(_UNSAFE_ONE_LINE if one_line else _UNSAFE).sub(_visible, text)
