"""A program year in the selection phase with a current matching, for the admin's,
community contact's and university admin's routes and pages: the tables of
``tests/program/test_program_selection`` imported phase by phase, the rankings in, the
pair-optimal matching run. Community ``Acme`` has names in English and Chinese; university
``U1`` has none (its key stands for its name).

The pair-optimal matching gives P2 T1 and P1 T2 and leaves P3 unmatched; taking T2 away
from P1 leaves P1 and P3 blocking with T2 (case 3a), an edit that needs an override."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from ossmeta.service.program import advance_phase, create_year, read_config
from ossmeta.service.program_access import Member, add_program_member
from ossmeta.service.program_imports import import_kind
from ossmeta.service.program_selection import run_matching
from ossmeta.store import Store
from ossmeta.store.program import find_year
from ossmeta.store.program_members import Named, replace_communities
from ossmeta.store.tenancy import global_transaction
from tests.program.test_program_selection import CONFIG, tables

YEAR = "2027"
NOW = datetime(2026, 6, 1, tzinfo=UTC)  # before every deadline of CONFIG
OPERATOR = "cli:world"


def selection_year(store: Store, where: Path, *members: Member) -> None:
    """The year ``YEAR`` in its selection phase with a matching; ``members`` added."""
    with global_transaction(store) as connection:
        exists = find_year(connection, YEAR) is not None
    if not exists:
        config = where / "program.toml"
        config.write_text(CONFIG, encoding="utf-8")
        create_year(store, YEAR, read_config(config), OPERATOR, NOW)
        files = tables(where)
        steps = [("projects", "mentors", "tasks"), (), ("people",), ("applications",)]
        for kinds in steps:
            for kind in kinds:
                import_kind(store, YEAR, kind, files[kind], OPERATOR, NOW)
            advance_phase(store, YEAR, OPERATOR, NOW)
        import_kind(store, YEAR, "rankings", files["rankings"], OPERATOR, NOW)
        with global_transaction(store) as connection:
            year = find_year(connection, YEAR)
            assert year is not None
            replace_communities(connection, year.id, [Named("Acme", "Acme Labs", "极客实验室")])
        run_matching(store, YEAR, mentor_optimal=False, actor=OPERATOR, now=NOW)
    for member in members:
        add_program_member(store, YEAR, member, OPERATOR, NOW)


def seed_program_admin(store: Store, tenant: str, values: dict[str, str]) -> None:
    """``populate``'s part for these routes, after ``world_program.seed_program``: in the
    first tenant's year (``values`` names it) a community contact and a university admin
    join the tenant's admin, so the member list has pages; the path values that name the
    community, the university and a table. A later tenant gets none (see world_program)."""
    from tests.api.world import MISSING  # here, not at the top: world imports this module

    MISSING.setdefault("community", "no-such-community")
    MISSING.update(university="no-such-university", kind="tasks")
    if values.get("year") == YEAR and "university" not in values:
        community = values.setdefault("community", "Acme")  # the awards' world names one
        for member in (
            Member(f"{tenant}-contact", "community", community),
            Member(f"{tenant}-registrar", "university", "U1"),
        ):
            add_program_member(store, YEAR, member, OPERATOR, NOW)
        values.update(university="U1", kind="tasks")
