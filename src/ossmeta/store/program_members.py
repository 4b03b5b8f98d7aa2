"""The program's communities, universities and members (migration 0017).

A member is an account login acting in one program role for one subject; a login may hold
several roles (a teacher who also reviews, say)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import Table, delete, insert, select

from ossmeta.store.schema import program_communities, program_members, program_universities
from ossmeta.store.tenancy import Transaction

__all__ = [
    "MEMBER_ROLES",
    "Member",
    "Named",
    "add_member",
    "members_of",
    "read_communities",
    "read_universities",
    "remove_member",
    "replace_communities",
    "replace_universities",
    "roles_of",
]

#: Program roles; the subject each names is in the comment.
MEMBER_ROLES = (
    "admin",  # "" (the whole program year)
    "community",  # a community key: the community's contact
    "university",  # a university key: the university's program admin
    "mentor",  # a mentor key of program_people
    "teacher",  # a teacher key of program_people
    "student",  # a student key of program_people
    "reviewer",  # a community key the reviewer belongs to ("" for none): conflicts of interest
)


@dataclass(frozen=True, slots=True)
class Member:
    login: str
    role: str
    subject: str


@dataclass(frozen=True, slots=True)
class Named:
    """A community or a university: its key and its names in English and Chinese."""

    key: str
    name: str
    name_zh: str


def add_member(connection: Transaction, year_id: int, member: Member) -> bool:
    """Add ``member``; False when it was there already."""
    found = connection.execute(
        select(program_members.c.id).where(
            program_members.c.year_id == year_id,
            program_members.c.login == member.login,
            program_members.c.role == member.role,
            program_members.c.subject == member.subject,
        )
    ).first()
    if found is not None:
        return False
    connection.execute(
        insert(program_members).values(
            year_id=year_id, login=member.login, role=member.role, subject=member.subject
        )
    )
    return True


def remove_member(connection: Transaction, year_id: int, member: Member) -> bool:
    """Remove ``member``; False when it was not there."""
    done = connection.execute(
        delete(program_members).where(
            program_members.c.year_id == year_id,
            program_members.c.login == member.login,
            program_members.c.role == member.role,
            program_members.c.subject == member.subject,
        )
    )
    return bool(done.rowcount)


def members_of(connection: Transaction, year_id: int) -> list[Member]:
    rows = connection.execute(
        select(program_members.c.login, program_members.c.role, program_members.c.subject)
        .where(program_members.c.year_id == year_id)
        .order_by(program_members.c.login, program_members.c.role, program_members.c.subject)
    )
    return [Member(r.login, r.role, r.subject) for r in rows]


def roles_of(connection: Transaction, year_id: int, login: str) -> list[Member]:
    rows = connection.execute(
        select(program_members.c.role, program_members.c.subject)
        .where(program_members.c.year_id == year_id, program_members.c.login == login)
        .order_by(program_members.c.role, program_members.c.subject)
    )
    return [Member(login, r.role, r.subject) for r in rows]


def _replace(connection: Transaction, table: Table, year_id: int, rows: Iterable[Named]) -> None:
    connection.execute(delete(table).where(table.c.year_id == year_id))
    values = [
        {"year_id": year_id, "key": r.key, "name": r.name, "name_zh": r.name_zh} for r in rows
    ]
    if values:
        connection.execute(insert(table), values)


def _read(connection: Transaction, table: Table, year_id: int) -> list[Named]:
    rows = connection.execute(
        select(table.c.key, table.c.name, table.c.name_zh)
        .where(table.c.year_id == year_id)
        .order_by(table.c.key)
    )
    return [Named(r.key, r.name, r.name_zh) for r in rows]


def replace_communities(connection: Transaction, year_id: int, rows: Iterable[Named]) -> None:
    _replace(connection, program_communities, year_id, rows)


def replace_universities(connection: Transaction, year_id: int, rows: Iterable[Named]) -> None:
    _replace(connection, program_universities, year_id, rows)


def read_communities(connection: Transaction, year_id: int) -> list[Named]:
    return _read(connection, program_communities, year_id)


def read_universities(connection: Transaction, year_id: int) -> list[Named]:
    return _read(connection, program_universities, year_id)
