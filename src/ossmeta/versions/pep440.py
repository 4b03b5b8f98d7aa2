"""PEP 440 ordering for PyPI, delegated to ``packaging`` (the reference implementation).

The key is the Version's own comparison key (``Version._key``): a tuple that compares
mostly in C, cheaper than calling ``Version.__lt__`` millions of times. Strings that are
not PEP 440 raise ``InvalidVersion``; there is no LegacyVersion fallback (packaging
dropped it, and guessing an order for such strings would be text comparison in disguise).
"""

from __future__ import annotations

from typing import Any

from packaging.version import InvalidVersion as _PackagingInvalid
from packaging.version import Version

from ossmeta.versions import InvalidVersion


def _parse(text: str) -> Version:
    try:
        return Version(text)
    except _PackagingInvalid:
        raise InvalidVersion(f"not a PEP 440 version: {text!r}") from None
    except ValueError:  # int() refusing a number with thousands of digits
        raise InvalidVersion(f"version number too large in {text!r}") from None


class Pep440Ordering:
    name = "PyPI"

    def key(self, text: str) -> Any:
        return _parse(text)._key

    def is_prerelease(self, text: str) -> bool:
        # Dev releases count as pre-releases, as in pip's and packaging's sense.
        return _parse(text).is_prerelease


PEP440 = Pep440Ordering()
