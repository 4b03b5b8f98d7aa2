"""The identity table built as Spark DataFrame jobs: the same rows as ``identities.
identity_table`` (identity, person, display, is_bot, rules), from the ``events_all`` and
``commits_all`` views, for data that does not fit one machine.

The rules are those of ``normalizers.identities`` (read its docstring). What runs where:

- the string rules (whitespace, case folding, NFKC name keys, placeholder emails, GitHub
  noreply addresses) run in Python on the executors (``rdd.mapPartitions``) over the *distinct*
  logins and signatures, with the very functions the local path uses, so both agree on
  every spelling;
- the joining edges, curations, connected components and explanations are DataFrame jobs.
  Components are found by label propagation (each node takes the smallest preference key
  among its neighbours until no label changes); the explanation of a member is the path the
  local breadth-first walk takes, found level by level: a node's parent is the neighbour
  that comes first in the walk's queue, whose order is the order of the node names along
  the path from the preferred identity (compared as arrays);
- curations are few and come from the SQL store, so the driver holds them; per curation it
  asks Spark for counts only.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, Final

from ossmeta.analyses.identities import shipped_bot_logins
from ossmeta.normalizers.identities import (
    _KIND_ORDER,
    _NOREPLY,
    _PREFERRED,
    IdentityOverride,
    _distinctive_name,
    _name_key,
    _placeholder_email,
)

__all__ = ["spark_identities"]

_EDGE_DDL: Final = "a string, b string, rule string, order long"
_NOTE_DDL: Final = "node string, seq long, note string"
_ACCOUNT_DDL: Final = "node string, login string, platform string, id long"
_SIGNATURE_DDL: Final = (
    "repo string, node string, spelled string, name string, uses long, key string, "
    "key_repr string, joinable boolean, bot_name boolean, noreply_login string, "
    "noreply_id string"
)
_SPLIT_NOTES: Final = 100  # curation notes come after every observation note


def spark_identities(engine: Any, overrides: Sequence[IdentityOverride]) -> Any:
    """The identity table of the activity views registered on ``engine`` as a DataFrame."""
    from pyspark.sql import functions as F

    spark = engine.session
    accounts = _accounts(spark.table("events_all"))
    signatures = _signatures(spark.table("commits_all"))
    seen = _Observed.of(spark, accounts, signatures)
    flags = _curate(spark, seen, sorted(overrides, key=lambda o: o.id))
    nodes = seen.nodes()
    labels = _components(spark, nodes, seen.edges)
    paths = _paths(spark, labels, seen.edges)
    members = (
        labels.join(paths, "node", "left")
        .join(seen.bots, "node", "left")
        .join(flags, "node", "left")
        .join(_joined_notes(seen.notes), "node", "left")
    )
    people = _people(members, seen)
    joined = members.join(people, "person")
    rules = F.concat_ws(
        "; ",
        F.coalesce(F.col("path"), F.array(F.lit(_PREFERRED))),
        F.coalesce(F.col("notes"), F.array().cast("array<string>")),
        F.col("bot_rule"),
    )
    table = joined.select(
        F.col("node").alias("identity"), "person", "display", "is_bot", rules.alias("rules")
    )
    # Kept on the executors and cut from its lineage: every metric query joins it, and its
    # plan (the rules, the walks) would otherwise be planned again inside each of them.
    return table.localCheckpoint(eager=True)


# ---------------------------------------------------------------------------- observation


def _accounts(events: Any) -> Any:
    """Distinct (node, login as spelled, platform, id) of actors and issue authors."""
    from pyspark.sql import functions as F

    platform = F.coalesce(F.col("platform"), F.lit("github.com")).alias("platform")
    raw = events.select(
        F.col("actor_login").alias("login"), F.col("actor_id").alias("id"), platform
    )
    raw = raw.unionByName(
        events.select(
            F.col("issue_author_login").alias("login"),
            F.col("issue_author_id").alias("id"),
            platform,
        )
    ).where(F.col("login").isNotNull())
    return _python_rows(raw.distinct(), _account_rows, _ACCOUNT_DDL)


def _account_rows(rows: Iterator[Any]) -> Iterator[tuple[Any, ...]]:
    for login, account_id, platform in rows:
        stripped = login.strip()
        if stripped:
            yield f"login:{stripped.lower()}", stripped, platform, account_id


def _signatures(commits: Any) -> Any:
    """Distinct git signatures with the local path's string rules applied."""
    from pyspark.sql import functions as F

    author = commits.select(
        "repo", F.col("author_name").alias("name"), F.col("author_email").alias("email")
    )
    committer = commits.select(
        "repo", F.col("committer_name").alias("name"), F.col("committer_email").alias("email")
    )
    grouped = author.unionByName(committer).groupBy("repo", "name", "email")
    distinct = grouped.agg(F.count(F.lit(1)).alias("uses")).select("repo", "name", "email", "uses")
    return _python_rows(distinct, _signature_rows, _SIGNATURE_DDL)


