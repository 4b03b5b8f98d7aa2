"""What the API is configured with."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "DEFAULT_BODY_TIMEOUT",
    "DEFAULT_CACHE_BYTES",
    "DEFAULT_CACHE_ENTRIES",
    "DEFAULT_MAX_BODY",
    "DEFAULT_THREADS",
    "GZIP_MIN_SIZE",
    "ApiSettings",
]

#: Request bodies above this are refused with 413 (an SBOM of tens of thousands of
#: components fits well below it).
DEFAULT_MAX_BODY = 32 * 1024 * 1024
#: Seconds a request body may stall (no new bytes) before the request is answered 408.
DEFAULT_BODY_TIMEOUT = 30.0
#: Rendered package documents kept between requests, and the bytes their bodies (plain and
#: gzipped) may take (the parsed documents kept beside them take a few times as much).
DEFAULT_CACHE_ENTRIES = 4096
DEFAULT_CACHE_BYTES = 32 * 1024 * 1024
#: Answers at least this long are gzip-compressed for clients that accept it.
GZIP_MIN_SIZE = 1024
#: Threads that run the routes (each with a store connection kept open).
DEFAULT_THREADS = 24


@dataclass(frozen=True)
class ApiSettings:
    #: The store, as ``--db`` takes it (None: ``OSSMETA_DATABASE_URL``, else the SQLite
    #: file under ``OSSMETA_HOME``).
    database_url: str | None = None
    max_body_bytes: int = DEFAULT_MAX_BODY
    body_timeout: float = DEFAULT_BODY_TIMEOUT
    package_cache_entries: int = DEFAULT_CACHE_ENTRIES
    package_cache_bytes: int = DEFAULT_CACHE_BYTES
    threads: int = DEFAULT_THREADS
