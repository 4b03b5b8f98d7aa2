"""Opening the store: which database, creating and migrating it."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError, OperationalError

from ossmeta.errors import StoreError

MIGRATIONS = Path(__file__).parent / "migrations"


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


def _alembic_config(engine: Engine) -> Config:
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
            return MigrationContext.configure(connection).get_current_revision()

    def head_revision(self) -> str | None:
        return ScriptDirectory.from_config(_alembic_config(self.engine)).get_current_head()

    def upgrade(self) -> None:
        """Create the schema or migrate it to the newest revision."""
        try:
            command.upgrade(_alembic_config(self.engine), "head")
        except (OperationalError, DBAPIError) as error:
            raise StoreError(f"cannot migrate {self.display_url}: {_first_line(error)}") from None

    def ensure_current(self) -> None:
        """Create an empty store on first use; refuse one that needs ``ossmeta db upgrade``."""
        try:
            current = self.current_revision()
        except (OperationalError, DBAPIError) as error:
            raise StoreError(f"cannot open {self.display_url}: {_first_line(error)}") from None
        if current is None:
            self.upgrade()
        elif current != self.head_revision():
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


def open_store(url: str | None = None) -> Store:
    """Open (but do not migrate) the store at ``url`` (see ``database_url``)."""
    resolved = database_url(url)
    try:
        parsed = make_url(resolved)
    except ArgumentError:
        raise StoreError(f"not a database URL: {resolved!r}") from None
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    try:
        engine = create_engine(parsed, future=True)
    except (NoSuchModuleError, ArgumentError, ImportError) as error:
        raise StoreError(f"unsupported database URL {resolved!r}: {error}") from None
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return Store(engine, resolved)
