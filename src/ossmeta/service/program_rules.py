"""The eligibility rules of a program year, checked on the applications as they are
imported, so a refused application names its file and line.

* ``mentor_not_student``: a student may not share an identity (``login:``/``email:``, or
  the person key) with any mentor of the year.
* ``maintainers_not_applicants``: the student and the teacher of a pair may not be
  maintainers of the project of a task they apply to. Maintainers are the registry
  maintainers of the packages whose repository link is the project's repository (the
  ``packages`` table): an entry ``Name <email>`` is the identity ``email:…``, a bare
  entry that looks like a login is ``login:…``. The repository's top committers count too
  (``service.program_committers``: ``top_committers`` in ``[eligibility]``, default 5).
* ``one_pair_per_student``: a student is in one pair only, so can take at most one task.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence

from ossmeta.analyses.program.files import Application
from ossmeta.analyses.program.tables import TableError
from ossmeta.store.program_maintainers import package_maintainers
from ossmeta.store.program_rows import PersonRow, ProjectRow, TaskRow
from ossmeta.store.tenancy import Transaction

__all__ = ["check_applications", "maintainer_identities"]

_EMAIL = re.compile(r"<([^<>@\s]+@[^<>\s]+)>\s*$")
_LOGIN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")


def maintainer_identities(entries: Iterable[str]) -> set[str]:
    found: set[str] = set()
    for entry in entries:
        text = entry.strip()
        if email := _EMAIL.search(text):
            found.add(f"email:{email.group(1).lower()}")
        elif "@" in text and " " not in text:
            found.add(f"email:{text.lower()}")
        elif _LOGIN.fullmatch(text):
            found.add(f"login:{text.lower()}")
    return found


def check_applications(
    connection: Transaction,
    path: str,
    applications: Sequence[Application],
    *,
    rules: Mapping[str, int],
    people: Sequence[PersonRow],
    tasks: Sequence[TaskRow],
    projects: Sequence[ProjectRow],
    committers: Mapping[str, Mapping[str, str]] | None = None,
) -> None:
    """Refuse the first application that breaks a rule: unknown people or task first.
    ``committers``: repository → identity → why it counts as a maintainer (top committers)."""
    by_role = {(p.role, p.key): p for p in people}
    task_of = {t.key: t for t in tasks}
    repo_of = {p.key: p.repository for p in projects}
    mentors = {i for p in people if p.role == "mentor" for i in (*p.identities, f"key:{p.key}")}
    maintainers: dict[str, set[str]] = {}
    student_pair: dict[str, tuple[str, int]] = {}
    for app in applications:

        def fail(message: str, line: int = app.line) -> TableError:
            return TableError(message, path=path, line=line)

        student = by_role.get(("student", app.student))
        teacher = by_role.get(("teacher", app.teacher))
        if student is None:
            raise fail(f"student {app.student!r} is not registered (import people first)")
        if teacher is None:
            raise fail(f"teacher {app.teacher!r} is not registered (import people first)")
        task = task_of.get(app.task)
        if task is None:
            raise fail(f"unknown task {app.task!r}")
        if rules.get("one_pair_per_student", True):
            pair, line = student_pair.setdefault(app.student, (app.pair, app.line))
            if pair != app.pair:
                raise fail(
                    f"student {app.student!r} is already in pair {pair!r} (line {line}); a "
                    "student takes at most one task"
                )
        if rules.get("mentor_not_student", True):
            shared = sorted({*student.identities, f"key:{student.key}"} & mentors)
            if shared:
                raise fail(f"student {app.student!r} is also a mentor ({shared[0]})")
        repository = repo_of.get(task.project)
        if rules.get("maintainers_not_applicants", True) and repository:
            if repository not in maintainers:
                maintainers[repository] = maintainer_identities(
                    package_maintainers(connection, repository)
                )
            for role, person in (("student", student), ("teacher", teacher)):
                shared = sorted(set(person.identities) & maintainers[repository])
                if shared:
                    raise fail(
                        f"{role} {person.key!r} maintains {repository} ({shared[0]}) and cannot "
                        f"apply to its task {task.key!r}"
                    )
                top = (committers or {}).get(repository.lower(), {})
                shared = sorted(set(person.identities) & set(top))
                if shared:
                    raise fail(
                        f"{role} {person.key!r} is a {top[shared[0]]} ({shared[0]}) and cannot "
                        f"apply to its task {task.key!r}"
                    )
