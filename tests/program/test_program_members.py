"""Program members: a login's roles decide what it may do; adding and removing are audited,
a wrong role or a missing subject is a one-line error, and a login with no role for a
subject is refused (403 over the API), never answered with an empty result."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from ossmeta.errors import ForbiddenError, InputError
from ossmeta.service.program import audit_log, create_year, read_config
from ossmeta.service.program_access import (
    Member,
    access_of,
    add_program_member,
    operator_access,
    program_members,
    remove_program_member,
)
from ossmeta.store import Store
from ossmeta.surfaces.cli.app import main

NOW = datetime(2030, 1, 1, tzinfo=UTC)


def test_roles_decide_rights_and_changes_are_audited(store: Store) -> None:
    create_year(store, "2030", read_config(None), "cli:test", NOW)
    assert add_program_member(store, None, Member("ana", "student", "S1"), "cli:test", NOW)
    assert not add_program_member(store, None, Member("ana", "student", "S1"), "cli:test", NOW)
    add_program_member(store, None, Member("ana", "reviewer", "acme"), "cli:test", NOW)
    add_program_member(store, "2030", Member("boss", "admin", ""), "cli:test", NOW)

    ana = access_of(store, None, "ana")
    assert ana.subjects("student") == {"S1"} and ana.subjects("reviewer") == {"acme"}
    assert ana.holds("student", "S1") and not ana.holds("student", "S2")
    with pytest.raises(ForbiddenError, match="ana is not a mentor 'M1' of program 2030"):
        ana.require("mentor", "M1")
    with pytest.raises(ForbiddenError):
        ana.require_admin()
    assert access_of(store, None, "boss").holds("mentor", "M1")
    assert access_of(store, None, "nobody").members == ()
    assert operator_access(store, None, "cli:x").is_admin

    assert remove_program_member(store, None, Member("ana", "reviewer", "acme"), "cli:t", NOW)
    assert not remove_program_member(store, None, Member("ana", "reviewer", "acme"), "cli:t", NOW)
    listed = [(m.login, m.role) for m in program_members(store, None)]
    assert listed == [("ana", "student"), ("boss", "admin")]
    actions = [e.action for e in audit_log(store, None)]
    assert actions.count("member add") == 3 and actions.count("member remove") == 1


@pytest.mark.parametrize(
    ("member", "message"),
    [
        (Member("ana", "dean", "x"), "unknown program role 'dean'"),
        (Member("ana", "student", ""), "a program student needs a subject"),
        (Member("ana", "admin", "x"), "a program admin has no subject"),
        (Member("", "student", "S1"), "needs a login"),
        (Member("evil\x1b[31m", "student", "S1"), "must be 1-255 letters"),
    ],
)
def test_a_wrong_member_is_refused(store: Store, member: Member, message: str) -> None:
    create_year(store, "2030", read_config(None), "cli:test", NOW)
    with pytest.raises(InputError, match=message):
        add_program_member(store, None, member, "cli:test", NOW)
    assert program_members(store, None) == []


def test_member_commands(store: Store, store_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["program", "create", "2030", "--db", store_url]) == 0
    assert main(["program", "member", "add", "ana", "teacher", "T1", "--db", store_url]) == 0
    assert main(["program", "member", "add", "ana", "dean", "x", "--db", store_url]) == 2
    capsys.readouterr()
    assert main(["program", "member", "list", "--db", store_url]) == 0
    assert capsys.readouterr().out == "ana\tteacher\tT1\n"
