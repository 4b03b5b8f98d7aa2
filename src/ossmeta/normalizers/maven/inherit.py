"""The pure half of the effective POM: a parent chain folded into one ``Merged`` model
following Maven's inheritance rules, and ``${...}`` interpolated in its context.

Order matters and is Maven's: a chain is merged from *raw* (uninterpolated) POMs first,
and only the merged model is interpolated, so a ``${jackson.version}`` written in a parent
takes the child's value of that property when the child overrides it, and a parent's
``${project.version}`` is the child's version. Inheritance rules kept here (Maven 3's
``MavenModelMerger`` / ``DefaultInheritanceAssembler``):

- groupId and version come from the ``<parent>`` element when the child has none;
  artifactId, packaging, name and relocation are never inherited; description is.
- licenses and developers: the child's list if it has any entries, else the parent's.
- properties: the parent's, overridden key by key by the child's.
- dependencies and dependencyManagement: merged by management key (groupId, artifactId,
  type, classifier, as written), the child's entry winning; the child's come first.
- url and each scm field (url, connection, developerConnection, tag) separately: the
  child's if written; otherwise the parent's, with the child's artifactId appended as a
  path segment to url, scm url, connection and developerConnection (not tag), unless the
  parent's ``child.*.inherit.append.path`` attribute (itself inherited) is ``false``.
  Maven appends the module *directory* name when it builds from a checkout; from a
  repository the directory is unknown and the artifactId is what it uses, as here.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace

from ossmeta.sources.maven.model import (
    Dependency,
    Developer,
    Key,
    Licence,
    Parent,
    Pom,
    Relocation,
    Scm,
)

__all__ = [
    "MAX_VALUE",
    "Interpolator",
    "Merged",
    "Unresolved",
    "append_path",
    "inherit",
    "merge_chain",
]

_REF = re.compile(r"\$\{([^{}]*)\}")
MAX_VALUE = 4096  # an expansion longer than this is a property bomb, not a version
_MAX_NESTING = 64


class Unresolved(Exception):
    """A ``${...}`` reference that the model cannot resolve; the message says why."""


@dataclass(frozen=True, slots=True)
class Merged:
    """A parent chain folded into one raw model; each dependency and managed entry keeps
    the coordinate of the POM that wrote it, and licences and scm the POM they came from."""

    coordinate: str  # of the POM this model is for, as written
    parent: Parent | None
    group_id: str | None
    artifact_id: str | None
    version: str | None
    packaging: str | None
    name: str | None
    description: str | None
    url: str | None
    url_append: str | None
    licenses: tuple[Licence, ...]
    licenses_from: str | None
    developers: tuple[Developer, ...]
    scm: Scm | None
    scm_from: str | None
    properties: dict[str, str]
    managed: tuple[tuple[Dependency, str], ...]
    dependencies: tuple[tuple[Dependency, str], ...]
    relocation: Relocation | None
    chain: tuple[str, ...] = field(default=())  # child first


def append_path(base: str, child: str) -> str:
    """Maven's ``concatPath``: one slash between, and a trailing slash kept."""
    if base.endswith("/") and child.startswith("/"):
        joined = base + child[1:]
    elif base.endswith("/") or child.startswith("/"):
        joined = base + child
    else:
        joined = f"{base}/{child}"
    return joined + "/" if base.endswith("/") and not joined.endswith("/") else joined


def _inherited(
    value: str | None, parent_value: str | None, flag: str | None, child: str
) -> str | None:
    if value is not None or parent_value is None:
        return value
    return parent_value if flag == "false" else append_path(parent_value, child)


def _merge_keyed(
    child: Iterable[tuple[Dependency, str]], parent: Iterable[tuple[Dependency, str]]
) -> tuple[tuple[Dependency, str], ...]:
    merged: dict[Key, tuple[Dependency, str]] = {}
    for entry in child:
        merged.setdefault(entry[0].key(), entry)
    for entry in parent:
        merged.setdefault(entry[0].key(), entry)
    return tuple(merged.values())


def _own(pom: Pom) -> Merged:
    coordinate = pom.coordinate()
    parent = pom.parent
    return Merged(
        coordinate=coordinate,
        parent=parent,
        group_id=pom.group_id or (parent.group_id if parent else None),
        artifact_id=pom.artifact_id,
        version=pom.version or (parent.version if parent else None),
        packaging=pom.packaging,
        name=pom.name,
        description=pom.description,
        url=pom.url,
        url_append=pom.child_url_append,
        licenses=pom.licenses,
        licenses_from=coordinate if pom.licenses else None,
        developers=pom.developers,
        scm=pom.scm,
        scm_from=coordinate if pom.scm is not None else None,
        properties=dict(pom.properties),
        managed=_merge_keyed(((d, coordinate) for d in pom.dependency_management or ()), ()),
        dependencies=_merge_keyed(((d, coordinate) for d in pom.dependencies), ()),
        relocation=pom.relocation,
        chain=(coordinate,),
    )


