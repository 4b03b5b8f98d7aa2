"""Maven POMs and maven-metadata.xml as data, and the pure half of the effective POM.

``maven_central`` fetches; this module does no I/O. It reads a POM's XML into ``Pom`` (and
that into the JSON-shaped payload a raw record keeps), reads maven-metadata.xml into its
payload, folds a parent chain into one ``Merged`` model following Maven's inheritance
rules, and interpolates ``${...}`` in the context of the model being built.

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
from pathlib import Path
from xml.etree.ElementTree import Element

from ossmeta.errors import SourceError
from ossmeta.sources.files import InputFile, parse_xml

_REF = re.compile(r"\$\{([^{}]*)\}")
_ENCODING = re.compile(rb"""^\s*<\?xml[^>]*encoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")
MAX_VALUE = 4096  # an expansion longer than this is a property bomb, not a version
_MAX_NESTING = 64

Key = tuple[str, str, str, str]  # groupId, artifactId, type, classifier


class Unresolved(Exception):
    """A ``${...}`` reference that the model cannot resolve; the message says why."""


# ------------------------------------------------------------------ the model of one POM


@dataclass(frozen=True, slots=True)
class Parent:
    group_id: str | None
    artifact_id: str | None
    version: str | None
    relative_path: str | None


@dataclass(frozen=True, slots=True)
class Licence:
    name: str | None
    url: str | None
    distribution: str | None
    comments: str | None


@dataclass(frozen=True, slots=True)
class Scm:
    """``<scm>``; the three ``child_*`` fields are Maven's ``child.scm.*.inherit.append.path``
    attributes as written (``"false"`` stops children appending their artifactId)."""

    url: str | None
    connection: str | None
    developer_connection: str | None
    tag: str | None
    child_url_append: str | None = None
    child_connection_append: str | None = None
    child_developer_connection_append: str | None = None


@dataclass(frozen=True, slots=True)
class Developer:
    id: str | None
    name: str | None
    email: str | None
    url: str | None
    organization: str | None
    organization_url: str | None
    roles: tuple[str, ...]
    timezone: str | None


@dataclass(frozen=True, slots=True)
class Dependency:
    """A ``<dependency>`` as written (no interpolation, no defaults)."""

    group_id: str | None
    artifact_id: str | None
    version: str | None
    type: str | None
    classifier: str | None
    scope: str | None
    optional: str | None
    exclusions: tuple[tuple[str | None, str | None], ...]

    def key(self) -> Key:
        """Maven's management key, on the text as written (how inheritance merges)."""
        return (
            self.group_id or "",
            self.artifact_id or "",
            self.type or "jar",
            self.classifier or "",
        )


@dataclass(frozen=True, slots=True)
class Relocation:
    group_id: str | None
    artifact_id: str | None
    version: str | None
    message: str | None


@dataclass(frozen=True, slots=True)
class Pom:
    """What ossmeta reads from one POM; ``dependency_management`` is None when the POM
    has no ``<dependencyManagement>`` element (an empty one gives ``()``)."""

    model_version: str | None
    parent: Parent | None
    group_id: str | None
    artifact_id: str | None
    version: str | None
    packaging: str | None
    name: str | None
    description: str | None
    url: str | None
    child_url_append: str | None  # child.project.url.inherit.append.path as written
    licenses: tuple[Licence, ...]
    scm: Scm | None
    developers: tuple[Developer, ...]
    properties: dict[str, str]
    dependency_management: tuple[Dependency, ...] | None
    dependencies: tuple[Dependency, ...]
    relocation: Relocation | None

    def coordinate(self) -> str:
        """``group:artifact:version`` as written, groupId and version falling back on the
        ``<parent>`` element's (how a child names itself without repeating them)."""
        parent = self.parent or Parent(None, None, None, None)
        return ":".join(
            value or "?"
            for value in (
                self.group_id or parent.group_id,
                self.artifact_id,
                self.version or parent.version,
            )
        )

    def payload(self) -> dict[str, object]:
        """The JSON-shaped record payload: POM element names, absent elements as None."""
        management = self.dependency_management
        return {
            "modelVersion": self.model_version,
            "parent": None if self.parent is None else _parent_payload(self.parent),
            "groupId": self.group_id,
            "artifactId": self.artifact_id,
            "version": self.version,
            "packaging": self.packaging,
            "name": self.name,
            "description": self.description,
            "url": self.url,
            "childProjectUrlInheritAppendPath": self.child_url_append,
            "licenses": [_licence_payload(licence) for licence in self.licenses],
            "scm": None if self.scm is None else scm_payload(self.scm),
            "developers": [_developer_payload(d) for d in self.developers],
            "properties": dict(self.properties),
            "dependencyManagement": None
            if management is None
            else {"dependencies": [dependency_payload(d) for d in management]},
            "dependencies": [dependency_payload(d) for d in self.dependencies],
            "relocation": None if self.relocation is None else _relocation_payload(self.relocation),
        }


