"""Adding and listing the package indexes ossmeta serves (``ossmeta index add|list``)."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from urllib.parse import urlsplit

from ossmeta.errors import InputError
from ossmeta.store.engine import Store
from ossmeta.store.indexes import IndexDefinition, insert_index, list_indexes, load_index
from ossmeta.store.tenancy import global_transaction

__all__ = ["ECOSYSTEMS", "add_index", "index_named", "indexes"]

ECOSYSTEMS = ("pypi", "npm")
_NAME = re.compile(r"[a-z0-9][a-z0-9._-]{0,63}")


def _check(name: str, ecosystem: str, upstream: str) -> str:
    if not _NAME.fullmatch(name):
        raise InputError(
            f"index name {name!r}: use lower-case letters, digits, '.', '_' or '-' (at most 64)"
        )
    if ecosystem not in ECOSYSTEMS:
        raise InputError(f"--ecosystem {ecosystem!r}: one of {', '.join(ECOSYSTEMS)}")
    parts = urlsplit(upstream)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise InputError(f"--upstream {upstream!r}: an http:// or https:// URL")
    # One base form, so that joining a project name never depends on how it was typed.
    return upstream if upstream.endswith("/") else upstream + "/"


def add_index(
    store: Store, name: str, ecosystem: str, upstream: str, policy: str | None, actor: str
) -> IndexDefinition:
    base = _check(name, ecosystem, upstream)
    if policy is not None:
        from ossmeta.service.policy import policy_exists

        if not policy_exists(store, policy):
            raise InputError(f"--policy {policy!r}: no such policy (ossmeta policy apply FILE)")
    definition = IndexDefinition(name, ecosystem, base, policy, datetime.now(UTC), actor)
    with global_transaction(store) as tx:
        if load_index(tx, name) is not None:
            raise InputError(f"index {name!r} exists already")
        insert_index(tx, definition)
    return definition


def index_named(store: Store, name: str) -> IndexDefinition | None:
    with global_transaction(store) as tx:
        return load_index(tx, name)


def indexes(store: Store) -> list[IndexDefinition]:
    with global_transaction(store) as tx:
        return list_indexes(tx)
