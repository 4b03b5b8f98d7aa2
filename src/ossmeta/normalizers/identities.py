"""Contributor identities: which logins, emails and names are one person, and who is a bot.

Pure functions: observed identities and curated overrides in, people out. Every identity is a
string ``kind:value``:

- ``login:<login>``: a code-host account, **lowercased** (GitHub logins are case-insensitive,
  and events spell one login in several casings);
- ``email:<email>``: a git author or committer email, lowercased (``same email
  (case-folded)``: domains are case-insensitive and in practice so are local parts);
- ``name:<name>``: a git signature that has no email, identified by its name (whitespace
  collapsed). In an override, ``name:<name>`` selects every git signature with that name
  (compared case-folded), so one curation can cover all the emails someone signed with.

Rules that join identities into one person (a union-find; each joining edge keeps the rule that
made it, so every identity's row explains how it got there):

1. **same GitHub account id**: logins that events show with the same numeric account id are
   one account, renamed. A login seen with several ids (a freed login taken by someone else)
   joins nothing by id, since it names two accounts.
2. **GitHub noreply email**: ``<id>+<login>@users.noreply.github.com`` (and the older
   ``<login>@...``) is issued by GitHub to exactly that account: the email joins
   ``login:<login>`` (added if events never showed it) and any login with that account id.
3. **same full name in one repository**: two git signatures of one repository with the same
   full name (case-folded, whitespace collapsed) are one person's two addresses (work and
   home, say). Conservative on purpose: the name needs two words with letters and must not
   be a placeholder ("Your Name", ...), and placeholder emails (``root@localhost``, hosts
   without a dot, example or ``.local`` domains, ``noreply@``, role addresses such as
   ``admin@``) never join by name, because many unrelated people share them. A bare name
   ("root", "John") never merges anything, nor does a name across repositories.
4. **curations**, applied in id order over the automatic rules: ``merge A B`` joins the two
   identities' people; ``split A`` cuts every join of A made before it (automatic or an
   older merge), so A stands alone unless a newer merge joins it again; ``bot A`` /
   ``human A`` set A's bot status. A curation naming an identity nobody observed does
   nothing until it is observed.

The person id is the person's preferred identity: its smallest login, else its smallest
email, else its smallest name, so it is the same on every run over the same data and does
not depend on the order of the input.

Bots. An identity is a bot when its login ends with ``[bot]`` (a GitHub App), its login
(with or without ``[bot]``) is on the shipped bot list, it is a noreply email of a ``[bot]``
account, or every git name used with the email ends with ``[bot]`` (an email also used with
a human name is not flagged: people lend their address to automation). A person is a bot if
any of its identities is, unless a curation says otherwise: among ``bot``/``human``
curations of the person's identities, the newest decides for the whole person.
"""

from __future__ import annotations

import gc
import re
import unicodedata
from collections import Counter, defaultdict, deque
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from ossmeta.errors import InputError

__all__ = [
    "ACTIONS",
    "Account",
    "IdentityOverride",
    "Member",
    "Person",
    "Signature",
    "check_override",
    "parse_bot_list",
    "parse_identity",
    "resolve_identities",
]

ACTIONS: Final = ("merge", "split", "bot", "human")
_PREFERRED: Final = "preferred identity of the person (its smallest login, else email, else name)"
_KIND_ORDER: Final = {"login": 0, "email": 1, "name": 2}
_NOREPLY = re.compile(
    r"^(?:(?P<id>\d+)\+)?(?P<login>[a-z0-9][a-z0-9_.-]*(?:\[bot\])?)@users\.noreply\.github\.com$"
)
_LOGIN = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,99}(?:\[bot\])?$")
_PLACEHOLDER_NAMES: Final = frozenset(
    {"your name", "first last", "firstname lastname", "john doe", "jane doe", "test user",
     "unknown user", "local user", "build user", "github action", "github actions",
     "travis ci", "gitlab ci", "the author", "no name", "full name", "user name"}
)  # fmt: skip
_PLACEHOLDER_DOMAINS: Final = frozenset(
    {"localhost", "localhost.localdomain", "example.com", "example.org", "example.net",
     "none", "(none)", "github.com"}
)  # fmt: skip
_ROLE_LOCALS: Final = frozenset(
    {"root", "admin", "administrator", "noreply", "no-reply", "nobody", "none", "user",
     "you", "your.email", "email", "test", "build", "ci", "git", "info", "dev", "support"}
)  # fmt: skip


