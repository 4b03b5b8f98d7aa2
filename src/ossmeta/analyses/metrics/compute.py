"""Compute every metric on one engine: register the data, run each definition for each
period, then round and drop zeros once, the same way for both engines.

Steps, in order:
1. register views: ``events`` (from the start of ``since``'s year), ``events_all``,
   ``commits``, ``tags``, ``identities``, ``bots``, ``repo_facts``, ``repos``;
2. run every SQL definition for each of its periods, and every Python step (OpenRank);
3. keep periods at or after ``since``; round to two decimals; drop zero values.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from ossmeta.analyses.metrics import git_health, opendigger
from ossmeta.analyses.metrics.engine import MetricEngine
from ossmeta.analyses.metrics.model import RESULT_SCHEMA, Context, Definition
from ossmeta.store.activity_files import DATASETS, ActivityFiles

__all__ = ["ActivityInputs", "Step", "compute_metrics", "register_inputs"]

#: A metric that is not one SQL query (OpenRank): reads views, returns RESULT_SCHEMA rows.
Step = Callable[[MetricEngine, Context], pa.Table]


@dataclass(frozen=True)
class ActivityInputs:
    """Where the activity data is and what the store adds to it."""

    root: Path
    identities: pa.Table  # identity, person, display, is_bot, rules
    repo_facts: pa.Table  # repo, archived, default_branch


def register_inputs(engine: MetricEngine, inputs: ActivityInputs, context: Context) -> None:
    year_start = f"{context.since[:4]}-01" if context.since else None
    for name in ("events", "commits", "tags"):
        files = ActivityFiles(inputs.root, name)
        schema = DATASETS[name].schema
        engine.register_parquet(f"{name}_all", files.files(), schema)
        engine.register_parquet(name, files.files(since=year_start), schema)
    engine.register_arrow("identities", inputs.identities)
    engine.register_arrow("repo_facts", inputs.repo_facts)
    engine.define_view(
        "bots",
        "SELECT DISTINCT substr(identity, 7) AS login FROM identities "
        "WHERE is_bot AND identity LIKE 'login:%'",
    )
    # A repository is named by its id's most recent name (renames follow), as OpenDigger does.
    engine.define_view(
        "repos",
        "SELECT repo_id, 'github.com/' || arg_max(repo_name, created_at) AS repo "
        "FROM events_all GROUP BY repo_id",
    )


def compute_metrics(
    engine: MetricEngine,
    inputs: ActivityInputs,
    context: Context,
    *,
    definitions: Sequence[Definition] | None = None,
    steps: Sequence[Step] | None = None,
) -> pa.Table:
    register_inputs(engine, inputs, context)
    chosen = list(definitions) if definitions is not None else all_definitions()
    parts = [
        engine.query(definition.build(context, period)).cast(RESULT_SCHEMA)
        for definition in chosen
        for period in definition.periods
    ]
    parts += [step(engine, context).cast(RESULT_SCHEMA) for step in (steps or all_steps())]
    table = pa.concat_tables(parts) if parts else RESULT_SCHEMA.empty_table()
    return finish(table, context.since)


def all_definitions() -> list[Definition]:
    return [*opendigger.DEFINITIONS, *git_health.DEFINITIONS]


def all_steps() -> list[Step]:
    return [*opendigger.STEPS, *git_health.STEPS]


def finish(table: pa.Table, since: str | None) -> pa.Table:
    """Periods from ``since`` on; values rounded to two decimals (half away from zero, as
    ClickHouse's ROUND); zero values dropped (OpenDigger's export omits them); sorted."""
    if since:
        table = table.filter(_period_at_or_after(table["period"], since))
    values = table["value"]
    rounded = pc.round(values, ndigits=2, round_mode="half_towards_infinity")
    table = table.set_column(table.schema.get_field_index("value"), "value", rounded)
    zero = pc.and_(pc.is_valid(rounded), pc.equal(rounded, 0.0))
    table = table.filter(pc.invert(pc.fill_null(zero, False)))
    order = [("subject", "ascending"), ("metric", "ascending"), ("period", "ascending")]
    return table.sort_by(order)


def _period_at_or_after(periods: pa.ChunkedArray, since: str) -> pa.ChunkedArray:
    """A month ``YYYY-MM`` from ``since``; a quarter or year that ends after ``since`` starts."""
    year, month = since[:4], int(since[5:7])
    quarter = f"{year}Q{(month - 1) // 3 + 1}"
    is_month = pc.match_substring(periods, "-")
    is_quarter = pc.match_substring(periods, "Q")
    return pc.if_else(
        is_month,
        pc.greater_equal(periods, since),
        pc.if_else(is_quarter, pc.greater_equal(periods, quarter), pc.greater_equal(periods, year)),
    )
