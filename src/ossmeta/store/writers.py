"""One writer at a time per aggregate: a transaction that will read, decide and write (an
import that skips what is already stored) takes the aggregate's writer lock first, so two
concurrent runs serialize instead of both deciding "new" and colliding on a unique key.

PostgreSQL: a transaction-scoped advisory lock (``pg_advisory_xact_lock``), released at
commit or rollback. SQLite: the database's own write lock, taken up front by a statement
that writes nothing, retried while another process holds it. Either waits up to ``wait``
seconds (ten minutes by default: another import is worth waiting for, unlike a lock some
idle session forgot, which ``OSSMETA_LOCK_TIMEOUT`` bounds); past that the caller learns
which aggregate is busy rather than a raw "database is locked" or "lock timeout".
"""

from __future__ import annotations

import time
import zlib
from collections.abc import Callable

from sqlalchemy import Connection, text
from sqlalchemy.exc import OperationalError

from ossmeta.errors import StoreError

#: How long a SQLite writer waits for another process's import to finish.
DEFAULT_WAIT_SECONDS = 600.0


def take_writer_lock(
    connection: Connection,
    aggregate: str,
    *,
    wait: float = DEFAULT_WAIT_SECONDS,
    waiting: Callable[[str], None] | None = None,
    clock: Callable[[], float] = time.monotonic,
) -> None:
    """Hold ``aggregate``'s writer lock until ``connection``'s transaction ends."""
    if connection.dialect.name == "postgresql":
        key = zlib.crc32(f"ossmeta:{aggregate}".encode()) - 2**31
        previous = connection.execute(text("SELECT current_setting('lock_timeout')")).scalar()
        connection.execute(
            text("SELECT set_config('lock_timeout', :wait, true)"), {"wait": f"{int(wait * 1000)}"}
        )
        try:
            # A savepoint, so that a timeout leaves the transaction usable for the rollback.
            with connection.begin_nested():
                connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})
        except OperationalError as error:
            if "lock timeout" not in str(error.orig):
                raise
            raise _busy(aggregate, wait) from None
        connection.execute(
            text("SELECT set_config('lock_timeout', :previous, true)"), {"previous": previous}
        )
        return
    if connection.dialect.name != "sqlite":
        return
    deadline = clock() + wait
    told = False
    while True:
        try:
            # Writes no row, but begins a write transaction: SQLite's one writer lock.
            connection.execute(text("UPDATE alembic_version SET version_num = version_num WHERE 0"))
            return
        except OperationalError as error:
            if "locked" not in str(error.orig):
                raise
            if clock() >= deadline:
                raise _busy(aggregate, wait) from None
            if waiting is not None and not told:
                waiting(f"waiting for another process that is writing {aggregate}")
                told = True


def _busy(aggregate: str, wait: float) -> StoreError:
    return StoreError(
        f"another process has been writing {aggregate} to the store for more than "
        f"{wait:.0f} s; try again when it has finished"
    )
