"""What the PyPI and npm package normalizers share: reading a payload field by field with
one clear error per malformed record, timestamps, file hashes, people, licences, ordering.

A registry payload is read strictly: a field that is absent or null is simply not there,
but a field that is present with the wrong type (``"releases": []``, a number where a
timestamp belongs) makes the whole record malformed. It raises ``NormalizeError`` naming
the record (kind and id) and the field, in one line, so a sync can record the failure
for that package and go on; guessing at a half-understood record would store wrong data.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, NoReturn

from ossmeta.errors import NormalizeError
from ossmeta.model import LicenseValue, PackageStatus, PackageVersion
from ossmeta.normalizers.licensemap import PLACEHOLDERS, phrase_key
from ossmeta.normalizers.licenses import NormalizedLicense
from ossmeta.normalizers.repos import canonical_repo_url
from ossmeta.versions import try_version_key

_HEX = re.compile(r"[0-9a-fA-F]+\Z")
_FRACTION = re.compile(r"(\.\d{6})\d+")  # Python parses at most microseconds
#: Digest algorithms, strongest first; the order hashes are listed in.
_ALGORITHMS = ("sha512", "sha384", "sha256", "blake2b_256", "sha1", "md5")


class Reader:
    """Typed access to one raw record's payload; every failure names the record."""

    def __init__(self, kind: str, record_id: object) -> None:
        # The id is upstream text: one line, bounded, so the error stays one line.
        shown = " ".join(record_id.split())[:120] if isinstance(record_id, str) else ""
        self.where = f"{kind} {shown or '?'}"

    def fail(self, message: str) -> NoReturn:
        raise NormalizeError(message, path=self.where)

    def mapping(self, value: object, what: str) -> dict[str, Any]:
        """An object; None (absent or null) reads as empty."""
        if value is None:
            return {}
        if isinstance(value, dict):
            return value
        if isinstance(value, Mapping):  # a caller's mapping of records, not a payload
            return dict(value)
        self.fail(f"{what} must be an object, not {type(value).__name__}")

    def items(self, value: object, what: str) -> list[Any]:
        """A list; None reads as empty."""
        if value is None:
            return []
        if not isinstance(value, list):
            self.fail(f"{what} must be a list, not {type(value).__name__}")
        return value

    def text(self, value: object, what: str) -> str | None:
        """A string, stripped; None when absent or blank."""
        if value is None:
            return None
        if not isinstance(value, str):
            self.fail(f"{what} must be a string, not {type(value).__name__}")
        return value.strip() or None

    def texts(self, value: object, what: str) -> list[str]:
        """A list of strings, blanks dropped."""
        found = [self.text(item, f"{what}[{n}]") for n, item in enumerate(self.items(value, what))]
        return [item for item in found if item is not None]

    def flag(self, value: object, what: str) -> bool:
        if value is None:
            return False
        if not isinstance(value, bool):
            self.fail(f"{what} must be true or false, not {type(value).__name__}")
        return value

    def timestamp(self, value: object, what: str) -> datetime | None:
        """An ISO 8601 / RFC 3339 time; one without a zone is UTC (PyPI's ``upload_time``)."""
        text = self.text(value, what)
        if text is None:
            return None
        try:
            parsed = datetime.fromisoformat(_FRACTION.sub(r"\1", text))
            return parsed.astimezone(UTC) if parsed.tzinfo else parsed.replace(tzinfo=UTC)
        except (ValueError, OverflowError):  # OverflowError: year 1 with an offset
            self.fail(f"{what} is not an ISO 8601 time: {text[:60]!r}")

    def hex_digest(self, algorithm: object, value: object, what: str) -> str:
        """``algorithm:hex`` for one digest given as hex (PyPI, npm ``shasum``)."""
        name = self.text(algorithm, f"{what} algorithm")
        digest = self.text(value, f"{what}.{algorithm}")
        if name is None or digest is None or not _HEX.match(digest):
            self.fail(f"{what}.{algorithm} is not a hex digest")
        return f"{name.lower()}:{digest.lower()}"

    def sri_digests(self, value: object, what: str) -> list[str]:
        """``algorithm:hex`` for each entry of a Subresource Integrity string (npm
        ``integrity``: ``sha512-<base64>``, several separated by spaces). Hex like every
        other hash, so one file's digests compare across registries."""
        text = self.text(value, what)
        found: list[str] = []
        for entry in (text or "").split():
            algorithm, dash, encoded = entry.partition("-")
            try:
                raw = base64.b64decode(encoded.partition("?")[0], validate=True)
            except (binascii.Error, ValueError):
                raw = b""
            if not dash or not algorithm.isalnum() or not raw:
                self.fail(f"{what} is not a Subresource Integrity value: {entry[:40]!r}")
            found.append(f"{algorithm.lower()}:{raw.hex()}")
        return found


