"""``ossmeta advisories import PATH --tenant NAME``: the records become the tenant's
private advisories (the public store is unchanged), the report names ids that are also
public, bad records store nothing (exit 2), an unknown tenant is exit 2."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ossmeta.service import accounts, private
from ossmeta.service.inventories import advisory_lookup
from ossmeta.store import Store
from ossmeta.store.lookup import AdvisoryLookup
from ossmeta.surfaces.cli.app import main
from tests.helpers import DATA

OPERATOR = accounts.Actor("cli:tester")


def _write(folder: Path, *records: dict[str, object]) -> Path:
    folder.mkdir()
    for record in records:
        (folder / f"{record['id']}.json").write_text(json.dumps(record), encoding="utf-8")
    return folder


def _record(advisory_id: str, **extra: object) -> dict[str, object]:
    return {
        "id": advisory_id,
        "modified": "2026-11-01T00:00:00Z",
        "summary": "tenant's own",
        "affected": [
            {
                "package": {"ecosystem": "PyPI", "name": "click"},
                "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}]}],
            }
        ],
        **extra,
    }


def test_import_with_a_tenant_stores_private_records(
    store: Store, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = ("--db", store.url)
    assert main(["advisories", "import", str(DATA / "osv"), *db]) == 0
    public = AdvisoryLookup(store).count()
    acme = accounts.create_tenant(store, "acme", OPERATOR)
    globex = accounts.create_tenant(store, "globex", OPERATOR)
    folder = _write(tmp_path / "mine", _record("ACME-1"), _record("PYSEC-2018-28"))
    capsys.readouterr()
    assert main(["advisories", "import", str(folder), "--tenant", "acme", *db]) == 0
    err = capsys.readouterr().err
    assert "read 2 records into tenant acme's private advisories: 2 new" in err
    assert "PYSEC-2018-28 is also a public advisory's id" in err
    assert "ACME-1 is also" not in err
    assert "queued re-evaluation job" in err and "of tenant acme's inventories" in err
    assert AdvisoryLookup(store).count() == public  # nothing public changed
    listed = private.list_advisories(store, acme.id, after="", limit=10)
    assert [a.id for a in listed] == ["ACME-1", "PYSEC-2018-28"]
    assert private.list_advisories(store, globex.id, after="", limit=10) == []
    assert advisory_lookup(store, globex.id).show("ACME-1") is None
    shown = advisory_lookup(store, acme.id).show("PYSEC-2018-28")
    assert shown is not None and shown.record["summary"] == "tenant's own"
    # Again: nothing new.
    assert main(["advisories", "import", str(folder), "--tenant", "acme", *db]) == 0
    err = capsys.readouterr().err
    assert "0 new, 0 updated, 2 unchanged" in err and "queued" not in err


def test_bad_records_and_unknown_tenants_are_exit_2(
    store: Store, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = ("--db", store.url)
    acme = accounts.create_tenant(store, "acme", OPERATOR)
    folder = _write(tmp_path / "bad", _record("ACME-1"), _record("ACME-2", modified="soon"))
    (folder / "broken.json").write_text("{", encoding="utf-8")
    capsys.readouterr()
    assert main(["advisories", "import", str(folder), "--tenant", "acme", *db]) == 2
    err = capsys.readouterr().err
    assert "ACME-2" in err and "broken.json" in err and "nothing was imported" in err
    assert private.list_advisories(store, acme.id, after="", limit=10) == []
    good = _write(tmp_path / "good", _record("ACME-1"))
    assert main(["advisories", "import", str(good), "--tenant", "nobody", *db]) == 2
    assert "no tenant named 'nobody'" in capsys.readouterr().err
