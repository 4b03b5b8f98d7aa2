"""The advisory store on SQLite and PostgreSQL: migrations, idempotent imports, newer
records replacing older ones, withdrawn records, alias groups, all-or-nothing imports."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import func, select

from ossmeta.errors import OssmetaError
from ossmeta.sources import osv
from ossmeta.store import Store
from ossmeta.store.advisories import AdvisoryImporter, ImportStats
from ossmeta.store.lookup import AdvisoryLookup
from ossmeta.store.schema import affected, metadata, raw_records
from tests.helpers import DATA


def record(
    rid: str,
    modified: str = "2024-01-01T00:00:00Z",
    aliases: tuple[str, ...] = (),
    fixed: str = "2.0",
    **extra: Any,
) -> dict[str, Any]:
    return {
        "id": rid,
        "modified": modified,
        "aliases": list(aliases),
        "summary": f"summary of {rid}",
        "affected": [
            {
                "package": {"ecosystem": "PyPI", "name": "Some_Package"},
                "ranges": [
                    {"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": fixed}]}
                ],
            }
        ],
        **extra,
    }


def write(directory: Path, *records: dict[str, Any]) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    for item in records:
        (directory / f"{item['id']}-{item['modified'][:10]}.json").write_text(json.dumps(item))
    return directory


def run_import(store: Store, *paths: Path | str) -> ImportStats:
    files = osv.expand([str(p) for p in paths])
    return AdvisoryImporter(store).run(osv.iter_records(files, "CC-BY-4.0"))


def count(store: Store, table: Any) -> int:
    with store.engine.connect() as connection:
        return int(connection.execute(select(func.count()).select_from(table)).scalar_one())


def test_migrations_match_the_schema(store: Store) -> None:
    with store.engine.connect() as connection:
        diffs = compare_metadata(MigrationContext.configure(connection), metadata)
    assert diffs == []
    assert store.current_revision() == store.head_revision()


def test_import_real_records_is_idempotent(store: Store) -> None:
    first = run_import(store, DATA / "osv")
    assert (first.read, first.added, first.withdrawn) == (4, 4, 1)
    again = run_import(store, DATA / "osv")
    assert (again.read, again.added, again.updated, again.unchanged) == (4, 0, 0, 4)
    assert count(store, raw_records) == 4
    shown = AdvisoryLookup(store).show("PYSEC-2018-28")
    assert shown is not None
    assert shown.data_license == "CC-BY-4.0"
    assert shown.locator.endswith("PYSEC-2018-28.yaml")
    assert shown.record["modified"] == "2021-06-16T00:03:24.800813Z"  # kept as given
    assert shown.group == ("CVE-2018-18074", "GHSA-x84v-xcm2-53pg", "PYSEC-2018-28")


def test_newer_modified_replaces_older_is_kept_raw_only(store: Store, tmp_path: Path) -> None:
    run_import(store, write(tmp_path / "a", record("PYSEC-1", fixed="2.0")))
    newer = run_import(
        store, write(tmp_path / "b", record("PYSEC-1", "2024-06-01T00:00:00Z", fixed="2.5"))
    )
    assert (newer.added, newer.updated) == (0, 1)
    older = run_import(
        store, write(tmp_path / "c", record("PYSEC-1", "2023-01-01T00:00:00Z", fixed="1.0"))
    )
    assert (older.added, older.updated, older.older) == (0, 0, 1)
    rows = AdvisoryLookup(store).affected_for([("PyPI", "some-package")])[("PyPI", "some-package")]
    assert [r.entry.ranges[0].events[1].version for r in rows] == ["2.5"]
    assert count(store, raw_records) == 3  # every version seen is kept as given
    assert count(store, affected) == 1


def test_same_id_twice_in_one_import_keeps_the_newest(store: Store, tmp_path: Path) -> None:
    folder = write(
        tmp_path,
        record("PYSEC-2", "2024-06-01T00:00:00Z", fixed="3.0"),
        record("PYSEC-2", "2024-01-01T00:00:00Z", fixed="1.0"),
    )
    stats = run_import(store, folder)
    assert (stats.added, stats.older) == (1, 1)
    rows = AdvisoryLookup(store).affected_for([("PyPI", "some-package")])[("PyPI", "some-package")]
    assert rows[0].entry.ranges[0].events[1].version == "3.0"


def test_withdrawn_records_are_kept_but_never_looked_up(store: Store) -> None:
    run_import(store, DATA / "osv")
    lookup = AdvisoryLookup(store)
    assert lookup.affected_for([("PyPI", "redis")]) == {}
    shown = lookup.show("PYSEC-2023-73")
    assert shown is not None and shown.withdrawn
    assert shown.group == ("PYSEC-2023-73",)  # a withdrawn record joins no group


def test_alias_groups_are_symmetric_and_transitive(store: Store, tmp_path: Path) -> None:
    run_import(
        store,
        write(
            tmp_path,
            record("PYSEC-10", aliases=("CVE-1",)),
            record("GHSA-aaaa", aliases=("CVE-1", "CVE-2")),
            record("OSV-3", aliases=("CVE-2",)),
            record("PYSEC-11"),
            record("GHSA-gone", aliases=("PYSEC-11",), withdrawn="2024-02-01T00:00:00Z"),
        ),
    )
    groups = AdvisoryLookup(store).groups_for(["PYSEC-10", "OSV-3", "PYSEC-11", "CVE-2"])
    big = ("CVE-1", "CVE-2", "GHSA-aaaa", "OSV-3", "PYSEC-10")
    assert groups == {"PYSEC-10": big, "OSV-3": big, "CVE-2": big, "PYSEC-11": ("PYSEC-11",)}
    shown = AdvisoryLookup(store).show("CVE-1")  # shown through an alias
    assert shown is not None and shown.record["id"] in big


def test_zip_dump_in_osv_layout(store: Store, tmp_path: Path) -> None:
    dump = tmp_path / "all.zip"
    with zipfile.ZipFile(dump, "w", zipfile.ZIP_DEFLATED) as archive:
        for item in (record("PYSEC-20"), record("PYSEC-21", aliases=("CVE-21",))):
            archive.writestr(f"{item['id']}.json", json.dumps(item))
    stats = run_import(store, dump)
    assert stats.added == 2
    shown = AdvisoryLookup(store).show("PYSEC-21")
    assert shown is not None and shown.locator == f"{dump}!PYSEC-21.json"


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("bad.json", '{"id": "X-1", "modified": ', "invalid JSON"),
        ("bad2.json", '{"id": "X-2", "modified": "yesterday"}', "not an RFC 3339 timestamp"),
        ("bad3.yaml", "id: X-3\nmodified: '2024-01-01T00:00:00Z'\naffected: {}\n", "must be a list"),
        ("bad4.json", '{"modified": "2024-01-01T00:00:00Z"}', "no string 'id'"),
        (
            "bad5.json",
            json.dumps(record("X-5") | {"affected": [{"package": {"ecosystem": "PyPI", "name": "a"},
                "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0", "fixed": "1"}]}]}]}),
            "exactly one of",
        ),
    ],
)  # fmt: skip
def test_a_bad_record_aborts_the_whole_import(
    store: Store, tmp_path: Path, name: str, content: str, message: str
) -> None:
    folder = write(tmp_path / "in", record("PYSEC-30"), record("PYSEC-31"))
    (folder / name).write_text(content)
    with pytest.raises(OssmetaError) as caught:
        run_import(store, folder)
    assert message in str(caught.value)
    assert name in str(caught.value)
    assert count(store, raw_records) == 0  # nothing half-written


def test_zip_with_path_traversal_is_refused(store: Store, tmp_path: Path) -> None:
    dump = tmp_path / "evil.zip"
    with zipfile.ZipFile(dump, "w") as archive:
        archive.writestr("ok.json", json.dumps(record("PYSEC-40")))
        archive.writestr("../../etc/evil.json", json.dumps(record("PYSEC-41")))
    with pytest.raises(OssmetaError, match="path traversal"):
        run_import(store, dump)
    assert count(store, raw_records) == 0


def test_zip_bomb_is_refused(store: Store, tmp_path: Path) -> None:
    dump = tmp_path / "bomb.zip"
    with zipfile.ZipFile(dump, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("PYSEC-50.json", b" " * (20 * 1024 * 1024))
    with pytest.raises(OssmetaError, match="zip bomb"):
        run_import(store, dump)


def test_head_revision_constant_is_alembics_head(store: Store) -> None:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    from ossmeta.store.engine import HEAD_REVISION, MIGRATIONS

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    assert ScriptDirectory.from_config(config).get_current_head() == HEAD_REVISION
    assert store.current_revision() == HEAD_REVISION
