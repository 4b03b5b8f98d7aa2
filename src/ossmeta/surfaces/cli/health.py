"""``ossmeta health`` and ``ossmeta compare``: the explained health score of packages.

Only Typer and the option helpers are imported here; the store, the scoring and the formats
load when a command runs, so ``ossmeta --help`` does not pay for them.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from ossmeta.errors import UsageError
from ossmeta.surfaces.cli.common import DbOption, open_for_read
from ossmeta.surfaces.cli.options import Format, format_option

if TYPE_CHECKING:
    from ossmeta.analyses.health import HealthScore

__all__ = ["compare", "health"]

ConfigOption = Annotated[
    Path | None,
    typer.Option(
        "--config",
        help="Health weights and thresholds (TOML) laid over the shipped default.",
        show_default=False,
    ),
]


def _scores(purls: list[str], config_file: Path | None, db: str | None) -> list[HealthScore]:
    from ossmeta.analyses.health import health as health_of
    from ossmeta.analyses.health import load_config

    config = load_config(config_file)  # a bad config is reported before the store is opened
    store = open_for_read(db)
    return [health_of(store, purl, config) for purl in purls]


def _print(text: str) -> None:
    from ossmeta.surfaces.formats.terminal import terminal_safe

    typer.echo(terminal_safe(text))


def _print_json(document: object) -> None:
    import orjson

    from ossmeta.surfaces.formats.terminal import json_safe

    typer.echo(json_safe(orjson.dumps(document).decode()))


def health(
    purl: Annotated[
        str, typer.Argument(help="pkg:pypi/requests, or pkg:pypi/requests@2.32.3 for a version.")
    ],
    fmt: Annotated[Format, format_option(Format.TABLE, Format.JSON)] = Format.TABLE,
    config: ConfigOption = None,
    db: DbOption = None,
) -> None:
    """Show a package's health score, part by part, with every input and what is missing.

    Without a version the newest version that is not yanked is scored. Weights and
    thresholds come from the shipped default, or from --config.
    """
    from ossmeta.surfaces.formats.health import health_document, health_table

    (result,) = _scores([purl], config, db)
    if fmt is Format.JSON:
        _print_json(health_document(result))
    else:
        _print(health_table(result))


def compare(
    purls: Annotated[list[str], typer.Argument(help="Two to five package purls.")],
    fmt: Annotated[Format, format_option(Format.TABLE, Format.JSON)] = Format.TABLE,
    config: ConfigOption = None,
    db: DbOption = None,
) -> None:
    """Compare the health of two to five packages side by side, part by part."""
    from ossmeta.surfaces.formats.health import MAX_COMPARED, compare_document, compare_table

    if not 2 <= len(purls) <= MAX_COMPARED:
        raise UsageError(f"compare takes 2 to {MAX_COMPARED} purls, not {len(purls)}")
    results = _scores(purls, config, db)
    if fmt is Format.JSON:
        _print_json(compare_document(results))
    else:
        _print(compare_table(results))
