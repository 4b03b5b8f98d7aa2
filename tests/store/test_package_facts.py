"""The quality report's facts about maintainers and files come from columns, not from how
their JSON is written: rewriting the JSON with other spacing and key order changes no
figure, and migration 0004 fills the columns of rows written before it by parsing the JSON.
On SQLite and PostgreSQL."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import MetaData, Table, select, update

from ossmeta.analyses.quality import FAILURE_LIMIT, TOP, QualityReport, quality_report
from ossmeta.ecosystems import PYPI
from ossmeta.model import FileDigest, PackageRecord, PackageStatus, PackageVersion
from ossmeta.store import Store, open_store
from ossmeta.store.engine import MIGRATIONS
from ossmeta.store.packages import save_package
from ossmeta.store.quality_queries import QualityQueries

NOW = datetime(2026, 3, 1, tzinfo=UTC)
HASH = ("sha256:" + "ab" * 32,)


def _package(
    name: str, maintainers: tuple[str, ...], *files: tuple[FileDigest, ...]
) -> PackageRecord:
    versions = tuple(
        PackageVersion(f"1.{n}", None, False, None, None, (), listed)
        for n, listed in enumerate(files)
    )
    return PackageRecord(
        purl=f"pkg:pypi/{name}",
        ecosystem=PYPI,
        name=name,
        repository=None,
        repository_raw=None,
        homepage=None,
        description=None,
        status=PackageStatus.ACTIVE,
        license=None,
        versions=versions,
        maintainers=maintainers,
        source="test",
    )


PACKAGES = (
    _package("reachable", ("Ann <ann@mail.example>", "Bob"), (FileDigest("r.whl", HASH),)),
    _package(
        "mixed",
        ("Bob",),
        (FileDigest("m.whl", HASH), FileDigest("m.tar.gz", ())),
        (),
    ),
    _package("bare", (), (FileDigest("b.tar.gz", ()),)),
)


def _report(store: Store) -> QualityReport:
    stale_after = timedelta(days=30)
    rows = QualityQueries(store).read(NOW, NOW - stale_after, top=TOP, failure_limit=FAILURE_LIMIT)
    return quality_report(rows, NOW, stale_after)


def _figures(report: QualityReport) -> dict[tuple[str, str], tuple[int, int, int]]:
    (pypi,) = report.registries
    return {(f.level, f.field): (f.total, f.present, f.high_confidence) for f in pypi.fields}


def _reserialized(text: str) -> str:
    """The same JSON, written as another writer might: spaces after separators, keys in
    reverse order, an indented layout."""

    def reordered(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: reordered(value[k]) for k in sorted(value, reverse=True)}
        if isinstance(value, list):
            return [reordered(v) for v in value]
        return value

    return json.dumps(reordered(json.loads(text)), indent=1, separators=(", ", ": "))


def _rewrite_json(store: Store) -> None:
    reflected = MetaData()
    packages = Table("packages", reflected, autoload_with=store.engine)
    versions = Table("package_versions", reflected, autoload_with=store.engine)
    with store.engine.begin() as connection:
        for row_id, text in connection.execute(select(packages.c.id, packages.c.maintainers)):
            connection.execute(
                update(packages)
                .where(packages.c.id == row_id)
                .values(maintainers=_reserialized(text))
            )
        for row_id, text in connection.execute(select(versions.c.id, versions.c.files)):
            connection.execute(
                update(versions).where(versions.c.id == row_id).values(files=_reserialized(text))
            )


EXPECTED = {
    # 3 packages: two list maintainers, one of them with an address
    ("package", "maintainers"): (3, 2, 1),
    # 4 versions: three list files, one lists a hash for every file
    ("version", "files"): (4, 3, 1),
}


def test_figures_do_not_depend_on_how_the_json_is_written(store: Store) -> None:
    with store.engine.begin() as connection:
        for record in PACKAGES:
            save_package(connection, record, NOW)
    before = _figures(_report(store))
    assert {key: before[key] for key in EXPECTED} == EXPECTED
    _rewrite_json(store)
    assert _figures(_report(store)) == before


def test_migration_0004_fills_the_facts_from_the_json(store_url: str) -> None:
    """Rows written at revision 0003 (JSON only, written oddly) get their facts on upgrade."""
    store = open_store(store_url)
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = store.engine
    command.upgrade(config, "0003")
    reflected = MetaData()
    packages = Table("packages", reflected, autoload_with=store.engine)
    versions = Table("package_versions", reflected, autoload_with=store.engine)
    with store.engine.begin() as connection:
        for record in PACKAGES:
            package_id = connection.execute(
                packages.insert().returning(packages.c.id),
                {
                    "purl": record.purl,
                    "ecosystem": record.ecosystem,
                    "name": record.name,
                    "status": record.status.value,
                    "maintainers": _reserialized(json.dumps(list(record.maintainers))),
                    "source": record.source,
                    "normalized_at": NOW,
                },
            ).scalar_one()
            for position, v in enumerate(record.versions):
                files = [{"filename": f.filename, "hashes": list(f.hashes)} for f in v.files]
                connection.execute(
                    versions.insert(),
                    {
                        "package_id": package_id,
                        "position": position,
                        "version": v.version,
                        "yanked": False,
                        "files": _reserialized(json.dumps(files)),
                    },
                )
    store.upgrade()
    try:
        assert {key: _figures(_report(store))[key] for key in EXPECTED} == EXPECTED
    finally:
        store.dispose()
