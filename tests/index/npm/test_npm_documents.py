"""The served packument, built from upstream's and the decisions (no I/O), and the npm
audit range of an OSV entry."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from ossmeta.analyses.policy.model import Decision, Reason
from ossmeta.model import Affected, Event, Range
from ossmeta.service.index_npm_audit import vulnerable_range
from ossmeta.service.index_npm_document import abbreviated, build, releases, tarball_path

BASE = "http://ossmeta.test/index/js/npm/"
LATER = datetime(2030, 1, 1, tzinfo=UTC)
SOONER = datetime(2029, 1, 1, tzinfo=UTC)


def _upstream() -> dict[str, Any]:
    def manifest(version: str, **extra: Any) -> dict[str, Any]:
        return {
            "name": "@acme/left",
            "version": version,
            "readme": "long text",
            "dependencies": {"dep": "^1"},
            "dist": {"tarball": f"http://up/@acme/left/-/left-{version}.tgz", "shasum": "0" * 40},
            **extra,
        }

    return {
        "_id": "@acme/left",
        "name": "@acme/left",
        "dist-tags": {"latest": "2.0.0", "next": "3.0.0-rc.1", "old": "1.0.0"},
        "versions": {
            "1.0.0": manifest("1.0.0", license={"type": "MIT"}, deprecated="use 1.1"),
            "1.1.0": manifest("1.1.0", license="MIT"),
            "2.0.0": manifest("2.0.0", license="GPL-3.0-only"),
            "3.0.0-rc.1": manifest("3.0.0-rc.1", license="MIT"),
        },
        "time": {
            "created": "2024-01-01T00:00:00.000Z",
            "modified": "2024-04-01T00:00:00.000Z",
            "1.0.0": "2024-01-01T00:00:00.000Z",
            "1.1.0": "2024-02-01T00:00:00.000Z",
            "2.0.0": "2024-03-01T00:00:00.000Z",
            "3.0.0-rc.1": "2024-04-01T00:00:00.000Z",
        },
    }


DENY = Decision(
    "deny", (Reason("licenses.deny", "GPL-3.0-only is denied"),), "base", 2, valid_until=LATER
)
HIDE = Decision("hide", (), "base", 2, valid_until=SOONER)
ALLOW = Decision("allow", (), "base", 2)


def test_releases_read_time_license_forms_and_deprecation() -> None:
    listed = releases("@acme/left", _upstream())
    assert [r.version for r in listed] == ["1.0.0", "1.1.0", "2.0.0", "3.0.0-rc.1"]
    assert listed[0].license == "MIT" and listed[0].deprecated  # legacy {"type": ...}
    assert listed[2].license == "GPL-3.0-only" and not listed[2].deprecated
    assert listed[1].published == datetime(2024, 2, 1, tzinfo=UTC)


def test_deny_keeps_the_version_restricted_and_hide_removes_it() -> None:
    built = build("@acme/left", _upstream(), [ALLOW, ALLOW, DENY, HIDE], BASE)
    full = built.full
    assert list(full["versions"]) == ["1.0.0", "1.1.0", "2.0.0"]
    restrictions = full["policyRestrictions"]
    assert list(restrictions["versions"]) == ["2.0.0"]
    assert restrictions["message"] == (
        "@acme/left@2.0.0: policy base v2: licenses.deny: GPL-3.0-only is denied"
    )
    # dist-tags never name a denied or hidden version; latest falls to the highest release.
    assert full["dist-tags"] == {"latest": "1.1.0", "old": "1.0.0"}
    # The time map stays (min-release-age fails open without it), minus hidden versions.
    assert set(full["time"]) == {"created", "modified", "1.0.0", "1.1.0", "2.0.0"}
    assert full["versions"]["1.1.0"]["dist"]["tarball"] == BASE + "@acme/left/-/left-1.1.0.tgz"
    assert full["versions"]["1.0.0"]["deprecated"] == "use 1.1"  # upstream's, propagated
    assert built.valid_until == SOONER
    assert built.decisions["2.0.0"] is DENY


def test_a_dry_run_denies_nothing() -> None:
    dry = Decision("deny", DENY.reasons, "base", 2, dry_run=True)
    full = build("@acme/left", _upstream(), [ALLOW, ALLOW, dry, ALLOW], BASE).full
    assert "policyRestrictions" not in full
    assert full["dist-tags"]["latest"] == "2.0.0"


def test_the_abbreviated_document_keeps_what_npm_installs_with() -> None:
    full = build("@acme/left", _upstream(), [ALLOW, ALLOW, DENY, ALLOW], BASE).full
    corgi = abbreviated(full)
    assert set(corgi) == {"name", "dist-tags", "versions", "modified", "policyRestrictions"}
    version = corgi["versions"]["1.1.0"]
    assert "readme" not in version and version["dependencies"] == {"dep": "^1"}
    assert version["dist"]["tarball"].startswith(BASE)
    assert corgi["policyRestrictions"]["message"] == full["policyRestrictions"]["message"]
    assert "readme" in full["versions"]["1.1.0"]  # the full document is upstream's


def test_tarball_paths_of_plain_and_scoped_names() -> None:
    assert tarball_path("left", "1.0.0") == "left/-/left-1.0.0.tgz"
    assert tarball_path("@acme/left", "1.0.0") == "@acme/left/-/left-1.0.0.tgz"


def _entry(*events: tuple[str, str], versions: tuple[str, ...] = ()) -> Affected:
    ranges = (Range("SEMVER", tuple(Event(k, v) for k, v in events)),)
    return Affected("npm", "left", None, ranges if events else (), versions)


def test_vulnerable_range_from_osv_events() -> None:
    assert vulnerable_range(_entry(("introduced", "0"), ("fixed", "1.1.0"))) == "<1.1.0"
    assert (
        vulnerable_range(
            _entry(("introduced", "1.0.0"), ("fixed", "1.2.0"), ("introduced", "2.0.0"))
        )
        == ">=1.0.0 <1.2.0 || >=2.0.0"
    )
    assert vulnerable_range(_entry(("introduced", "0"), ("last_affected", "3.0.0"))) == "<=3.0.0"
    assert vulnerable_range(_entry(versions=("0.9.1",))) == "0.9.1"
    assert vulnerable_range(_entry(("introduced", "0"))) == "*"
