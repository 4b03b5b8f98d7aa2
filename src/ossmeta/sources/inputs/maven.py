"""Maven pom.xml: the dependencies a POM declares, with versions resolved within the file.

A POM is a build description, not a lockfile: what it names are direct dependencies
(``direct=True``); the transitive closure needs Maven's resolver and remote repositories.

- ``project/dependencies/dependency``: name ``groupId:artifactId``; ``scope`` ``runtime``,
  ``test``, ``provided``, ``system`` as written (``compile``, the default, gives None);
  ``<optional>true</optional>`` gives ``optional`` unless the scope is test, provided or
  system, which say more. ``type`` and ``classifier`` select an artifact of the same
  component and version, so they change nothing here.
- Versions: ``${...}`` references are resolved from ``<properties>``, ``project.*`` /
  ``pom.*`` / ``version`` (project, else parent values), ``project.parent.*`` /
  ``parent.*``, nested to any depth; a cycle or an undefined property leaves the version
  unresolved with the reason. A plain version (Maven's "soft requirement") is the version;
  ``[1.2.3]`` pins exactly 1.2.3, so it is reported as that version; any other range
  (``[1.0,2.0)``, ``(,1.0]``) and ``LATEST``/``RELEASE`` are requirements.
- No version: ``dependencyManagement`` in the same file supplies it (and the scope), matched
  as Maven does on groupId, artifactId, type and classifier; otherwise it comes from a
  parent POM or an imported BOM, which are other files: reported unresolved, saying which.
- Not components, each said in a note: dependencies inside ``<profiles>`` (whether they
  apply depends on how the build is run) and build plugin dependencies (tooling, not part
  of the product), and any other ``<dependency>`` outside ``project/dependencies``.
  ``dependencyManagement`` entries are no note: they declare no dependency, only the
  version and scope a declared one gets (a BOM import is named where it would matter).

ElementTree keeps no line numbers. Every ``dependency`` element is also a ``<dependency>``
opening tag in the text, in the same order, once comments and CDATA are blanked out, so a
single linear scan recovers the lines; if the counts disagree (an unusual spelling of the
tag), a path such as ``/project/dependencies/dependency[3]`` is given instead.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from xml.etree.ElementTree import Element

from ossmeta.ecosystems import MAVEN
from ossmeta.model import DeclaredPackage
from ossmeta.sources.files import InputFile, parse_xml
from ossmeta.sources.inputs.skipped import Skipped

_REF = re.compile(r"\$\{([^{}]*)\}")
_HIDDEN = re.compile(r"<!--.*?-->|<!\[CDATA\[.*?\]\]>|<\?.*?\?>", re.S)
_DEP_TAG = re.compile(r"<(?:[A-Za-z_][\w.-]*:)?dependency(?:\s[^<>]*)?/?>")
_EXACT = re.compile(r"\[([^\[\](),]+)\]")
_MAX_VALUE = 4096  # longer expansions are property bombs, not versions
_MAX_DEPTH = 64


class _Unresolved(Exception):
    """A property reference that cannot be resolved within the file (internal)."""


def sniff(head: str) -> bool:
    return "<project" in head and ("maven.apache.org/POM/" in head or "<modelVersion>" in head)


class _Pom:
    def __init__(self, root: Element) -> None:
        self.ns = root.tag[: root.tag.index("}") + 1] if root.tag.startswith("{") else ""
        self.root = root
        self.parent = self.child(root, "parent")
        self.properties: dict[str, str] = {}
        props = self.child(root, "properties")
        if props is not None:
            for prop in props:
                if isinstance(prop.tag, str):  # skip comments and processing instructions
                    self.properties[prop.tag.removeprefix(self.ns)] = (prop.text or "").strip()
        self._cache: dict[str, str] = {}
        self._resolving: list[str] = []

    def child(self, element: Element | None, name: str) -> Element | None:
        # Not Element.find: names can come from ${...} text, and find() reads them as paths.
        tag = self.ns + name
        return next((c for c in element if c.tag == tag), None) if element is not None else None

    def text(self, element: Element | None, name: str) -> str | None:
        found = self.child(element, name)
        if found is None or found.text is None:
            return None
        return found.text.strip() or None

    def _model(self, name: str) -> str | None:
        """The raw text behind a built-in ``project.*`` / ``parent.*`` reference."""
        for prefix in ("project.parent.", "pom.parent.", "parent."):
            if name.startswith(prefix):
                return self.text(self.parent, name[len(prefix) :])
        for prefix in ("project.", "pom.", ""):
            if name.startswith(prefix) and name[len(prefix) :] in ("version", "groupId"):
                field = name[len(prefix) :]
                return self.text(self.root, field) or self.text(self.parent, field)
            if name == prefix + "artifactId":
                return self.text(self.root, "artifactId")
        return self.properties.get(name)

    def lookup(self, name: str) -> str:
        if name in self._cache:
            return self._cache[name]
        if name in self._resolving:
            raise _Unresolved(f"the property ${{{name}}} refers to itself")
        if len(self._resolving) > _MAX_DEPTH:
            raise _Unresolved("properties are nested too deeply")
        raw = self._model(name)
        if raw is None:
            raise _Unresolved(f"the property ${{{name}}} is not defined in this file")
        self._resolving.append(name)
        try:
            value = self.resolve(raw)
        finally:
            self._resolving.pop()
        self._cache[name] = value
        return value

    def fields(self, element: Element | None) -> dict[str, str]:
        """Child element name -> its non-empty text (the first of each name, as find())."""
        found: dict[str, str] = {}
        for child in element if element is not None else ():
            value = (child.text or "").strip()
            if value and isinstance(child.tag, str):
                found.setdefault(child.tag.removeprefix(self.ns), value)
        return found

    def resolve(self, text: str) -> str:
        if "${" not in text:
            return text
        value = _REF.sub(lambda ref: self.lookup(ref.group(1)), text)
        if len(value) > _MAX_VALUE:
            raise _Unresolved("a property expands to an implausibly long value")
        return value

    def resolve_or_keep(self, text: str) -> str:
        try:
            return self.resolve(text)
        except _Unresolved:
            return text


def _dependency_lines(text: str) -> list[int]:
    def blank(match: re.Match[str]) -> str:
        return re.sub(r"[^\n]", " ", match.group())

    visible = _HIDDEN.sub(blank, text)
    lines: list[int] = []
    line, position = 1, 0
    for match in _DEP_TAG.finditer(visible):
        line += visible.count("\n", position, match.start())
        position = match.start()
        lines.append(line)
    return lines


def _key(pom: _Pom, fields: dict[str, str]) -> tuple[str, str, str, str]:
    return (
        pom.resolve_or_keep(fields.get("groupId", "")),
        pom.resolve_or_keep(fields.get("artifactId", "")),
        pom.resolve_or_keep(fields.get("type", "jar")),
        pom.resolve_or_keep(fields.get("classifier", "")),
    )


def _version(pom: _Pom, text: str) -> tuple[str | None, str | None]:
    """(version, None) for an exact version, else (None, requirement with the reason)."""
    try:
        value = pom.resolve(text)
    except _Unresolved as why:
        return None, f"{text} ({why})"
    exact = _EXACT.fullmatch(value)
    if exact is not None:
        return exact.group(1).strip(), None
    if any(c in value for c in "[](),") or value in ("LATEST", "RELEASE"):
        return None, value
    return value, None


def parse(file: InputFile) -> Iterator[DeclaredPackage | Skipped]:
    data = file.read_bytes()
    try:
        root = parse_xml(file, data)
    except LookupError as error:  # an unknown encoding= (files.parse_xml lets it through)
        file.fail(f"invalid XML: {error}")
    pom = _Pom(root)
    if root.tag.removeprefix(pom.ns) != "project":
        file.fail(f"not a Maven POM: the root element is <{root.tag.removeprefix(pom.ns)}>")
    dep_tag = pom.ns + "dependency"
    elements = [e for e in root.iter() if e.tag == dep_tag]
    # Only newlines matter for the scan; the XML parser has already checked the encoding.
    lines = _dependency_lines(data.decode("utf-8", "replace"))
    if len(lines) != len(elements):
        lines = []
    line_of = {id(e): n for e, n in zip(elements, lines, strict=False)}

    managed: dict[tuple[str, str, str, str], dict[str, str]] = {}
    boms: list[str] = []
    management = pom.child(pom.child(root, "dependencyManagement"), "dependencies")
    for dep in management if management is not None else ():
        if dep.tag != dep_tag:
            continue
        fields = pom.fields(dep)
        key = _key(pom, fields)
        if fields.get("scope") == "import":
            boms.append(f"{key[0]}:{key[1]}:{pom.resolve_or_keep(fields.get('version', ''))}")
        else:
            managed.setdefault(key, fields)

    declared = pom.child(root, "dependencies")
    used = {id(e) for e in (*(declared or ()), *(management or ())) if e.tag == dep_tag}
    position = 0
    for dep in declared if declared is not None else ():
        if dep.tag != dep_tag:
            continue
        position += 1
        line = line_of.get(id(dep))
        pointer = f"/project/dependencies/dependency[{position}]"
        location = file.at(line=line) if line is not None else file.at(pointer=pointer)
        fields = pom.fields(dep)
        key = _key(pom, fields)
        if not key[0] or not key[1]:
            file.fail("a dependency without groupId or artifactId", line)
        manager = managed.get(key, {})
        raw_version = fields.get("version") or manager.get("version")
        version: str | None = None
        if raw_version is None:
            requirement: str | None = _missing_version(pom, boms)
        else:
            version, requirement = _version(pom, raw_version)
        written_scope = fields.get("scope") or manager.get("scope")
        scope = None if written_scope is None else pom.resolve_or_keep(written_scope)
        if scope in (None, "compile", "runtime") and fields.get("optional") == "true":
            scope = "optional"
        yield DeclaredPackage(
            ecosystem=MAVEN,
            name=f"{key[0]}:{key[1]}",
            version=version,
            location=location,
            requirement=requirement,
            direct=True,
            scope=None if scope == "compile" else scope,
        )
    others = [e for e in elements if id(e) not in used]
    if others:
        yield from _elsewhere(file, pom, others, line_of)


def _missing_version(pom: _Pom, boms: list[str]) -> str:
    sources = []
    if pom.parent is not None:
        coordinates = [
            pom.resolve_or_keep(pom.text(pom.parent, f) or "?")
            for f in ("groupId", "artifactId", "version")
        ]
        sources.append("the parent POM " + ":".join(coordinates))
    sources += [f"the imported BOM {bom}" for bom in boms]
    where = " or ".join(sources) if sources else "a parent POM or BOM"
    return f"no version in this file; it comes from {where}, not resolved"


def _elsewhere(
    file: InputFile, pom: _Pom, elements: list[Element], line_of: dict[int, int]
) -> Iterator[Skipped]:
    """A note for each ``<dependency>`` outside ``project/dependencies`` and
    ``dependencyManagement``, saying whose it is: a profile's, a build plugin's, or else
    where it sits."""
    parents: dict[int, Element] = {}
    places: dict[int, str] = {}  # element -> its step in a path: "dependency[2]"
    for parent in pom.root.iter():
        counts = Counter(child.tag for child in parent)
        seen: Counter[object] = Counter()
        for child in parent:
            parents[id(child)] = parent
            seen[child.tag] += 1
            tag = child.tag.removeprefix(pom.ns) if isinstance(child.tag, str) else "?"
            places[id(child)] = f"{tag}[{seen[child.tag]}]" if counts[child.tag] > 1 else tag
    for element in elements:
        chain = [element]
        while id(chain[-1]) in parents:
            chain.append(parents[id(chain[-1])])
        chain.reverse()  # from <project> down to the <dependency>
        path = "/project/" + "/".join(places[id(e)] for e in chain[1:])
        fields = pom.fields(element)
        name = ":".join(pom.resolve_or_keep(fields.get(f, "?"))[:200] for f in _COORDINATES)
        line = line_of.get(id(element))
        where = file.at(line=line) if line is not None else file.at(pointer=path)
        yield Skipped(where, f"skipped {name}: {_whose(pom, chain, path)}")


_COORDINATES = ("groupId", "artifactId")


def _whose(pom: _Pom, chain: list[Element], path: str) -> str:
    local = [e.tag.removeprefix(pom.ns) if isinstance(e.tag, str) else "" for e in chain]
    if "profile" in local:
        profile = chain[local.index("profile")]
        named = pom.text(profile, "id")
        shown = f"the profile {named[:200]}" if named else "a profile"
        return f"a dependency of {shown}, which applies only when the build turns it on"
    if "plugin" in local and "build" in local:
        plugin = pom.fields(chain[local.index("plugin")])
        shown = ":".join(pom.resolve_or_keep(plugin.get(f, "?"))[:200] for f in _COORDINATES)
        return f"a dependency of the build plugin {shown} (tooling, not part of the product)"
    return f"not a project dependency (it sits at {path.rpartition('/')[0]})"
