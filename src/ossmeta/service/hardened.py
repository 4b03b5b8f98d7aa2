"""Hardened releases (``ossmeta hardened add|list|show``): the foundation's patched rebuilds
of upstream releases, stored with their patches, the advisories they fix and their own
digests; the artifact goes into the shared blob store.

Adding checks everything first (the purl, the artifact's name and metadata, every patch),
then stores the bytes (content-addressed: a blob no row names is harmless), then writes
the row in one transaction, with the re-evaluation of the tenants' inventories that hold
the package: a mistake leaves nothing half-written."""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from packaging.version import InvalidVersion, Version

from ossmeta.ecosystems import NPM, PYPI, name_key
from ossmeta.errors import InputError, NotFoundError
from ossmeta.purls import build_purl, parse_purl, purl_package
from ossmeta.service.hardened_artifacts import Artifact, inspect_npm, inspect_pypi
from ossmeta.store.blobs import BlobStore
from ossmeta.store.engine import Store
from ossmeta.store.hardened import (
    HardenedRow,
    Patch,
    all_hardened,
    find_hardened_file,
    hardened_of,
    insert_hardened,
)
from ossmeta.store.inventories_reeval import enqueue_reevaluation
from ossmeta.store.tenancy import global_transaction

__all__ = [
    "HardenedRelease",
    "add_hardened",
    "hardened_list",
    "hardened_releases",
    "preferred_for",
    "release_rows",
    "upstream_of",
]

_ECOSYSTEMS = {"pypi": PYPI, "npm": NPM, PYPI: PYPI}
_MAX_PATCH = 8 * 1024 * 1024


@dataclass(frozen=True)
class HardenedRelease:
    """One hardened file, as the package indexes list it beside the upstream files."""

    name: str
    upstream_version: str
    version: str
    filename: str
    sha256: str
    sha512: str
    size: int
    path: Path | None  # the blob; None when this machine's blob store lacks it
    fixes: tuple[str, ...]
    created_at: datetime


def upstream_of(purl: str) -> tuple[str, str, str]:
    """(OSV ecosystem, name, version) of a PyPI or npm purl that names a version."""
    parsed = parse_purl(purl)
    ecosystem, name = purl_package(parsed)
    if ecosystem not in (PYPI, NPM):
        raise InputError(f"{purl}: hardened releases are for pkg:pypi and pkg:npm")
    if not parsed.version:
        raise InputError(f"{purl}: name the upstream version (pkg:TYPE/NAME@VERSION)")
    return ecosystem, name, parsed.version


def _patches(paths: Sequence[Path]) -> tuple[Patch, ...]:
    if not paths:
        raise InputError("--patch: name the patch (or patches) the hardened release applies")
    out = []
    for path in paths:
        try:
            if path.stat().st_size > _MAX_PATCH:
                raise InputError("the patch is larger than 8 MiB", path=str(path))
            body = path.read_bytes()
        except OSError as error:
            raise InputError(f"cannot read the patch: {error.strerror}", path=str(path)) from None
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            raise InputError("the patch is not UTF-8 text", path=str(path)) from None
        out.append(Patch(path.name, hashlib.sha256(body).hexdigest(), text))
    names = [p.name for p in out]
    if len(set(names)) != len(names):
        raise InputError(f"--patch: two patches share a file name ({', '.join(names)})")
    return tuple(out)


def _fixes(ids: Sequence[str]) -> tuple[str, ...]:
    # ``--fixes A --fixes B`` and ``--fixes A,B`` both name two.
    split = (part.strip() for each in ids for part in each.split(","))
    cleaned = tuple(dict.fromkeys(part for part in split if part))
    if not cleaned:
        raise InputError("--fixes: name at least one advisory the hardened release fixes")
    for each in cleaned:
        if any(c.isspace() for c in each) or len(each) > 128:
            raise InputError(f"--fixes {each!r}: not an advisory id")
    return cleaned


def _chunks(path: Path) -> Iterator[bytes]:
    # Streamed: a hardened wheel of a native library can be larger than memory allows.
    with path.open("rb") as source:
        while chunk := source.read(1 << 20):
            yield chunk


