"""The identities table: every observed login and git email with its person and bot flag.

Observed identities are read from the activity Parquet with DuckDB (distinct rows only, so
Python sees one row per login/id or per repository/name/email, not one per event), curations
from the store, and both go through ``normalizers.identities.resolve_identities`` with the
shipped bot list (``ossmeta/data/bots.txt``).

Joining on it (the metrics SQL does): a GitHub login's row is ``'login:' || lower(login)``
(logins are case-insensitive, so identities keep them lowercased) and a git author's is
``'email:' || lower(author_email)``; ``person`` groups rows of one person and ``is_bot`` is
the person's. Events without an actor and empty datasets simply contribute nothing.
"""

from __future__ import annotations

from functools import lru_cache
from importlib.resources import files
from pathlib import Path
from typing import Final

import pyarrow as pa

from ossmeta.normalizers.identities import (
    Account,
    Person,
    Signature,
    parse_bot_list,
    resolve_identities,
)
from ossmeta.store import Store
from ossmeta.store.activity_files import ActivityFiles
from ossmeta.store.identities import IdentityOverrides

__all__ = [
    "IDENTITY_SCHEMA",
    "bot_logins",
    "identity_table",
    "observed_identities",
    "people",
    "shipped_bot_logins",
]

IDENTITY_SCHEMA: Final = pa.schema(
    [
        pa.field("identity", pa.string()),
        pa.field("person", pa.string()),
        pa.field("display", pa.string()),
        pa.field("is_bot", pa.bool_()),
        pa.field("rules", pa.string()),
    ]
)

# Logins of actors and of issue / pull request authors, with their account ids. A platform
# the row does not name is taken as GitHub's (the only host whose noreply emails we read).
_ACCOUNTS_SQL: Final = """
SELECT DISTINCT login, id, platform FROM (
    SELECT actor_login AS login, actor_id AS id, coalesce(platform, 'github.com') AS platform
    FROM read_parquet($files)
    UNION ALL
    SELECT issue_author_login, issue_author_id, coalesce(platform, 'github.com')
    FROM read_parquet($files)
) WHERE login IS NOT NULL AND trim(login) <> ''
"""

_SIGNATURES_SQL: Final = """
SELECT repo, name, email, count(*) AS uses FROM (
    SELECT repo, author_name AS name, author_email AS email FROM read_parquet($files)
    UNION ALL
    SELECT repo, committer_name, committer_email FROM read_parquet($files)
) GROUP BY repo, name, email
"""


@lru_cache(maxsize=1)
def shipped_bot_logins() -> frozenset[str]:
    """The bot list shipped with ossmeta (lowercase logins without ``[bot]``)."""
    text = files("ossmeta").joinpath("data", "bots.txt").read_text(encoding="utf-8")
    return parse_bot_list(text)


def observed_identities(root: Path) -> tuple[list[Account], list[Signature]]:
    """Distinct logins (with account ids) from events and git signatures from commits."""
    import duckdb

    accounts: list[Account] = []
    signatures: list[Signature] = []
    event_files = ActivityFiles(root, "events").files()
    commit_files = ActivityFiles(root, "commits").files()
    with duckdb.connect() as connection:
        if event_files:
            found = connection.execute(_ACCOUNTS_SQL, {"files": event_files}).fetchall()
            accounts = [
                Account(login, account_id, platform) for login, account_id, platform in found
            ]
        if commit_files:
            found = connection.execute(_SIGNATURES_SQL, {"files": commit_files}).fetchall()
            signatures = [
                Signature(name or "", email or "", repo or "", uses)
                for repo, name, email, uses in found
            ]
    return accounts, signatures


def people(store: Store, root: Path) -> tuple[Person, ...]:
    """Everyone the activity data shows, merged and flagged, curations applied."""
    accounts, signatures = observed_identities(root)
    overrides = IdentityOverrides(store).find()
    return resolve_identities(accounts, signatures, overrides, shipped_bot_logins())


def identity_table(store: Store, root: Path) -> pa.Table:
    """One row per identity: identity, person, display, is_bot, rules (the explanation)."""
    rows: dict[str, list[object]] = {name: [] for name in IDENTITY_SCHEMA.names}
    for person in people(store, root):
        for member in person.members:
            rules = (*member.rules, person.bot_rule) if person.bot_rule else member.rules
            rows["identity"].append(member.identity)
            rows["person"].append(person.id)
            rows["display"].append(person.display)
            rows["is_bot"].append(person.is_bot)
            rows["rules"].append("; ".join(rules))
    return pa.table(rows, schema=IDENTITY_SCHEMA)


def bot_logins(store: Store, root: Path) -> set[str]:
    """The lowercase logins (as in ``login:<login>``) of every person that is a bot."""
    return {
        member.identity.removeprefix("login:")
        for person in people(store, root)
        if person.is_bot
        for member in person.members
        if member.identity.startswith("login:")
    }
