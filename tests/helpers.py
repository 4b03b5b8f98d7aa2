"""Helpers shared by tests (importable as ``tests.helpers``)."""

from __future__ import annotations

from pathlib import Path

from ossmeta.model import LicenseValue, PackageRecord, PackageStatus, PackageVersion
from ossmeta.sources.files import InputFile
from ossmeta.store import Store
from ossmeta.store.curation_store import Curations

DATA = Path(__file__).parent / "data"


def input_file(*parts: str) -> InputFile:
    """An InputFile for a fixture under tests/data, shown by its path inside tests/data."""
    return InputFile(DATA.joinpath(*parts), "/".join(parts))


def text_file(tmp_path: Path, name: str, content: str | bytes) -> InputFile:
    """Write ``content`` to ``tmp_path/name`` and return it as an InputFile shown as ``name``."""
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, str):
        path.write_text(content, encoding="utf-8")
    else:
        path.write_bytes(content)
    return InputFile(path, name)


def pypi_record(
    name: str,
    versions: tuple[PackageVersion, ...],
    *,
    license: LicenseValue | None,
    repository: str | None = None,
    repository_raw: str | None = None,
    description: str | None = None,
    maintainers: tuple[str, ...] = (),
) -> PackageRecord:
    """A PyPI package as a sync stores it: ``pkg:pypi/{name}``, active, from the JSON API."""
    return PackageRecord(
        purl=f"pkg:pypi/{name}",
        ecosystem="PyPI",
        name=name,
        repository=repository,
        repository_raw=repository_raw,
        homepage=None,
        description=description,
        status=PackageStatus.ACTIVE,
        license=license,
        versions=versions,
        maintainers=maintainers,
        source="pypi-json",
    )


def review_licence_proposal(store: Store, purl: str, *, approve: bool) -> None:
    """alice proposes Apache-2.0 as ``purl``'s licence (from its LICENSE file); bob reviews."""
    curations = Curations(store)
    proposed = curations.propose(
        purl,
        "license",
        "Apache-2.0",
        reason="the LICENSE file",
        author="alice",
        evidence="https://github.com/acme/widget/blob/main/LICENSE",
    )
    curations.review(proposed, approve, "bob")
