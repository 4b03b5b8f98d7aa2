"""CycloneDX SBOMs, JSON and XML, spec versions 1.2 to 1.7.

Every component (nested ``components`` too, depth first in document order) becomes a
DeclaredPackage; ``metadata.component`` is the subject of the SBOM and is no component, but
its ``bom-ref`` entry in ``dependencies`` says which components are direct. Two components
are skipped, each with a note: the subject listed again among the components, a
component without a purl whose type names no package (a file, an operating system, data,
a cryptographic asset), and the subject's own parts (``metadata.component.components``).
A component's purl decides its ecosystem, name and version (``ossmeta.purls``); without
one, or with an invalid purl or one of a type OSV does not know, it is reported as
unidentified.

The JSON is read with the plain JSON loader, not cyclonedx-python-lib, whose object model
costs an order of magnitude more than the load itself on a 10,000-component SBOM.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any, NoReturn
from xml.etree.ElementTree import Element

from ossmeta.model import DeclaredPackage, Location
from ossmeta.purls import InvalidPurl, parse_purl, purl_package
from ossmeta.sources.files import (
    InputFile,
    decode_text,
    expect_dict,
    expect_list,
    expect_str,
    load_json,
    optional_str,
    parse_xml,
    type_name,
)
from ossmeta.sources.inputs.skipped import Skipped

# Tuples, not sets: membership is tested on values of any JSON type, hashable or not.
SPEC_VERSIONS = ("1.2", "1.3", "1.4", "1.5", "1.6", "1.7")
_XML_NS = "http://cyclonedx.org/schema/bom/"
_SCOPES = {"optional": "optional", "excluded": "excluded"}  # "required" is the default
# Types that name things other than packages; without a purl they are not reported.
_NOT_PACKAGES = ("file", "operating-system", "data", "cryptographic-asset")
_XML_START = re.compile(rb"(?:\xef\xbb\xbf)?\s*<")  # without copying a large file
# Opening tags of <component> (any prefix), to recover XML line numbers; see _xml_lines.
_COMPONENT_TAG = re.compile(r"<(?:[A-Za-z_][\w.-]*:)?component[\s/>]")


def sniff(head: str) -> bool:
    text = head.lstrip("\ufeff \t\r\n")
    if text.startswith("<"):
        return _XML_NS in text
    return '"bomFormat"' in text and '"CycloneDX"' in text


def identify(
    purl: str | None, name: str, version: str | None
) -> tuple[str | None, str, str | None]:
    """Ecosystem, name and version of an SBOM entry from its purl; an entry without a
    usable purl keeps the name and version the SBOM gives and has no ecosystem."""
    if purl is None:
        return None, name, version
    try:
        parsed = parse_purl(purl)
    except InvalidPurl:
        return None, name, version
    ecosystem, package = purl_package(parsed)
    if ecosystem is None:
        return None, name, version
    return ecosystem, package, parsed.version or version


def hash_text(algorithm: str, value: str) -> str:
    """``SHA-256`` + hex -> ``sha256:<hex>`` (the spelling pip's ``--hash`` uses)."""
    alg = algorithm.strip().lower()
    if alg.startswith("sha-"):
        alg = "sha" + alg[4:]
    return f"{alg}:{value.strip()}"


def parse(file: InputFile) -> Iterator[DeclaredPackage | Skipped]:
    data = file.read_bytes()
    if _XML_START.match(data):
        return _parse_xml(file, data)
    return _parse_json(file, decode_text(data, file))


# --------------------------------------------------------------------------- JSON


def _parse_json(file: InputFile, text: str) -> Iterator[DeclaredPackage | Skipped]:
    doc = expect_dict(file, load_json(file, text), "a CycloneDX document")
    if doc.get("bomFormat") != "CycloneDX":
        file.fail(f"not a CycloneDX document (bomFormat is {doc.get('bomFormat')!r})")
    _check_version(file, doc.get("specVersion"))
    metadata = _dict(file, doc.get("metadata"), "metadata")
    subject = _dict(file, metadata.get("component"), "metadata.component")
    root = optional_str(file, subject.get("bom-ref"), "metadata.component.bom-ref")
    direct = _json_direct(file, doc.get("dependencies"), root)
    yield from _json_subject_parts(file, subject)
    top = _list(file, doc.get("components"), "components")
    # A stack of iterators instead of recursion: nesting depth is the file's to choose.
    # A component comes before its nested components, and they before its next sibling.
    stack: list[tuple[str, Iterator[tuple[int, Any]]]] = [("$.components", enumerate(top))]
    while stack:
        base, items = stack[-1]
        for index, component in items:
            pointer = f"{base}[{index}]"
            if type(component) is not dict:
                file.fail(f"{pointer} must be an object, not {type_name(component)}")
            yield _json_component(file, component, pointer, root, direct)
            nested = component.get("components")
            if nested is not None:
                inner = pointer + ".components"
                stack.append((inner, enumerate(expect_list(file, nested, inner))))
                break
        else:
            stack.pop()


def _json_subject_parts(file: InputFile, subject: dict[str, Any]) -> Iterator[Skipped]:
    """A note for each part of the subject, in document order. They were never read as
    components, so their shape is not checked either."""
    stack: list[tuple[str, object]] = []

    def push(base: str, parts: object) -> None:
        if isinstance(parts, list):
            stack.extend((f"{base}[{i}]", part) for i, part in reversed(list(enumerate(parts))))

    push("$.metadata.component.components", subject.get("components"))
    while stack:
        pointer, part = stack.pop()
        name = part.get("name") if isinstance(part, dict) else None
        yield _part_of_subject(Location(file.display, None, pointer), name)
        if isinstance(part, dict):
            push(pointer + ".components", part.get("components"))


def _part_of_subject(location: Location, name: object) -> Skipped:
    shown = name[:200] if isinstance(name, str) else "?"
    return Skipped(location, f"skipped {shown}: a part of the SBOM's subject (its own code)")


def _json_component(
    file: InputFile,
    component: dict[str, Any],
    pointer: str,
    root: str | None,
    direct: frozenset[str] | None,
) -> DeclaredPackage | Skipped:
    get = component.get
    ref, purl, name, group = get("bom-ref"), get("purl"), get("name"), get("group")
    version, scope, hashes = get("version"), get("scope"), get("hashes")
    # One cheap check for the common case; the messages are built only on failure.
    if (
        type(name) is not str
        or (ref is not None and type(ref) is not str)
        or (purl is not None and type(purl) is not str)
        or (group is not None and type(group) is not str)
        or (version is not None and type(version) is not str)
        or (scope is not None and type(scope) is not str)
    ):
        _fail_on_field(file, component, pointer)
    location = Location(file.display, None, pointer)
    kind = get("type")
    if (ref is not None and ref == root) or (purl is None and kind in _NOT_PACKAGES):
        return _skipped(location, group, name, kind, ref == root)
    found = _json_hashes(file, hashes, pointer) if hashes is not None else []
    return _declared(location, purl, group, name, version, scope, found, ref, direct)


def _json_hashes(file: InputFile, hashes: object, pointer: str) -> list[str]:
    found = []
    for entry in expect_list(file, hashes, f"{pointer}.hashes"):
        alg = entry.get("alg") if type(entry) is dict else None
        content = entry.get("content") if type(entry) is dict else None
        if type(alg) is not str or type(content) is not str:
            entry = expect_dict(file, entry, f"a hash of {pointer}")
            expect_str(file, alg, f"alg of a hash of {pointer}")
            expect_str(file, content, f"content of a hash of {pointer}")
        else:
            found.append(hash_text(alg, content))
    return found


def _fail_on_field(file: InputFile, component: dict[str, Any], pointer: str) -> NoReturn:
    expect_str(file, component.get("name"), f"{pointer}.name")
    for key in ("bom-ref", "purl", "group", "version", "scope"):
        optional_str(file, component.get(key), f"{pointer}.{key}")
    file.fail(f"{pointer} is malformed")  # not reached: one of the checks above failed


def _json_direct(file: InputFile, value: object, root: str | None) -> frozenset[str] | None:
    for entry in _list(file, value, "dependencies"):
        entry = expect_dict(file, entry, "an entry of dependencies")
        if root is not None and entry.get("ref") == root:
            refs = _list(file, entry.get("dependsOn"), "dependsOn")
            return frozenset(expect_str(file, ref, "a dependsOn entry") for ref in refs)
    return None


def _list(file: InputFile, value: object, what: str) -> list[Any]:
    """A list that may be absent (or null)."""
    return [] if value is None else expect_list(file, value, what)


def _dict(file: InputFile, value: object, what: str) -> dict[str, Any]:
    """An object that may be absent (or null)."""
    return {} if value is None else expect_dict(file, value, what)


def _check_version(file: InputFile, version: object, line: int | None = None) -> None:
    if version not in SPEC_VERSIONS:
        file.fail(f"unsupported CycloneDX spec version {version!r} (1.2 to 1.7 are read)", line)


def _skipped(
    location: Location, group: str | None, name: str, kind: object, subject: bool
) -> Skipped:
    shown = f"{group}/{name}" if group else name
    if subject:
        why = "the SBOM's own subject (metadata.component), listed again among the components"
    else:
        why = f"a component of type {kind} without a purl: not a package"
    return Skipped(location, f"skipped {shown[:200]}: {why}")


def _declared(
    location: Location,
    purl: str | None,
    group: str | None,
    name: str,
    version: str | None,
    scope: str | None,
    hashes: list[str],
    ref: object,
    direct: frozenset[str] | None,
) -> DeclaredPackage:
    ecosystem, name, version = identify(purl, f"{group}/{name}" if group else name, version)
    # Positional (ecosystem, name, version, location, requirement, direct, scope, purl,
    # markers, hashes): measurably cheaper than keywords over 10,000 components.
    return DeclaredPackage(
        ecosystem,
        name,
        version or None,
        location,
        None,
        None if direct is None else ref in direct,
        _SCOPES.get(scope) if scope else None,
        purl,
        None,
        tuple(hashes) if hashes else (),
    )


# --------------------------------------------------------------------------- XML


def _parse_xml(file: InputFile, data: bytes) -> Iterator[DeclaredPackage | Skipped]:
    root_element = parse_xml(file, data)
    namespace, _, local = root_element.tag.partition("}")
    if local != "bom" or not namespace.startswith("{" + _XML_NS):
        file.fail(f"not a CycloneDX BOM (root element {root_element.tag!r})")
    _check_version(file, namespace[len(_XML_NS) + 1 :], 1)
    ns = namespace + "}"
    subject = root_element.find(f"{ns}metadata/{ns}component")
    root = subject.get("bom-ref") if subject is not None else None
    direct = None
    for entry in root_element.iterfind(f"{ns}dependencies/{ns}dependency"):
        if root is not None and entry.get("ref") == root:
            direct = frozenset(c.get("ref") or "" for c in entry.iterfind(f"{ns}dependency"))
            break
    lines = _xml_lines(data, root_element)
    stack: list[tuple[str, list[Element], int]] = [
        ("$.components", root_element.findall(f"{ns}components/{ns}component"), 0)
    ]
    if subject is not None:  # popped first: the subject's parts come first, as in JSON
        parts = subject.findall(f"{ns}components/{ns}component")
        stack.append(("$.metadata.component.components", parts, 0))
    while stack:
        base, items, index = stack.pop()
        if index >= len(items):
            continue
        stack.append((base, items, index + 1))
        pointer = f"{base}[{index}]"
        element = items[index]
        nested = element.findall(f"{ns}components/{ns}component")
        if nested:
            stack.append((pointer + ".components", nested, 0))
        # Both: a whole BOM on one line (syft writes that) still says which component.
        location = file.at(line=lines.get(id(element)), pointer=pointer)
        if base.startswith("$.metadata"):
            yield _part_of_subject(location, _text(element, f"{ns}name"))
        else:
            yield _xml_component(file, element, ns, location, root, direct)


def _xml_component(
    file: InputFile,
    element: Element,
    ns: str,
    location: Location,
    root: str | None,
    direct: frozenset[str] | None,
) -> DeclaredPackage | Skipped:
    ref = element.get("bom-ref")
    purl = _text(element, f"{ns}purl")
    kind = element.get("type")
    subject = ref is not None and ref == root
    name = _text(element, f"{ns}name")
    if subject or (purl is None and kind in _NOT_PACKAGES):
        return _skipped(location, _text(element, f"{ns}group"), name or "?", kind, subject)
    if name is None:
        where = f" at {location.pointer}" if location.pointer else ""
        file.fail(f"<component> without a <name>{where}", location.line)
    hashes = [
        hash_text(h.get("alg") or "", h.text)
        for h in element.iterfind(f"{ns}hashes/{ns}hash")
        if h.get("alg") and h.text and h.text.strip()
    ]
    group = _text(element, f"{ns}group")
    version = _text(element, f"{ns}version")
    scope = _text(element, f"{ns}scope")
    return _declared(location, purl, group, name, version, scope, hashes, ref, direct)


def _text(element: Element, tag: str) -> str | None:
    child = element.find(tag)
    if child is None or child.text is None:
        return None
    return child.text.strip() or None


def _xml_lines(data: bytes, root: Element) -> dict[int, int]:
    """Line of each <component> element, keyed by ``id(element)``.

    ElementTree keeps no positions, so this scans the raw text for ``<component``
    opening tags: the n-th such tag is the n-th component element in document order.
    If the counts differ (a tag in a comment or CDATA, a non-UTF-8 encoding) the
    pairing cannot be trusted and the caller falls back to pointers."""
    elements = [
        e for e in root.iter() if isinstance(e.tag, str) and e.tag.rpartition("}")[2] == "component"
    ]
    text = data.decode("utf-8", "replace")
    starts = [match.start() for match in _COMPONENT_TAG.finditer(text)]
    if len(starts) != len(elements):
        return {}
    lines: dict[int, int] = {}
    line, previous = 1, 0
    for element, start in zip(elements, starts, strict=True):
        line += text.count("\n", previous, start)
        previous = start
        lines[id(element)] = line
    return lines
