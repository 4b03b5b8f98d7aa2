"""Only ``ossmeta.store`` speaks SQL: outside it no module imports SQLAlchemy or the table
definitions, or opens a connection or transaction on the store's engine. Each aggregate's
interface in ``ossmeta.store`` owns its SQL and its transactions."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "ossmeta"
STORE = PACKAGE / "store"
# The CLI maps the database driver's errors to one line and an exit code.
ALLOWED_IMPORTS = {("surfaces/cli/app.py", "sqlalchemy.exc")}
ENGINE_CALLS = {"begin", "connect", "raw_connection", "execute"}


def _imported(node: ast.AST) -> list[str]:
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
        return [node.module, *(f"{node.module}.{alias.name}" for alias in node.names)]
    return []


def _allowed(where: str, name: str) -> bool:
    return any(
        where == module and (name == allowed or name.startswith(allowed + "."))
        for module, allowed in ALLOWED_IMPORTS
    )


def _trespasses(where: str, source: str) -> list[str]:
    """What the module at ``where`` (relative to the package) does that only the store may."""
    found: list[str] = []
    for node in ast.walk(ast.parse(source, where)):
        for name in _imported(node):
            sql = name == "sqlalchemy" or name.startswith("sqlalchemy.")
            if (sql and not _allowed(where, name)) or name == "ossmeta.store.schema":
                found.append(f"{where}:{node.lineno}: imports {name}")
        if (
            isinstance(node, ast.Attribute)
            and node.attr in ENGINE_CALLS
            and isinstance(node.value, ast.Attribute)
            and node.value.attr == "engine"
        ):
            found.append(f"{where}:{node.lineno}: calls engine.{node.attr}")
    return found


def test_only_the_store_speaks_sql() -> None:
    outside = [p for p in sorted(PACKAGE.rglob("*.py")) if not p.is_relative_to(STORE)]
    assert len(outside) > 50  # the walk found the package
    found = [
        line
        for path in outside
        for line in _trespasses(path.relative_to(PACKAGE).as_posix(), path.read_text("utf-8"))
    ]
    assert found == []


def test_the_check_finds_what_it_forbids() -> None:
    source = (
        "from sqlalchemy import select\n"
        "import ossmeta.store.schema\n"
        "from sqlalchemy.exc import SQLAlchemyError\n"
        "with store.engine.begin() as c:\n"
        "    pass\n"
    )
    assert _trespasses("pipelines/x.py", source) == [
        "pipelines/x.py:1: imports sqlalchemy",
        "pipelines/x.py:1: imports sqlalchemy.select",
        "pipelines/x.py:2: imports ossmeta.store.schema",
        "pipelines/x.py:3: imports sqlalchemy.exc",
        "pipelines/x.py:3: imports sqlalchemy.exc.SQLAlchemyError",
        "pipelines/x.py:4: calls engine.begin",
    ]
    assert _trespasses("surfaces/cli/app.py", source)[2:4] == [
        "surfaces/cli/app.py:2: imports ossmeta.store.schema",
        "surfaces/cli/app.py:4: calls engine.begin",
    ]