def add_hardened(
    store: Store,
    purl: str,
    artifact: Path,
    fixes: Sequence[str],
    patches: Sequence[Path],
    actor: str,
    blobs: BlobStore | None = None,
) -> HardenedRow:
    """Check and store ``artifact`` as the hardened release replacing ``purl``."""
    ecosystem, name, upstream = upstream_of(purl)
    if not artifact.is_file():
        raise InputError("no such file", path=str(artifact))
    made: Artifact = (
        inspect_pypi(artifact, name, upstream)
        if ecosystem == PYPI
        else inspect_npm(artifact, name, upstream)
    )
    fixed = _fixes(fixes)
    read_patches = _patches(patches)
    key = name_key(ecosystem, name)
    with global_transaction(store) as tx:
        if find_hardened_file(tx, ecosystem, key, made.filename) is not None:
            raise InputError(f"{made.filename} of {name} was added already", path=str(artifact))
    try:
        blob = (blobs or BlobStore()).put(_chunks(artifact), {}, what=made.filename)
    except OSError as error:
        raise InputError(f"cannot read the file: {error.strerror}", path=str(artifact)) from None
    row = HardenedRow(
        ecosystem=ecosystem,
        name=name,
        name_key=key,
        upstream_version=upstream,
        version=made.version,
        filename=made.filename,
        sha256=blob.sha256,
        sha512=blob.sha512,
        size=blob.size,
        fixes=fixed,
        patches=read_patches,
        created_at=datetime.now(UTC),
        created_by=actor,
    )
    with global_transaction(store) as tx:
        if find_hardened_file(tx, ecosystem, key, made.filename) is not None:
            raise InputError(f"{made.filename} of {name} was added already", path=str(artifact))
        insert_hardened(tx, row)
        # Tenants' stored inventories holding this version lose the findings it fixes: the
        # package is re-evaluated, queued in the same transaction as the row.
        enqueue_reevaluation(tx, [(ecosystem, name)])
    return row


def hardened_list(store: Store) -> list[HardenedRow]:
    with global_transaction(store) as tx:
        return all_hardened(tx)


def _same_version(ecosystem: str, a: str, b: str) -> bool:
    if ecosystem == PYPI:
        try:
            return Version(a) == Version(b)
        except InvalidVersion:
            return a == b
    return a == b


def release_rows(store: Store, purl: str) -> list[HardenedRow]:
    """The files of the hardened version a purl names: the hardened version itself, or, for
    the upstream version, the highest hardened version replacing it (what an index prefers)."""
    ecosystem, name, version = upstream_of(purl)
    with global_transaction(store) as tx:
        rows = hardened_of(tx, ecosystem, name_key(ecosystem, name))
    exact = [r for r in rows if _same_version(ecosystem, r.version, version)]
    if exact:
        return exact
    replacing = [r for r in rows if _same_version(ecosystem, r.upstream_version, version)]
    if not replacing:
        raise NotFoundError(f"{purl}: no hardened release of this version")
    best = max(replacing, key=lambda r: _order(ecosystem, r.version)).version
    return [r for r in replacing if r.version == best]


def _order(ecosystem: str, version: str) -> tuple[int, ...] | Version:
    if ecosystem == PYPI:
        return Version(version)
    # npm: X-trusted.N (or X-pre.trusted.N): the rebuild number orders rebuilds of one X.
    return (int(version.rpartition(".")[2]),)


def hardened_releases(store: Store, ecosystem: str, name: str) -> list[HardenedRelease]:
    """Every hardened file of a package, for the package indexes (``ecosystem``: pypi or
    npm, as ``ossmeta index`` names them, or the OSV name)."""
    osv = _ECOSYSTEMS.get(ecosystem)
    if osv is None:
        raise InputError(f"hardened releases are for pypi and npm, not {ecosystem!r}")
    with global_transaction(store) as tx:
        rows = hardened_of(tx, osv, name_key(osv, name))
    blobs = BlobStore()
    return [
        HardenedRelease(
            name=r.name,
            upstream_version=r.upstream_version,
            version=r.version,
            filename=r.filename,
            sha256=r.sha256,
            sha512=r.sha512,
            size=r.size,
            path=blobs.find(r.sha256),
            fixes=r.fixes,
            created_at=r.created_at,
        )
        for r in rows
    ]


def preferred_for(
    pin: str, upstream: Collection[str], denied: Collection[str], hardened: Sequence[str]
) -> str | None:
    """The version ``pip install NAME==PIN`` gets from a PyPI index that lists ``upstream``
    and ``hardened`` versions, the ``denied`` ones yanked with a 403 on their files.

    The rule the index follows: a hardened release is always listed beside the upstream
    files; the upstream version it replaces stays listed and is denied only when the policy
    denies it (for the advisory the hardened release fixes, say). Preference then needs no
    special case: PEP 440 lets ``==1.2.3`` match ``1.2.3+trusted.1`` and installers take the
    highest matching version, and the local version sorts above its public one. None when
    only denied versions match (the pin fails, with the policy's reason)."""
    from packaging.specifiers import SpecifierSet

    wanted = SpecifierSet(f"=={pin}")
    refused = {Version(v) for v in denied}
    candidates = [Version(v) for v in (*upstream, *hardened) if Version(v) not in refused]
    matching = [v for v in candidates if wanted.contains(v, prereleases=True)]
    return str(max(matching)) if matching else None


def hardened_purl(row: HardenedRow) -> str:
    made = build_purl(row.ecosystem, row.name, row.version)
    assert made is not None  # PyPI and npm always have one
    return made
