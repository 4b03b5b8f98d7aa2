"""What the API is configured with."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["DEFAULT_MAX_BODY", "ApiSettings"]

#: Request bodies above this are refused with 413 (an SBOM of tens of thousands of
#: components fits well below it).
DEFAULT_MAX_BODY = 32 * 1024 * 1024


@dataclass(frozen=True)
class ApiSettings:
    #: The store, as ``--db`` takes it (None: ``OSSMETA_DATABASE_URL``, else the SQLite
    #: file under ``OSSMETA_HOME``).
    database_url: str | None = None
    max_body_bytes: int = DEFAULT_MAX_BODY