def ordered_hashes(hashes: Iterable[str]) -> tuple[str, ...]:
    """Distinct ``algorithm:hex`` strings, strongest algorithm first, then by name."""

    def rank(entry: str) -> tuple[int, str]:
        algorithm = entry.partition(":")[0]
        known = algorithm in _ALGORITHMS
        return (_ALGORITHMS.index(algorithm) if known else len(_ALGORITHMS), entry)

    return tuple(sorted(set(hashes), key=rank))


def ecosystem_order(scheme: str, versions: Iterable[str]) -> list[str]:
    """Distinct versions in the ecosystem's order, oldest first; those its comparator
    cannot parse go last, in the order given (never compared as text)."""
    seen: dict[str, None] = dict.fromkeys(versions)
    parsed = [(key, v) for v in seen if (key := try_version_key(scheme, v)) is not None]
    parsed.sort(key=lambda pair: pair[0])
    unparsed = [v for v in seen if try_version_key(scheme, v) is None]
    return [v for _, v in parsed] + unparsed


def is_placeholder(raw: str) -> bool:
    """True for a declared licence that says nothing ("", "UNKNOWN", "none")."""
    return not raw.strip() or phrase_key(raw.strip()) in PLACEHOLDERS


def license_value(found: NormalizedLicense, source: str) -> LicenseValue:
    return LicenseValue(found.spdx, found.raw, found.confidence.value, source)


def pick_license(candidates: Sequence[LicenseValue]) -> LicenseValue | None:
    """The licence of a version from its declarations in order of precedence: the first
    that maps to an SPDX expression; else the first that declares something (its raw text
    and confidence kept for curation); else the first placeholder; else None.

    A lower-precedence declaration wins only when the higher one does not resolve: a
    ``license`` field holding the whole MIT text is unknown, the "MIT License" classifier
    beside it is exact, and reporting "unknown" there would hide what the author said."""
    for value in candidates:
        if value.spdx is not None:
            return value
    for value in candidates:
        if not is_placeholder(value.raw):
            return value
    return candidates[0] if candidates else None


def person(name: str | None, email: str | None) -> str | None:
    """``Name <email>``, or whichever part is given."""
    if name and email:
        return f"{name} <{email}>"
    return name or email


def distinct(values: Iterable[str | None]) -> tuple[str, ...]:
    """Non-empty values, first occurrence kept."""
    return tuple(dict.fromkeys(v for v in values if v))


def latest_of(versions: Sequence[PackageVersion], preferred: str | None) -> PackageVersion | None:
    """The registry's latest version when it names one that exists, else the newest
    version that is not yanked, else the newest."""
    for version in versions:
        if version.version == preferred:
            return version
    live = [v for v in versions if not v.yanked] or list(versions)
    return live[-1] if live else None


def first_repository(candidates: Sequence[str]) -> tuple[str | None, str | None]:
    """(canonical, raw) of the first candidate URL that is a repository; (None, the first
    candidate) when none is, so the raw text stays visible to curators."""
    for raw in candidates:
        canonical = canonical_repo_url(raw).canonical
        if canonical is not None:
            return canonical, raw
    return None, candidates[0] if candidates else None


def status_of(latest: PackageVersion | None) -> PackageStatus:
    """Removed when no version is left, deprecated when the latest version is (what an
    installer warns about), else active."""
    if latest is None:
        return PackageStatus.REMOVED
    return PackageStatus.DEPRECATED if latest.deprecated else PackageStatus.ACTIVE
