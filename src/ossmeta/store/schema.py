"""Relational schema of the store (SQLAlchemy Core). Alembic migrations create it; this
module is what the code queries with. Raw records are kept as given; every other table is
derived from them and can be rebuilt (``ossmeta.store.advisories.rederive``)."""

from __future__ import annotations

from sqlalchemy import (
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    SmallInteger,
    String,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

#: Upstream records exactly as given (parsed JSON/YAML re-serialized canonically), with
#: provenance. Every distinct content is kept, also superseded versions of a record.
raw_records = Table(
    "raw_records",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("source", String(64), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("external_id", String(255), nullable=False),
    Column("modified", String(64)),
    Column("locator", Text, nullable=False),
    Column("content_hash", String(64), nullable=False),
    Column("data_license", String(128)),
    Column("imported_at", DateTime(timezone=True), nullable=False),
    Column("payload", Text, nullable=False),
    UniqueConstraint("source", "content_hash", name="uq_raw_records_source_hash"),
    Index("ix_raw_records_external_id", "kind", "external_id"),
)

#: The current version of each OSV record (derived from raw_records).
advisories = Table(
    "advisories",
    metadata,
    Column("id", String(255), primary_key=True),
    Column("raw_record_id", Integer, ForeignKey("raw_records.id"), nullable=False),
    Column("modified", DateTime(timezone=True), nullable=False),
    Column("published", DateTime(timezone=True)),
    Column("withdrawn", DateTime(timezone=True)),
    Column("summary", Text, nullable=False),
    Column("severity_level", SmallInteger, nullable=False),
    Column("severity_score", Float),
    Column("severity_vector", Text),
    Column("severity_type", String(32)),
)

#: One row per alias an advisory names (the graph is symmetric; groups are derived).
advisory_aliases = Table(
    "advisory_aliases",
    metadata,
    Column(
        "advisory_id",
        String(255),
        ForeignKey("advisories.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("alias", String(255), primary_key=True),
)

#: Connected components of the alias graph over non-withdrawn records (derived).
alias_groups = Table(
    "alias_groups",
    metadata,
    Column("member", String(255), primary_key=True),
    Column("group_key", String(255), nullable=False, index=True),
)

#: One row per ``affected[]`` entry, indexed by (ecosystem, name key) for matching.
affected = Table(
    "affected",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column(
        "advisory_id",
        String(255),
        ForeignKey("advisories.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    Column("ecosystem", String(64), nullable=False),
    Column("ecosystem_full", String(255), nullable=False),
    Column("name", String(512), nullable=False),
    Column("name_key", String(512), nullable=False),
    Column("purl", Text),
    Column("ranges", Text, nullable=False),  # JSON: [{"type", "events": [[kind, version]], "repo"}]
    # Listed versions that no range of the entry contains, one per line (the rest add
    # nothing to matching; the full list stays in the raw record).
    Column("uncovered_versions", Text, nullable=False),
    Column("severity_level", SmallInteger),
    Column("severity_score", Float),
    Column("severity_vector", Text),
    Column("severity_type", String(32)),
    Index("ix_affected_package", "ecosystem", "name_key"),
)
