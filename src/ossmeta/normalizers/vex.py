"""VEX documents suppliers publish, read into statements our decisions can take: CycloneDX
VEX (JSON: a BOM whose ``vulnerabilities[].analysis`` says the state and whose
``affects[].ref`` names components by bom-ref or purl) and OpenVEX (JSON: ``statements``
naming a vulnerability by name and aliases, products and subcomponents by purl).

The one mapping between the two vocabularies and our decision states (import reads a row
left to right, export right to left; the last column is what OpenVEX export writes):

    CycloneDX analysis.state   OpenVEX status        ossmeta decision  OpenVEX export
    ------------------------   -------------------   ----------------  -----------------------
    in_triage                  under_investigation   in_triage         under_investigation
    exploitable                affected              exploitable       affected (+ action)
    not_affected               not_affected          not_affected      not_affected
    false_positive             (none)                false_positive    not_affected (*)
    resolved                   fixed                 resolved          fixed
    resolved_with_pedigree     (none)                resolved          fixed

    (*) vulnerable_code_not_present, with "false positive" in the impact statement: OpenVEX
        has no false-positive status, so an OpenVEX round trip turns it into not_affected.

Justifications are kept as the author wrote them (a decision accepts either vocabulary); a
``not_affected`` statement without one (CycloneDX allows it, OpenVEX allows an impact
statement instead) is not applied and is reported. Export writes the target's vocabulary:

    CycloneDX                        OpenVEX
    code_not_present            <->  vulnerable_code_not_present  (component_not_present ->)
    code_not_reachable          <->  vulnerable_code_not_in_execute_path
    requires_configuration,
    requires_dependency,
    requires_environment         ->  vulnerable_code_cannot_be_controlled_by_adversary
    protected_by_compiler,
    protected_at_runtime,
    protected_at_perimeter,
    protected_by_mitigating_control -> inline_mitigations_already_exist
    protected_by_mitigating_control <- vulnerable_code_cannot_be_controlled_by_adversary,
                                       inline_mitigations_already_exist

Targets: a CycloneDX ``affects[].ref`` is a bom-ref of the document's components (nested
ones included) or a purl, or a BOM-Link whose fragment is one of those. An OpenVEX
statement applies to its products' subcomponents when a product lists some, else to the
products themselves; a product is named by ``identifiers.purl`` or by an ``@id`` that is a
purl.

What is wrong with the document's shape (not JSON, a list where an object belongs, a
missing vulnerability name) is one ``InputError`` naming the document and the JSON path; a
statement whose state or target we cannot use is kept as a ``VexProblem`` (path and
reason), so the import reports it line by line.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

import orjson

from ossmeta.errors import InputError

__all__ = [
    "CDX_JUSTIFICATION",
    "CDX_STATES",
    "FORMATS",
    "OPENVEX_JUSTIFICATION",
    "OPENVEX_STATES",
    "VexDocument",
    "VexProblem",
    "VexStatement",
    "detect_format",
    "parse_vex",
]

FORMATS = ("cyclonedx", "openvex")

#: CycloneDX analysis.state -> our state.
CDX_STATES = {
    "in_triage": "in_triage",
    "exploitable": "exploitable",
    "not_affected": "not_affected",
    "false_positive": "false_positive",
    "resolved": "resolved",
    "resolved_with_pedigree": "resolved",
}
#: OpenVEX status -> our state.
OPENVEX_STATES = {
    "under_investigation": "in_triage",
    "affected": "exploitable",
    "not_affected": "not_affected",
    "fixed": "resolved",
}
#: Any justification -> the CycloneDX one export writes.
CDX_JUSTIFICATION = {
    "code_not_present": "code_not_present",
    "code_not_reachable": "code_not_reachable",
    "requires_configuration": "requires_configuration",
    "requires_dependency": "requires_dependency",
    "requires_environment": "requires_environment",
    "protected_by_compiler": "protected_by_compiler",
    "protected_at_runtime": "protected_at_runtime",
    "protected_at_perimeter": "protected_at_perimeter",
    "protected_by_mitigating_control": "protected_by_mitigating_control",
    "component_not_present": "code_not_present",
    "vulnerable_code_not_present": "code_not_present",
    "vulnerable_code_not_in_execute_path": "code_not_reachable",
    "vulnerable_code_cannot_be_controlled_by_adversary": "protected_by_mitigating_control",
    "inline_mitigations_already_exist": "protected_by_mitigating_control",
}
#: Any justification -> the OpenVEX one export writes.
OPENVEX_JUSTIFICATION = {
    "component_not_present": "component_not_present",
    "vulnerable_code_not_present": "vulnerable_code_not_present",
    "vulnerable_code_not_in_execute_path": "vulnerable_code_not_in_execute_path",
    "vulnerable_code_cannot_be_controlled_by_adversary": (
        "vulnerable_code_cannot_be_controlled_by_adversary"
    ),
    "inline_mitigations_already_exist": "inline_mitigations_already_exist",
    "code_not_present": "vulnerable_code_not_present",
    "code_not_reachable": "vulnerable_code_not_in_execute_path",
    "requires_configuration": "vulnerable_code_cannot_be_controlled_by_adversary",
    "requires_dependency": "vulnerable_code_cannot_be_controlled_by_adversary",
    "requires_environment": "vulnerable_code_cannot_be_controlled_by_adversary",
    "protected_by_compiler": "inline_mitigations_already_exist",
    "protected_at_runtime": "inline_mitigations_already_exist",
    "protected_at_perimeter": "inline_mitigations_already_exist",
    "protected_by_mitigating_control": "inline_mitigations_already_exist",
}
_MAX_TEXT = 10_000


@dataclass(frozen=True)
class VexStatement:
    """One (vulnerability, target) pair of a document with our state."""

    pointer: str  # JSON path of the target in the document
    vulnerability: str
    aliases: tuple[str, ...]
    target: str  # a purl (from the document's components, a product or a ref)
    state: str  # ours
    justification: str | None
    detail: str  # what the author said (detail, impact or action statement), may be ""


@dataclass(frozen=True)
class VexProblem:
    """A statement (or one of its targets) that cannot be applied, and why."""

    pointer: str
    vulnerability: str | None
    target: str | None
    reason: str


@dataclass(frozen=True)
class VexDocument:
    format: str  # "cyclonedx" | "openvex"
    name: str  # how the document names itself (serial number, @id), else its format
    statements: tuple[VexStatement, ...]
    problems: tuple[VexProblem, ...]


class _Reader:
    """Typed access to the parsed JSON that fails with the document and the JSON path."""

    def __init__(self, document: str) -> None:
        self.document = document

    def fail(self, path: str, message: str) -> InputError:
        return InputError(f"{self.document}: {path or '/'}: {message}")

    def obj(self, value: Any, path: str) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(path, "expected a JSON object")
        return value

    def items(self, parent: dict[str, Any], key: str, path: str) -> Iterator[tuple[str, Any]]:
        value = parent.get(key)
        if value is None:
            return
        if not isinstance(value, list):
            raise self.fail(f"{path}/{key}", "expected a JSON array")
        for index, item in enumerate(value):
            yield f"{path}/{key}/{index}", item

    def text(self, parent: dict[str, Any], key: str, path: str, *, required: bool = False) -> str:
        value = parent.get(key)
        if value is None:
            if required:
                raise self.fail(f"{path}/{key}", "is missing")
            return ""
        if not isinstance(value, str):
            raise self.fail(f"{path}/{key}", "expected a string")
        if required and not value.strip():
            raise self.fail(f"{path}/{key}", "is empty")
        return value.replace("\x00", "")[:_MAX_TEXT]  # NUL: no database stores it in text


def _load(body: bytes, document: str) -> dict[str, Any]:
    try:
        value = orjson.loads(body)
    except orjson.JSONDecodeError as error:
        raise InputError(f"{document}: not JSON: {error}") from None
    return _Reader(document).obj(value, "")


def detect_format(data: dict[str, Any]) -> str | None:
    if data.get("bomFormat") == "CycloneDX":
        return "cyclonedx"
    context = data.get("@context")
    if isinstance(context, str) and "openvex" in context:
        return "openvex"
    return None


def parse_vex(body: bytes, format: str | None = None, *, document: str = "VEX") -> VexDocument:
    """Read a VEX document (``format`` None: detect it). ``InputError`` when its shape is
    wrong; statements that cannot be used come back as problems."""
    data = _load(body, document)
    found = detect_format(data)
    if format is None:
        if found is None:
            raise InputError(
                f"{document}: neither CycloneDX (bomFormat) nor OpenVEX (@context): "
                "say which with format=cyclonedx|openvex"
            )
        format = found
    if format not in FORMATS:
        raise InputError(f"format {format!r} is not one of {', '.join(FORMATS)}")
    if found is not None and found != format:
        raise InputError(f"{document}: the document is {found}, not {format}")
    reader = _Reader(document)
    return _cyclonedx(data, reader) if format == "cyclonedx" else _openvex(data, reader)


# ------------------------------------------------------------------ CycloneDX


def _bom_refs(data: dict[str, Any], reader: _Reader) -> dict[str, str | None]:
    """bom-ref -> purl (None when the component has none), over nested components."""
    refs: dict[str, str | None] = {}
    stack: list[tuple[str, Any]] = list(reader.items(data, "components", ""))
    metadata = data.get("metadata")
    if isinstance(metadata, dict) and isinstance(metadata.get("component"), dict):
        stack.append(("/metadata/component", metadata["component"]))
    while stack:
        path, item = stack.pop()
        component = reader.obj(item, path)
        ref = reader.text(component, "bom-ref", path)
        purl = reader.text(component, "purl", path) or None
        if ref:
            refs[ref] = purl
        if purl:
            refs.setdefault(purl, purl)
        stack.extend(reader.items(component, "components", path))
    return refs


def _statement(
    pointer: str,
    vid: str,
    aliases: Iterable[str],
    purl: str,
    state: str | None,
    justification: str | None,
    detail: str,
) -> VexStatement:
    """A statement both formats accept: its aliases without the id itself or blanks."""
    others = tuple(a for a in aliases if a and a != vid)
    return VexStatement(pointer, vid, others, purl, state or "", justification, detail)


def _cdx_target(ref: str, refs: dict[str, str | None]) -> str | None:
    if ref in refs:
        return refs[ref]
    if ref.startswith("urn:cdx:") and "#" in ref:
        fragment = unquote(ref.split("#", 1)[1])
        return refs.get(fragment, fragment if fragment.startswith("pkg:") else None)
    return ref if ref.startswith("pkg:") else None


def _cyclonedx(data: dict[str, Any], reader: _Reader) -> VexDocument:
    name = reader.text(data, "serialNumber", "") or "CycloneDX VEX"
    refs = _bom_refs(data, reader)
    statements: list[VexStatement] = []
    problems: list[VexProblem] = []
    for path, item in reader.items(data, "vulnerabilities", ""):
        vuln = reader.obj(item, path)
        vid = reader.text(vuln, "id", path, required=True).strip()
        aliases = []
        for ref_path, ref_item in reader.items(vuln, "references", path):
            aliases.append(reader.text(reader.obj(ref_item, ref_path), "id", ref_path).strip())
        analysis = reader.obj(vuln.get("analysis") or {}, f"{path}/analysis")
        raw_state = reader.text(analysis, "state", f"{path}/analysis")
        justification = reader.text(analysis, "justification", f"{path}/analysis") or None
        detail = reader.text(analysis, "detail", f"{path}/analysis")
        for _, response in reader.items(analysis, "response", f"{path}/analysis"):
            if isinstance(response, str):
                detail = f"{detail} (response: {response})".strip()
        state = CDX_STATES.get(raw_state)
        reason = None
        if not raw_state:
            reason = "no analysis.state: the entry states nothing to apply"
        elif state is None:
            reason = f"analysis.state {raw_state!r} is not a CycloneDX state"
        elif state == "not_affected" and justification is None:
            reason = "not_affected without analysis.justification"
        for target_path, target_item in reader.items(vuln, "affects", path):
            ref = reader.text(reader.obj(target_item, target_path), "ref", target_path)
            purl = _cdx_target(ref, refs)
            if reason is not None:
                problems.append(VexProblem(target_path, vid, ref or None, reason))
            elif purl is None:
                why = f"ref {ref!r} names no component of the document that has a purl"
                problems.append(VexProblem(target_path, vid, ref or None, why))
            else:
                statements.append(
                    _statement(target_path, vid, aliases, purl, state, justification, detail)
                )
        if not vuln.get("affects") and reason is None:
            problems.append(VexProblem(path, vid, None, "no affects: names no component"))
    return VexDocument("cyclonedx", name, tuple(statements), tuple(problems))


# ------------------------------------------------------------------ OpenVEX


def _product_purl(product: dict[str, Any], path: str, reader: _Reader) -> str | None:
    identifiers = product.get("identifiers")
    if identifiers is not None:
        found = reader.text(reader.obj(identifiers, f"{path}/identifiers"), "purl", path)
        if found:
            return found
    ident = reader.text(product, "@id", path)
    return ident if ident.startswith("pkg:") else None


def _openvex_targets(
    statement: dict[str, Any], path: str, reader: _Reader
) -> Iterator[tuple[str, str | None, str]]:
    """(JSON path, purl or None, how the document names it) of every target."""
    for product_path, item in reader.items(statement, "products", path):
        product = reader.obj(item, product_path)
        subs = list(reader.items(product, "subcomponents", product_path))
        named = [(product_path, product)] if not subs else []
        named += [(p, reader.obj(s, p)) for p, s in subs]
        for target_path, target in named:
            shown = reader.text(target, "@id", target_path)
            yield target_path, _product_purl(target, target_path, reader), shown


def _openvex(data: dict[str, Any], reader: _Reader) -> VexDocument:
    name = reader.text(data, "@id", "") or "OpenVEX"
    statements: list[VexStatement] = []
    problems: list[VexProblem] = []
    for path, item in reader.items(data, "statements", ""):
        statement = reader.obj(item, path)
        vuln = reader.obj(statement.get("vulnerability"), f"{path}/vulnerability")
        vid = reader.text(vuln, "name", f"{path}/vulnerability", required=True).strip()
        aliases = []
        for alias_path, alias in reader.items(vuln, "aliases", f"{path}/vulnerability"):
            if not isinstance(alias, str):
                raise reader.fail(alias_path, "expected a string")
            aliases.append(alias.strip())
        raw_state = reader.text(statement, "status", path)
        justification = reader.text(statement, "justification", path) or None
        notes = [
            reader.text(statement, key, path)
            for key in ("impact_statement", "action_statement", "status_notes")
        ]
        detail = " ".join(n for n in notes if n)
        state = OPENVEX_STATES.get(raw_state)
        reason = None
        if state is None:
            reason = f"status {raw_state!r} is not an OpenVEX status"
        elif state == "not_affected" and justification is None:
            reason = "not_affected without a justification (an impact statement alone)"
        targets = list(_openvex_targets(statement, path, reader))
        if not targets:
            problems.append(VexProblem(path, vid, None, "no products: names no component"))
        for target_path, purl, shown in targets:
            if reason is not None:
                problems.append(VexProblem(target_path, vid, purl or shown or None, reason))
            elif purl is None:
                why = f"product {shown!r} has no purl"
                problems.append(VexProblem(target_path, vid, shown or None, why))
            else:
                statements.append(
                    _statement(target_path, vid, aliases, purl, state, justification, detail)
                )
    return VexDocument("openvex", name, tuple(statements), tuple(problems))
