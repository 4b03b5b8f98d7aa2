"""The packument an npm index serves, built from upstream's full packument and one policy
decision per version (no I/O here: the caller fetches, decides and keeps).

* allow: the version as upstream lists it;
* hide: the version is removed, with its ``time`` entry;
* deny: the version stays listed and is named in ``policyRestrictions`` (the field
  npm-pick-manifest reads: ranges avoid it, a pin fails with ``E403 ... due to policy
  violations`` and the message, and no tarball is requested).

The ``time`` map is always kept (npm's ``min-release-age`` fails open without it),
dist-tags never name a denied or hidden version (``latest`` moves to the highest allowed
release, or to the allowed hardened release replacing the version it named; ``trusted``
names the highest allowed hardened release), and every ``dist.tarball`` points at this
index."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import quote

from ossmeta.analyses.policy.model import Decision, UpstreamRelease
from ossmeta.versions import InvalidVersion
from ossmeta.versions.semver import NPM as NPM_VERSIONS

__all__ = [
    "CORGI_FIELDS",
    "Built",
    "abbreviated",
    "build",
    "releases",
    "tarball_filename",
    "tarball_path",
]

# What npm's abbreviated ("corgi") install document keeps of each version.
CORGI_FIELDS = (
    "name",
    "version",
    "deprecated",
    "dependencies",
    "optionalDependencies",
    "peerDependencies",
    "peerDependenciesMeta",
    "bundleDependencies",
    "bundledDependencies",
    "acceptDependencies",
    "bin",
    "directories",
    "engines",
    "os",
    "cpu",
    "libc",
    "funding",
    "license",
    "dist",
    "_hasShrinkwrap",
    "hasInstallScript",
)


def tarball_filename(name: str, version: str) -> str:
    """``name-1.0.0.tgz``; a scoped package's file drops the scope, as npm's do."""
    return f"{name.rsplit('/', 1)[-1]}-{version}.tgz"


def tarball_path(name: str, version: str) -> str:
    """Relative to the index root: ``@scope/name/-/name-1.0.0.tgz``."""
    return f"{quote(name, safe='@/')}/-/{quote(tarball_filename(name, version))}"


def _published(time: Mapping[str, Any], version: str) -> datetime | None:
    stamp = time.get(version)
    if not isinstance(stamp, str):
        return None
    try:
        parsed = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else None


def _license(manifest: Mapping[str, Any]) -> str | None:
    """A string, or the legacy ``{"type": ...}`` object, or the older ``licenses`` list."""
    found = manifest.get("license")
    if isinstance(found, str):
        return found
    if isinstance(found, dict) and isinstance(found.get("type"), str):
        return str(found["type"])
    listed = manifest.get("licenses")
    if isinstance(listed, list):
        types = [str(x["type"]) for x in listed if isinstance(x, dict) and "type" in x]
        if types:
            return " OR ".join(types)
    return None


def _versions(document: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    versions = document.get("versions")
    if not isinstance(versions, dict):
        return {}
    return {v: m for v, m in versions.items() if isinstance(m, dict)}


def releases(name: str, document: Mapping[str, Any]) -> list[UpstreamRelease]:
    """What a policy reads of each upstream version, in upstream's order."""
    time = document.get("time")
    time = time if isinstance(time, dict) else {}
    return [
        UpstreamRelease(
            ecosystem="npm",
            name=name,
            version=version,
            published=_published(time, version),
            license=_license(manifest),
            yanked=bool(manifest.get("deprecated")),
            deprecated=bool(manifest.get("deprecated")),
        )
        for version, manifest in _versions(document).items()
    ]


def _order(version: str) -> tuple[int, Any]:
    try:
        return (1, NPM_VERSIONS.key(version))
    except InvalidVersion:
        return (0, version)


def _stable(version: str) -> bool:
    try:
        return not NPM_VERSIONS.is_prerelease(version)
    except InvalidVersion:
        return False