def _signature_rows(rows: Iterator[Any]) -> Iterator[tuple[Any, ...]]:
    for repo, raw_name, raw_email, uses in rows:
        name = " ".join((raw_name or "").split())
        email = (raw_email or "").strip()
        if not email and not name:
            continue
        lowered = email.lower()
        key = _name_key(name) if name else None
        match = _NOREPLY.match(lowered) if email else None
        joinable = (
            key is not None
            and _distinctive_name(key)
            and not (email and _placeholder_email(lowered))
        )
        yield (
            repo or "",
            f"email:{lowered}" if email else f"name:{name}",
            email or None,
            name or None,
            int(uses),
            key,
            repr(key) if key is not None else None,
            bool(joinable),
            bool(name) and name.lower().endswith("[bot]"),
            match["login"] if match else None,
            match["id"] if match else None,
        )


def _python_rows(frame: Any, rows: Any, ddl: str) -> Any:
    """``rows`` (an iterator of tuples to an iterator of tuples) over each partition, on the
    executors; plain Python workers, so no pandas is needed."""
    return frame.sparkSession.createDataFrame(frame.rdd.mapPartitions(rows), ddl)


class _Observed:
    """What the input says, as DataFrames: ``spellings(node, spelled)``, ``names(node, name,
    uses, key)``, ``edges(a, b, rule, order)``, ``notes(node, seq, note)``, ``bots(node,
    bot)``."""

    def __init__(self, spellings: Any, names: Any, edges: Any, notes: Any, bots: Any) -> None:
        self.spellings = spellings
        self.names = names
        self.edges = edges
        self.notes = notes
        self.bots = bots

    def nodes(self) -> Any:
        return self.spellings.select("node").unionByName(self.names.select("node")).distinct()

    @classmethod
    def of(cls, spark: Any, accounts: Any, signatures: Any) -> _Observed:
        from pyspark.sql import functions as F

        accounts = accounts.persist()
        signatures = signatures.persist()
        # one account id per login joins its logins; several ids join nothing and say so
        ids = accounts.where(F.col("id").isNotNull()).select("node", "platform", "id").distinct()
        per_node = ids.groupBy("node").agg(
            F.count(F.lit(1)).alias("ids"),
            F.array_sort(F.collect_list(F.struct("platform", "id"))).alias("all"),
        )
        single = per_node.where(F.col("ids") == 1).select(
            "node", F.col("all")[0]["platform"].alias("platform"), F.col("all")[0]["id"].alias("id")
        )
        shown = F.concat_ws(", ", F.transform("all", lambda pair: pair["id"].cast("string")))
        id_notes = per_node.where(F.col("ids") > 1).select(
            "node",
            F.lit(1).cast("long").alias("seq"),
            F.concat(F.lit("seen with account ids "), shown, F.lit(": not joined by id")).alias(
                "note"
            ),
        )
        firsts = single.groupBy("platform", "id").agg(F.min("node").alias("first"))
        id_edges = single.join(firsts, ["platform", "id"]).where(F.col("node") != F.col("first"))
        edges = id_edges.select(
            F.col("first").alias("a"),
            F.col("node").alias("b"),
            F.concat(F.lit("same GitHub account id "), F.col("id").cast("string")).alias("rule"),
            F.lit(0).cast("long").alias("order"),
        )
        spellings = accounts.select("node", F.col("login").alias("spelled"))
        spellings = spellings.unionByName(
            signatures.where(F.col("spelled").isNotNull()).select("node", "spelled")
        )
        names = (
            signatures.where(F.col("name").isNotNull())
            .groupBy("node", "name")
            .agg(F.sum("uses").alias("uses"), F.first("key").alias("key"))
        )
        name_notes = (
            signatures.where(F.col("spelled").isNull())
            .select("node")
            .distinct()
            .select(
                "node",
                F.lit(2).cast("long").alias("seq"),
                F.lit("a git signature without an email: known by its name").alias("note"),
            )
        )
        # same distinctive full name within one repository
        joinable = signatures.where("joinable").select("repo", "key", "key_repr", "node").distinct()
        name_firsts = joinable.groupBy("repo", "key").agg(F.min("node").alias("first"))
        where = F.when(F.col("repo") == "", F.lit("one repository")).otherwise(F.col("repo"))
        edges = edges.unionByName(
            joinable.join(name_firsts, ["repo", "key"])
            .where(F.col("node") != F.col("first"))
            .select(
                F.col("first").alias("a"),
                F.col("node").alias("b"),
                F.concat(F.lit("same full name "), F.col("key_repr"), F.lit(" in "), where).alias(
                    "rule"
                ),
                F.lit(0).cast("long").alias("order"),
            )
        )
        # GitHub noreply emails: the login they name (added when unseen), its account id
        noreply = (
            signatures.where(F.col("noreply_login").isNotNull())
            .select(
                "node",
                F.concat(F.lit("login:"), F.col("noreply_login")).alias("login"),
                "noreply_login",
                "noreply_id",
            )
            .distinct()
        )
        known_logins = accounts.select(F.col("node").alias("login")).distinct()
        implied = noreply.join(known_logins, "login", "left_anti")
        implied_first = implied.groupBy("login", "noreply_login").agg(F.min("node").alias("email"))
        spellings = spellings.unionByName(
            implied_first.select(
                F.col("login").alias("node"), F.col("noreply_login").alias("spelled")
            )
        )
        form = F.when(F.col("noreply_id").isNotNull(), "<id>+<login>").otherwise("<login>")
        edges = edges.unionByName(
            noreply.select(
                F.least("node", "login").alias("a"),
                F.greatest("node", "login").alias("b"),
                F.concat(F.lit("GitHub noreply email "), form, F.lit("@users.noreply.github.com")),
                F.lit(0).cast("long").alias("order"),
            ).toDF("a", "b", "rule", "order")
        )
        by_id = noreply.where(F.col("noreply_id").isNotNull()).withColumn(
            "id", F.col("noreply_id").cast("long")
        )
        github_single = single.where(F.col("platform") == "github.com").select(
            F.col("node").alias("other"), "id"
        )
        edges = edges.unionByName(
            by_id.join(github_single, "id")
            .where(F.col("node") != F.col("other"))
            .select(
                F.least("node", "other").alias("a"),
                F.greatest("node", "other").alias("b"),
                F.concat(F.lit("GitHub noreply email of account id "), F.col("noreply_id")).alias(
                    "rule"
                ),
                F.lit(0).cast("long").alias("order"),
            )
        )
        implied_notes = implied_first.select(
            F.col("login").alias("node"),
            F.lit(3).cast("long").alias("seq"),
            F.concat(F.lit("implied by the GitHub noreply email "), F.col("email")).alias("note"),
        )
        spellings = spellings.distinct()
        spelled = spellings.groupBy("node").agg(
            F.array_sort(F.collect_list("spelled")).alias("all")
        )
        what = F.when(F.col("node").startswith("login:"), "same login (case-insensitive)")
        spelling_notes = spelled.where(F.size("all") > 1).select(
            "node",
            F.lit(4).cast("long").alias("seq"),
            F.concat(
                what.otherwise("same email (case-folded)"), F.lit(": "), F.concat_ws(", ", "all")
            ).alias("note"),
        )
        notes = id_notes.unionByName(name_notes).unionByName(implied_notes)
        notes = notes.unionByName(spelling_notes)
        bots = _bot_rules(spellings, signatures, noreply)
        return cls(spellings, names, edges.distinct(), notes, bots)


