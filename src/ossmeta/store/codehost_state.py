"""What a code-host collection keeps between runs of one repository.

- The since-cursor (``sync_cursors``): the server's time when the last complete collection
  began. Its key column holds 32 characters, fewer than ``codehost:`` and a repository
  key need, so the key is ``codehost:`` and the first 23 hex digits of the key's sha256.
- The validators of each list's first page and of the repository document
  (``fetch_validators``, by URL).
- The repository document itself, as a raw record (``raw_records`` / ``current_records``,
  source ``codehost``), so a 304 on it still gives the repository's id and owner.
- ``repo_facts``: archived and default branch as the host states them.

``CodehostState`` is the interface for callers outside the store: a collection reads its
bookkeeping in one snapshot and commits its cursor, validators and facts together, in one
transaction, after its events are written.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select

from ossmeta.model import RawRecord
from ossmeta.store.engine import Store
from ossmeta.store.schema import repo_facts
from ossmeta.store.sync_state import (
    current_payload,
    get_cursor,
    get_validators,
    put_records,
    put_validators,
    set_cursor,
    upsert,
)

__all__ = [
    "CURSOR_PREFIX",
    "CodehostState",
    "RepoFacts",
    "Stored",
    "cursor_key",
    "load",
    "save",
]

CURSOR_PREFIX = "codehost:"
_CURSOR_WIDTH = 32  # sync_cursors.registry

Validators = dict[str, tuple[str | None, str | None]]


def cursor_key(repo_key: str) -> str:
    digest = hashlib.sha256(repo_key.encode("utf-8")).hexdigest()
    return CURSOR_PREFIX + digest[: _CURSOR_WIDTH - len(CURSOR_PREFIX)]


@dataclass(frozen=True, slots=True)
class Stored:
    cursor: str | None  # ISO 8601 UTC, e.g. 2024-03-06T00:00:00Z
    validators: Validators
    repo_payload: dict[str, Any] | None


@dataclass(frozen=True, slots=True)
class RepoFacts:
    archived: bool
    default_branch: str | None


def load(
    connection: Connection, source: str, kind: str, repo_key: str, urls: Sequence[str]
) -> Stored:
    return Stored(
        cursor=get_cursor(connection, cursor_key(repo_key)),
        validators=get_validators(connection, list(urls)),
        repo_payload=current_payload(connection, source, kind, repo_key),
    )


def save(
    connection: Connection,
    *,
    repo_key: str,
    cursor: str,
    validators: Mapping[str, tuple[str | None, str | None]],
    repo_record: RawRecord | None,
    facts: RepoFacts,
    now: datetime,
) -> None:
    """Store one collection's bookkeeping; ``repo_record`` None keeps the stored one (the
    repository document answered 304)."""
    set_cursor(connection, cursor_key(repo_key), cursor, now)
    put_validators(connection, validators, now)
    if repo_record is not None:
        put_records(connection, [(repo_key, repo_record)], now)
    upsert(
        connection,
        repo_facts,
        [
            {
                "repo": repo_key,
                "archived": facts.archived,
                "default_branch": facts.default_branch,
                "fetched_at": now,
            }
        ],
    )


class CodehostState:
    """The code-host collection's bookkeeping, per repository (see the module docstring)."""

    def __init__(self, store: Store) -> None:
        self._engine = store.engine

    def load(self, source: str, kind: str, repo_key: str, urls: Sequence[str]) -> Stored:
        with self._engine.connect() as connection:
            return load(connection, source, kind, repo_key, urls)

    def save(
        self,
        *,
        repo_key: str,
        cursor: str,
        validators: Mapping[str, tuple[str | None, str | None]],
        repo_record: RawRecord | None,
        facts: RepoFacts,
        now: datetime,
    ) -> None:
        """One collection's bookkeeping, in one transaction."""
        with self._engine.begin() as connection:
            save(
                connection,
                repo_key=repo_key,
                cursor=cursor,
                validators=validators,
                repo_record=repo_record,
                facts=facts,
                now=now,
            )

    def facts(self) -> dict[str, RepoFacts]:
        """Every repository's facts as last collected, by repository key."""
        query = select(repo_facts.c.repo, repo_facts.c.archived, repo_facts.c.default_branch)
        with self._engine.connect() as connection:
            rows = connection.execute(query).all()
        return {str(repo): RepoFacts(bool(archived), branch) for repo, archived, branch in rows}
