"""The activity manifest parser on damaged manifests: a Manifest or one ``StoreError`` line
naming the file, nothing else."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pyarrow as pa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ossmeta.errors import StoreError
from ossmeta.store.activity_files import DATASETS, ActivityFiles, new_owner
from ossmeta.store.activity_manifest import Manifest, read_manifest
from tests.fuzzing import JSON_PIECES, mutated, retyped_json

SCHEMA = DATASETS["commits"].schema


def _real_manifest(root: Path) -> bytes:
    """A manifest with live, retired and staged files."""
    files = ActivityFiles(root, "commits", grace_s=3600)
    row = dict.fromkeys(SCHEMA.names) | {"repo": "r", "sha": "s", "month": "2024-01"}
    moment = {"author_time": datetime(2024, 1, 2)}
    files.append(pa.Table.from_pylist([row | moment], schema=SCHEMA))
    files.append(pa.Table.from_pylist([row | moment | {"sha": "t"}], schema=SCHEMA))
    files.compact()
    files.stage(pa.Table.from_pylist([row | {"month": "2024-02"}], schema=SCHEMA), new_owner())
    return (root / "commits" / "manifest.json").read_bytes()


def _check(path: Path, data: bytes) -> None:
    path.write_bytes(data)
    try:
        assert isinstance(read_manifest(path), Manifest)
    except StoreError as error:
        assert "\n" not in str(error) and str(path) in str(error)


def test_the_real_manifest_reads_back(tmp_path: Path) -> None:
    _real_manifest(tmp_path)
    manifest = ActivityFiles(tmp_path, "commits").read_manifest()
    assert (len(manifest.files["2024-01"]), len(manifest.retired), len(manifest.staged)) == (
        1,
        1,
        1,
    )


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_damaged_manifests_are_one_line_errors(tmp_path: Path, data: st.DataObject) -> None:
    original = tmp_path / "commits" / "manifest.json"
    if not original.exists():
        _real_manifest(tmp_path)
    text = original.read_bytes()
    damaged = data.draw(
        st.one_of(
            mutated(text, pieces=JSON_PIECES),
            retyped_json(text).map(str.encode),
        )
    )
    _check(tmp_path / "damaged.json", damaged)
