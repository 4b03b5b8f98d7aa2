"""Identity curations in the store (``identity_overrides``): add, list, remove.

Curations are never derived, so nothing rebuilds them; they are applied on read by
``normalizers.identities.resolve_identities``, in id order. Every function takes the caller's
connection (the caller's transaction decides what is committed).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, delete, insert, select

from ossmeta.errors import InputError
from ossmeta.normalizers.identities import IdentityOverride, check_override, parse_identity
from ossmeta.store.engine import Store
from ossmeta.store.schema import identity_overrides
from ossmeta.times import as_utc

__all__ = ["add_override", "get_override", "list_overrides", "remove_override"]


def _of(row: Any) -> IdentityOverride:
    return IdentityOverride(
        id=row.id,
        action=row.action,
        identity=row.identity,
        other=row.other,
        reason=row.reason,
        author=row.author,
        created_at=as_utc(row.created_at),
    )


def _text(what: str, value: str, limit: int, *, one_line: bool) -> str:
    text = value.strip()
    if not text:
        raise InputError(f"an identity curation needs {what}")
    if len(text) > limit:
        raise InputError(f"{what} is longer than {limit} characters")
    allowed = "" if one_line else "\n\t"
    if any(not (c.isprintable() or c in allowed) for c in text):
        raise InputError(f"{what} {text!r} must be {'one line of ' if one_line else ''}text")
    return text


def add_override(
    connection: Connection,
    action: str,
    identity: str,
    other: str | None = None,
    *,
    reason: str,
    author: str,
    now: datetime | None = None,
) -> int:
    """Store a curation (identities in canonical form) and return its id; ``InputError`` on
    an unknown action, a malformed identity, or an empty reason or author."""
    first, second = check_override(action, identity, other)
    row = {
        "action": action,
        "identity": first,
        "other": second,
        "reason": _text("a reason", reason, 10_000, one_line=False),
        "author": _text("an author", author, 255, one_line=True),
        "created_at": now or datetime.now(UTC),
    }
    new_id: int = connection.execute(
        insert(identity_overrides).returning(identity_overrides.c.id), row
    ).scalar_one()
    return new_id


def get_override(connection: Connection, override_id: int) -> IdentityOverride | None:
    query = select(identity_overrides).where(identity_overrides.c.id == override_id)
    row = connection.execute(query).first()
    return None if row is None else _of(row)


def list_overrides(
    connection: Connection, identity: str | None = None
) -> tuple[IdentityOverride, ...]:
    """Curations oldest first; with ``identity``, only those that name it."""
    query = select(identity_overrides).order_by(identity_overrides.c.id)
    if identity is not None:
        wanted = parse_identity(identity)
        query = query.where(
            (identity_overrides.c.identity == wanted) | (identity_overrides.c.other == wanted)
        )
    return tuple(_of(row) for row in connection.execute(query))


def remove_override(connection: Connection, override_id: int) -> IdentityOverride:
    """Delete one curation and return what it was; ``InputError`` when there is none."""
    found = get_override(connection, override_id)
    if found is None:
        raise InputError(f"no identity curation #{override_id}")
    connection.execute(delete(identity_overrides).where(identity_overrides.c.id == override_id))
    return found


class IdentityOverrides:
    """Identity curations (merge, split, bot, human); each call its own transaction."""

    def __init__(self, store: Store) -> None:
        self._engine = store.engine

    def add(
        self, action: str, identity: str, other: str | None = None, *, reason: str, author: str
    ) -> int:
        with self._engine.begin() as connection:
            return add_override(connection, action, identity, other, reason=reason, author=author)

    def find(self, identity: str | None = None) -> tuple[IdentityOverride, ...]:
        """Oldest first (they apply in this order); with ``identity``, those naming it."""
        with self._engine.connect() as connection:
            return list_overrides(connection, identity)

    def remove(self, override_id: int) -> IdentityOverride:
        with self._engine.begin() as connection:
            return remove_override(connection, override_id)
