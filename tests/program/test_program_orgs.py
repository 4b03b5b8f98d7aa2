"""Communities and universities as tables of a program year: imported in their phases,
exported in the columns import reads, and, once a year has them, the keys a project's
community and a person's university must name (refused by file and line)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from ossmeta.errors import InputError
from ossmeta.service.program import PhaseError, advance_phase, create_year, read_config
from ossmeta.service.program_imports import export_kind, import_kind
from ossmeta.store import Store
from tests.program.test_program_selection import table

NOW = datetime(2030, 1, 1, tzinfo=UTC)
COMMUNITIES = ("community_id", "name", "name_zh")
UNIVERSITIES = ("university_id", "name", "name_zh")
PROJECTS = ("project_id", "community", "repository")
PEOPLE = ("role", "person_id", "university")


def _year(store: Store) -> None:
    create_year(store, "y", read_config(None), "admin", NOW)


def test_communities_and_universities_are_imported_exported_and_checked(
    store: Store, tmp_path: Path
) -> None:
    _year(store)
    communities = table(
        tmp_path / "communities.xlsx",
        COMMUNITIES,
        [("acme", "Acme Foundation", "Acme 基金会"), ("kite", "Kite", "")],
    )
    assert import_kind(store, None, "communities", communities, "admin", NOW) == 2
    projects = table(
        tmp_path / "projects.csv",
        PROJECTS,
        [("w", "acme", "github.com/acme/widget"), ("g", "gizmo", "github.com/x/gizmo")],
    )
    with pytest.raises(InputError, match=r"projects.csv:3: community 'gizmo' is not one of"):
        import_kind(store, None, "projects", projects, "admin", NOW)
    projects = table(tmp_path / "projects.csv", PROJECTS, [("w", "acme", "github.com/acme/w")])
    assert import_kind(store, None, "projects", projects, "admin", NOW) == 1
    # a new list may not drop a community a project names
    fewer = table(tmp_path / "fewer.csv", COMMUNITIES, [("kite", "Kite", "")])
    with pytest.raises(InputError, match=r"fewer.csv: community 'acme' is in use"):
        import_kind(store, None, "communities", fewer, "admin", NOW)

    universities = table(
        tmp_path / "u.csv", UNIVERSITIES, [("pku", "Peking University", "北京大学")]
    )
    with pytest.raises(PhaseError, match="import universities is allowed only in phase"):
        import_kind(store, None, "universities", universities, "admin", NOW)
    for _ in range(2):  # funding → tasks_fixed → teacher_training
        advance_phase(store, None, "admin", NOW)
    assert import_kind(store, None, "universities", universities, "admin", NOW) == 1
    people = table(
        tmp_path / "people.csv", PEOPLE, [("teacher", "t1", "pku"), ("student", "s1", "thu")]
    )
    with pytest.raises(InputError, match=r"people.csv:3: university 'thu' is not one of"):
        import_kind(store, None, "people", people, "admin", NOW)
    people = table(
        tmp_path / "people.csv", PEOPLE, [("teacher", "t1", "pku"), ("student", "s1", "")]
    )
    assert import_kind(store, None, "people", people, "admin", NOW) == 2

    out = tmp_path / "out.csv"
    assert export_kind(store, None, "communities", out) == 2
    assert out.read_text(encoding="utf-8").splitlines() == [
        "community_id,name,name_zh",
        "acme,Acme Foundation,Acme 基金会",
        "kite,Kite,",
    ]
    # the export is what import reads: importing it again changes nothing
    assert export_kind(store, None, "universities", tmp_path / "u2.xlsx") == 1
    assert import_kind(store, None, "universities", tmp_path / "u2.xlsx", "admin", NOW) == 1
    assert export_kind(store, None, "universities", tmp_path / "u3.csv") == 1
    assert "pku,Peking University,北京大学" in (tmp_path / "u3.csv").read_text(encoding="utf-8")


def test_without_communities_any_community_name_is_accepted(store: Store, tmp_path: Path) -> None:
    _year(store)
    projects = table(tmp_path / "p.csv", PROJECTS, [("w", "Anything", "github.com/acme/widget")])
    assert import_kind(store, None, "projects", projects, "admin", NOW) == 1


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ([("acme", "Acme", ""), ("acme", "Again", "")], r"c.csv:3: community 'acme' is given"),
        ([("acme", "", "")], r"c.csv:2: column 'name' is empty"),
    ],
)
def test_a_bad_community_table_names_its_line(
    store: Store, tmp_path: Path, rows: list[tuple[str, ...]], message: str
) -> None:
    _year(store)
    with pytest.raises(InputError, match=message):
        import_kind(
            store, None, "communities", table(tmp_path / "c.csv", COMMUNITIES, rows), "a", NOW
        )
