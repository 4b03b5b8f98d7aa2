"""Which messages a program year owes at a given time: deadline reminders and results.

Reminders: from ``lead`` before the current phase's deadline until the deadline, everyone
whose action is due in that phase (``PHASE_ROLES``) gets one reminder per deadline (an
extended deadline is a new deadline, so a new reminder). Results: once a matching is
published, each pair's student and teacher get the pair's result (the task or none, the
explanation's first reason, the link to the pair's page) and each mentor the pairs matched to
their tasks. Every webhook of the year gets one event per reminder and per pair's result.

Addresses. A person of the year's tables (mentor, teacher, student) is reached at the
``email:`` identities of their registration. A member login (a university admin, a reviewer,
a community contact, or a person's login) is reached at the e-mails of the registrations
that list ``login:LOGIN`` and of the identity curations that merge ``login:LOGIN`` with an
e-mail. Whoever has no address is reported, not silently skipped.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Final

from ossmeta.store import program_rows as rows_store
from ossmeta.store.identities import list_overrides
from ossmeta.store.program import Year
from ossmeta.store.program_members import members_of
from ossmeta.store.program_notify import PlannedNotice, ProgramWebhook
from ossmeta.store.tenancy import Transaction

__all__ = ["DEFAULT_LEAD", "PHASE_ROLES", "Plan", "deadline_notices", "result_notices"]

DEFAULT_LEAD: Final = timedelta(days=3)

#: Whose action is due in each phase (a role of program_people or of program members).
PHASE_ROLES: Final[Mapping[str, tuple[str, ...]]] = {
    "launch": ("student", "teacher"),
    "selection": ("mentor",),
    "midterm": ("university", "mentor"),
    "defense": ("reviewer",),
    "awards": ("community",),
}
_DUE: Final[Mapping[str, str]] = {
    "launch": "apply with your ranked tasks and proposals / 提交志愿与项目方案",
    "selection": "rank the pairs that applied to your tasks / 为申请你任务的组合排序",
    "midterm": "fill in the mid-term check / 填写中期检查",
    "defense": "score the defended pairs / 为答辩项目评分",
    "awards": "recommend your community's best pairs / 推荐社区的优秀项目",
}
_REASONS: Final[Mapping[str, str]] = {
    "task_full": "your choice {choice} ({task}) was taken by {count} pair(s) its mentor ranked "
    "higher / 你的第 {choice} 志愿（{task}）已被导师排序更靠前的 {count} 个组合占满",
    "mentor_full": "the mentor of your choice {choice} ({task}) was full with {count} pair(s) "
    "ranked higher / 你的第 {choice} 志愿（{task}）的导师名额已被排序更靠前的 {count} 个组合占满",
    "not_stable": "your choice {choice} ({task}) went to others by an admin's decision / "
    "你的第 {choice} 志愿（{task}）经管理员调整给了其他组合",
}


@dataclass
class Plan:
    notices: list[PlannedNotice] = field(default_factory=list)
    unreachable: list[str] = field(default_factory=list)  # who has no e-mail address

    def email(
        self, key: str, addresses: set[str], who: str, kind: str, data: dict[str, Any]
    ) -> None:
        if not addresses:
            self.unreachable.append(who)
        for address in sorted(addresses):
            self.notices.append(PlannedNotice(key, "email", address, kind, data))

    def webhooks(
        self, key: str, hooks: list[ProgramWebhook], kind: str, data: dict[str, Any]
    ) -> None:
        for hook in hooks:
            self.notices.append(PlannedNotice(key, "webhook", str(hook.id), kind, data))


class _Addresses:
    """E-mail addresses of the year's people and member logins (see the module docstring)."""

    def __init__(self, connection: Transaction, year: Year) -> None:
        self.people = rows_store.read_people(connection, year.id)
        self.members = members_of(connection, year.id)
        self._connection = connection

    @staticmethod
    def _emails(identities: tuple[str, ...]) -> set[str]:
        return {i.removeprefix("email:") for i in identities if i.startswith("email:")}

    def of_person(self, role: str, key: str) -> set[str]:
        found: set[str] = set()
        for person in self.people:
            if person.role == role and person.key == key:
                found |= self._emails(person.identities)
        for member in self.members:
            if member.role == role and member.subject == key:
                found |= self.of_login(member.login)
        return found

    def of_login(self, login: str) -> set[str]:
        identity = f"login:{login.lower()}"
        found: set[str] = set()
        for person in self.people:
            if identity in person.identities:
                found |= self._emails(person.identities)
        for curation in list_overrides(self._connection, identity):
            if curation.action == "merge":
                for other in (curation.identity, curation.other or ""):
                    if other.startswith("email:"):
                        found.add(other.removeprefix("email:"))
        return found

    def of_role(self, role: str) -> list[tuple[str, set[str]]]:
        """(who, addresses) for everyone holding ``role``."""
        if role in ("mentor", "teacher", "student"):
            keys = sorted({p.key for p in self.people if p.role == role})
            keys += sorted({m.subject for m in self.members if m.role == role} - set(keys))
            return [(f"{role} {key}", self.of_person(role, key)) for key in keys]
        return [
            (f"{role} {m.login} ({m.subject})" if m.subject else f"{role} {m.login}",
             self.of_login(m.login))
            for m in self.members
            if m.role == role
        ]  # fmt: skip


