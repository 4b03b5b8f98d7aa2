"""What the registry collectors (npm, crates.io, Maven, PyPI) share: the ``Fetch`` /
``NotModified`` results of a conditional GET and the canonical JSON a raw record is hashed by.

A collector whose fetch result carries more (npm's dropped readmes, PyPI's last serial)
subclasses ``Fetch`` with its extra fields, so the difference stays visible in its own
module; each collector re-exports these names, so they import from where they always did.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import orjson

from ossmeta.model import Provenance, RawRecord
from ossmeta.sources.http import Fetched

__all__ = ["Fetch", "NotModified", "canonical", "not_modified", "raw_record"]


@dataclass(frozen=True, slots=True)
class Fetch:
    """A record fetched, with the validators for the next conditional GET."""

    record: RawRecord
    etag: str | None
    last_modified: str | None


@dataclass(frozen=True, slots=True)
class NotModified:
    """The server answered 304: what the caller holds for ``url`` is still current."""

    url: str
    etag: str | None
    last_modified: str | None


def not_modified(fetched: Fetched) -> NotModified:
    """The ``NotModified`` of a 304 answer, with the validators it came back with."""
    return NotModified(fetched.url, fetched.etag, fetched.last_modified)


def canonical(payload: dict[str, object]) -> tuple[str, str]:
    """(sha256 hex, canonical JSON): sorted keys, compact, UTF-8, so the same document
    served again with other spacing or key order hashes the same and a re-sync of an
    unchanged document is a no-op. Data JSON cannot hold (an integer beyond 64 bits)
    raises ``orjson.JSONEncodeError``."""
    data = orjson.dumps(payload, option=orjson.OPT_SORT_KEYS)
    return hashlib.sha256(data).hexdigest(), data.decode("utf-8")


def raw_record(
    source_id: str,
    kind: str,
    external_id: str,
    modified: str | None,
    payload: dict[str, object],
    url: str,
    *,
    hashed: tuple[str, str] | None = None,
) -> RawRecord:
    """The raw record of ``payload`` fetched from ``url``, its provenance hashing the
    canonical JSON; ``hashed`` is ``canonical(payload)`` when the caller already has it."""
    digest, text = hashed if hashed is not None else canonical(payload)
    return RawRecord(
        kind=kind,
        external_id=external_id,
        modified=modified,
        payload=payload,
        provenance=Provenance(source_id, url, digest),
        canonical_json=text,
    )