def _bot_rules(spellings: Any, signatures: Any, noreply: Any) -> Any:
    """(node, bot): the rule that makes an identity a bot, in the local path's precedence."""
    from pyspark.sql import functions as F

    named = signatures.where(F.col("name").isNotNull()).groupBy("node")
    only_bot = named.agg(F.min(F.col("bot_name").cast("int")).alias("all_bot")).where("all_bot = 1")
    by_name = only_bot.select(
        "node", F.lit("is only ever used with git names ending in [bot]").alias("name_rule")
    )
    by_noreply = (
        noreply.where(F.col("noreply_login").endswith("[bot]"))
        .select("node", F.lit("is the GitHub noreply email of a [bot] account").alias("email_rule"))
        .distinct()
    )
    logins = spellings.select("node").distinct().where(F.col("node").startswith("login:"))
    listed = sorted(shipped_bot_logins())
    login_rule = F.when(F.col("node").endswith("[bot]"), "ends with [bot] (a GitHub App)").when(
        F.substring("node", 7, 1_000_000).isin(listed), "is on the shipped bot list"
    )
    by_login = logins.select("node", login_rule.alias("login_rule"))
    rules = by_login.join(by_noreply, "node", "full").join(by_name, "node", "full")
    rule = F.coalesce("login_rule", "email_rule", "name_rule")
    return rules.select("node", rule.alias("bot")).where(F.col("bot").isNotNull())


