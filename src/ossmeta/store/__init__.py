"""The store: relational metadata through SQLAlchemy, SQLite by default, PostgreSQL in
production; Alembic migrations from the first table on."""

from ossmeta.store.engine import Access, Store, database_url, open_store
from ossmeta.store.failures import store_failure

__all__ = ["Access", "Store", "database_url", "open_store", "store_failure"]
