"""Compute every metric on one engine: register the data, run each definition for each
period, then round and drop zeros once, the same way for both engines.

Steps, in order:
1. register views: ``events`` (from the start of ``since``'s year), ``events_all``,
   ``commits``, ``tags``, ``identities``, ``bots``, ``repo_facts``, ``repos`` (repo_id, repo)
   and ``developers`` (actor_id, login, developer = ``github.com/<login>``);
2. run every SQL definition for each of its periods, and every Python step (OpenRank);
3. keep periods at or after ``since``; round to two decimals; drop zero values.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import pyarrow as pa
import pyarrow.compute as pc

from ossmeta.analyses.metrics import git_health, opendigger
from ossmeta.analyses.metrics.engine import MetricEngine, SparkEngine, local_root
from ossmeta.analyses.metrics.model import RESULT_SCHEMA, Context, Definition
from ossmeta.analyses.metrics.opendigger_openrank import SPARK_STEPS
from ossmeta.analyses.metrics.opendigger_sql import latest
from ossmeta.analyses.spark_identities import spark_identities
from ossmeta.errors import AnalysisError
from ossmeta.normalizers.identities import IdentityOverride
from ossmeta.store.activity_files import DATASETS
from ossmeta.store.activity_snapshot import ActivitySnapshot, activity_snapshot

__all__ = [
    "ActivityInputs",
    "Step",
    "compute_metrics",
    "finish",
    "finish_rows",
    "metric_frame",
    "register_inputs",
]

#: A metric that is not one SQL query (OpenRank): reads views, returns RESULT_SCHEMA rows.
Step = Callable[[MetricEngine, Context], pa.Table]
#: Its Spark twin: the same rows as a DataFrame, computed on the executors.
SparkStep = Callable[[SparkEngine, Context], Any]


@dataclass(frozen=True)
class ActivityInputs:
    """Where the activity data is and what the store adds to it. ``root`` is a local folder
    (or, on Spark, any URI Spark reads). ``identities`` None: built on the engine from the
    activity data and ``overrides`` (Spark only; DuckDB callers pass the table)."""

    root: str | Path
    identities: pa.Table | None  # identity, person, display, is_bot, rules
    repo_facts: pa.Table  # repo, archived, default_branch
    overrides: tuple[IdentityOverride, ...] = ()


def register_inputs(
    engine: MetricEngine,
    inputs: ActivityInputs,
    context: Context,
    snapshot: ActivitySnapshot | None = None,
) -> None:
    """Register the views; with a ``snapshot``, its pinned files, which a concurrent
    compaction keeps on disk until the snapshot ends (the views read them lazily)."""
    year_start = f"{context.since[:4]}-01" if context.since else None
    root = str(inputs.root)
    for name in ("events", "commits", "tags"):
        schema = DATASETS[name].schema
        if snapshot is not None:
            every = snapshot.files(name)
            recent = snapshot.files(name, year_start)
        else:
            every = engine.activity_files(root, name, None)
            recent = engine.activity_files(root, name, year_start)
        engine.register_parquet(f"{name}_all", every, schema)
        engine.register_parquet(name, recent, schema)
    if inputs.identities is not None:
        engine.register_arrow("identities", inputs.identities)
    elif isinstance(engine, SparkEngine):
        engine.register_frame("identities", spark_identities(engine, inputs.overrides))
    else:
        raise AnalysisError("the identity table is built on Spark only; pass it to DuckDB")
    engine.register_arrow("repo_facts", inputs.repo_facts)
    engine.define_view(
        "bots",
        "SELECT DISTINCT substr(identity, 7) AS login FROM identities "
        "WHERE is_bot AND identity LIKE 'login:%'",
    )
    # A repository is named by its id's most recent name (renames follow), a developer by the
    # most recent login of its id (as actor or as issue/PR author), as OpenDigger does. When
    # ids share a name (a repository deleted and created again, a login taken over), the id
    # seen last owns it and the others are left out, as OpenDigger's export tables do
    # (``argMax(id, time) GROUP BY name``). Both are computed once: most queries join them.
    engine.materialize("repos", _owned_names("repo_id", "repo_name", "events_all", "repo"))
    named = (
        "(SELECT actor_id, actor_login AS login, created_at FROM events_all "
        "UNION ALL SELECT issue_author_id, issue_author_login, created_at FROM events_all "
        "WHERE issue_author_id IS NOT NULL)"
    )
    engine.materialize("developers", _owned_names("actor_id", "login", named, "developer"))


def _owned_names(key: str, name: str, source: str, subject: str) -> str:
    """``key, login|repo (name), subject = github.com/<name>`` for the ids that own their name."""
    latest_names = (
        f"SELECT {key}, {latest(name, 'created_at')} AS name, max(created_at) AS last_seen "
        f"FROM {source} AS named WHERE {key} IS NOT NULL GROUP BY {key}"
    )
    ranked = (
        f"SELECT {key}, name, row_number() OVER (PARTITION BY lower(name) "
        f"ORDER BY last_seen DESC, {key} DESC) AS name_rank FROM ({latest_names}) AS latest_names "
        "WHERE name IS NOT NULL"
    )
    login = ", name AS login" if subject == "developer" else ""
    # Repository keys are lower case, as git import and `metrics show` write them (a code
    # host's owner/name is case-insensitive); logins keep the case the host shows.
    shown = "lower(name)" if subject == "repo" else "name"
    return (
        f"SELECT {key}{login}, 'github.com/' || {shown} AS {subject} "
        f"FROM ({ranked}) AS ranked WHERE name_rank = 1"
    )


def compute_metrics(
    engine: MetricEngine,
    inputs: ActivityInputs,
    context: Context,
    *,
    definitions: Sequence[Definition] | None = None,
    steps: Sequence[Step] | None = None,
) -> pa.Table:
    chosen = list(definitions) if definitions is not None else all_definitions()
    if isinstance(engine, SparkEngine):
        # Spark lists the files itself through the manifest at any URI (no local pin).
        register_inputs(engine, inputs, context)
        return finish(_every_metric(engine, context, chosen, steps), context.since)
    # Locally the views read the pinned files lazily: every query runs inside the snapshot.
    with activity_snapshot(local_root(str(inputs.root))) as snapshot:
        register_inputs(engine, inputs, context, snapshot)
        return finish(_every_metric(engine, context, chosen, steps), context.since)


def _every_metric(
    engine: MetricEngine,
    context: Context,
    chosen: Sequence[Definition],
    steps: Sequence[Step] | None,
) -> pa.Table:
    parts = [
        engine.query(every_period(definition, context)).cast(RESULT_SCHEMA) for definition in chosen
    ]
    parts += [  # on Spark the steps' Arrow results come from their DataFrame twins
        step(engine, context).cast(RESULT_SCHEMA)
        for step in (all_steps() if steps is None else steps)
    ]
    return pa.concat_tables(parts) if parts else RESULT_SCHEMA.empty_table()


def metric_frame(
    engine: SparkEngine,
    inputs: ActivityInputs,
    context: Context,
    *,
    definitions: Sequence[Definition] | None = None,
    steps: Sequence[Step] | None = None,
) -> Any:
    """Every metric as one Spark DataFrame (RESULT_SCHEMA columns, before ``finish``): the
    definitions' queries and the steps' Spark twins, each run as its own job and kept on the
    executors (a local checkpoint), so the frame is a union of small leaves. One plan for
    the union of every query was planned, and re-planned by adaptive execution after each of
    its hundreds of stages, as a whole: most of a run went to that."""
    register_inputs(engine, inputs, context)
    chosen = list(definitions) if definitions is not None else all_definitions()
    twins = all_spark_steps()
    parts = [engine.frame(every_period(definition, context)) for definition in chosen]
    for step in all_steps() if steps is None else steps:
        if step not in twins:
            raise AnalysisError(f"metric step {step.__name__} has no Spark version")
        parts.append(twins[step](engine, context))
    columns = [f"CAST({f.name} AS {_SPARK_TYPES[str(f.type)]}) AS {f.name}" for f in RESULT_SCHEMA]
    if not parts:
        return engine.frame(f"SELECT {', '.join(columns)} FROM (SELECT NULL) WHERE false")
    done = [part.selectExpr(*columns).localCheckpoint(eager=True) for part in parts]
    frame = done[0]
    for part in done[1:]:
        frame = frame.unionByName(part)
    return frame


_SPARK_TYPES: Final = {"string": "STRING", "double": "DOUBLE"}


def every_period(definition: Definition, context: Context) -> str:
    """One query for all of a definition's periods: on Spark each query is a job with seconds
    of fixed cost, so three grains in one job rather than three jobs."""
    return " UNION ALL ".join(
        "SELECT subject, metric, period, CAST(value AS DOUBLE) AS value, "
        f"CAST(detail AS VARCHAR) AS detail FROM ({definition.build(context, period)}) AS grain"
        for period in definition.periods
    )


def all_definitions() -> list[Definition]:
    return [*opendigger.DEFINITIONS, *git_health.DEFINITIONS]


def all_steps() -> list[Step]:
    return [*opendigger.STEPS, *git_health.STEPS]


def all_spark_steps() -> dict[Step, SparkStep]:
    return dict(SPARK_STEPS)


def finish(table: pa.Table, since: str | None) -> pa.Table:
    """Periods from ``since`` on; values rounded to two decimals (half away from zero, as
    ClickHouse's ROUND); zero values dropped (OpenDigger's export omits them) except in the
    ``days_since_*`` series, which are ours; sorted."""
    order = [("subject", "ascending"), ("metric", "ascending"), ("period", "ascending")]
    return finish_rows(table, since).sort_by(order)


def finish_rows(table: pa.Table, since: str | None) -> pa.Table:
    """``finish`` without the sort: row by row, so it also runs per batch on Spark's
    executors (``mapInArrow``) with the very same rounding."""
    if since:
        table = table.filter(_period_at_or_after(table["period"], since))
    values = table["value"]
    rounded = pc.round(values, ndigits=2, round_mode="half_towards_infinity")
    table = table.set_column(table.schema.get_field_index("value"), "value", rounded)
    # "0 days since the last commit" is news, not an absent value: those series keep zeros.
    kept_zero = pc.starts_with(table["metric"], "days_since_")
    zero = pc.and_(pc.and_(pc.is_valid(rounded), pc.equal(rounded, 0.0)), pc.invert(kept_zero))
    return table.filter(pc.invert(pc.fill_null(zero, False)))


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
