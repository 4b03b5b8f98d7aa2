"""The data ossmeta reads from one Maven POM, and the JSON-shaped payload a raw record keeps.

``xml`` reads a POM's XML into ``Pom``; ``normalizers.maven.inherit`` folds a parent
chain of them into one model. A payload names each field as the POM element it was read from
(``group_id`` is ``groupId``), absent elements as None.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

Key = tuple[str, str, str, str]  # groupId, artifactId, type, classifier


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
            "parent": None if self.parent is None else _element_payload(self.parent),
            "groupId": self.group_id,
            "artifactId": self.artifact_id,
            "version": self.version,
            "packaging": self.packaging,
            "name": self.name,
            "description": self.description,
            "url": self.url,
            "childProjectUrlInheritAppendPath": self.child_url_append,
            "licenses": [_element_payload(licence) for licence in self.licenses],
            "scm": None if self.scm is None else scm_payload(self.scm),
            "developers": [_developer_payload(d) for d in self.developers],
            "properties": dict(self.properties),
            "dependencyManagement": None
            if management is None
            else {"dependencies": [dependency_payload(d) for d in management]},
            "dependencies": [dependency_payload(d) for d in self.dependencies],
            "relocation": None if self.relocation is None else _element_payload(self.relocation),
        }


def element_name(field_name: str) -> str:
    """The POM element a field is read from: ``organization_url`` is ``organizationUrl``."""
    first, *rest = field_name.split("_")
    return first + "".join(word.capitalize() for word in rest)


def _element_payload(
    value: Parent | Licence | Relocation | Developer | Dependency,
) -> dict[str, object]:
    """Every field under its element name, in field order, as read."""
    return {element_name(f.name): getattr(value, f.name) for f in fields(value)}


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
    return {**_element_payload(developer), "roles": list(developer.roles)}


def dependency_payload(dependency: Dependency) -> dict[str, object]:
    return {
        **_element_payload(dependency),
        "exclusions": [{"groupId": g, "artifactId": a} for g, a in dependency.exclusions],
    }