def _dist_tags(
    upstream: Mapping[str, Any], allowed: Sequence[str], replaces: Mapping[str, str]
) -> dict[str, str]:
    """Upstream's tags that name an allowed version; a tag naming a version not allowed
    names the highest allowed hardened version replacing it (``replaces``: hardened version
    → upstream version), else is dropped; ``latest`` re-pointed when it names nothing (to
    the highest allowed release, else the highest allowed version); ``trusted`` names the
    highest allowed hardened version."""
    tags = upstream.get("dist-tags")
    tags = tags if isinstance(tags, dict) else {}
    kept: dict[str, str] = {}
    for tag, version in tags.items():
        if not isinstance(version, str):
            continue
        if version in allowed:
            kept[tag] = version
            continue
        substitutes = [h for h, u in replaces.items() if u == version and h in allowed]
        if substitutes:
            kept[tag] = max(substitutes, key=_order)
    if "latest" not in kept and allowed:
        stable = [v for v in allowed if _stable(v)]
        kept["latest"] = max(stable or allowed, key=_order)
    trusted = [h for h in replaces if h in allowed]
    if trusted and "trusted" not in kept:
        kept["trusted"] = max(trusted, key=_order)
    return kept


@dataclass(frozen=True)
class Built:
    full: dict[str, Any]
    decisions: dict[str, Decision]  # by version, as enforced at the tarball route too
    valid_until: datetime | None  # the earliest time a decision changes by itself


def build(
    name: str,
    document: Mapping[str, Any],
    decisions: Sequence[Decision],
    tarball_base: str,
    replaces: Mapping[str, str] | None = None,
) -> Built:
    """The full packument served for upstream's ``document``; ``decisions`` in the order of
    ``releases(name, document)``; ``tarball_base`` the absolute URL of the index root;
    ``replaces`` maps each hardened version listed in ``document`` to its upstream one."""
    versions = _versions(document)
    by_version = dict(zip(versions, decisions, strict=True))
    served: dict[str, Any] = {}
    restricted: dict[str, Any] = {}
    messages: list[str] = []
    for version, manifest in versions.items():
        decision = by_version[version]
        action = decision.enforced
        if action == "hide":
            continue
        copy = dict(manifest)
        dist = dict(copy.get("dist") or {})
        dist["tarball"] = tarball_base + tarball_path(name, version)
        copy["dist"] = dist
        served[version] = copy
        if action == "deny":
            restricted[version] = copy
            messages.append(f"{name}@{version}: {decision.summary()}")
    allowed = [v for v in served if v not in restricted]
    full = {k: v for k, v in document.items() if k not in ("versions", "time", "dist-tags")}
    full["name"] = document.get("name", name)
    full["dist-tags"] = _dist_tags(document, allowed, replaces or {})
    full["versions"] = served
    upstream_time = document.get("time")
    upstream_time = upstream_time if isinstance(upstream_time, dict) else {}
    full["time"] = {
        k: v for k, v in upstream_time.items() if k in ("created", "modified") or k in served
    }
    if restricted:
        full["policyRestrictions"] = {"versions": restricted, "message": "\n".join(messages)}
    ends = [d.valid_until for d in decisions if d.valid_until is not None]
    return Built(full, by_version, min(ends) if ends else None)


def _corgi_manifest(manifest: Mapping[str, Any]) -> dict[str, Any]:
    return {k: manifest[k] for k in CORGI_FIELDS if k in manifest}


def abbreviated(full: Mapping[str, Any]) -> dict[str, Any]:
    """npm's install document (``application/vnd.npm.install-v1+json``) of a served one."""
    corgi: dict[str, Any] = {
        "name": full["name"],
        "dist-tags": full["dist-tags"],
        "versions": {v: _corgi_manifest(m) for v, m in full["versions"].items()},
    }
    modified = full.get("time", {}).get("modified") or full.get("modified")
    if modified:
        corgi["modified"] = modified
    restrictions = full.get("policyRestrictions")
    if restrictions:
        corgi["policyRestrictions"] = {
            "versions": {v: _corgi_manifest(m) for v, m in restrictions["versions"].items()},
            "message": restrictions["message"],
        }
    return corgi
