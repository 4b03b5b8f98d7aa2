"""``ossmeta packages show|dependents``: one package as the store knows it, curations applied."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer

from ossmeta.errors import UsageError
from ossmeta.surfaces.cli.common import DbOption, open_for_read
from ossmeta.surfaces.cli.options import Format, format_option
from ossmeta.surfaces.formats.terminal import json_safe, terminal_safe

if TYPE_CHECKING:
    from ossmeta.model import LicenseValue, PackageRecord

app = typer.Typer(help="Inspect packages synced from registries.", no_args_is_help=True)


def _licence(value: LicenseValue | None) -> str:
    if value is None:
        return "-"
    shown = value.spdx or "(unmapped)"
    return f"{shown}  [{value.confidence}, {value.source}; declared {value.raw!r}]"


def _text(record: PackageRecord, dependents: int) -> str:
    lines = [
        record.purl,
        f"  status       {record.status.value}",
        f"  repository   {record.repository or '-'}",
        f"  homepage     {record.homepage or '-'}",
        f"  description  {record.description or '-'}",
        f"  licence      {_licence(record.license)}",
        f"  maintainers  {', '.join(record.maintainers) or '-'}",
        f"  dependents   {dependents}",
        f"  versions     {len(record.versions)}",
    ]
    for version in record.versions[-10:]:
        flags = " (yanked)" if version.yanked else ""
        when = version.published.strftime("%Y-%m-%d") if version.published else "-"
        lines.append(
            f"    {version.version:<20} {when}  {_licence(version.license)}"
            f"  {len(version.dependencies)} deps{flags}"
        )
    return "\n".join(lines)


@app.command()
def show(
    purl: Annotated[str, typer.Argument(help="pkg:pypi/requests, pkg:npm/%40scope/name, ...")],
    fmt: Annotated[Format, format_option(Format.TEXT, Format.JSON)] = Format.TEXT,
    db: DbOption = None,
) -> None:
    """Show a package: versions, licences, dependencies; approved curations applied."""
    from ossmeta.service.public import package_key, package_view

    key = package_key(purl)
    store = open_for_read(db)
    view = package_view(store, key)
    store.dispose()
    if view is None:
        raise UsageError(f"no package {key} in the store (run 'ossmeta sync' first)")
    if fmt is Format.JSON:
        import orjson

        typer.echo(json_safe(orjson.dumps(view.document()).decode()))
    else:
        typer.echo(terminal_safe(_text(view.record, view.dependents)))


_MAX_OFFSET = 2**62  # below every database's 64-bit integer, so no overflow reaches the SQL


@app.command()
def dependents(
    purl: Annotated[str, typer.Argument(help="The package depended on.")],
    offset: Annotated[int, typer.Option(min=0, max=_MAX_OFFSET)] = 0,
    limit: Annotated[int, typer.Option(min=1, max=10_000)] = 100,
    fmt: Annotated[Format, format_option(Format.TEXT, Format.JSON)] = Format.TEXT,
    db: DbOption = None,
) -> None:
    """List the stored packages that depend on PURL, a page at a time."""
    from ossmeta.service.public import dependents_page, package_key

    key = package_key(purl)
    store = open_for_read(db)
    page = dependents_page(store, key, offset=offset, limit=limit)
    store.dispose()
    if fmt is Format.JSON:
        import orjson

        shown: dict[str, Any] = {
            "purl": key,
            "total": page.total,
            "offset": page.offset,
            "limit": page.limit,
            "dependents": list(page.purls),
        }
        typer.echo(json_safe(orjson.dumps(shown).decode()))
        return
    for dependent in page.purls:
        typer.echo(terminal_safe(dependent, one_line=True))
    end = page.offset + len(page.purls)
    typer.echo(f"{page.offset + 1 if page.purls else 0}-{end} of {page.total}", err=True)
