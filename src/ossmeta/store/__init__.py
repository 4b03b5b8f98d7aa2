"""The store: relational metadata through SQLAlchemy, SQLite by default, PostgreSQL in
production; Alembic migrations from the first table on."""

from ossmeta.store.engine import Store, database_url, open_store

__all__ = ["Store", "database_url", "open_store"]