def _joined_notes(notes: Any) -> Any:
    from pyspark.sql import functions as F

    ordered = F.array_sort(F.collect_list(F.struct("seq", "note")))
    return notes.groupBy("node").agg(F.transform(ordered, lambda n: n["note"]).alias("notes"))


# ---------------------------------------------------------------------------- curation


def _select(spark: Any, seen: _Observed, identity: str) -> Any:
    """The observed nodes a curation names (a ``name:`` names every signature of that name)."""
    from pyspark.sql import functions as F

    if identity.startswith("name:"):
        key = _name_key(identity.removeprefix("name:"))
        return seen.names.where(F.col("key") == key).select("node").distinct()
    return seen.nodes().where(F.col("node") == identity)


def _curate(spark: Any, seen: _Observed, overrides: list[IdentityOverride]) -> Any:
    """Apply merges and splits to ``seen.edges`` and split notes to ``seen.notes``; return
    (node, flag_id, flag_action, flag_text): each node's newest bot/human curation."""
    from pyspark.sql import functions as F

    flags = spark.createDataFrame(
        [], "node string, flag_id long, flag_action string, flag_text string"
    )
    for position, override in enumerate(overrides):
        chosen = _select(spark, seen, override.identity)
        text = override.describe()
        if override.action == "merge" and override.other is not None:
            other = _select(spark, seen, override.other)
            if chosen.count() == 0 or other.count() == 0:
                continue  # as the local rule: both sides must name observed identities
            together = chosen.unionByName(other).distinct()
            first = together.agg(F.min("node").alias("first"))
            joined = together.crossJoin(first).where(F.col("node") != F.col("first"))
            seen.edges = seen.edges.unionByName(
                joined.select(
                    F.col("first").alias("a"),
                    F.col("node").alias("b"),
                    F.lit(text).alias("rule"),
                    F.lit(override.id).cast("long").alias("order"),
                )
            ).localCheckpoint(eager=True)
        elif override.action == "split":
            cut = chosen.select(F.col("node").alias("cut"))
            older = F.col("order") < override.id
            touching = seen.edges.join(
                cut, (F.col("a") == F.col("cut")) | (F.col("b") == F.col("cut")), "left_semi"
            ).where(older)
            seen.edges = seen.edges.subtract(touching).localCheckpoint(eager=True)
            seen.notes = seen.notes.unionByName(
                chosen.select(
                    "node",
                    F.lit(_SPLIT_NOTES + position).cast("long").alias("seq"),
                    F.lit(f"{text} (joins before it cut)").alias("note"),
                )
            )
        elif override.action in ("bot", "human"):
            flagged = chosen.select(
                "node",
                F.lit(override.id).cast("long").alias("flag_id"),
                F.lit(override.action).alias("flag_action"),
                F.lit(text).alias("flag_text"),
            )
            flags = flags.join(flagged.select("node"), "node", "left_anti").unionByName(flagged)
    return flags


# ---------------------------------------------------------------------------- people


def _preference(node: Any) -> Any:
    """A string whose order is the local ``_order`` (kind, then the identity)."""
    from pyspark.sql import functions as F

    kind = F.substring_index(node, ":", 1)
    rank = F.lit("9")
    for name, order in _KIND_ORDER.items():
        rank = F.when(kind == name, F.lit(str(order))).otherwise(rank)
    return F.concat(rank, node)


def _both_ways(edges: Any) -> Any:
    from pyspark.sql import functions as F

    forward = edges.select(F.col("a").alias("src"), F.col("b").alias("dst"), "rule")
    backward = edges.select(F.col("b").alias("src"), F.col("a").alias("dst"), "rule")
    return forward.unionByName(backward)