@dataclass(frozen=True)
class Account:
    """A login as events show it, with its numeric account id when known."""

    login: str
    account_id: int | None = None
    platform: str = "github.com"


@dataclass(frozen=True)
class Signature:
    """A git author or committer signature; ``uses`` counts commits (it picks display names)."""

    name: str
    email: str
    repo: str = ""
    uses: int = 1


@dataclass(frozen=True)
class IdentityOverride:
    id: int
    action: str  # one of ACTIONS
    identity: str  # canonical, see parse_identity
    other: str | None  # the second identity of a merge
    reason: str
    author: str
    created_at: datetime | None = None

    def describe(self) -> str:
        return f"curated {self.action} #{self.id} by {self.author}: {self.reason}"


@dataclass(frozen=True)
class Member:
    identity: str
    rules: tuple[str, ...]  # how it joined its person, then notes about it


@dataclass(frozen=True)
class Person:
    id: str  # the preferred identity
    display: str
    is_bot: bool
    bot_rule: str | None  # why it is a bot, or why a curator says it is human
    members: tuple[Member, ...]  # the preferred identity first, then sorted


# ---------------------------------------------------------------------------- identity syntax


def _name_key(name: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", name).casefold().split())


def parse_identity(text: str) -> str:
    """The canonical ``kind:value`` of a user-given identity; ``InputError`` when malformed."""
    kind, colon, value = text.strip().partition(":")
    kind = kind.lower()
    if not colon or kind not in _KIND_ORDER:
        raise InputError(f"an identity is login:NAME, email:ADDRESS or name:TEXT, not {text!r}")
    if kind == "name":
        name = " ".join(value.split())
        if not name or len(name) > 255 or not name.isprintable():
            raise InputError(f"{text!r}: a name is one line of at most 255 printable characters")
        return f"name:{name}"
    value = value.strip().lower()
    if kind == "login" and not _LOGIN.match(value):
        raise InputError(f"{text!r}: a login is letters, digits, '-', '_' or '.', at most 100")
    if kind == "email":
        local, at, domain = value.rpartition("@")
        if not at or not local or not domain or len(value) > 320 or not value.isprintable():
            raise InputError(f"{text!r}: an email is LOCAL@DOMAIN")
        if any(c.isspace() for c in value):
            raise InputError(f"{text!r}: an email has no spaces")
    return f"{kind}:{value}"


def check_override(action: str, identity: str, other: str | None) -> tuple[str, str | None]:
    """The canonical identities of a curation; ``InputError`` when it is malformed."""
    if action not in ACTIONS:
        raise InputError(f"an identity curation is one of {', '.join(ACTIONS)}, not {action!r}")
    first = parse_identity(identity)
    if action != "merge":
        if other is not None:
            raise InputError(f"{action} takes one identity")
        return first, None
    if other is None:
        raise InputError("merge takes two identities")
    second = parse_identity(other)
    if first == second:
        raise InputError(f"merge needs two different identities, not {first} twice")
    return first, second


def parse_bot_list(text: str) -> frozenset[str]:
    """Logins of a bot list: one per line, ``#`` comments, ``[bot]`` suffix optional."""
    logins = (line.split("#", 1)[0].strip().lower() for line in text.splitlines())
    bare = (re.sub(r"(\[bot\])+$", "", login) for login in logins)
    return frozenset(login for login in bare if login)


# ---------------------------------------------------------------------------- observation


def _placeholder_email(email: str) -> bool:
    local, _, domain = email.rpartition("@")
    return (
        not local
        or "." not in domain
        or domain in _PLACEHOLDER_DOMAINS
        or domain.endswith((".local", ".localdomain", ".invalid", ".example", ".test"))
        or local in _ROLE_LOCALS
    )


def _distinctive_name(key: str) -> bool:
    words = [word for word in key.split() if any(c.isalpha() for c in word)]
    return (
        len(words) >= 2
        and key not in _PLACEHOLDER_NAMES
        and not key.endswith("[bot]")
        and "@" not in key
    )


@dataclass
class _Observed:
    """What the input says, keyed by identity; edges carry (rule, order): order 0 for the
    automatic rules, the curation id for curated merges (a split cuts older ones)."""

    spellings: defaultdict[str, set[str]]
    names: defaultdict[str, Counter[str]]
    notes: defaultdict[str, list[str]]
    edges: set[tuple[str, str, str, int]]
    bots: dict[str, str]  # identity -> the bot rule it matches (the first that does)

    def join(self, a: str, b: str, rule: str, order: int = 0) -> None:
        if a != b:
            self.edges.add((min(a, b), max(a, b), rule, order))


def _observe(
    accounts: Iterable[Account], signatures: Iterable[Signature], bot_logins: frozenset[str]
) -> _Observed:
    seen = _Observed(defaultdict(set), defaultdict(Counter), defaultdict(list), set(), {})
    logins_of = _observe_accounts(seen, accounts)
    _observe_signatures(seen, signatures)
    for node in sorted(node for node in seen.spellings if node.startswith("email:")):
        match = _NOREPLY.match(node.removeprefix("email:"))
        if match is None:
            continue
        login = f"login:{match['login']}"
        if login not in seen.spellings:
            seen.spellings[login].add(match["login"])
            seen.notes[login].append(f"implied by the GitHub noreply email {node}")
        if match["login"].endswith("[bot]"):
            seen.bots[node] = "is the GitHub noreply email of a [bot] account"
        form = "<id>+<login>" if match["id"] else "<login>"
        seen.join(node, login, f"GitHub noreply email {form}@users.noreply.github.com")
        if match["id"]:
            for other in logins_of.get(("github.com", int(match["id"])), ()):
                seen.join(node, other, f"GitHub noreply email of account id {match['id']}")
    for node, spelled in seen.spellings.items():
        if node.startswith("login:"):
            if node.endswith("[bot]"):
                seen.bots[node] = "ends with [bot] (a GitHub App)"
            elif node[6:] in bot_logins:
                seen.bots[node] = "is on the shipped bot list"
        if len(spelled) > 1:
            rule = "same login (case-insensitive)" if node[0] == "l" else "same email (case-folded)"
            seen.notes[node].append(f"{rule}: {', '.join(sorted(spelled))}")
    return seen


def _observe_accounts(
    seen: _Observed, accounts: Iterable[Account]
) -> dict[tuple[str, int], list[str]]:
    """Record logins and join those of one account id; returns the logins of each id."""
    ids_of: defaultdict[str, set[tuple[str, int]]] = defaultdict(set)
    for account in accounts:
        login = account.login.strip()
        if login:
            node = f"login:{login.lower()}"
            seen.spellings[node].add(login)
            if account.account_id is not None:
                ids_of[node].add((account.platform, account.account_id))
    logins_of: defaultdict[tuple[str, int], list[str]] = defaultdict(list)
    for node, ids in ids_of.items():
        if len(ids) == 1:
            logins_of[next(iter(ids))].append(node)
        else:
            shown = ", ".join(str(number) for _, number in sorted(ids))
            seen.notes[node].append(f"seen with account ids {shown}: not joined by id")
    for (_, number), nodes in logins_of.items():
        first = min(nodes)
        for node in nodes:
            seen.join(first, node, f"same GitHub account id {number}")
    return logins_of


def _observe_signatures(seen: _Observed, signatures: Iterable[Signature]) -> None:
    """Record git signatures and join distinctive full names within one repository."""
    by_name: defaultdict[tuple[str, str], set[str]] = defaultdict(set)
    human_named: set[str] = set()
    for signature in signatures:
        name, email = " ".join(signature.name.split()), signature.email.strip()
        if not email and not name:
            continue
        node = f"email:{email.lower()}" if email else f"name:{name}"
        if email:
            seen.spellings[node].add(email)
        elif node not in seen.names:
            seen.notes[node].append("a git signature without an email: known by its name")
        if name:
            seen.names[node][name] += signature.uses
            if name.lower().endswith("[bot]"):
                seen.bots.setdefault(node, "is only ever used with git names ending in [bot]")
            else:
                human_named.add(node)
            key = _name_key(name)
            if _distinctive_name(key) and not (email and _placeholder_email(email.lower())):
                by_name[(signature.repo, key)].add(node)
    for node in human_named.intersection(seen.bots):
        del seen.bots[node]
    for (repo, key), group in by_name.items():
        first = min(group)
        for node in group:
            seen.join(first, node, f"same full name {key!r} in {repo or 'one repository'}")


# ---------------------------------------------------------------------------- curation


def _by_name(seen: _Observed) -> dict[str, list[str]]:
    """Identities by the case-folded names they were signed with (for ``name:`` curations)."""
    index: defaultdict[str, set[str]] = defaultdict(set)
    for node, names in seen.names.items():
        for name in names:
            index[_name_key(name)].add(node)
    return {key: sorted(found) for key, found in index.items()}


def _curate(seen: _Observed, overrides: Iterable[IdentityOverride]) -> dict[str, IdentityOverride]:
    """Apply merges and splits to the edges; return the newest bot/human curation per node."""
    nodes = set(seen.spellings) | set(seen.names)
    by_name: dict[str, list[str]] | None = None

    def select(identity: str) -> list[str]:
        nonlocal by_name
        if not identity.startswith("name:"):
            return [identity] if identity in nodes else []
        if by_name is None:
            by_name = _by_name(seen)
        return by_name.get(_name_key(identity.removeprefix("name:")), [])

    flags: dict[str, IdentityOverride] = {}
    for override in sorted(overrides, key=lambda o: o.id):
        chosen = select(override.identity)
        if override.action == "merge" and override.other is not None:
            together = chosen + select(override.other)
            if chosen and len(together) > len(chosen):
                first = min(together)
                for node in together:
                    seen.join(first, node, override.describe(), override.id)
        elif override.action == "split":
            cut = set(chosen)
            seen.edges = {e for e in seen.edges if e[3] >= override.id or not {e[0], e[1]} & cut}
            for node in chosen:
                seen.notes[node].append(f"{override.describe()} (joins before it cut)")
        elif override.action in ("bot", "human"):
            flags.update(dict.fromkeys(chosen, override))
    return flags


# ---------------------------------------------------------------------------- people


def _bot_status(
    group: list[str],
    seen: _Observed,
    flags: dict[str, IdentityOverride],
) -> tuple[bool, str | None]:
    """The newest bot/human curation of any member decides; else any member's bot rule."""
    curated = [(flags[node], node) for node in group if node in flags]
    if curated:
        override, node = max(curated, key=lambda item: item[0].id)
        return override.action == "bot", f"{override.action}: {override.describe()} ({node})"
    for node in group:
        rule = seen.bots.get(node)
        if rule is not None:
            return True, f"bot: {node} {rule}"
    return False, None


def _order(node: str) -> tuple[int, str]:
    return (_KIND_ORDER[node.partition(":")[0]], node)


def _components(edges: Iterable[tuple[str, str, str, int]]) -> list[list[str]]:
    """The connected groups of the nodes that have edges, each in preference order."""
    parent: dict[str, str] = {}
    for a, b, _, _ in edges:
        parent.setdefault(a, a)
        parent.setdefault(b, b)

    def find(node: str) -> str:
        while parent[node] != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    for a, b, _, _ in edges:
        root_a, root_b = find(a), find(b)
        if root_a != root_b:
            parent[max(root_a, root_b)] = min(root_a, root_b)
    groups: defaultdict[str, list[str]] = defaultdict(list)
    for node in parent:
        groups[find(node)].append(node)
    return [sorted(group, key=_order) for group in groups.values()]


def _paths(preferred: str, adjacency: dict[str, list[tuple[str, str]]]) -> dict[str, list[str]]:
    """For every node of the component: the rules on a shortest path to the preferred one
    (breadth first over sorted neighbours, so the same graph gives the same explanation)."""
    paths: dict[str, list[str]] = {preferred: []}
    queue = deque([preferred])
    while queue:
        node = queue.popleft()
        for neighbour, rule in adjacency.get(node, ()):
            if neighbour not in paths:
                paths[neighbour] = [f"{rule} ({neighbour} ~ {node})", *paths[node]]
                queue.append(neighbour)
    return paths


def _display(group: list[str], seen: _Observed) -> str:
    preferred = group[0]
    if preferred.startswith("login:"):
        return min(seen.spellings[preferred])
    names: Counter[str] = Counter()
    for node in group:
        names.update(seen.names.get(node, {}))
    if names:
        return min(names.items(), key=lambda item: (-item[1], item[0]))[0]
    return min(seen.spellings.get(preferred, {preferred.partition(":")[2]}))


def resolve_identities(
    accounts: Iterable[Account],
    signatures: Iterable[Signature],
    overrides: Iterable[IdentityOverride] = (),
    bot_logins: frozenset[str] = frozenset(),
) -> tuple[Person, ...]:
    """People (sorted by id) from observed identities, curations and the bot list (lowercase
    logins without ``[bot]``, see ``parse_bot_list``)."""
    # The build allocates a few small containers per identity and none of them forms a
    # cycle; the cyclic collector's passes over them would double the run time.
    paused = gc.isenabled()
    gc.disable()
    try:
        return _resolve(accounts, signatures, overrides, bot_logins)
    finally:
        if paused:
            gc.enable()


def _resolve(
    accounts: Iterable[Account],
    signatures: Iterable[Signature],
    overrides: Iterable[IdentityOverride],
    bot_logins: frozenset[str],
) -> tuple[Person, ...]:
    seen = _observe(accounts, signatures, bot_logins)
    flags = _curate(seen, overrides)
    nodes = set(seen.spellings) | set(seen.names)
    adjacency: defaultdict[str, list[tuple[str, str]]] = defaultdict(list)
    for a, b, rule, _ in sorted(seen.edges):
        adjacency[a].append((b, rule))
        adjacency[b].append((a, rule))
    for neighbours in adjacency.values():
        neighbours.sort()
    people = [_person(group, seen, flags, adjacency) for group in _components(seen.edges)]
    people.extend(_alone(node, seen, flags) for node in nodes.difference(adjacency))
    return tuple(sorted(people, key=lambda person: person.id))


def _person(
    group: list[str],
    seen: _Observed,
    flags: dict[str, IdentityOverride],
    adjacency: dict[str, list[tuple[str, str]]],
) -> Person:
    paths = _paths(group[0], adjacency)
    members = tuple(
        Member(node, (*(paths[node] or [_PREFERRED]), *seen.notes.get(node, ()))) for node in group
    )
    is_bot, why = _bot_status(group, seen, flags)
    return Person(group[0], _display(group, seen), is_bot, why, members)


def _alone(node: str, seen: _Observed, flags: dict[str, IdentityOverride]) -> Person:
    """``_person`` of an identity that joins nothing (most of them), without the graph walk."""
    if node in flags or node not in seen.bots:
        is_bot, why = _bot_status([node], seen, flags)
    else:
        is_bot, why = True, f"bot: {node} {seen.bots[node]}"
    notes = seen.notes.get(node)
    member = Member(node, (_PREFERRED, *notes) if notes else (_PREFERRED,))
    if node.startswith("login:") or node not in seen.names:
        display = min(seen.spellings.get(node) or [node.partition(":")[2]])
    else:
        display = _display([node], seen)
    return Person(node, display, is_bot, why, (member,))