def _parent_payload(parent: Parent) -> dict[str, object]:
    return {
        "groupId": parent.group_id,
        "artifactId": parent.artifact_id,
        "version": parent.version,
        "relativePath": parent.relative_path,
    }


def _licence_payload(licence: Licence) -> dict[str, object]:
    return {
        "name": licence.name,
        "url": licence.url,
        "distribution": licence.distribution,
        "comments": licence.comments,
    }


def scm_payload(scm: Scm) -> dict[str, object]:
    return {
        "url": scm.url,
        "connection": scm.connection,
        "developerConnection": scm.developer_connection,
        "tag": scm.tag,
        "childScmUrlInheritAppendPath": scm.child_url_append,
        "childScmConnectionInheritAppendPath": scm.child_connection_append,
        "childScmDeveloperConnectionInheritAppendPath": scm.child_developer_connection_append,
    }


def _developer_payload(developer: Developer) -> dict[str, object]:
    return {
        "id": developer.id,
        "name": developer.name,
        "email": developer.email,
        "url": developer.url,
        "organization": developer.organization,
        "organizationUrl": developer.organization_url,
        "roles": list(developer.roles),
        "timezone": developer.timezone,
    }


def dependency_payload(dependency: Dependency) -> dict[str, object]:
    return {
        "groupId": dependency.group_id,
        "artifactId": dependency.artifact_id,
        "version": dependency.version,
        "type": dependency.type,
        "classifier": dependency.classifier,
        "scope": dependency.scope,
        "optional": dependency.optional,
        "exclusions": [{"groupId": g, "artifactId": a} for g, a in dependency.exclusions],
    }


def _relocation_payload(relocation: Relocation) -> dict[str, object]:
    return {
        "groupId": relocation.group_id,
        "artifactId": relocation.artifact_id,
        "version": relocation.version,
        "message": relocation.message,
    }


# ------------------------------------------------------------------ reading XML


class _Reader:
    """Namespace-aware child lookups. POMs since Maven 2 use the POM 4.0.0 namespace,
    older and hand-written ones none; both are read the same way."""

    def __init__(self, root: Element) -> None:
        self.ns = root.tag[: root.tag.index("}") + 1] if root.tag.startswith("{") else ""

    def local(self, element: Element) -> str:
        return element.tag.removeprefix(self.ns) if isinstance(element.tag, str) else ""

    def child(self, element: Element | None, name: str) -> Element | None:
        # Not Element.find: it reads names as paths, and a first match is what Maven keeps.
        if element is None:
            return None
        tag = self.ns + name
        return next((c for c in element if c.tag == tag), None)

    def children(self, element: Element | None, name: str) -> list[Element]:
        if element is None:
            return []
        tag = self.ns + name
        return [c for c in element if c.tag == tag]

    def text(self, element: Element | None, name: str) -> str | None:
        found = self.child(element, name)
        if found is None:
            return None
        # itertext: a value may be split by a comment (<version>1.<!-- x -->0</version>).
        value = "".join(found.itertext()).strip()
        return value or None


def parse_xml_bytes(body: bytes, url: str) -> Element:
    """defusedxml (``files.parse_xml``): a DTD, entities or external references are
    refused, and every failure is a one-line ``SourceError`` naming ``url``."""
    return parse_xml(InputFile(Path("-"), url), body)


def xml_text(body: bytes) -> str:
    """The document as text, decoded as its XML declaration says (UTF-8 by default);
    only called on bodies the XML parser accepted, so the encoding is a known one."""
    declared = _ENCODING.match(body.removeprefix(b"\xef\xbb\xbf"))
    encoding = declared.group(1).decode("ascii") if declared else "utf-8"
    try:
        return body.decode("utf-8-sig" if encoding.lower() in ("utf-8", "utf8") else encoding)
    except (LookupError, UnicodeDecodeError):
        # The parser decoded it, so this is a codec name Python spells differently.
        return body.decode("utf-8", "replace")


