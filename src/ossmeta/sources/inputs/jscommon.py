"""Pieces the JavaScript lockfile parsers (npm, yarn, pnpm, bun) share: splitting
``name@spec`` idents, telling registry versions from local, git and URL sources, and
reading the sibling ``package.json`` that says which packages are direct."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Final

from ossmeta.errors import SourceError
from ossmeta.sources.files import InputFile, expect_dict, load_json

#: package.json dependency sections and the scope each gives; earlier wins when a name
#: is in several (npm installs a name listed in ``dependencies`` as a production one).
SECTIONS: Final[tuple[tuple[str, str | None], ...]] = (
    ("dependencies", None),
    ("optionalDependencies", "optional"),
    ("peerDependencies", "peer"),
    ("devDependencies", "dev"),
)
_RANK: Final[dict[str | None, int]] = {scope: n for n, (_, scope) in enumerate(SECTIONS)}

# An exact npm version (SemVer, optionally with a leading "v", prerelease and build).
_VERSION = re.compile(r"v?\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?")
_LOCAL = ("file:", "link:", "portal:", "workspace:", "root:")
_GIT = ("git+", "git:", "git@", "github:", "gitlab:", "bitbucket:", "gist:")
_GITHUB_SHORTHAND = re.compile(r"[\w.-]+/[\w.-]+(?:#.*)?")


def is_version(text: str) -> bool:
    """True for an exact version as registries publish them (``4.17.15``)."""
    return _VERSION.fullmatch(text) is not None


def spec_kind(spec: str) -> str:
    """``local`` (the project's own folders and links), ``git``, ``url``, ``version``
    or ``other`` (a range, a tag, a protocol we do not know)."""
    if spec.startswith(_LOCAL):
        return "local"
    if spec.startswith(_GIT) or _GITHUB_SHORTHAND.fullmatch(spec):
        return "git"
    if spec.startswith(("http://", "https://")):
        # Berry writes git sources as https://host/repo.git#commit=<sha>
        git = "#commit=" in spec or ".git#" in spec or spec.endswith(".git")
        return "git" if git else "url"
    if is_version(spec):
        return "version"
    return "other"


def split_ident(text: str) -> tuple[str, str] | None:
    """``lodash@4.17.15`` -> (``lodash``, ``4.17.15``); ``@babel/core@^7`` ->
    (``@babel/core``, ``^7``). The first ``@`` after position 0 separates them, since
    only a scope starts a name with ``@``."""
    at = text.find("@", 1)
    if at <= 0 or (text.startswith("@") and "/" not in text[:at]):
        return None
    return text[:at], text[at + 1 :]


def real_name(name: str, spec: str) -> str:
    """The registry name behind an alias: (``lodash-old``, ``npm:lodash@4.17.10``)
    -> ``lodash``; anything else keeps ``name``."""
    if spec.startswith("npm:"):
        inner = split_ident(spec[4:])
        if inner is not None:
            return inner[0]
    return name


def better_scope(old: str | None, new: str | None) -> str | None:
    """The scope that wins when one package is declared in two sections."""
    return new if _RANK.get(new, 99) < _RANK.get(old, 99) else old


def declared(manifest: dict[str, Any]) -> dict[str, tuple[str, str | None]]:
    """Dependency name -> (spec, scope) from a package.json-shaped object."""
    out: dict[str, tuple[str, str | None]] = {}
    for section, scope in reversed(SECTIONS):
        deps = manifest.get(section)
        if isinstance(deps, dict):
            for name, spec in deps.items():
                out[name] = (spec if isinstance(spec, str) else "", scope)
    return out


@dataclass(frozen=True, slots=True)
class Manifest:
    deps: dict[str, tuple[str, str | None]]
    has_workspaces: bool  # workspaces declare more direct dependencies than the root's


def sibling_manifest(file: InputFile) -> Manifest | None:
    """The ``package.json`` beside a lockfile, or None when there is none or it cannot be
    read: it only refines ``direct``, so a broken one must not fail the lockfile."""
    sibling = file.sibling("package.json")
    if not sibling.path.is_file():
        return None
    try:
        data = load_json(sibling)
    except SourceError:
        return None
    if not isinstance(data, dict):
        return None
    return Manifest(declared(data), bool(data.get("workspaces")))


def flag_scope(entry: dict[str, Any]) -> str | None:
    """Scope from npm/pnpm-style flags. ``dev`` with ``optional`` is still only needed
    for development; ``devOptional`` may be installed in production as an optional."""
    if entry.get("dev") is True:
        return "dev"
    if entry.get("optional") is True or entry.get("devOptional") is True:
        return "optional"
    if entry.get("peer") is True:
        return "peer"
    return None


def split_hashes(value: object) -> tuple[str, ...]:
    """npm's ``integrity`` may hold several space-separated SRI hashes."""
    return tuple(value.split()) if isinstance(value, str) else ()


def mapping(file: InputFile, value: object, what: str, line: int | None = None) -> dict[str, Any]:
    """An object, with an absent (YAML-empty) one read as empty."""
    return {} if value is None else expect_dict(file, value, what, line)
