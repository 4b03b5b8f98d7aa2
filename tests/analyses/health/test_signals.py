"""Health inputs gathered from a real store (SQLite, and PostgreSQL where marked), filled by
the pipelines' own writers (see ``world``)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ossmeta.analyses.health import gather, health, load_config, score
from ossmeta.analyses.health.signals import license_fits
from ossmeta.errors import NotFoundError
from ossmeta.sources import osv
from ossmeta.store import Store
from ossmeta.store.advisories import AdvisoryImporter
from ossmeta.store.curation_store import Curations
from tests.analyses.health.world import AS_OF, REPO, advisory, fill

CONFIG = load_config(None)


def values(store: Store, purl: str) -> dict[str, float | None]:
    found = gather(store, purl, CONFIG, as_of=AS_OF)
    return {o.name: o.value for o in found.observations}


def details(store: Store, purl: str) -> dict[str, str]:
    found = gather(store, purl, CONFIG, as_of=AS_OF)
    return {o.name: o.detail for o in found.observations}


@pytest.fixture
def filled(store: Store, tmp_path: Path) -> Store:
    fill(store, tmp_path / "osv")
    return store


def test_every_input_of_the_newest_version_that_is_not_yanked(filled: Store) -> None:
    """On SQLite and on PostgreSQL (the ``store`` fixture runs both)."""
    found = gather(filled, "pkg:pypi/demo", CONFIG, as_of=AS_OF)
    assert found.version == "2.0"  # 2.1 is newer but yanked
    assert found.repository == REPO
    got = {o.name: o.value for o in found.observations}
    assert got == {
        # PYSEC-DEMO-CRIT affects 2.0; the high one was fixed in 2.0
        "open_critical": 1,
        "open_high": 0,
        "open_medium": 0,
        "open_low": 0,
        # GHSA published 2025-05-01, 2.0 released 2026-05-01
        "time_to_fix_days": 365,
        "license_clarity": 3,
        "license_policy": 1,
        # 2.0 on 2026-05-01 (2.1 is yanked); 2.0 and 2.1 inside the year before 2026-06-30
        "days_since_release": 60,
        "releases_last_year": 2,
        "maintainers": 2,
        "deprecated": 0,
        # window 2025-07..2026-06; the 2026-08 value is after the scoring date
        "commits_per_month": 24 / 12,
        "activity": (10 + 20 + 30) / 12,
        "openrank": (3 + 9) / 12,
        "contributors": 6 / 12,  # from git authors: no OpenDigger contributors stored
        "bus_factor": (2 + 4) / 2,  # the mean of the months that have one
        "issue_response_days": 3.5,
        "change_request_response_days": None,
        "dependents": 1,  # pkg:pypi/app
    }
    said = {o.name: o.detail for o in found.observations}
    assert "PYSEC-DEMO-CRIT" in said["open_critical"]
    assert "2025-07..2026-06" in said["activity"]
    assert "active_authors" in said["contributors"]
    assert "change_request_response_time.avg" in said["change_request_response_days"]


def test_an_older_version_has_its_own_advisories_and_yank(filled: Store) -> None:
    older = values(filled, "pkg:pypi/demo@1.1")
    assert (older["open_critical"], older["open_high"]) == (0, 1)
    yanked = gather(filled, "pkg:pypi/demo@2.1", CONFIG, as_of=AS_OF)
    flags = {o.name: o for o in yanked.observations}
    assert flags["deprecated"].value == 1
    assert "2.1 yanked: broken build" in flags["deprecated"].detail
    # the package-level inputs do not depend on the version asked
    assert flags["days_since_release"].value == 60


def test_what_cannot_be_known_is_missing_with_its_reason(filled: Store) -> None:
    bare = gather(filled, "pkg:pypi/bare", CONFIG, as_of=AS_OF)
    by_name = {o.name: o for o in bare.observations}
    assert by_name["license_clarity"].value == 0  # no licence declared is known, and bad
    assert by_name["license_policy"].value is None
    assert by_name["days_since_release"].value is None
    assert by_name["releases_last_year"].value is None
    assert by_name["maintainers"].value is None
    assert by_name["time_to_fix_days"].value is None
    assert by_name["open_critical"].value == 0  # advisories are held: none affects it
    assert by_name["activity"].detail == "the package names no repository"
    result = score(bare, CONFIG)
    community = next(p for p in result.parts if p.name == "community")
    assert community.score is None
    assert "community.activity" in result.missing
    # present weight per part: security 10 of 11 (no time to fix), licence 1 of 3 (clarity),
    # maintenance 3 of 8 (deprecation), community 0, adoption 1 of 1; parts 3, 1, 2, 2, 1
    assert result.coverage == pytest.approx((3 * 10 / 11 + 1 / 3 + 2 * 3 / 8 + 0 + 1) / 9)


def test_without_advisories_the_open_counts_are_missing_not_zero(
    store: Store, tmp_path: Path
) -> None:
    fill(store, tmp_path / "osv", advisories=False)
    got = details(store, "pkg:pypi/demo")
    assert got["open_critical"] == "the store holds no advisories"
    assert values(store, "pkg:pypi/demo")["open_critical"] is None


def test_a_curated_licence_is_the_one_scored(filled: Store) -> None:
    assert values(filled, "pkg:pypi/bare")["license_clarity"] == 0
    curations = Curations(filled)
    proposed = curations.propose(
        "pkg:pypi/bare",
        "license",
        "Apache-2.0",
        reason="LICENSE file in the sdist",
        author="carol",
        evidence="https://example.org/bare/LICENSE",
    )
    curations.review(proposed, True, "dave")
    got = details(filled, "pkg:pypi/bare")
    assert "Apache-2.0 (curated" in got["license_clarity"]
    assert values(filled, "pkg:pypi/bare")["license_clarity"] == 3
    assert values(filled, "pkg:pypi/bare")["license_policy"] == 1


def test_the_allow_list_comes_from_the_config(filled: Store, tmp_path: Path) -> None:
    assert values(filled, "pkg:pypi/app")["license_policy"] == 0  # GPL-3.0-only
    custom = tmp_path / "health.toml"
    custom.write_text('[license]\nallow = ["GPL-3.0-only"]\n')
    allowing = load_config(custom)
    found = gather(filled, "pkg:pypi/app", allowing, as_of=AS_OF)
    assert {o.name: o.value for o in found.observations}["license_policy"] == 1


def test_unknown_packages_and_versions_are_not_found(filled: Store) -> None:
    with pytest.raises(NotFoundError, match="no package pkg:pypi/nothing"):
        gather(filled, "pkg:pypi/nothing", CONFIG)
    with pytest.raises(NotFoundError, match=r"no version 9\.9 of pkg:pypi/demo"):
        gather(filled, "pkg:pypi/demo@9.9", CONFIG)


def test_the_whole_score_rests_on_what_was_found(filled: Store) -> None:
    demo = health(filled, "pkg:pypi/demo", CONFIG, as_of=AS_OF)
    assert demo.score is not None and 0 < demo.score < 1
    assert demo.missing == ("community.change_request_response_days",)
    assert 0.9 < demo.coverage < 1
    security = next(p for p in demo.parts if p.name == "security")
    assert security.score is not None and security.score < 1  # one critical advisory open


@pytest.mark.parametrize(
    ("expression", "fits"),
    [
        ("MIT", True),
        ("mit", True),
        ("MIT OR GPL-3.0-only", True),
        ("MIT AND GPL-3.0-only", False),
        ("(GPL-3.0-only OR Apache-2.0) AND MIT", True),
        ("GPL-3.0-only", False),
        ("Apache-2.0 WITH LLVM-exception", True),
        ("MIT AND", None),
    ],
)
def test_licence_expressions_against_an_allow_list(expression: str, fits: bool | None) -> None:
    assert license_fits(expression, frozenset({"MIT", "Apache-2.0"})) is fits


def test_time_to_fix_is_a_median_over_alias_groups(filled: Store, tmp_path: Path) -> None:
    """A fix released before the advisory counts as 0 days; a record that only names
    commits (GIT ranges) has no release to count; an alias of a stored group is one group."""
    extra = [
        advisory(
            "GHSA-demo-late",
            "2026-01-01T00:00:00Z",
            [{"introduced": "0"}, {"fixed": "1.1"}],
            severity="LOW",
        ),
        advisory(
            "CVE-2025-0001",  # an alias of GHSA-demo-high, with its own (later) fix
            "2025-04-01T00:00:00Z",
            [{"introduced": "0"}, {"fixed": "2.1"}],
            severity="HIGH",
        ),
        {
            **advisory("OSV-demo-git", "2024-01-01T00:00:00Z", [], severity="LOW"),
            "affected": [
                {
                    "package": {"ecosystem": "PyPI", "name": "demo"},
                    "ranges": [
                        {
                            "type": "GIT",
                            "repo": "https://github.com/acme/demo",
                            "events": [{"introduced": "0"}, {"fixed": "abc123"}],
                        }
                    ],
                }
            ],
        },
    ]
    directory = tmp_path / "more"
    directory.mkdir()
    for item in extra:
        (directory / f"{item['id']}.json").write_text(json.dumps(item))
    AdvisoryImporter(filled).run(osv.iter_records(osv.expand([str(directory)]), "CC-BY-4.0"))
    found = {o.name: o for o in gather(filled, "pkg:pypi/demo", CONFIG, as_of=AS_OF).observations}
    # GHSA-demo-high + CVE-2025-0001: published 2025-04-01, first fix 2.0 on 2026-05-01
    # (2.1 came later): 395 days; GHSA-demo-late: 0 days; the GIT-only record: no release
    assert found["time_to_fix_days"].value == (395 + 0) / 2
    assert found["time_to_fix_days"].detail == "median of 2 of 4 advisory groups"
