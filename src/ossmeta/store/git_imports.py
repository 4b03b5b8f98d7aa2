"""What a git import keeps between runs, per repository: where it was imported from, the
refs it saw (ref name -> object id) and how many commits it has stored. The next import
reads only commits not reachable from those refs."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import orjson
from sqlalchemy import Connection, select

from ossmeta.errors import StoreError
from ossmeta.store.activity_files import ActivityFiles
from ossmeta.store.engine import Store
from ossmeta.store.schema import git_imports
from ossmeta.store.sync_state import upsert
from ossmeta.times import as_utc

__all__ = [
    "GitImportState",
    "GitImports",
    "count_commits",
    "get_git_import",
    "put_git_import",
]


@dataclass(frozen=True, slots=True)
class GitImportState:
    repo: str
    location: str
    heads: Mapping[str, str]  # ref name -> object id, as seen at the import
    commits: int  # commits of the repository stored after the import
    imported_at: datetime


def get_git_import(connection: Connection, repo: str) -> GitImportState | None:
    row = connection.execute(select(git_imports).where(git_imports.c.repo == repo)).first()
    if row is None:
        return None
    try:
        heads = orjson.loads(row.heads)
    except orjson.JSONDecodeError:
        heads = None
    if not isinstance(heads, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in heads.items()
    ):
        raise StoreError(f"git_imports: the heads stored for {repo} are not a JSON object")
    imported_at = as_utc(row.imported_at)
    assert imported_at is not None
    return GitImportState(row.repo, row.location, heads, int(row.commits), imported_at)


def put_git_import(connection: Connection, state: GitImportState) -> None:
    upsert(
        connection,
        git_imports,
        [
            {
                "repo": state.repo,
                "location": state.location,
                "heads": orjson.dumps(dict(sorted(state.heads.items()))).decode(),
                "commits": state.commits,
                "imported_at": state.imported_at,
            }
        ],
    )


class GitImports:
    """What each repository's last git import saw; each call its own transaction."""

    def __init__(self, store: Store) -> None:
        self._engine = store.engine

    def get(self, repo: str) -> GitImportState | None:
        with self._engine.connect() as connection:
            return get_git_import(connection, repo)

    def put(self, state: GitImportState) -> None:
        with self._engine.begin() as connection:
            put_git_import(connection, state)


def count_commits(root: Path, repo: str) -> int:
    """Commits of ``repo`` in the ``commits`` dataset (compacted: one row per commit)."""
    import duckdb

    files = ActivityFiles(root, "commits").files()
    if not files:
        return 0
    with duckdb.connect() as connection:
        found = connection.execute(
            "SELECT count(*) FROM read_parquet($files) WHERE repo = $repo",
            {"files": files, "repo": repo},
        ).fetchone()
    return int(found[0]) if found else 0
