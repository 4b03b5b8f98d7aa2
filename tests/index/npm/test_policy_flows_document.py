"""Hardened versions in the served packument (no I/O): merged beside upstream's with their
own ``time`` entry, never replacing upstream's; dist-tags prefer an allowed hardened version
only where upstream's tag names a version the policy does not allow."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ossmeta.analyses.policy.model import Decision, Reason
from ossmeta.service.index_npm_document import build, releases
from ossmeta.service.index_npm_hardened import HardenedVersion, merged

BASE = "http://ossmeta.test/index/js/npm/"
DENY = Decision("deny", (Reason("security.deny_at_or_above", "GHSA-x is high"),), "p", 1)
ALLOW = Decision("allow", (), "p", 1)


def _upstream() -> dict[str, Any]:
    versions = ("1.0.0", "1.1.0", "2.0.0")
    return {
        "name": "left",
        "dist-tags": {"latest": "2.0.0", "stable": "1.1.0"},
        "versions": {
            v: {"name": "left", "version": v, "dist": {"shasum": "0" * 40}} for v in versions
        },
        "time": {v: f"2024-0{i + 1}-01T00:00:00.000Z" for i, v in enumerate(versions)},
    }


def _hardened(version: str, upstream: str) -> HardenedVersion:
    manifest = {"name": "left", "version": version, "dist": {"integrity": "sha512-AA=="}}
    return HardenedVersion(version, upstream, Path("x.tgz"), manifest, "2026-12-01T00:00:00.000Z")


def _decide(document: dict[str, Any], denied: set[str]) -> list[Decision]:
    return [DENY if r.version in denied else ALLOW for r in releases("left", document)]


def test_merge_adds_hardened_versions_and_their_time_only() -> None:
    upstream = _upstream()
    extra = [_hardened("2.0.0-trusted.1", "2.0.0"), _hardened("1.1.0", "1.0.0")]
    listing = merged(upstream, extra)
    assert list(listing["versions"]) == ["1.0.0", "1.1.0", "2.0.0", "2.0.0-trusted.1"]
    assert listing["time"]["2.0.0-trusted.1"] == "2026-12-01T00:00:00.000Z"
    assert listing["versions"]["1.1.0"] == upstream["versions"]["1.1.0"]  # upstream's kept
    assert "2.0.0-trusted.1" not in upstream["versions"]  # a copy: upstream's is untouched
    published = {r.version: r.published for r in releases("left", listing)}
    assert published["2.0.0-trusted.1"] is not None  # the policy's cooldown reads it


def test_latest_moves_to_the_hardened_release_of_a_denied_version() -> None:
    listing = merged(
        _upstream(),
        [_hardened("2.0.0-trusted.1", "2.0.0"), _hardened("2.0.0-trusted.2", "2.0.0")],
    )
    replaces = {"2.0.0-trusted.1": "2.0.0", "2.0.0-trusted.2": "2.0.0"}
    built = build("left", listing, _decide(listing, {"2.0.0"}), BASE, replaces)
    tags = built.full["dist-tags"]
    assert tags == {"latest": "2.0.0-trusted.2", "stable": "1.1.0", "trusted": "2.0.0-trusted.2"}
    assert built.full["versions"]["2.0.0-trusted.2"]["dist"]["tarball"] == (
        f"{BASE}left/-/left-2.0.0-trusted.2.tgz"
    )


def test_an_allowed_upstream_keeps_its_tag_and_a_denied_hardened_is_never_tagged() -> None:
    listing = merged(_upstream(), [_hardened("2.0.0-trusted.1", "2.0.0")])
    replaces = {"2.0.0-trusted.1": "2.0.0"}
    allowed = build("left", listing, _decide(listing, set()), BASE, replaces)
    assert allowed.full["dist-tags"]["latest"] == "2.0.0"  # the policy allows upstream's
    assert allowed.full["dist-tags"]["trusted"] == "2.0.0-trusted.1"
    both = build("left", listing, _decide(listing, {"2.0.0", "2.0.0-trusted.1"}), BASE, replaces)
    assert both.full["dist-tags"] == {"latest": "1.1.0", "stable": "1.1.0"}
