"""Who may do what in a program year: the roles an account login holds (``program_members``)
and the checks the API and the web pages make before each action.

The CLI runs as the operator and is always a program admin; over the API and on the web a
login acts only in the roles the program gave it. A role that does not cover the subject is
refused with ``ForbiddenError`` (403), never a silent empty answer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from ossmeta.errors import ForbiddenError, InputError
from ossmeta.service.accounts import check_login
from ossmeta.service.program import year_in
from ossmeta.store.engine import Store
from ossmeta.store.program import Year, add_audit
from ossmeta.store.program_members import (
    MEMBER_ROLES,
    Member,
    add_member,
    members_of,
    remove_member,
    roles_of,
)
from ossmeta.store.tenancy import global_transaction

__all__ = [
    "MEMBER_ROLES",
    "Access",
    "Member",
    "access_of",
    "add_program_member",
    "operator_access",
    "program_members",
    "remove_program_member",
]


@dataclass(frozen=True, slots=True)
class Access:
    """A login's roles in one program year."""

    year: Year
    login: str
    members: tuple[Member, ...]
    operator: bool = False  # the CLI: every right

    @property
    def is_admin(self) -> bool:
        return self.operator or any(m.role == "admin" for m in self.members)

    def subjects(self, role: str) -> frozenset[str]:
        """The subjects this login holds ``role`` for (person, community or university keys)."""
        return frozenset(m.subject for m in self.members if m.role == role)

    def holds(self, role: str, subject: str | None = None) -> bool:
        """True for an admin, or when the login holds ``role`` (for ``subject`` if given)."""
        if self.is_admin:
            return True
        return any(
            m.role == role and (subject is None or m.subject == subject) for m in self.members
        )

    def require(self, role: str, subject: str | None = None) -> None:
        if not self.holds(role, subject):
            what = role if subject is None else f"{role} {subject!r}"
            raise ForbiddenError(
                f"{self.login} is not a {what} of program {self.year.name} (program admins "
                "add members: ossmeta program member add)"
            )

    def require_admin(self) -> None:
        if not self.is_admin:
            raise ForbiddenError(f"{self.login} is not an admin of program {self.year.name}")


def access_of(store: Store, year_name: str | None, login: str) -> Access:
    """The roles of ``login`` in the named (default: newest) program year."""
    with global_transaction(store) as connection:
        year = year_in(connection, year_name)
        return Access(year, login, tuple(roles_of(connection, year.id, login)))


def operator_access(store: Store, year_name: str | None, actor: str) -> Access:
    """The CLI's access: the operator acts as a program admin."""
    with global_transaction(store) as connection:
        return Access(year_in(connection, year_name), actor, (), operator=True)


def _checked(member: Member) -> Member:
    if member.role not in MEMBER_ROLES:
        raise InputError(f"unknown program role {member.role!r}; one of {', '.join(MEMBER_ROLES)}")
    if not member.login:
        raise InputError("a program member needs a login")
    check_login(member.login)  # an account's login: never control characters
    if member.role == "admin" and member.subject:
        raise InputError("a program admin has no subject (give an empty one)")
    if member.role not in ("admin", "reviewer") and not member.subject:
        raise InputError(f"a program {member.role} needs a subject (the key it acts for)")
    return member


def add_program_member(
    store: Store, year_name: str | None, member: Member, actor: str, now: datetime
) -> bool:
    """Give ``member.login`` a role; audited. False when it held the role already."""
    member = _checked(member)
    with global_transaction(store) as connection:
        year = year_in(connection, year_name)
        added = add_member(connection, year.id, member)
        if added:
            detail = {"login": member.login, "role": member.role, "subject": member.subject}
            add_audit(connection, year.id, actor, "member add", detail, now)
        return added


def remove_program_member(
    store: Store, year_name: str | None, member: Member, actor: str, now: datetime
) -> bool:
    with global_transaction(store) as connection:
        year = year_in(connection, year_name)
        removed = remove_member(connection, year.id, member)
        if removed:
            detail = {"login": member.login, "role": member.role, "subject": member.subject}
            add_audit(connection, year.id, actor, "member remove", detail, now)
        return removed


def program_members(store: Store, year_name: str | None) -> list[Member]:
    with global_transaction(store) as connection:
        return members_of(connection, year_in(connection, year_name).id)
