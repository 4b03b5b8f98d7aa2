"""Global OpenRank as Spark DataFrame jobs from end to end: the monthly graph is built from the
activity rows with joins and group-bys (the same rules as ``graph.build_global_month``), the
supersteps run on DataFrames (``spark.run_supersteps``), and the result is a DataFrame.

Nothing proportional to the graph reaches the driver: it sees the distinct months, the node
counts of a month, the superstep scalars, and (only to name it in an error) the first node
that breaks a check. Node keys are ``2·id + kind`` (repo 0, user 1), one int64 column for the
joins that stays unique for every id, negative ones included.

The carried initial value ``OR_last × 0.85^Δmonths`` reads a DataFrame of each node's most
recent value, folded month by month and cut from its lineage with a local checkpoint, so the
plan of month k does not hold months 1..k-1.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ossmeta.analyses.openrank.graph import (
    ATTENUATION,
    BACKGROUND_RETENTION,
    BACKGROUND_SHARE,
    CARRY_MIN_VALUE,
    EDGE_SHARE,
    KIND_NAMES,
    MAX_USER_RELATIONS,
    MIN_REPO_ACTIVITY,
    REPO,
    REPO_RETENTION,
    USER,
    USER_RETENTION,
    WEIGHT_SLACK,
    month_index,
)
from ossmeta.analyses.openrank.spark import BackgroundNode, initial_state, run_supersteps
from ossmeta.errors import AnalysisError

if TYPE_CHECKING:
    from pyspark.sql import Column, DataFrame

__all__ = ["global_openrank_spark"]

EDGE_COLUMNS = ("month", "repo_id", "repo_name", "actor_id", "actor_login", "activity")
GLOBAL_COLUMNS = ("month", "kind", "id", "name", "openrank")


def global_openrank_spark(
    edges: DataFrame,
    *,
    previous: DataFrame | None = None,
    tolerance: float = 0.01,
    max_iterations: int = 100,
) -> DataFrame:
    """``global_openrank``'s rows (month, kind, id, name, openrank) as a DataFrame, computed
    on ``edges``' session; ``previous`` as there (earlier results to carry from)."""
    from pyspark.sql import functions as F

    # The rows are an aggregation over every event; each month reads them about ten times
    # (the checks, the 300-relation rule, the nodes, both edge directions), so compute
    # them once and cut the plan there.
    edges = edges.localCheckpoint(eager=True)
    months = _checked_months(edges)
    latest = _carry_records(edges, previous, months)
    parts: list[DataFrame] = []
    for month in months:
        built = _month_graph(edges.where(F.col("month") == month), month, latest)
        if built is None:
            continue  # nothing active after the filters: no rows, as upstream
        solved = run_supersteps(
            built.edges,
            built.state,
            BackgroundNode(init=0.0, retention=BACKGROUND_RETENTION, absent=False),
            tolerance=tolerance,
            max_iterations=max_iterations,
        )
        spread = solved.background_value / built.others
        ranked = (
            solved.state.join(built.names, "id")
            .select(
                F.lit(month).alias("month"),
                _kind_name(F.col("id").bitwiseAND(1)).alias("kind"),
                F.shiftright(F.col("id"), 1).alias("id"),
                F.col("name"),
                (F.col("value") + F.lit(spread)).alias("openrank"),
            )
            .localCheckpoint(eager=True)
        )
        solved.state.unpersist()
        built.edges.unpersist()
        parts.append(ranked)
        latest = _fold(latest, ranked, month_index(month))
    if not parts:
        return edges.sparkSession.createDataFrame([], _GLOBAL_DDL)
    result = parts[0]
    for part in parts[1:]:
        result = result.unionByName(part)
    return result.localCheckpoint(eager=True)  # one leaf for the queries that join it


_GLOBAL_DDL = "month string, kind string, id long, name string, openrank double"
_CARRY_DDL = "node long, month_index int, openrank double"


def _kind_name(code: Column) -> Column:
    from pyspark.sql import functions as F

    return F.when(code == REPO, F.lit(KIND_NAMES[REPO])).otherwise(F.lit(KIND_NAMES[USER]))


