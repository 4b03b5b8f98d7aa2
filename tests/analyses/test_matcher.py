"""OSV evaluation: hand-made cases for each rule of the spec, and a brute-force reference."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ossmeta.analyses.matcher import CompiledAffected
from ossmeta.model import Affected, Event, Range, Verdict


def entry(ecosystem: str, *ranges: Range, versions: tuple[str, ...] = ()) -> CompiledAffected:
    return CompiledAffected(Affected(ecosystem, "pkg", None, ranges, versions))


def rng(kind: str, *events: tuple[str, str]) -> Range:
    return Range(kind, tuple(Event(k, v) for k, v in events))


def verdict(compiled: CompiledAffected, version: str) -> Verdict:
    return compiled.evaluate(version).verdict


A, N, U = Verdict.AFFECTED, Verdict.NOT_AFFECTED, Verdict.UNKNOWN


def test_introduced_zero_and_fixed_exclusive() -> None:
    e = entry("PyPI", rng("ECOSYSTEM", ("introduced", "0"), ("fixed", "3.2.4")))
    assert [verdict(e, v) for v in ("0.1", "3.2", "3.2.3", "3.2.4", "3.2.5", "4.0")] == [
        A,
        A,
        A,
        N,
        N,
        N,
    ]


def test_prerelease_below_fixed_release_is_affected() -> None:
    e = entry("PyPI", rng("ECOSYSTEM", ("introduced", "2.0"), ("fixed", "2.31.0")))
    assert verdict(e, "2.31.0rc1") is A
    assert verdict(e, "2.0rc1") is N  # before the introduced release


def test_last_affected_is_inclusive() -> None:
    e = entry("npm", rng("SEMVER", ("introduced", "1.0.0"), ("last_affected", "1.4.2")))
    assert [verdict(e, v) for v in ("0.9.9", "1.0.0", "1.4.2", "1.4.3", "1.5.0-beta.1")] == [
        N,
        A,
        A,
        N,
        N,
    ]


def test_events_are_sorted_before_evaluation() -> None:
    e = entry(
        "PyPI",
        rng(
            "ECOSYSTEM",
            ("fixed", "2.2"),
            ("introduced", "2.0"),
            ("fixed", "1.5"),
            ("introduced", "1.0"),
        ),
    )
    assert [verdict(e, v) for v in ("0.9", "1.0", "1.4.9", "1.5", "1.9", "2.0", "2.1.1", "2.2")] == [
        N, A, A, N, N, A, A, N,
    ]  # fmt: skip


def test_limit_bounds_the_range() -> None:
    e = entry("PyPI", rng("ECOSYSTEM", ("introduced", "0"), ("limit", "2.0")))
    assert [verdict(e, v) for v in ("1.0", "1.9.9", "2.0", "3.0")] == [A, A, N, N]
    star = entry("PyPI", rng("ECOSYSTEM", ("introduced", "1.0"), ("limit", "*")))
    assert verdict(star, "99.0") is A


def test_multiple_ranges_any_one_suffices() -> None:
    e = entry(
        "PyPI",
        rng("ECOSYSTEM", ("introduced", "1.0"), ("fixed", "1.1")),
        rng("ECOSYSTEM", ("introduced", "2.0"), ("fixed", "2.1")),
    )
    assert [verdict(e, v) for v in ("1.0.5", "1.5", "2.0.1", "2.1")] == [A, N, A, N]


def test_versions_list_without_ranges() -> None:
    e = entry("PyPI", versions=("1.0", "1.1"))
    assert verdict(e, "1.1") is A
    assert verdict(e, "1.2") is N


def test_unparseable_component_version_is_unknown_unless_listed() -> None:
    e = entry(
        "PyPI", rng("ECOSYSTEM", ("introduced", "0"), ("fixed", "2.0")), versions=("weird-1",)
    )
    assert verdict(e, "not a version!") is U
    assert "not a valid PyPI version" in e.evaluate("not a version!").reason
    assert verdict(e, "weird-1") is A


def test_unparseable_event_makes_range_unknown_not_clean() -> None:
    e = entry("PyPI", rng("ECOSYSTEM", ("introduced", "0"), ("fixed", "@@bad@@")))
    assert verdict(e, "1.0") is U


def test_range_without_introduced_is_unknown() -> None:
    e = entry("PyPI", rng("ECOSYSTEM", ("fixed", "2.0")))
    assert verdict(e, "1.0") is U


def test_git_ranges_are_evaluated_through_versions() -> None:
    git = Range(
        "GIT", (Event("introduced", "a" * 40), Event("fixed", "b" * 40)), "https://example.org/r"
    )
    listed = entry("PyPI", git, versions=("1.0", "1.1"))
    assert verdict(listed, "1.0") is A
    assert verdict(listed, "1.2") is N
    assert verdict(entry("PyPI", git), "1.0") is U


def test_ecosystem_without_ordering_is_unknown() -> None:
    e = entry("openEuler:24.03-LTS", rng("ECOSYSTEM", ("introduced", "0"), ("fixed", "1.2-3")))
    assert verdict(e, "1.0-1") is U


def test_distribution_ecosystems_use_their_package_ordering() -> None:
    e = entry("Debian:12", rng("ECOSYSTEM", ("introduced", "0"), ("fixed", "3.0.11-1~deb12u2")))
    assert verdict(e, "3.0.11-1~deb12u1") is A
    assert verdict(e, "3.0.11-1~deb12u2") is N
    assert verdict(e, "1:1.0-1") is N  # the epoch outranks everything
    e = entry("Alpine:v3.20", rng("ECOSYSTEM", ("introduced", "0"), ("fixed", "1.36.1-r29")))
    assert verdict(e, "1.36.1-r15") is A  # not below as text: r15 < r29 as numbers
    assert verdict(e, "1.36.1-r100") is N
    e = entry("Rocky Linux:9", rng("ECOSYSTEM", ("introduced", "0"), ("fixed", "1:3.0.7-27.el9")))
    assert verdict(e, "1:3.0.7-25.el9") is A
    assert verdict(e, "1:3.0.7-27.el9_4.1") is N


def test_go_versions_drop_their_v() -> None:
    e = entry("Go", rng("SEMVER", ("introduced", "0"), ("fixed", "1.2.3")))
    assert verdict(e, "v1.2.2") is A
    assert verdict(e, "v1.2.3") is N
    assert verdict(e, "v0.0.0-20210101000000-abcdefabcdef") is A


def test_no_text_comparison_of_versions() -> None:
    # As text "10.0" < "9.0"; in PEP 440 and SemVer it is not.
    assert (
        verdict(entry("PyPI", rng("ECOSYSTEM", ("introduced", "0"), ("fixed", "9.0"))), "10.0") is N
    )
    assert (
        verdict(entry("npm", rng("SEMVER", ("introduced", "0"), ("fixed", "1.10.0"))), "1.9.0") is A
    )


@pytest.mark.parametrize(
    ("version", "expected"), [("1.0", A), ("1.0.0", A), ("1.0.0.1", N), ("1.0a1", N)]
)
def test_listed_versions_compare_as_versions_too(version: str, expected: Verdict) -> None:
    # "1.0" and "1.0.0" are the same PEP 440 version; a list that says 1.0 covers both.
    assert verdict(entry("PyPI", versions=("1.0",)), version) is expected


# ---------------------------------------------------------------- brute-force reference

UNIVERSE = [f"{a}.{b}.{c}" for a in range(3) for b in range(3) for c in range(3)]  # SemVer order


def reference(universe: list[str], events: list[tuple[str, int]], target: int) -> bool:
    """Walk the whole version line in order, switching state at each event's version.
    Structurally different from the spec's loop (it walks versions, not events)."""
    at = {i: kind for kind, i in events}
    limits = [i for kind, i in events if kind == "limit"]
    if limits and not any(target < i for i in limits):
        return False
    state = any(kind == "introduced" and i == -1 for kind, i in events)
    for position in range(len(universe)):
        kind = at.get(position)
        if kind == "introduced":
            state = True
        elif kind == "fixed":
            state = False
        if position == target:
            return state
        if kind == "last_affected":
            state = False
    return state


