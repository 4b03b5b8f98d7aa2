"""``ossmeta why PURL FIELD``: where a package field's value comes from, declared text to
effective value."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Annotated, Any

import typer

from ossmeta.surfaces.cli.common import DbOption, open_for_read
from ossmeta.surfaces.cli.curate import FIELD_HELP
from ossmeta.surfaces.cli.options import Format, format_option
from ossmeta.surfaces.formats.terminal import json_safe, terminal_safe

if TYPE_CHECKING:
    from ossmeta.store.curation_why import Why


def _shown(value: str | None) -> str:
    return "none" if value is None else repr(value) if not value or "\n" in value else value


def _flat(text: str) -> str:
    return " ".join(text.split())


def _text(found: Why) -> str:
    subject = f"{found.purl} {found.field}"
    lines = [subject + (f" of version {found.version}" if found.version else "")]
    if not found.in_store:
        lines.append("registry:   the store holds no normalized record of this package")
    elif not found.records:
        lines.append("records:    none current (the package was stored without its records)")
    lines.extend(
        f"record:     {r.source} {r.kind} {r.external_id}, "
        f"fetched {r.fetched_at:%Y-%m-%d %H:%M} (raw #{r.raw_record_id}, "
        f"sha256 {r.content_hash[:16]}…)"
        for r in found.records
    )
    if found.in_store:
        if found.raw is not None or found.field in ("license", "repository"):
            where = f" (from {found.declared_in})" if found.declared_in else ""
            lines.append(f"declared:   {_shown(found.raw)}{where}")
        normalized = _shown(found.normalized)
        if found.confidence:
            normalized += f" [{found.confidence}]"
        if found.note:
            normalized += f" ({found.note})"
        lines.append(f"normalized: {normalized}")
    for step in found.curations:
        c = step.curation
        scope = f" for versions {c.versions}" if c.versions else ""
        reviewed = f", reviewed by {c.reviewer}" if c.reviewer else ""
        lines += [
            f"curation:   #{c.id} {c.status}{scope}: {_shown(c.value)} by {c.author}{reviewed}"
            f" -> {step.note}",
            f"              reason: {_flat(c.reason)}",
            f"              evidence: {c.evidence}",
        ]
    lines.append(f"effective:  {_shown(found.effective)} ({found.effective_from})")
    return "\n".join(lines)


def _json(found: Why) -> dict[str, Any]:
    return {
        "purl": found.purl,
        "field": found.field,
        "version": found.version,
        "in_store": found.in_store,
        "records": [
            {
                "source": r.source,
                "kind": r.kind,
                "external_id": r.external_id,
                "fetched_at": r.fetched_at.isoformat(),
                "raw_record_id": r.raw_record_id,
                "locator": r.locator,
                "sha256": r.content_hash,
            }
            for r in found.records
        ],
        "declared": {"raw": found.raw, "field": found.declared_in},
        "normalized": {
            "value": found.normalized,
            "confidence": found.confidence,
            "note": found.note,
        },
        "curations": [
            {
                "id": s.curation.id,
                "status": s.curation.status,
                "versions": s.curation.versions,
                "value": s.curation.value,
                "reason": s.curation.reason,
                "author": s.curation.author,
                "evidence": s.curation.evidence,
                "reviewer": s.curation.reviewer,
                "review_note": s.curation.review_note,
                "created_at": s.curation.created_at.isoformat(),
                "reviewed_at": None
                if s.curation.reviewed_at is None
                else s.curation.reviewed_at.isoformat(),
                "applied": s.applied,
                "note": s.note,
            }
            for s in found.curations
        ],
        "effective": {"value": found.effective, "from": found.effective_from},
    }


def why(
    purl: Annotated[str, typer.Argument(help="The package, without a version: pkg:npm/foo.")],
    field: Annotated[str, typer.Argument(help=FIELD_HELP)],
    version: Annotated[
        str | None, typer.Option("--version", help="One version (for its licence).")
    ] = None,
    format: Annotated[Format, format_option(Format.TEXT, Format.JSON)] = Format.TEXT,
    db: DbOption = None,
) -> None:
    """Show why a package field has its value: the registry's records, the declared text,
    the normalized value, every curation of the field, and the effective value."""
    from ossmeta.store.curation_store import Curations

    store = open_for_read(db)
    found = Curations(store).why(purl, field, version)
    store.dispose()
    if format is Format.JSON:
        typer.echo(json_safe(json.dumps(_json(found), indent=2, ensure_ascii=False)))
    else:
        typer.echo(terminal_safe(_text(found)))