def _checked_months(edges: DataFrame) -> list[str]:
    """The distinct months in order, after the checks ``global_openrank`` makes: the columns
    exist, keys are not null, activity is positive and finite, a (month, repo, user) appears
    once."""
    from pyspark.sql import functions as F

    missing = [c for c in EDGE_COLUMNS if c not in edges.columns]
    if missing:
        raise AnalysisError(f"OpenRank activity rows: missing column(s) {', '.join(missing)}")
    keys = ("month", "repo_id", "actor_id", "activity")
    counts = edges.agg(
        *(F.sum(F.col(c).isNull().cast("long")).alias(c) for c in keys),
        F.sum((~((F.col("activity") > 0) & ~F.isnan("activity"))).cast("long")).alias("bad"),
        F.sum((F.col("activity") == float("inf")).cast("long")).alias("infinite"),
    ).first()
    if counts is not None:
        nulls = [c for c in keys if counts[c]]
        if nulls:
            raise AnalysisError(f"OpenRank activity rows: null values in {', '.join(nulls)}")
        if counts["bad"] or counts["infinite"]:
            raise AnalysisError("OpenRank: activity must be positive and finite")
    twice = (
        edges.groupBy("month", "repo_id", "actor_id")
        .count()
        .where(F.col("count") > 1)
        .orderBy("month", "repo_id", "actor_id")
        .first()
    )
    if twice is not None:
        raise AnalysisError(
            f"OpenRank {twice['month']}: repo {twice['repo_id']} and user {twice['actor_id']} "
            "appear in more than one activity row"
        )
    months = [str(row[0]) for row in edges.select("month").distinct().orderBy("month").collect()]
    for month in months:
        month_index(month)  # validates the format
    return months


def _carry_records(edges: DataFrame, previous: DataFrame | None, months: list[str]) -> DataFrame:
    """``previous`` as carry records (node, month_index, openrank), without the months this
    call computes; the fold keeps each node's most recent one."""
    from pyspark.sql import functions as F

    spark = edges.sparkSession
    if previous is None:
        return spark.createDataFrame([], _CARRY_DDL)
    index = F.expr("CAST(substr(month, 1, 4) AS INT) * 12 + CAST(substr(month, 6, 2) AS INT) - 1")
    kind = F.when(F.col("kind") == KIND_NAMES[REPO], REPO).otherwise(USER)
    return (
        previous.where(~F.col("month").isin(months))
        .select(
            (F.col("id") * 2 + kind).alias("node"),
            index.cast("int").alias("month_index"),
            F.col("openrank").cast("double"),
        )
        .localCheckpoint(eager=True)
    )


def _fold(latest: DataFrame, ranked: DataFrame, this_month: int) -> DataFrame:
    from pyspark.sql import functions as F

    kind = F.when(F.col("kind") == KIND_NAMES[REPO], REPO).otherwise(USER)
    records = ranked.select(
        (F.col("id") * 2 + kind).alias("node"),
        F.lit(this_month).alias("month_index"),
        F.col("openrank"),
    )
    newest = latest.unionByName(records).groupBy("node")
    return newest.agg(
        F.max("month_index").alias("month_index"),
        F.max_by("openrank", "month_index").alias("openrank"),
    ).localCheckpoint(eager=True)


def _carry(latest: DataFrame, this_month: int) -> DataFrame:
    """(node, carry): the decayed most recent value before this month, 0 when ≤ 0.01."""
    from pyspark.sql import functions as F

    newest = (
        latest.where(F.col("month_index") < this_month)
        .groupBy("node")
        .agg(F.max_by("openrank", "month_index").alias("last"), F.max("month_index").alias("at"))
    )
    decayed = F.col("last") * F.pow(F.lit(ATTENUATION), F.lit(this_month) - F.col("at"))
    return newest.select(
        "node", F.when(decayed > CARRY_MIN_VALUE, decayed).otherwise(0.0).alias("carry")
    )


@dataclass(frozen=True, eq=False)
class _MonthGraph:
    edges: DataFrame  # src, dst, weight (persisted, partitioned by src)
    state: DataFrame  # initial_state columns (persisted, partitioned by id)
    names: DataFrame  # id, name
    others: int  # nodes besides the background


