"""Relational schema of the store (SQLAlchemy Core). Alembic migrations create it; this
module is what the code queries with. Raw records are kept as given; every other table is
derived from them and can be rebuilt (``ossmeta.store.advisories.rederive``)."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Float,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    LargeBinary,
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

# --------------------------------------------------------------------------- package metadata
# Issue 3. ``current_records`` says which stored raw record is the one a registry serves now
# for each document (a document may change back to an earlier content, whose raw row exists
# already, so "newest row" would be wrong). The ``package*`` tables are derived from the
# current records by the normalizers and rebuilt by ``ossmeta normalize``; curations and the
# sync bookkeeping are not derived and survive every rebuild.

#: The raw record a registry currently serves for each (source, kind, external id).
current_records = Table(
    "current_records",
    metadata,
    Column("source", String(64), primary_key=True),
    Column("kind", String(32), primary_key=True),
    Column("external_id", String(255), primary_key=True),
    Column("package", String(1024), nullable=False, index=True),  # purl without version
    Column("raw_record_id", Integer, ForeignKey("raw_records.id"), nullable=False),
    Column("fetched_at", DateTime(timezone=True), nullable=False),
)

#: Normalized packages (derived).
packages = Table(
    "packages",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("purl", String(1024), nullable=False, unique=True),
    Column("ecosystem", String(64), nullable=False),
    Column("name", String(512), nullable=False),
    Column("repository", String(1024)),
    Column("repository_raw", Text),
    Column("homepage", Text),
    Column("description", Text),
    Column("status", String(16), nullable=False),
    Column("license_spdx", Text),
    Column("license_raw", Text),
    Column("license_confidence", String(16)),
    Column("license_source", String(64)),
    Column("maintainers", Text, nullable=False),  # JSON list, in the registry's order
    # Facts about the list kept as numbers, so no query depends on how the JSON is written.
    Column("maintainers_count", Integer, nullable=False, server_default="0"),
    Column("maintainers_with_email", Integer, nullable=False, server_default="0"),  # with "@"
    Column("source", String(255), nullable=False),  # the record kinds it was made from
    Column("normalized_at", DateTime(timezone=True), nullable=False),
)

#: Versions of a package, ``position`` in ecosystem order (derived).
package_versions = Table(
    "package_versions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column(
        "package_id",
        Integer,
        ForeignKey("packages.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    Column("position", Integer, nullable=False),
    Column("version", String(255), nullable=False),
    Column("published", DateTime(timezone=True)),
    Column("yanked", Boolean, nullable=False),
    Column("yanked_reason", Text),
    Column("deprecated", Text),
    Column("license_spdx", Text),
    Column("license_raw", Text),
    Column("license_confidence", String(16)),
    Column("license_source", String(64)),
    Column("files", Text, nullable=False),  # JSON: [{"filename", "hashes", "url"}]
    Column("files_count", Integer, nullable=False, server_default="0"),
    Column("files_without_hash", Integer, nullable=False, server_default="0"),
    UniqueConstraint("package_id", "version", name="uq_package_versions_package_version"),
)

#: Declared dependencies of each version (derived); ``target`` indexed for reverse lookups.
package_dependencies = Table(
    "package_dependencies",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column(
        "version_id",
        Integer,
        ForeignKey("package_versions.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    Column("package_id", Integer, nullable=False, index=True),  # the dependent package
    Column("target", String(1024), nullable=False, index=True),
    Column("requirement", Text, nullable=False),
    Column("scope", String(16), nullable=False),
    Column("markers", Text),
    Column("extra", String(255)),
    Column("flags", Text, nullable=False),  # space-separated
)

#: Human corrections of a field, reviewed by a curator (never derived; never rebuilt).
curations = Table(
    "curations",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("purl", String(1024), nullable=False, index=True),
    Column("versions", String(255)),  # a vers range or one version; NULL for the package
    Column("field", String(64), nullable=False),
    Column("value", Text, nullable=False),
    Column("reason", Text, nullable=False),
    Column("author", String(255), nullable=False),
    Column("evidence", Text, nullable=False),
    Column("status", String(16), nullable=False),  # proposed | approved | rejected
    Column("reviewer", String(255)),
    Column("review_note", Text),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("reviewed_at", DateTime(timezone=True)),
)

#: Where the last change-feed sync of each registry stopped (PyPI serial, npm sequence).
sync_cursors = Table(
    "sync_cursors",
    metadata,
    Column("registry", String(32), primary_key=True),
    Column("cursor", String(255), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

#: Validators for conditional requests, by URL.
fetch_validators = Table(
    "fetch_validators",
    metadata,
    Column("url", String(2048), primary_key=True),
    Column("etag", Text),
    Column("last_modified", String(64)),
    Column("checked_at", DateTime(timezone=True), nullable=False),
)

#: A sync in progress: its work list is stored first, so a killed sync resumes it.
sync_runs = Table(
    "sync_runs",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("registry", String(32), nullable=False),
    Column("request", Text, nullable=False),  # what was asked, canonical JSON
    Column("target_cursor", String(255)),  # the cursor to store once every item is done
    Column("started_at", DateTime(timezone=True), nullable=False),
    Column("finished_at", DateTime(timezone=True)),
)

sync_run_items = Table(
    "sync_run_items",
    metadata,
    Column("run_id", Integer, ForeignKey("sync_runs.id", ondelete="CASCADE"), primary_key=True),
    Column("position", Integer, primary_key=True),
    Column("name", String(512), nullable=False),
    Column("done", Boolean, nullable=False),
)

#: The outcome of the last fetch of each package: staleness and failures for the report.
sync_status = Table(
    "sync_status",
    metadata,
    Column("registry", String(32), primary_key=True),
    Column("name", String(512), primary_key=True),
    Column("purl", String(1024)),
    Column("attempted_at", DateTime(timezone=True), nullable=False),
    Column("succeeded_at", DateTime(timezone=True)),
    Column("error_kind", String(64)),  # NULL when the last attempt succeeded
    Column("error", Text),
)

# -- activity and community health (migration 0003) ------------------------------------------

#: Curated identity decisions, applied over the automatic merge rules. An identity is written
#: ``kind:value``: ``login:octocat``, ``email:jane@example.org``, ``name:Jane Doe``.
#: ``merge`` joins two identities' people, ``split`` takes one identity out of its person,
#: ``bot`` / ``human`` override the bot rules for one identity.
identity_overrides = Table(
    "identity_overrides",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("action", String(16), nullable=False),
    Column("identity", String(512), nullable=False),
    Column("other", String(512)),  # the second identity of a merge
    Column("reason", Text, nullable=False),
    Column("author", String(255), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)


def _metric_table(name: str, subject: str) -> Table:
    """Computed metrics per subject, metric and period (``2024-01``, ``2024Q1``, ``2024``).
    ``value`` holds scalars; ``detail`` holds JSON for list-valued parts (response-time
    ``levels``, bus-factor details) and words (a maintenance status)."""
    return Table(
        name,
        metadata,
        Column(subject, String(512), primary_key=True),
        Column("metric", String(128), primary_key=True),
        Column("period", String(16), primary_key=True),
        Column("value", Float),
        Column("detail", Text),
        Column("engine", String(16), nullable=False),
        Column("computed_at", DateTime(timezone=True), nullable=False),
    )


#: Per repository (``github.com/owner/name``) and per developer (``github.com/login``).
repo_metrics = _metric_table("repo_metrics", "repo")
developer_metrics = _metric_table("developer_metrics", "developer")

#: What each git import has seen, so a re-import reads only new commits.
git_imports = Table(
    "git_imports",
    metadata,
    Column("repo", String(512), primary_key=True),
    Column("location", Text, nullable=False),  # the path or URL imported from
    Column("heads", Text, nullable=False),  # JSON: ref name -> commit sha at the last import
    Column("commits", Integer, nullable=False),
    Column("imported_at", DateTime(timezone=True), nullable=False),
)

#: Repository facts a code host states (archived, default branch), per collection.
repo_facts = Table(
    "repo_facts",
    metadata,
    Column("repo", String(512), primary_key=True),
    Column("archived", Boolean, nullable=False),
    Column("default_branch", String(255)),
    Column("fetched_at", DateTime(timezone=True), nullable=False),
)

# ------------------------------------------------------------------ accounts (migration 0005)
# Tenant-owned tables carry ``tenant_id`` and, on PostgreSQL, a row-level security policy
# (``ossmeta.store.tenancy``). ``tenants`` and ``users`` are global: a user may belong to
# several tenants through ``memberships``.

#: Roles in a tenant, from most to least powerful.
ROLES = ("admin", "curator", "member", "viewer")
#: Token scopes, each including the ones before it.
SCOPES = ("read", "write", "admin")

tenants = Table(
    "tenants",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(64), nullable=False, unique=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

users = Table(
    "users",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("login", String(255), nullable=False, unique=True),
    Column("password_hash", Text),  # argon2id; none for a user who signs in with tokens only
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("disabled_at", DateTime(timezone=True)),
)

memberships = Table(
    "memberships",
    metadata,
    Column("tenant_id", Integer, ForeignKey("tenants.id"), primary_key=True),
    Column("user_id", Integer, ForeignKey("users.id"), primary_key=True),
    Column("role", String(16), nullable=False),
)

#: API tokens: the secret itself is never stored, only its SHA-256 (a token is 256 random
#: bits, so a fast hash is as strong as a slow one); ``prefix`` is what lists show.
api_tokens = Table(
    "api_tokens",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("tenant_id", Integer, ForeignKey("tenants.id"), nullable=False, index=True),
    Column("user_id", Integer, ForeignKey("users.id"), nullable=False),
    Column("name", String(255), nullable=False),
    Column("prefix", String(32), nullable=False),
    Column("secret_sha256", String(64), nullable=False, unique=True),
    Column("scopes", String(64), nullable=False),  # space-separated, from SCOPES
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True)),
    Column("revoked_at", DateTime(timezone=True)),
    Column("last_used_at", DateTime(timezone=True)),
)

#: Every tenant-side change: who, what, on what, when, from where. Append-only: triggers
#: refuse UPDATE and DELETE.
audit_log = Table(
    "audit_log",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("tenant_id", Integer, ForeignKey("tenants.id"), nullable=False),
    Column("actor", String(255), nullable=False),
    Column("action", String(64), nullable=False),
    Column("target", String(512), nullable=False),
    Column("detail", Text, nullable=False),  # JSON object
    Column("at", DateTime(timezone=True), nullable=False),
    Column("remote_addr", String(64)),
    Index("ix_audit_log_tenant", "tenant_id", "id"),
)

#: A login to the web pages (migration 0010): found by the SHA-256 of the cookie's secret,
#: revoked at logout, refused once expired.
web_sessions = Table(
    "web_sessions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("tenant_id", Integer, ForeignKey("tenants.id"), nullable=False, index=True),
    Column("user_id", Integer, ForeignKey("users.id"), nullable=False),
    Column("secret_sha256", String(64), nullable=False, unique=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Column("revoked_at", DateTime(timezone=True)),
    Column("remote_addr", String(64)),
)

# ------------------------------------------------------------------ inventories (migration 0006)
# A tenant's projects, their versions (one uploaded inventory each), the components of each
# inventory and the findings the scan gave them, and the tenant's VEX decisions. Every table
# is tenant-owned (row-level security on PostgreSQL). Findings are stored, not recomputed on
# read, so that a re-evaluation can diff against them and "where is advisory X" is a query.

projects = Table(
    "projects",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("tenant_id", Integer, ForeignKey("tenants.id"), nullable=False),
    Column("name", String(128), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("tenant_id", "name", name="uq_projects_tenant_name"),
)

project_versions = Table(
    "project_versions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),  # creation order
    Column("tenant_id", Integer, ForeignKey("tenants.id"), nullable=False),
    Column("project_id", Integer, ForeignKey("projects.id"), nullable=False),
    Column("name", String(128), nullable=False),
    Column("sha256", String(64), nullable=False),  # of the uploaded bytes
    Column("filename", String(255), nullable=False),
    Column("uploaded_at", DateTime(timezone=True), nullable=False),
    Column("uploaded_by", String(255), nullable=False),
    Column("notes", Text, nullable=False),  # JSON list: what the parser skipped, and why
    UniqueConstraint("project_id", "name", name="uq_project_versions_project_name"),
)

inventory_components = Table(
    "inventory_components",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("tenant_id", Integer, ForeignKey("tenants.id"), nullable=False),
    Column("version_id", Integer, ForeignKey("project_versions.id"), nullable=False),
    Column("position", Integer, nullable=False),  # the scan report's order
    Column("purl", String(1024)),
    Column("package_purl", String(1024)),  # canonical, without version: where-used by package
    Column("ecosystem", String(64)),  # as the input gave it (``Debian:12``)
    Column("ecosystem_key", String(64)),  # base ecosystem: the advisory index's key
    Column("name", String(512), nullable=False),
    Column("name_key", String(512)),
    Column("version", String(256)),
    Column("status", String(16), nullable=False),
    Column("direct", Boolean),  # null: the input does not say
    Column("requirement", Text),
    Column("scopes", Text, nullable=False),  # JSON list
    Column("locations", Text, nullable=False),  # JSON list of [path, line, pointer]
    Column("upgrade", String(256)),
    Column("upgrade_note", Text),
    Index("ix_inventory_components_version", "version_id", "position"),
    Index("ix_inventory_components_package", "tenant_id", "package_purl"),
    Index("ix_inventory_components_key", "ecosystem_key", "name_key"),
    Index("ix_inventory_components_tenant_key", "tenant_id", "ecosystem_key", "name_key"),
)

findings = Table(
    "findings",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("tenant_id", Integer, ForeignKey("tenants.id"), nullable=False),
    Column("version_id", Integer, ForeignKey("project_versions.id"), nullable=False),
    Column("component_id", Integer, ForeignKey("inventory_components.id"), nullable=False),
    Column("advisory_id", String(128), nullable=False),  # the id chosen for the alias group
    Column("aliases", Text, nullable=False),  # JSON list: the group's other ids
    Column("records", Text, nullable=False),  # JSON list: the records that matched
    Column("verdict", String(16), nullable=False),  # affected | unknown
    Column("severity_level", SmallInteger, nullable=False),
    Column("severity_score", Float),
    Column("severity_vector", Text),
    Column("severity_type", String(32)),
    Column("severity_origin", String(128)),
    Column("fixed", Text, nullable=False),  # JSON list, in ecosystem order
    Column("summary", Text, nullable=False),
    Column("reason", Text, nullable=False),
    Index("ix_findings_component", "component_id"),
    Index("ix_findings_version", "version_id"),
    Index("ix_findings_advisory", "tenant_id", "advisory_id"),
)

#: VEX states and justifications (CycloneDX names; OpenVEX's are mapped onto them).
VEX_STATES = ("in_triage", "exploitable", "not_affected", "false_positive", "resolved")

#: Audit decisions on findings, append-only: the latest decision that applies wins, the
#: earlier ones are the history. A decision names a package of a project and an alias
#: group; it applies from the project version it was made on to every later one.
vex_decisions = Table(
    "vex_decisions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("tenant_id", Integer, ForeignKey("tenants.id"), nullable=False),
    Column("project_id", Integer, ForeignKey("projects.id"), nullable=False),
    Column("version_id", Integer, ForeignKey("project_versions.id"), nullable=False),
    Column("package_purl", String(1024), nullable=False),
    Column("component_version", String(256), nullable=False),
    Column("advisory_id", String(128), nullable=False),  # as the author named it
    Column("advisory_ids", Text, nullable=False),  # JSON list: the whole alias group
    Column("state", String(32), nullable=False),
    Column("justification", String(64)),
    Column("comment", Text, nullable=False),
    Column("carry_over_versions", Boolean, nullable=False),
    Column("author", String(255), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
    Index("ix_vex_decisions_package", "tenant_id", "project_id", "package_purl"),
)

# ------------------------------------------------------------------ monitoring (migration 0007)
# Background jobs (global: a job may concern every tenant), and what the center sends
# outward: each tenant's webhooks and e-mail rules, the transactional outbox and one
# delivery per event and target. The tenant-owned ones are under row-level security, with
# a second policy that admits the worker (``ossmeta.store.system_access``).

#: A job's states: waiting (also after a failed attempt), leased to a worker, finished,
#: given up after ``max_attempts``.
JOB_STATES = ("queued", "running", "done", "failed")
#: A delivery's states: still to be sent (or retried), received with a 2xx, given up.
DELIVERY_STATES = ("pending", "delivered", "dead")

jobs = Table(
    "jobs",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("kind", String(64), nullable=False),
    Column("payload", Text, nullable=False),  # JSON object
    Column("state", String(16), nullable=False),
    Column("attempts", Integer, nullable=False),  # counted when a worker takes the job
    Column("max_attempts", Integer, nullable=False),
    Column("run_after", DateTime(timezone=True), nullable=False),
    Column("lease_until", DateTime(timezone=True)),
    Column("worker_id", String(128)),
    Column("last_error", Text),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("finished_at", DateTime(timezone=True)),
    Index("ix_jobs_due", "state", "run_after"),
)

#: A tenant's webhook endpoints. ``secret`` (``whsec_...``) signs every delivery; the API
#: shows it once, when the webhook is created.
webhooks = Table(
    "webhooks",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("tenant_id", Integer, ForeignKey("tenants.id"), nullable=False, index=True),
    Column("url", Text, nullable=False),
    Column("events", Text, nullable=False),  # JSON list of event types
    Column("secret", String(128), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("disabled_at", DateTime(timezone=True)),
    Column("disabled_reason", Text),
)

#: A tenant's e-mail notification rules: which events go to which address.
email_recipients = Table(
    "email_recipients",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("tenant_id", Integer, ForeignKey("tenants.id"), nullable=False, index=True),
    Column("address", String(320), nullable=False),
    Column("events", Text, nullable=False),  # JSON list of event types
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("disabled_at", DateTime(timezone=True)),
)

#: The transactional outbox: an event is written in the transaction of the change that
#: caused it. ``id`` is the Standard Webhooks message id (``msg_...``): the same on every
#: attempt and every target, so receivers can de-duplicate by it.
outbox = Table(
    "outbox",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("tenant_id", Integer, ForeignKey("tenants.id"), nullable=False, index=True),
    Column("event_type", String(64), nullable=False),
    Column("payload", Text, nullable=False),  # JSON object: the event's data
    Column("created_at", DateTime(timezone=True), nullable=False),
)

#: One event to one target (a webhook or an e-mail rule), leased to a worker while it is
#: being sent. At least once: ``delivered`` only after the receiver accepted it.
deliveries = Table(
    "deliveries",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("outbox_id", String(64), ForeignKey("outbox.id"), nullable=False, index=True),
    Column("tenant_id", Integer, ForeignKey("tenants.id"), nullable=False),
    Column("webhook_id", Integer, ForeignKey("webhooks.id")),
    Column("email_id", Integer, ForeignKey("email_recipients.id")),
    Column("state", String(16), nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("next_attempt_at", DateTime(timezone=True), nullable=False),
    Column("lease_until", DateTime(timezone=True)),
    Column("worker_id", String(128)),
    Column("last_status", Integer),
    Column("last_error", Text),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("delivered_at", DateTime(timezone=True)),
    Index("ix_deliveries_due", "state", "next_attempt_at"),
    Index("ix_deliveries_tenant", "tenant_id", "id"),
)

# ------------------------------------------------------------------ private data (migration 0008)
# A tenant's own advisories (matched only in its inventories), packages (never looked up
# upstream) and curations (applied only in its component join). Tenant-owned: row-level
# security on PostgreSQL.

private_advisories = Table(
    "private_advisories",
    metadata,
    Column("tenant_id", Integer, ForeignKey("tenants.id"), primary_key=True),
    Column("id", String(255), primary_key=True),  # the tenant's choice; may equal a public id
    Column("modified", DateTime(timezone=True), nullable=False),
    Column("published", DateTime(timezone=True)),
    Column("withdrawn", DateTime(timezone=True)),
    Column("summary", Text, nullable=False),
    Column("severity_level", SmallInteger),
    Column("severity_score", Float),
    Column("severity_vector", Text),
    Column("severity_type", String(32)),
    Column("aliases", Text, nullable=False),  # JSON list
    Column("content_hash", String(64), nullable=False),  # of the canonical record
    Column("locator", Text, nullable=False),  # where it came from (file, "api")
    Column("imported_at", DateTime(timezone=True), nullable=False),
    Column("imported_by", String(255), nullable=False),
    Column("payload", Text, nullable=False),  # the OSV record as given (canonical JSON)
)

private_affected = Table(
    "private_affected",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("tenant_id", Integer, ForeignKey("tenants.id"), nullable=False),
    Column("advisory_id", String(255), nullable=False),
    Column("ecosystem", String(64), nullable=False),
    Column("ecosystem_full", String(255), nullable=False),
    Column("name", String(512), nullable=False),
    Column("name_key", String(512), nullable=False),
    Column("purl", Text),
    Column("ranges", Text, nullable=False),
    Column("uncovered_versions", Text, nullable=False),
    Column("severity_level", SmallInteger),
    Column("severity_score", Float),
    Column("severity_vector", Text),
    Column("severity_type", String(32)),
    ForeignKeyConstraint(
        ["tenant_id", "advisory_id"],
        ["private_advisories.tenant_id", "private_advisories.id"],
        name="fk_private_affected_tenant_id_private_advisories",
        ondelete="CASCADE",
    ),
    Index("ix_private_affected_package", "tenant_id", "ecosystem", "name_key"),
    Index("ix_private_affected_advisory", "tenant_id", "advisory_id"),
)

private_packages = Table(
    "private_packages",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("tenant_id", Integer, ForeignKey("tenants.id"), nullable=False),
    Column("purl", String(1024), nullable=False),  # canonical, without version
    Column("ecosystem", String(64), nullable=False),
    Column("name", String(512), nullable=False),
    Column("description", Text),
    Column("license", String(512)),  # an SPDX expression, as the tenant states it
    Column("repository", String(1024)),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("created_by", String(255), nullable=False),
    UniqueConstraint("tenant_id", "purl", name="uq_private_packages_tenant_purl"),
)

private_curations = Table(
    "private_curations",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("tenant_id", Integer, ForeignKey("tenants.id"), nullable=False),
    Column("purl", String(1024), nullable=False),  # canonical, without version
    Column("field", String(64), nullable=False),  # license | repository
    Column("value", Text, nullable=False),
    Column("reason", Text, nullable=False),
    Column("author", String(255), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("tenant_id", "purl", "field", name="uq_private_curations_tenant_purl_field"),
)

# ------------------------------------------------------------- package indexes (migration 0011)
# A package index that ossmeta serves to pip, uv or npm: a proxy of one upstream, gated by a
# policy (by name; none serves what upstream serves). Operator-level: not tenant-owned.

package_indexes = Table(
    "package_indexes",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(64), nullable=False, unique=True),
    Column("ecosystem", String(16), nullable=False),  # pypi | npm
    Column("upstream", String(1024), nullable=False),  # the upstream's base URL
    Column("policy", String(64)),  # a policy's name; none: no gate
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("created_by", String(255), nullable=False),
)

# ------------------------------------------------------------------ policies (migration 0012)
# Policy as code: a named policy (operator-wide, or owned by a tenant), its versions (the
# TOML text as applied), waivers scoped to a package and version range, the last decision
# recorded per release, and an append-only audit log. Policies are looked up by name (an
# index names its policy), so names are unique across tenants.

policies = Table(
    "policies",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(64), nullable=False, unique=True),
    # The tenant that applied it (none: operator-wide). Not row-level tenancy: an index reads
    # a policy by name, whoever owns it.
    Column("owner_tenant_id", Integer, ForeignKey("tenants.id")),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("created_by", String(255), nullable=False),
)

policy_versions = Table(
    "policy_versions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("policy_id", Integer, ForeignKey("policies.id"), nullable=False),
    Column("version", Integer, nullable=False),  # 1, 2, ... per policy
    Column("text", Text, nullable=False),  # the TOML file as applied
    Column("sha256", String(64), nullable=False),
    Column("applied_by", String(255), nullable=False),
    Column("applied_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("policy_id", "version", name="uq_policy_versions_policy_version"),
)

policy_waivers = Table(
    "policy_waivers",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("policy_id", Integer, ForeignKey("policies.id"), nullable=False),
    Column("package", String(1024), nullable=False),  # a purl without version, or a name
    Column("name_key", String(512), nullable=False, index=True),  # to find a package's fast
    Column("versions", String(255), nullable=False),  # "*" or comparators (">=1.0,<2")
    Column("reason", Text, nullable=False),
    Column("requested_by", String(255), nullable=False),
    Column("approved_by", String(255), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True)),
    Column("revoked_at", DateTime(timezone=True)),
    Column("revoked_by", String(255)),
)

# The last decision recorded per (policy, release): a new one that differs is audited.
policy_decisions = Table(
    "policy_decisions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("policy_id", Integer, ForeignKey("policies.id"), nullable=False),
    Column("ecosystem", String(16), nullable=False),
    Column("name_key", String(512), nullable=False),
    Column("version", String(255), nullable=False),
    Column("action", String(8), nullable=False),  # allow | hide | deny
    Column("digest", String(64), nullable=False),  # of the action, rules and waiver
    Column("policy_version", Integer, nullable=False),
    Column("decided_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint(
        "policy_id", "ecosystem", "name_key", "version", name="uq_policy_decisions_release"
    ),
)

# Append-only (triggers refuse UPDATE and DELETE): every policy change, waiver and
# decision change.
policy_audit = Table(
    "policy_audit",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("policy", String(64), nullable=False),
    Column("actor", String(255), nullable=False),
    Column("action", String(32), nullable=False),  # apply | waiver.add | waiver.revoke | decision
    Column("target", String(1024), nullable=False),
    Column("detail", Text, nullable=False),  # JSON object
    Column("at", DateTime(timezone=True), nullable=False),
    Index("ix_policy_audit_policy", "policy", "id"),
)

# ------------------------------------------------------------ Python index cache (migration 0013)
# What a Python index keeps of its upstream: each project page as received (with its ETag and
# serial, so it is revalidated, and served when upstream is down), the files it verified and
# stored (content-addressed under OSSMETA_HOME), the files uploaded to it, and the licence each
# upstream release declares in its core metadata.

index_pages = Table(
    "index_pages",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("index_name", String(64), nullable=False),
    Column("project", String(255), nullable=False),  # PEP 503-normalized
    Column("body", LargeBinary, nullable=False),  # the upstream's JSON page, as received
    Column("etag", String(255)),
    Column("serial", String(64)),
    Column("fetched_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("index_name", "project", name="uq_index_pages_index_project"),
)

index_files = Table(
    "index_files",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("index_name", String(64), nullable=False),
    Column("project", String(255), nullable=False),
    Column("filename", String(512), nullable=False),
    Column("origin", String(16), nullable=False),  # upstream | upload
    Column("version", String(255), nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("size", BigInteger, nullable=False),
    Column("requires_python", String(255)),
    Column("metadata_sha256", String(64)),  # the stored .metadata file, if any
    Column("license", String(1024)),  # uploads: as the uploader declared it
    Column("uploaded_at", DateTime(timezone=True)),  # uploads: when; upstream: upstream's time
    Column("stored_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("index_name", "filename", name="uq_index_files_index_filename"),
)

index_release_licenses = Table(
    "index_release_licenses",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("index_name", String(64), nullable=False),
    Column("project", String(255), nullable=False),
    Column("version", String(255), nullable=False),
    Column("license", String(1024)),  # None: the release declares none
    Column("fetched_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("index_name", "project", "version", name="uq_index_release_licenses_release"),
)

# ------------------------------------------------------------- npm index cache (migration 0014)
# What an npm index received from its upstream: each packument exactly as sent (the served
# one is derived from it and the policy, never stored) with its ETag for revalidation, and
# the tarballs verified against the packument's integrity (their bytes are blobs, by SHA-256).

npm_packuments = Table(
    "npm_packuments",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("index_name", String(64), nullable=False),
    Column("name", String(255), nullable=False),  # as npm spells it, scope included
    Column("body", LargeBinary),  # upstream's JSON bytes; NULL once upstream deleted it
    Column("etag", String(255)),
    Column("fetched_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("index_name", "name"),
)

npm_tarballs = Table(
    "npm_tarballs",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("index_name", String(64), nullable=False),
    Column("name", String(255), nullable=False),
    Column("version", String(255), nullable=False),
    Column("sha256", String(64), nullable=False),  # the blob's name
    Column("integrity", String(255), nullable=False),  # what upstream listed and it matched
    Column("stored_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("index_name", "name", "version"),
)

# ----------------------------------------------------------- hardened releases (migration 0015)
# The foundation's patched rebuilds of upstream releases: a PyPI local version
# (``1.2.3+trusted.1``) or an npm prerelease (``1.2.3-trusted.1``) that replaces one upstream
# version, with the advisories it fixes and the patches it applies (their text kept, so the
# provenance can be re-checked). The artifact itself is in the blob store, by SHA-256.
# Operator-level: not tenant-owned; every tenant's scans honour it.

hardened_releases = Table(
    "hardened_releases",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("ecosystem", String(16), nullable=False),  # OSV name: PyPI | npm
    Column("name", String(512), nullable=False),  # as given (npm: @scope/name)
    Column("name_key", String(512), nullable=False),  # ``ecosystems.name_key``
    Column("upstream_version", String(256), nullable=False),
    Column("version", String(256), nullable=False),  # the hardened version
    Column("filename", String(512), nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("sha512", String(128), nullable=False),
    Column("size", BigInteger, nullable=False),  # wheels of several GiB exist
    Column("fixes", Text, nullable=False),  # JSON list of advisory ids, as given
    Column("patches", Text, nullable=False),  # JSON list of {name, sha256, text}
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("created_by", String(255), nullable=False),
    UniqueConstraint("ecosystem", "name_key", "filename", name="uq_hardened_releases_file"),
    Index("ix_hardened_releases_package", "ecosystem", "name_key"),
)

# ------------------------------------------------------------ graduation program (migration 0016)
# One program year of the graduation-project program (issue 13): its phases and deadlines, the
# projects (linked to repositories of the center), people (mentors, teachers, students, with
# their upstream identities), tasks, applications, mentor rankings, the matchings (each
# solver run or admin edit, with the checker's verdict) and an append-only audit.
# Operator-level, not tenant-owned. Ids inside a year are the keys the files use.

program_years = Table(
    "program_years",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(64), nullable=False, unique=True),
    Column("seed", BigInteger, nullable=False),  # tie-break seed, published
    Column("tie_rule", Text, nullable=False),  # the tie-break rule in words
    Column("max_choices", Integer, nullable=False),
    Column("rules", Text, nullable=False),  # JSON: the eligibility switches
    Column("phase", Integer, nullable=False),  # position of the current phase
    Column("created_at", DateTime(timezone=True), nullable=False),
)

program_phases = Table(
    "program_phases",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("year_id", Integer, ForeignKey("program_years.id", ondelete="CASCADE"), nullable=False),
    Column("position", Integer, nullable=False),
    Column("name", String(64), nullable=False),
    Column("deadline", DateTime(timezone=True)),  # NULL: open-ended
    UniqueConstraint("year_id", "name", name="uq_program_phases_name"),
)

program_projects = Table(
    "program_projects",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("year_id", Integer, nullable=False),
    Column("key", String(128), nullable=False),
    Column("community", String(255), nullable=False),
    Column("repository", String(512), nullable=False),  # host/owner/name, as `metrics` uses
    UniqueConstraint("year_id", "key", name="uq_program_projects_key"),
)

program_people = Table(
    "program_people",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("year_id", Integer, nullable=False),
    Column("role", String(16), nullable=False),  # mentor | teacher | student
    Column("key", String(128), nullable=False),
    Column("name", String(255), nullable=False),
    Column("university", String(255), nullable=False),  # empty for mentors
    Column("capacity", Integer),  # mentors only: how many pairs in all
    Column("identities", Text, nullable=False),  # JSON list of login:/email: identities
    UniqueConstraint("year_id", "role", "key", name="uq_program_people_key"),
)

program_tasks = Table(
    "program_tasks",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("year_id", Integer, nullable=False),
    Column("key", String(128), nullable=False),
    Column("project", String(128), nullable=False),  # empty: no project given
    Column("mentor", String(128), nullable=False),
    Column("capacity", Integer, nullable=False),
    Column("title", Text, nullable=False),
    Column("description", Text, nullable=False),
    Column("difficulty", String(32), nullable=False),
    Column("skills", Text, nullable=False),
    Column("outcome", Text, nullable=False),
    Column("ai_policy", Text, nullable=False),
    UniqueConstraint("year_id", "key", name="uq_program_tasks_key"),
)

program_applications = Table(
    "program_applications",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("year_id", Integer, nullable=False),
    Column("pair", String(128), nullable=False),
    Column("student", String(128), nullable=False),
    Column("teacher", String(128), nullable=False),
    Column("rank", Integer, nullable=False),
    Column("task", String(128), nullable=False),
    Column("plan", Text, nullable=False),
    Column("timeline", Text, nullable=False),  # week-level timeline, as given
    UniqueConstraint("year_id", "pair", "rank", name="uq_program_applications_rank"),
)

program_rankings = Table(
    "program_rankings",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("year_id", Integer, nullable=False),
    Column("mentor", String(128), nullable=False),
    Column("pair", String(128), nullable=False),
    Column("rank", Integer, nullable=False),  # equal ranks are a tie
    UniqueConstraint("year_id", "mentor", "pair", name="uq_program_rankings_pair"),
)

program_matchings = Table(
    "program_matchings",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("year_id", Integer, nullable=False, index=True),
    Column("variant", String(32), nullable=False),  # pair_optimal | mentor_optimal | edit
    Column("seed", BigInteger, nullable=False),
    Column("assignment", Text, nullable=False),  # JSON {pair: task}
    Column("problems", Text, nullable=False),  # JSON list of [code, subject]
    Column("blocking", Text, nullable=False),  # JSON list of [pair, task, case]
    Column("override", Text),  # the admin's reason to keep blocking pairs
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("created_by", String(255), nullable=False),
    Column("published_at", DateTime(timezone=True)),
)

program_audit = Table(
    "program_audit",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("year_id", Integer, nullable=False, index=True),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("actor", String(255), nullable=False),
    Column("action", String(64), nullable=False),
    Column("detail", Text, nullable=False),  # JSON
)

# ------------------------------------------------------------ program members (migration 0017)
# The program's communities and universities (keys the other program tables name), and who
# acts in the program: an account login, a program role and the role's subject (a community
# or university key, a person key of program_people, or "" for a program admin).

program_communities = Table(
    "program_communities",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("year_id", Integer, nullable=False),
    Column("key", String(128), nullable=False),
    Column("name", String(255), nullable=False),
    Column("name_zh", String(255), nullable=False),
    UniqueConstraint("year_id", "key", name="uq_program_communities_key"),
)

program_universities = Table(
    "program_universities",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("year_id", Integer, nullable=False),
    Column("key", String(128), nullable=False),
    Column("name", String(255), nullable=False),
    Column("name_zh", String(255), nullable=False),
    UniqueConstraint("year_id", "key", name="uq_program_universities_key"),
)

program_members = Table(
    "program_members",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("year_id", Integer, nullable=False),
    Column("login", String(255), nullable=False, index=True),
    Column("role", String(16), nullable=False),
    Column("subject", String(128), nullable=False),
    UniqueConstraint("year_id", "login", "role", "subject", name="uq_program_members"),
)

# ------------------------------------------------------------ program notices (migration 0020)
# The year's operator-level webhooks (Standard Webhooks secrets), and every message the
# program sends: one row per (notice key, channel, target), written before it is sent, so a
# scheduled run sends each once and retries the failed ones.

program_webhooks = Table(
    "program_webhooks",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("year_id", Integer, nullable=False, index=True),
    Column("url", String(2000), nullable=False),
    Column("secret", Text, nullable=False),  # whsec_...
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("disabled_at", DateTime(timezone=True)),  # set when the receiver answered 410 Gone
)

program_notices = Table(
    "program_notices",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("year_id", Integer, nullable=False),
    Column("key", String(255), nullable=False),  # what it is about: deadline:PHASE:..., result:PAIR
    Column("channel", String(16), nullable=False),  # email | webhook
    Column("target", String(320), nullable=False),  # an address, or the webhook's id
    Column("message_id", String(64), nullable=False),  # msg_...: the same on every attempt
    Column("event_type", String(64), nullable=False),
    Column("data", Text, nullable=False),  # JSON
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("sent_at", DateTime(timezone=True)),  # NULL until delivered
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("last_error", Text),
    # A run leases a notice before sending it, so two runs never both send it; a killed
    # run's lease runs out and the next run sends the notice.
    Column("lease_until", DateTime(timezone=True)),
    Column("worker", String(64)),  # the run that leased it (or last tried it)
    UniqueConstraint("year_id", "key", "channel", "target", name="uq_program_notices"),
)

# ------------------------------------------------------------ program milestones (migration 0018)
# The mid-term check and the defense: the year's questions and rubric (their TOML text), the
# submitted mid-term forms, the ended pairs (append-only: an end is final), the reviewers
# assigned to each pair and each reviewer's scores (JSON {criterion: "p/q"}, exact fractions).

program_milestone_configs = Table(
    "program_milestone_configs",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("year_id", Integer, nullable=False),
    Column("kind", String(16), nullable=False),  # questions | rubric
    Column("source", Text, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("updated_by", String(255), nullable=False),
    UniqueConstraint("year_id", "kind", name="uq_program_milestone_configs_kind"),
)

program_midterm_forms = Table(
    "program_midterm_forms",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("year_id", Integer, nullable=False),
    Column("pair", String(128), nullable=False),
    Column("form", String(16), nullable=False),  # university | mentor
    Column("answers", Text, nullable=False),  # JSON {question: answer}
    Column("passed", Boolean, nullable=False),
    Column("submitted_at", DateTime(timezone=True), nullable=False),
    Column("submitted_by", String(255), nullable=False),
    UniqueConstraint("year_id", "pair", "form", name="uq_program_midterm_forms_form"),
)

program_ended_pairs = Table(
    "program_ended_pairs",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("year_id", Integer, nullable=False),
    Column("pair", String(128), nullable=False),
    Column("reason", Text, nullable=False),
    Column("ended_at", DateTime(timezone=True), nullable=False),
    Column("ended_by", String(255), nullable=False),
    UniqueConstraint("year_id", "pair", name="uq_program_ended_pairs_pair"),
)

program_reviewers = Table(
    "program_reviewers",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("year_id", Integer, nullable=False),
    Column("pair", String(128), nullable=False),
    Column("reviewer", String(255), nullable=False),  # an account login
    Column("assigned_at", DateTime(timezone=True), nullable=False),
    Column("assigned_by", String(255), nullable=False),
    UniqueConstraint("year_id", "pair", "reviewer", name="uq_program_reviewers_pair"),
)

program_scores = Table(
    "program_scores",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("year_id", Integer, nullable=False),
    Column("pair", String(128), nullable=False),
    Column("reviewer", String(255), nullable=False),
    Column("scores", Text, nullable=False),
    Column("scored_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("year_id", "pair", "reviewer", name="uq_program_scores_pair"),
)

# ------------------------------------------------------------- program awards (migration 0019)
# The year's award titles (from its TOML; ``per_community`` is N, the most pairs a community
# recommends), each community's recommendations, the reviewers' cross-review rankings (place
# 1 the best) and the certified awards: ``facts`` is the JSON the certificate and the public
# verification page show, fixed when the admin certifies; ``code`` is the unguessable
# verification code.

program_award_titles = Table(
    "program_award_titles",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("year_id", Integer, nullable=False),
    Column("position", Integer, nullable=False),
    Column("key", String(64), nullable=False),
    Column("name", String(255), nullable=False),
    Column("name_zh", String(255), nullable=False),
    Column("per_community", Integer, nullable=False),
    UniqueConstraint("year_id", "key", name="uq_program_award_titles_key"),
)

program_recommendations = Table(
    "program_recommendations",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("year_id", Integer, nullable=False),
    Column("community", String(128), nullable=False),
    Column("pair", String(128), nullable=False),
    Column("title", String(64), nullable=False),
    Column("citation", Text, nullable=False),
    Column("created_by", String(255), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("year_id", "pair", name="uq_program_recommendations_pair"),
)

program_cross_reviews = Table(
    "program_cross_reviews",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("year_id", Integer, nullable=False),
    Column("reviewer", String(255), nullable=False),  # the reviewer's login
    Column("pair", String(128), nullable=False),
    Column("place", Integer, nullable=False),
    UniqueConstraint("year_id", "reviewer", "pair", name="uq_program_cross_reviews"),
)

program_awards = Table(
    "program_awards",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("year_id", Integer, nullable=False),
    Column("code", String(64), nullable=False),
    Column("place", Integer, nullable=False),
    Column("pair", String(128), nullable=False),
    Column("title", String(64), nullable=False),
    Column("facts", Text, nullable=False),
    Column("certified_at", DateTime(timezone=True), nullable=False),
    Column("certified_by", String(255), nullable=False),
    Column("revoked_at", DateTime(timezone=True)),
    Column("revoked_reason", Text),
    UniqueConstraint("code", name="uq_program_awards_code"),
    UniqueConstraint("year_id", "pair", name="uq_program_awards_pair"),
)
