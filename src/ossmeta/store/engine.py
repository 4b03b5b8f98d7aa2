"""Opening the store: which database, how (create, write or read), migrating it."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal
from urllib.parse import quote

from sqlalchemy import URL, Engine, create_engine, event, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError, OperationalError

from ossmeta.errors import StoreError, UsageError
from ossmeta.store.failures import lock_timeout

#: ``create`` (``db upgrade``), ``write`` (imports, sync, curation) or ``read`` (reports).
Access = Literal["create", "write", "read"]

MIGRATIONS = Path(__file__).parent / "migrations"
#: The newest migration. Every command checks the store against it; reading it from here
#: rather than from Alembic keeps Alembic (a fifth of a second to import) out of commands
#: that do not migrate. A test checks it is Alembic's head.
HEAD_REVISION = "0019"


def database_url(explicit: str | None = None) -> str:
    """``--db`` wins, then ``OSSMETA_DATABASE_URL``, then a SQLite file under
    ``OSSMETA_HOME`` (default ``./.ossmeta``)."""
    if explicit:
        return explicit
    from_env = os.environ.get("OSSMETA_DATABASE_URL")
    if from_env:
        return from_env
    home = Path(os.environ.get("OSSMETA_HOME", ".ossmeta"))
    return f"sqlite:///{home / 'ossmeta.db'}"


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _sqlite_read_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # No journal_mode here: WAL is a property of the file already, and setting it writes.
    # No query_only either: lookups fill temporary tables, which a read-only file allows.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _postgres_lock_timeout(seconds: float) -> Callable[[Any, Any], None]:
    """Every session waits at most ``seconds`` for a lock; committed, so that the first
    transaction's rollback does not undo the setting."""

    def apply(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute(f"SET lock_timeout = {int(seconds * 1000)}")
        cursor.close()
        dbapi_connection.commit()

    return apply


def _alembic_config(engine: Engine) -> Any:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    return config


@dataclass(frozen=True)
class Store:
    """An opened store: the engine plus what the migrations say about it."""

    engine: Engine
    url: str

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def current_revision(self) -> str | None:
        with self.engine.connect() as connection:
            if not inspect(connection).has_table("alembic_version"):
                return None
            revision = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
            return str(revision) if revision is not None else None

    def head_revision(self) -> str:
        return HEAD_REVISION

    def upgrade(self) -> None:
        """Create the schema or migrate it to the newest revision."""
        from alembic import command

        try:
            command.upgrade(_alembic_config(self.engine), "head")
        except (OperationalError, DBAPIError) as error:
            raise StoreError(f"cannot migrate {self.display_url}: {_first_line(error)}") from None

    def ensure_current(self) -> None:
        """Refuse a store that has no schema yet or needs ``ossmeta db upgrade``; never
        creates anything (only ``db upgrade`` does)."""
        try:
            current = self.current_revision()
        except (OperationalError, DBAPIError) as error:
            raise StoreError(f"cannot open {self.display_url}: {_first_line(error)}") from None
        if current is None:
            raise StoreError(
                f"no store at {self.display_url} (no schema); run 'ossmeta db upgrade' to create it"
            )
        if current != self.head_revision():
            raise StoreError(
                f"the store at {self.display_url} is at revision {current}; "
                "run 'ossmeta db upgrade'"
            )

    @property
    def display_url(self) -> str:
        return make_url(self.url).render_as_string(hide_password=True)

    def dispose(self) -> None:
        self.engine.dispose()


def _first_line(error: Exception) -> str:
    text = str(getattr(error, "orig", None) or error)
    return text.strip().splitlines()[0] if text.strip() else type(error).__name__


def open_store(
    url: str | None = None, *, access: Access = "create", pool_size: int | None = None
) -> Store:
    """Open (but do not migrate) the store at ``url`` (see ``database_url``).

    ``create`` may create a SQLite file and its directory (``db upgrade``); ``write`` and
    ``read`` need the file to exist, and ``read`` opens it read-only, so a read works on a
    store in a directory the user cannot write. PostgreSQL sessions wait at most
    ``OSSMETA_LOCK_TIMEOUT`` seconds for a lock, SQLite connections as long for a writer.
    ``pool_size``: PostgreSQL connections kept open for reuse (a server's threads), with as
    many again allowed for bursts."""
    resolved = database_url(url)
    try:
        parsed = make_url(resolved)
    except ArgumentError:
        raise UsageError(f"not a database URL: {resolved!r}") from None
    timeout = lock_timeout()
    try:
        if parsed.get_backend_name() == "sqlite":
            engine = _sqlite_engine(parsed, access, timeout)
        elif pool_size is not None:
            engine = create_engine(parsed, pool_size=pool_size, max_overflow=pool_size)
        else:
            engine = create_engine(parsed)
    except (NoSuchModuleError, ArgumentError, ImportError) as error:
        raise UsageError(f"unsupported database URL {resolved!r}: {error}") from None
    if engine.dialect.name == "postgresql":
        event.listen(engine, "connect", _postgres_lock_timeout(timeout))
    return Store(engine, resolved)


def _sqlite_engine(parsed: URL, access: Access, timeout: float) -> Engine:
    database = parsed.database
    if database in (None, "", ":memory:"):
        engine = create_engine(parsed)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    path = Path(str(database))
    if access == "create":
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise StoreError(f"cannot create {path.parent}: {error.strerror}") from None
        engine = create_engine(parsed, connect_args={"timeout": timeout})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    if not path.is_file():
        raise StoreError(f"no store at {path}; run 'ossmeta db upgrade' to create it")
    uri = _sqlite_uri(path, read_only=access == "read")

    def connect() -> sqlite3.Connection:
        return sqlite3.connect(uri, uri=True, timeout=timeout, check_same_thread=False)

    engine = create_engine(parsed, creator=connect)
    event.listen(engine, "connect", _sqlite_pragmas if access == "write" else _sqlite_read_pragmas)
    return engine


def _sqlite_uri(path: Path, *, read_only: bool) -> str:
    """A ``file:`` URI that never creates the file. Read-only in a directory nobody may write
    and with no write-ahead log beside it, the file is the whole store: ``immutable`` lets
    SQLite read it without the shared-memory file it could not create there."""
    location = quote(str(path.resolve()))
    if not read_only:
        return f"file:{location}?mode=rw"
    wal = path.with_name(path.name + "-wal")
    if not os.access(path.parent, os.W_OK) and not wal.exists():
        return f"file:{location}?mode=ro&immutable=1"
    return f"file:{location}?mode=ro"
