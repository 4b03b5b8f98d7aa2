"""The public knowledge of the center, as both surfaces show it: the CLI's ``packages show``,
``advisories show`` and ``metrics show`` and the public API answer with the same documents
(the JSON contracts of those commands), built here once.

Each function returns None when the store does not know what was asked; the caller says so
in its own way (the CLI as a usage error, the API as a 404)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ossmeta.errors import InputError, UsageError
from ossmeta.model import PackageRecord
from ossmeta.normalizers.package_json import package_to_json
from ossmeta.purls import package_purl
from ossmeta.store.engine import Store
from ossmeta.store.lookup import AdvisoryLookup, ShownAdvisory
from ossmeta.store.metrics import Metrics, MetricValue
from ossmeta.store.packages import DependentsPage, PackageMarker, Packages

__all__ = [
    "MarkedView",
    "PackageView",
    "advisory_document",
    "advisory_to_json",
    "dependents_page",
    "marked_package_view",
    "package_key",
    "package_view",
    "package_views",
    "repository_key",
    "repository_metrics",
]


def package_key(purl: str) -> str:
    """The canonical purl of the package (no version, qualifiers or subpath);
    ``InvalidPurl`` (an input error) for a malformed purl or a type without a registry."""
    return package_purl(purl)[0]


@dataclass(frozen=True)
class PackageView:
    """A package with approved curations applied, and how many stored packages depend on
    it."""

    record: PackageRecord
    dependents: int

    def document(self) -> dict[str, Any]:
        """The ``packages show --format json`` contract."""
        return package_to_json(self.record, self.dependents)


def package_view(store: Store, purl: str) -> PackageView | None:
    from ossmeta.store.curations import effective_package
    from ossmeta.store.packages import count_dependents
    from ossmeta.store.tenancy import global_transaction

    key = package_key(purl)
    with global_transaction(store) as tx:
        record = effective_package(tx, key)
        if record is None:
            return None
        return PackageView(record, count_dependents(tx, key))


@dataclass(frozen=True)
class MarkedView:
    """A package's marker, and its view unless the caller already holds the one the marker
    names (``view`` None)."""

    marker: PackageMarker
    view: PackageView | None


def marked_package_view(
    store: Store, key: str, held: PackageMarker | None = None
) -> MarkedView | None:
    """The marker of the package ``key`` (canonical, see ``package_key``) and, when it is not
    ``held``, the view it marks, read in one transaction; None when the store does not hold
    the package. A caller that keeps what it made of a view under its marker asks with
    ``held`` and pays one query while nothing changed."""
    from ossmeta.store.curations import effective_package
    from ossmeta.store.packages import load_package, package_marker
    from ossmeta.store.tenancy import global_transaction

    with global_transaction(store) as tx:
        marker = package_marker(tx, key)
        if marker is None:
            return None
        if marker == held:
            return MarkedView(marker, None)
        # Read after the marker: on a change in between, the view is newer than its
        # marker, and the next ask sees the new marker and reads again. Without approved
        # curations the stored record is the effective one (one query less).
        read = effective_package if marker.approved_curations else load_package
        record = read(tx, key)
        if record is None:  # deleted in between
            return None
        return MarkedView(marker, PackageView(record, marker.dependents))


def package_views(store: Store, purls: Sequence[str]) -> list[PackageView | str | None]:
    """``package_view`` of each purl, read together (a few queries per few hundred purls):
    the view, None when the store does not hold the package, or why the purl is not one."""
    from ossmeta.store.curations import effective_packages
    from ossmeta.store.packages import count_dependents_of
    from ossmeta.store.tenancy import global_transaction

    keys: list[str | InputError] = []
    for purl in purls:
        try:
            keys.append(package_key(purl))
        except InputError as error:
            keys.append(error)
    wanted = [k for k in keys if isinstance(k, str)]
    with global_transaction(store) as tx:
        records = effective_packages(tx, wanted)
        counts = count_dependents_of(tx, records)
    out: list[PackageView | str | None] = []
    for key in keys:
        if isinstance(key, InputError):
            out.append(str(key))
        else:
            record = records.get(key)
            out.append(None if record is None else PackageView(record, counts[key]))
    return out


def dependents_page(store: Store, purl: str, *, offset: int, limit: int) -> DependentsPage:
    return Packages(store).dependents(package_key(purl), offset=offset, limit=limit)


def advisory_document(store: Store, advisory_id: str) -> dict[str, Any] | None:
    """The ``advisories show --format json`` contract for an id or any of its aliases."""
    shown = AdvisoryLookup(store).show(advisory_id)
    return None if shown is None else advisory_to_json(shown)


def advisory_to_json(shown: ShownAdvisory) -> dict[str, Any]:
    """The ``advisories show --format json`` contract."""
    return {
        "record": shown.record,
        "alias_group": list(shown.group),
        "withdrawn": shown.withdrawn,
        "provenance": {
            "source": shown.source,
            "locator": shown.locator,
            "sha256": shown.content_hash,
            "data_license": shown.data_license,
            "imported_at": shown.imported_at.isoformat(),
        },
    }


def repository_key(text: str) -> str:
    """``host/owner/name`` in lower case, from that form or a repository URL."""
    from ossmeta.normalizers.repos import canonical_repo_url
    from ossmeta.store.metrics import is_repo_key

    if is_repo_key(text) and "://" not in text:
        return text.strip("/").lower()
    parsed = canonical_repo_url(text)
    if parsed.canonical is None:
        raise UsageError(f"{text!r} is not a repository (expected host/owner/name)")
    return parsed.canonical.lower()


def repository_metrics(store: Store, repo: str) -> tuple[str, list[MetricValue]]:
    """The repository's key and its stored metric values (none when never computed)."""
    key = repository_key(repo)
    return key, list(Metrics(store).read(key))