@st.composite
def event_lists(draw: st.DrawFn) -> list[tuple[str, int]]:
    count = draw(st.integers(1, 6))
    positions = draw(
        st.lists(st.integers(0, len(UNIVERSE) - 1), min_size=count, max_size=count, unique=True)
    )
    closing = draw(st.sampled_from(["fixed", "last_affected"]))  # a range uses one of them
    kinds = draw(st.lists(st.sampled_from(["introduced", closing]), min_size=count, max_size=count))
    events = list(zip(kinds, positions, strict=True))
    if draw(st.booleans()):
        events.append(("introduced", -1))  # introduced "0"
    elif not any(k == "introduced" for k, _ in events):
        events[0] = ("introduced", events[0][1])
    if draw(st.booleans()):
        events.append(("limit", draw(st.integers(0, len(UNIVERSE) - 1))))
    return draw(st.permutations(events))


@given(event_lists(), st.integers(0, len(UNIVERSE) - 1), st.sampled_from(["SEMVER", "ECOSYSTEM"]))
def test_range_matches_brute_force_reference(
    events: list[tuple[str, int]], target: int, kind: str
) -> None:
    limit_positions = [i for k, i in events if k == "limit"]
    plain = [(k, i) for k, i in events if k != "limit"]
    osv_events = [(k, "0" if i == -1 else UNIVERSE[i]) for k, i in plain]
    osv_events += [("limit", UNIVERSE[i]) for i in limit_positions]
    e = entry("npm", rng(kind, *osv_events))
    expected = reference(UNIVERSE, events, target)
    assert verdict(e, UNIVERSE[target]) is (A if expected else N)