def _month_graph(rows: DataFrame, month: str, latest: DataFrame) -> _MonthGraph | None:
    """``build_global_month`` on DataFrames: the >300-relations rule, retention factors,
    activity-based and carried initial values, the background node's share."""
    from pyspark.sql import functions as F

    users = rows.groupBy("actor_id").agg(
        F.count(F.lit(1)).alias("relations"),
        F.sum("activity").alias("total"),
        F.max_by("actor_login", "repo_id").alias("name"),  # the last row, rows being sorted
    )
    users = users.withColumn("removed", F.col("relations") > MAX_USER_RELATIONS)
    marked = rows.join(users.select("actor_id", "removed", "total"), "actor_id")
    repos = marked.groupBy("repo_id").agg(
        F.sum(F.when(F.col("removed"), 0.0).otherwise(F.col("activity"))).alias("left"),
        F.max(F.col("removed").cast("int")).alias("touched"),
        F.max_by("repo_name", "actor_id").alias("name"),
    )
    repos = repos.where(~((F.col("touched") == 1) & (F.col("left") < MIN_REPO_ACTIVITY)))
    kept_users = users.where(~F.col("removed"))
    counts = (
        repos.select(F.lit(REPO).alias("k"))
        .unionByName(kept_users.select(F.lit(USER).alias("k")))
        .agg(F.count(F.lit(1)).alias("others"))
        .first()
    )
    others = int(counts["others"]) if counts is not None else 0
    if others == 0:
        return None
    relations = marked.where(~F.col("removed")).join(repos.select("repo_id", "left"), "repo_id")
    repo_node = F.col("repo_id") * 2 + REPO
    user_node = F.col("actor_id") * 2 + USER
    edges = relations.select(
        repo_node.alias("src"),
        user_node.alias("dst"),
        (F.lit(EDGE_SHARE) * F.col("activity") / F.col("left")).alias("weight"),
    ).unionByName(
        relations.select(
            user_node.alias("src"),
            repo_node.alias("dst"),
            (F.lit(EDGE_SHARE) * F.col("activity") / F.col("total")).alias("weight"),
        )
    )
    logistic = F.lit(1.0) / (F.lit(1.0) + F.exp(F.lit(0.10425) * (F.lit(44.08) - F.col("total"))))
    nodes = repos.select(
        repo_node.alias("id"),
        F.col("name"),
        F.lit(0.0).alias("activity_value"),
        F.lit(REPO_RETENTION).alias("retention"),
    ).unionByName(
        kept_users.select(
            user_node.alias("id"),
            F.col("name"),
            logistic.alias("activity_value"),
            F.lit(USER_RETENTION).alias("retention"),
        )
    )
    carry = _carry(latest, month_index(month)).withColumnRenamed("node", "id")
    partitions = int(rows.sparkSession.conf.get("spark.sql.shuffle.partitions") or 8)
    state = nodes.join(carry, "id", "left").select(
        "id",
        (F.coalesce(F.col("carry"), F.lit(0.0)) + F.col("activity_value")).alias("init"),
        "retention",
        F.lit(BACKGROUND_SHARE).alias("to_bg"),
        F.lit(1.0 / others).alias("from_bg"),
    )
    edges = edges.repartition(partitions, "src").persist()
    state = initial_state(state.repartition(partitions, "id")).persist()
    _check_out_weights(edges, state, month)
    return _MonthGraph(edges, state, nodes.select("id", "name"), others)


def _check_out_weights(edges: DataFrame, state: DataFrame, month: str) -> None:
    """Every node sends 1 ± 0.01 in total, its background share included (as
    ``OpenRankGraph.check_out_weights``); the first node that does not is named."""
    from pyspark.sql import functions as F

    sums = edges.groupBy(F.col("src").alias("id")).agg(F.sum("weight").alias("out"))
    total = F.coalesce(F.col("out"), F.lit(0.0)) + F.col("to_bg")
    bad = state.join(sums, "id", "left").where(F.abs(total - F.lit(1.0)) > WEIGHT_SLACK)
    found = bad.agg(
        F.count(F.lit(1)).alias("count"), F.min_by(total, F.col("id")).alias("sum"), F.min("id")
    ).first()
    if found is None or not found["count"]:
        return
    node: Any = found[2]
    kind = KIND_NAMES[int(node) % 2]
    raise AnalysisError(
        f"OpenRank graph: out-weights of {kind} {int(node) // 2} in {month} sum to "
        f"{found['sum']:.6f}, not 1 ({found['count']} node(s) affected)"
    )
