"""Opening the store: which database, creating and migrating it."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError, OperationalError

from ossmeta.errors import StoreError

MIGRATIONS = Path(__file__).parent / "migrations"
#: The newest migration. Every command checks the store against it; reading it from here
#: rather than from Alembic keeps Alembic (a fifth of a second to import) out of commands
#: that do not migrate. A test checks it is Alembic's head.
HEAD_REVISION = "0004"


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