def _inherit_scm(mine: Scm | None, theirs: Scm, child_path: str) -> Scm:
    """The child's ``<scm>`` (possibly absent) with the parent's inherited field by field."""
    mine = mine or Scm(None, None, None, None)
    return Scm(
        _inherited(mine.url, theirs.url, theirs.child_url_append, child_path),
        _inherited(mine.connection, theirs.connection, theirs.child_connection_append, child_path),
        _inherited(
            mine.developer_connection,
            theirs.developer_connection,
            theirs.child_developer_connection_append,
            child_path,
        ),
        mine.tag or theirs.tag,
        mine.child_url_append or theirs.child_url_append,
        mine.child_connection_append or theirs.child_connection_append,
        mine.child_developer_connection_append or theirs.child_developer_connection_append,
    )


def inherit(parent: Merged, pom: Pom) -> Merged:
    """``pom`` with ``parent`` (the effective raw model of its parent) inherited."""
    own = _own(pom)
    child_path = pom.artifact_id or ""
    scm = own.scm if parent.scm is None else _inherit_scm(own.scm, parent.scm, child_path)
    return replace(
        own,
        description=own.description or parent.description,
        url=_inherited(own.url, parent.url, parent.url_append, child_path),
        url_append=own.url_append or parent.url_append,
        licenses=own.licenses or parent.licenses,
        licenses_from=own.licenses_from if own.licenses else parent.licenses_from,
        developers=own.developers or parent.developers,
        scm=scm,
        scm_from=own.scm_from or parent.scm_from,
        properties={**parent.properties, **own.properties},
        managed=_merge_keyed(own.managed, parent.managed),
        dependencies=_merge_keyed(own.dependencies, parent.dependencies),
        chain=own.chain + parent.chain,
    )


def merge_chain(chain: Sequence[Pom]) -> Merged:
    """Fold a parent chain given child first (``chain[0]`` is the POM asked for)."""
    merged = _own(chain[-1])
    for pom in reversed(chain[:-1]):
        merged = inherit(merged, pom)
    return merged


class Interpolator:
    """``${...}`` in the context of one merged model, in Maven's order of value sources:
    ``project.*`` / ``pom.*`` model values, then ``<properties>``, then the unprefixed
    legacy model names (``${version}``). Values are expanded recursively; a cycle, an
    undefined name or an implausibly long expansion raise ``Unresolved``. Environment,
    system and build-time values (``env.*``, ``java.version``, ``project.basedir``) do not
    exist for a POM read from a repository, so they are undefined here."""

    def __init__(self, model: Merged) -> None:
        parent = model.parent or Parent(None, None, None, None)
        values = {
            "groupId": model.group_id,
            "artifactId": model.artifact_id,
            "version": model.version,
            "packaging": model.packaging or "jar",
            "name": model.name,
            "description": model.description,
            "url": model.url,
            "parent.groupId": parent.group_id,
            "parent.artifactId": parent.artifact_id,
            "parent.version": parent.version,
        }
        self._model = {
            f"{prefix}{name}": value
            for name, value in values.items()
            if value is not None
            for prefix in ("project.", "pom.")
        }
        self._legacy = {k: v for k, v in values.items() if v is not None}
        self._properties = model.properties
        self._cache: dict[str, str] = {}
        self._resolving: list[str] = []

    def _raw(self, name: str) -> str:
        for source in (self._model, self._properties, self._legacy):
            if name in source:
                return source[name]
        raise Unresolved(f"${{{name}}} is not defined")

    def lookup(self, name: str) -> str:
        if name in self._cache:
            return self._cache[name]
        if name in self._resolving:
            cycle = " -> ".join(
                f"${{{n}}}" for n in [*self._resolving[self._resolving.index(name) :], name]
            )
            raise Unresolved(f"properties refer to each other: {cycle}")
        if len(self._resolving) >= _MAX_NESTING:
            raise Unresolved("properties are nested too deeply")
        raw = self._raw(name)
        self._resolving.append(name)
        try:
            value = self.expand(raw)
        finally:
            self._resolving.pop()
        self._cache[name] = value
        return value

    def expand(self, text: str) -> str:
        if "${" not in text:
            return text
        value = _REF.sub(lambda ref: self.lookup(ref.group(1)), text)
        if len(value) > MAX_VALUE:
            raise Unresolved("a property expands to an implausibly long value")
        return value

    def keep(self, text: str | None) -> str | None:
        """``text`` expanded, or as written when it cannot be (for descriptive fields,
        where an unexpanded reference is still the best text there is)."""
        if text is None:
            return None
        try:
            return self.expand(text)
        except Unresolved:
            return text