def read_pom(root: Element, url: str) -> Pom:
    """A parsed POM document as a ``Pom``; a root other than ``<project>`` is an error."""
    r = _Reader(root)
    if r.local(root) != "project":
        raise SourceError(f"not a Maven POM: the root element is <{r.local(root)}>", path=url)
    parent_el = r.child(root, "parent")
    parent = None
    if parent_el is not None:
        parent = Parent(
            r.text(parent_el, "groupId"),
            r.text(parent_el, "artifactId"),
            r.text(parent_el, "version"),
            r.text(parent_el, "relativePath"),
        )
    properties: dict[str, str] = {}
    props_el = r.child(root, "properties")
    # Not ``or ()``: an Element's truth value is its child count, and deprecated.
    for prop in props_el if props_el is not None else ():
        name = r.local(prop)
        if name:  # comments and processing instructions have no string tag
            properties[name] = "".join(prop.itertext()).strip()
    scm_el = r.child(root, "scm")
    scm = None
    if scm_el is not None:
        scm = Scm(
            r.text(scm_el, "url"),
            r.text(scm_el, "connection"),
            r.text(scm_el, "developerConnection"),
            r.text(scm_el, "tag"),
            scm_el.get("child.scm.url.inherit.append.path"),
            scm_el.get("child.scm.connection.inherit.append.path"),
            scm_el.get("child.scm.developerConnection.inherit.append.path"),
        )
    management_el = r.child(root, "dependencyManagement")
    management = None
    if management_el is not None:
        management = _dependencies(r, r.child(management_el, "dependencies"))
    relocation_el = r.child(r.child(root, "distributionManagement"), "relocation")
    relocation = None
    if relocation_el is not None:
        relocation = Relocation(
            r.text(relocation_el, "groupId"),
            r.text(relocation_el, "artifactId"),
            r.text(relocation_el, "version"),
            r.text(relocation_el, "message"),
        )
    return Pom(
        model_version=r.text(root, "modelVersion"),
        parent=parent,
        group_id=r.text(root, "groupId"),
        artifact_id=r.text(root, "artifactId"),
        version=r.text(root, "version"),
        packaging=r.text(root, "packaging"),
        name=r.text(root, "name"),
        description=r.text(root, "description"),
        url=r.text(root, "url"),
        child_url_append=root.get("child.project.url.inherit.append.path"),
        licenses=tuple(
            Licence(
                r.text(el, "name"),
                r.text(el, "url"),
                r.text(el, "distribution"),
                r.text(el, "comments"),
            )
            for el in r.children(r.child(root, "licenses"), "license")
        ),
        scm=scm,
        developers=tuple(
            Developer(
                r.text(el, "id"),
                r.text(el, "name"),
                r.text(el, "email"),
                r.text(el, "url"),
                r.text(el, "organization"),
                r.text(el, "organizationUrl"),
                tuple(
                    "".join(role.itertext()).strip()
                    for role in r.children(r.child(el, "roles"), "role")
                ),
                r.text(el, "timezone"),
            )
            for el in r.children(r.child(root, "developers"), "developer")
        ),
        properties=properties,
        dependency_management=management,
        dependencies=_dependencies(r, r.child(root, "dependencies")),
        relocation=relocation,
    )


def _dependencies(r: _Reader, element: Element | None) -> tuple[Dependency, ...]:
    return tuple(
        Dependency(
            r.text(el, "groupId"),
            r.text(el, "artifactId"),
            r.text(el, "version"),
            r.text(el, "type"),
            r.text(el, "classifier"),
            r.text(el, "scope"),
            r.text(el, "optional"),
            tuple(
                (r.text(ex, "groupId"), r.text(ex, "artifactId"))
                for ex in r.children(r.child(el, "exclusions"), "exclusion")
            ),
        )
        for el in r.children(element, "dependency")
    )


def read_metadata(root: Element, url: str) -> dict[str, object]:
    """maven-metadata.xml (artifact level) as a JSON-shaped dict; ``versioning`` is None
    when the file has none, and ``versions`` keeps the file's order."""
    r = _Reader(root)
    if r.local(root) != "metadata":
        raise SourceError(
            f"not Maven repository metadata: the root element is <{r.local(root)}>", path=url
        )
    versioning_el = r.child(root, "versioning")
    versioning: dict[str, object] | None = None
    if versioning_el is not None:
        versioning = {
            "latest": r.text(versioning_el, "latest"),
            "release": r.text(versioning_el, "release"),
            "versions": [
                "".join(v.itertext()).strip()
                for v in r.children(r.child(versioning_el, "versions"), "version")
            ],
            "lastUpdated": r.text(versioning_el, "lastUpdated"),
        }
    return {
        "groupId": r.text(root, "groupId"),
        "artifactId": r.text(root, "artifactId"),
        "version": r.text(root, "version"),  # only in snapshot-level metadata
        "versioning": versioning,
    }


# ------------------------------------------------------------------ inheritance


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


def inherit(parent: Merged, pom: Pom) -> Merged:
    """``pom`` with ``parent`` (the effective raw model of its parent) inherited."""
    own = _own(pom)
    child_path = pom.artifact_id or ""
    scm = own.scm
    if parent.scm is not None:
        mine = own.scm or Scm(None, None, None, None)
        theirs = parent.scm
        scm = Scm(
            _inherited(mine.url, theirs.url, theirs.child_url_append, child_path),
            _inherited(
                mine.connection, theirs.connection, theirs.child_connection_append, child_path
            ),
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


# ------------------------------------------------------------------ interpolation


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