def deadline_notices(
    connection: Transaction, year: Year, hooks: list[ProgramWebhook], now: datetime, lead: timedelta
) -> Plan:
    """The reminders due at ``now`` for the current phase's deadline (none outside the
    window, for a phase without a deadline, or for a phase nobody acts in)."""
    plan = Plan()
    phase = year.current
    roles = PHASE_ROLES.get(phase.name, ())
    if phase.deadline is None or not roles or not phase.deadline - lead <= now < phase.deadline:
        return plan
    key = f"deadline:{phase.name}:{phase.deadline.isoformat()}"
    base = {"year": year.name, "phase": phase.name, "deadline": phase.deadline.isoformat()}
    addresses = _Addresses(connection, year)
    recipients = 0
    for role in roles:
        for who, found in addresses.of_role(role):
            recipients += 1
            message = (
                f"Program {year.name}: {_DUE[phase.name]} before {phase.deadline.isoformat()} "
                f"(phase {phase.name})."
            )
            plan.email(
                key, found, who, "program.deadline", base | {"role": role, "message": message}
            )
    plan.webhooks(
        key, hooks, "program.deadline", base | {"roles": list(roles), "recipients": recipients}
    )
    return plan


def _reason(pair: Mapping[str, Any]) -> str:
    reasons = pair.get("reasons") or []
    if not reasons:
        return "" if pair["task"] else "no task had room for the pair / 没有仍有名额的任务"
    first = reasons[0]
    return str(_REASONS.get(first["code"], first["code"]).format(**first))


def result_notices(
    connection: Transaction,
    year: Year,
    hooks: list[ProgramWebhook],
    published: Mapping[str, Any],
    base_url: str,
) -> Plan:
    """Each pair's result to its student and teacher, each mentor's matched pairs."""
    plan = Plan()
    addresses = _Addresses(connection, year)
    mentor_of = {t.key: t.mentor for t in rows_store.read_tasks(connection, year.id)}
    matching = published["matching"]
    by_mentor: dict[str, list[dict[str, str]]] = defaultdict(list)
    for pair in published["pairs"]:
        key = f"result:{matching}:{pair['pair']}"
        link = f"{base_url.rstrip('/')}/program/pair/{pair['pair']}"
        task = pair["task"]
        data = {
            "year": year.name,
            "pair": pair["pair"],
            "task": task,
            "choice": pair["choice"],
            "reason": _reason(pair),
            "link": link,
            "message": (
                f"Program {year.name}: pair {pair['pair']} is matched with task {task} "
                f"(choice {pair['choice']}) / 已匹配任务 {task}"
                if task
                else f"Program {year.name}: pair {pair['pair']} is not matched / 本轮未匹配"
            ),
        }
        for role in ("student", "teacher"):
            who = f"{role} {pair[role]}"
            plan.email(key, addresses.of_person(role, pair[role]), who, "program.result", data)
        plan.webhooks(key, hooks, "program.result", data)
        if task:
            by_mentor[mentor_of.get(task, "")].append(
                {"pair": pair["pair"], "task": task, "student": pair["student"],
                 "teacher": pair["teacher"], "link": link}
            )  # fmt: skip
    for mentor, pairs in sorted(by_mentor.items()):
        if not mentor:
            continue
        listed = ", ".join(f"{p['pair']} → {p['task']}" for p in pairs)
        data = {
            "year": year.name,
            "mentor": mentor,
            "pairs": pairs,
            "message": f"Program {year.name}: your tasks are matched: {listed} / 任务匹配结果",
        }
        key = f"mentor-result:{matching}:{mentor}"
        plan.email(
            key,
            addresses.of_person("mentor", mentor),
            f"mentor {mentor}",
            "program.mentor_result",
            data,
        )
    return plan