def _components(spark: Any, nodes: Any, edges: Any) -> Any:
    """(node, person): label propagation of the smallest preference key over the edges."""
    from pyspark.sql import functions as F

    links = _both_ways(edges).select("src", "dst").distinct().persist()
    labels = nodes.select("node", _preference(F.col("node")).alias("label")).localCheckpoint(
        eager=True
    )
    while True:
        offered = (
            links.join(labels.withColumnRenamed("node", "src"), "src")
            .groupBy(F.col("dst").alias("node"))
            .agg(F.min("label").alias("offer"))
        )
        updated = (
            labels.join(offered, "node", "left")
            .select(
                "node",
                F.least("label", F.coalesce("offer", "label")).alias("label"),
                (F.col("offer") < F.col("label")).alias("moved"),
            )
            .localCheckpoint(eager=True)
        )
        moved = updated.where("moved").count()
        labels = updated.drop("moved")
        if moved == 0:
            break
    links.unpersist()
    return labels.select("node", F.substring("label", 2, 1_000_000).alias("person"))


def _paths(spark: Any, labels: Any, edges: Any) -> Any:
    """(node, path): the rules on the local walk's path to the person's preferred identity,
    for the members other than the preferred one (breadth first, level by level)."""
    from pyspark.sql import functions as F

    links = _both_ways(edges).persist()
    found = labels.where(F.col("node") == F.col("person")).select(
        "node",
        F.array().cast("array<string>").alias("order"),
        F.array().cast("array<string>").alias("path"),
    )
    found = found.localCheckpoint(eager=True)
    frontier = found
    while True:
        reached = (
            frontier.withColumnRenamed("node", "src")
            .join(links, "src")
            .join(found.select(F.col("node").alias("dst")), "dst", "left_anti")
            .groupBy(F.col("dst").alias("node"))
            .agg(F.min(F.struct("order", "rule", "src", "path")).alias("via"))
        )
        step = F.concat(
            F.col("via.rule"),
            F.lit(" ("),
            F.col("node"),
            F.lit(" ~ "),
            F.col("via.src"),
            F.lit(")"),
        )
        frontier = reached.select(
            "node",
            F.concat(F.col("via.order"), F.array(F.col("node"))).alias("order"),
            F.concat(F.array(step), F.col("via.path")).alias("path"),
        ).localCheckpoint(eager=True)
        if frontier.count() == 0:
            break
        found = found.unionByName(frontier).localCheckpoint(eager=True)
    links.unpersist()
    return found.where(F.size("path") > 0).select("node", "path")


def _people(members: Any, seen: _Observed) -> Any:
    """(person, display, is_bot, bot_rule) per person."""
    from pyspark.sql import functions as F

    preference = _preference(F.col("node"))
    flagged = (
        members.where(F.col("flag_id").isNotNull())
        .groupBy("person")
        .agg(
            # the newest curation; among members it names, the first in preference order
            F.min_by(
                F.struct("flag_action", "flag_text", "node"),
                F.struct(-F.col("flag_id"), preference),
            ).alias("flag")
        )
    )
    botted = (
        members.where(F.col("bot").isNotNull())
        .groupBy("person")
        .agg(F.min_by(F.struct("node", "bot"), preference).alias("first_bot"))
    )
    names = (
        members.select("node", "person")
        .join(seen.names, "node")
        .groupBy("person", "name")
        .agg(F.sum("uses").alias("uses"))
        .groupBy("person")
        .agg(F.min(F.struct((-F.col("uses")).alias("minus"), "name")).alias("top"))
    )
    spelled = seen.spellings.groupBy("node").agg(F.min("spelled").alias("spelled"))
    people = members.where(F.col("node") == F.col("person")).select("person")
    people = (
        people.join(spelled.withColumnRenamed("node", "person"), "person", "left")
        .join(names, "person", "left")
        .join(flagged, "person", "left")
        .join(botted, "person", "left")
    )
    fallback = F.coalesce("spelled", F.expr("substr(person, instr(person, ':') + 1)"))
    display = F.when(F.col("person").startswith("login:"), fallback).otherwise(
        F.coalesce(F.col("top.name"), fallback)
    )
    curated = F.concat(
        F.col("flag.flag_action"), F.lit(": "), F.col("flag.flag_text"), F.lit(" ("),
        F.col("flag.node"), F.lit(")"),
    )  # fmt: skip
    automatic = F.concat(
        F.lit("bot: "), F.col("first_bot.node"), F.lit(" "), F.col("first_bot.bot")
    )
    return people.select(
        "person",
        display.alias("display"),
        F.when(F.col("flag").isNotNull(), F.col("flag.flag_action") == "bot")
        .otherwise(F.col("first_bot").isNotNull())
        .alias("is_bot"),
        F.when(F.col("flag").isNotNull(), curated).otherwise(automatic).alias("bot_rule"),
    )
