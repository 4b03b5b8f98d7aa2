"""Package names per ecosystem: the canonical spelling a registry answers to, and whether a
name is one the registry could hold at all (a name that is not is a data error to report,
not a package to look up).

- PyPI: PEP 503 (runs of ``-``, ``_``, ``.`` become ``-``; lower case); PEP 508 names only.
- npm: lower case for new packages, but legacy names with capitals exist and are distinct,
  so the name is kept as given; ``@scope/name``; at most 214 characters; URL-safe.
- Maven: ``groupId:artifactId``, both non-empty, from Maven's allowed characters.
- crates.io: ASCII letters, digits, ``-`` and ``_``; ``-`` and ``_`` and case are not
  distinguished when crates.io checks for an existing crate.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ossmeta.ecosystems import CRATES, MAVEN, NPM, PYPI, base_ecosystem, canonical_name

_PEP508_NAME = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?\Z")
_NPM_PART = re.compile(r"[a-z0-9~-][a-z0-9._~-]*\Z", re.IGNORECASE)
_MAVEN_PART = re.compile(r"[A-Za-z0-9_.-]+\Z")
_CRATE = re.compile(r"[A-Za-z][A-Za-z0-9_-]{0,63}\Z")


@dataclass(frozen=True, slots=True)
class PackageName:
    ecosystem: str
    raw: str
    canonical: str | None  # None when the name is not valid for the ecosystem
    problem: str | None = None


def _npm_problem(name: str) -> str | None:
    if len(name) > 214:
        return "npm names are at most 214 characters"
    if name.startswith("@"):
        scope, sep, rest = name[1:].partition("/")
        if not sep or not scope or not rest:
            return "a scoped npm name is @scope/name"
        parts = [scope, rest]
    else:
        parts = [name]
    for part in parts:
        if part.startswith((".", "_")) or not _NPM_PART.match(part):
            return f"{part!r} is not a URL-safe npm name part"
    return None


def normalize_name(ecosystem: str, raw: str) -> PackageName:
    """The canonical name, or the reason the name cannot exist in the ecosystem."""
    base = base_ecosystem(ecosystem)
    name = raw.strip()
    problem: str | None = None
    if not name:
        problem = "empty name"
    elif base == PYPI and not _PEP508_NAME.match(name):
        problem = "not a PEP 508 project name"
    elif base == NPM:
        problem = _npm_problem(name)
    elif base == MAVEN:
        group, sep, artifact = name.partition(":")
        if not sep or not _MAVEN_PART.match(group) or not _MAVEN_PART.match(artifact):
            problem = "a Maven name is groupId:artifactId"
    elif base == CRATES and not _CRATE.match(name):
        problem = "crate names are ASCII letters, digits, '-' and '_', starting with a letter"
    if problem is not None:
        return PackageName(base, raw, None, problem)
    return PackageName(base, raw, canonical_name(base, name))
