"""Curations, pure part: value validation, versions selectors (vers ranges against a literal
transcription of the vers containment algorithm over sorted versions) and applying
approved curations to a package record."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ossmeta.errors import UsageError
from ossmeta.model import LicenseValue, PackageRecord, PackageStatus, PackageVersion
from ossmeta.normalizers.curation import (
    CURATABLE_FIELDS,
    Curation,
    apply_curations,
    canonical_package_purl,
    explain,
    matches,
    validate,
    validate_selector,
)
from ossmeta.versions import version_key

T0 = datetime(2026, 1, 1, tzinfo=UTC)
PURL = "pkg:pypi/demo"


def curation(
    cid: int,
    field: str,
    value: str,
    *,
    versions: str | None = None,
    status: str = "approved",
    reviewed: int = 0,
    purl: str = PURL,
) -> Curation:
    return Curation(
        id=cid,
        purl=purl,
        versions=versions,
        field=field,
        value=value,
        reason="upstream is wrong",
        author="alice",
        evidence="https://example.org/evidence",
        status=status,
        reviewer=None if status == "proposed" else "bob",
        review_note=None,
        created_at=T0 + timedelta(minutes=cid),
        reviewed_at=None if status == "proposed" else T0 + timedelta(days=1, minutes=reviewed),
    )


def licence(text: str | None) -> LicenseValue | None:
    if text is None:
        return None
    return LicenseValue(None, text, "ambiguous", "pypi:classifiers")


def record(*versions: tuple[str, str | None], package_licence: str | None = "BSD") -> PackageRecord:
    return PackageRecord(
        purl=PURL,
        ecosystem="PyPI",
        name="demo",
        repository="github.com/example/demo",
        repository_raw="https://github.com/example/demo",
        homepage="https://demo.example.org",
        description="A demo",
        status=PackageStatus.ACTIVE,
        license=licence(package_licence),
        versions=tuple(
            PackageVersion(v, None, False, None, licence(lic), ()) for v, lic in versions
        ),
    )


# --------------------------------------------------------------------------- values


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("license", "mit", "MIT"),
        ("license", " Apache-2.0 or mit ", "Apache-2.0 OR MIT"),
        ("license", "(MIT)", "MIT"),
        ("license", "LicenseRef-Proprietary-Demo", "LicenseRef-Proprietary-Demo"),
        ("repository", "git+https://github.com/PSF/Requests.git", "github.com/psf/requests"),
        (
            "repository",
            "https://gitlab.com/group/sub/project/-/tree/main",
            "gitlab.com/group/sub/project",
        ),
        ("repository", "", ""),
        ("homepage", "https://requests.readthedocs.io/", "https://requests.readthedocs.io/"),
        ("homepage", "  ", ""),
        ("description", "  HTTP for Humans.  ", "HTTP for Humans."),
        ("description", "two\r\nlines\rand\ta tab", "two\nlines\nand\ta tab"),
        ("status", "deprecated", "deprecated"),
        ("status", "yanked-only", "yanked-only"),
    ],
)
def test_validate_returns_the_canonical_value(field: str, value: str, expected: str) -> None:
    assert validate(field, value, "PyPI") == expected


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("license", "MIT License", "write 'MIT'"),
        ("license", "GPL-3.0+", "write 'GPL-3.0-or-later'"),
        ("license", "BSD", "not a valid SPDX expression"),
        ("license", "MIT AND", "not a valid SPDX expression"),
        ("license", "", "empty value"),
        ("repository", "https://requests.readthedocs.io/en/latest/", "not a repository link"),
        ("homepage", "requests.readthedocs.io", "http(s) URL"),
        ("homepage", "javascript:alert(1)", "http(s) URL"),
        ("status", "dead", "status must be one of active, deprecated, yanked-only, removed"),
        ("status", "", "empty value"),
        ("description", "nul \x00 inside", "control character '\\x00'"),
        ("homepage", "https://example.org/\x9f", "control character"),
        ("licence", "MIT", "cannot curate field 'licence'"),
        ("maintainers", "x", "cannot curate field"),
    ],
)
def test_validate_refuses_with_one_line(field: str, value: str, message: str) -> None:
    with pytest.raises(UsageError) as caught:
        validate(field, value, "PyPI")
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)


def test_curatable_fields() -> None:
    assert set(CURATABLE_FIELDS) == {"license", "repository", "homepage", "description", "status"}
    assert [f for f, rule in CURATABLE_FIELDS.items() if rule.per_version] == ["license"]


@pytest.mark.parametrize(
    ("purl", "expected"),
    [
        ("pkg:pypi/Demo_Pkg", ("pkg:pypi/demo-pkg", "PyPI")),
        ("pkg:npm/%40scope/name", ("pkg:npm/%40scope/name", "npm")),
        ("pkg:maven/org.example/lib", ("pkg:maven/org.example/lib", "Maven")),
        (" pkg:cargo/serde ", ("pkg:cargo/serde", "crates.io")),
    ],
)
def test_package_purls_are_canonical(purl: str, expected: tuple[str, str]) -> None:
    assert canonical_package_purl(purl) == expected


@pytest.mark.parametrize(
    ("purl", "message"),
    [
        ("pkg:pypi/demo@1.0", "without a version"),
        ("pkg:pypi/demo?x=1", "no qualifiers"),
        ("pkg:generic/thing", "no registry of packages"),
        ("not a purl", "invalid package URL"),
    ],
)
def test_bad_package_purls(purl: str, message: str) -> None:
    with pytest.raises(UsageError, match=message):
        canonical_package_purl(purl)


# --------------------------------------------------------------------------- selectors


@pytest.mark.parametrize(
    ("selector", "canonical"),
    [
        ("1.0", "1.0"),
        ("vers:pypi/>=1.0|<2.0", "vers:pypi/>=1.0|<2.0"),
        ("vers:pypi/<2.0|>=1.0", "vers:pypi/>=1.0|<2.0"),
        (" vers:pypi/ >= 1.0 | < 2.0 ", "vers:pypi/>=1.0|<2.0"),
        ("vers:pypi/=1.5|>=2.0", "vers:pypi/1.5|>=2.0"),
        ("vers:pypi/||1.5||", "vers:pypi/1.5"),
        ("vers:pypi/*", "vers:pypi/*"),
        ("vers:npm/>=1.0.0-beta.1|!=1.2.0|<2.0.0", "vers:npm/>=1.0.0-beta.1|!=1.2.0|<2.0.0"),
        ("vers:pypi/1.0%2Blocal", "vers:pypi/1.0+local"),
    ],
)
def test_selectors_are_canonical(selector: str, canonical: str) -> None:
    ecosystem = "npm" if "npm" in selector else "PyPI"
    assert validate_selector(selector, ecosystem) == canonical
    assert validate_selector(canonical, ecosystem) == canonical


@pytest.mark.parametrize(
    ("selector", "message"),
    [
        ("vers:npm/>=1.0.0", "starts with vers:pypi/"),
        ("vers:pypi", "starts with vers:pypi/"),
        ("vers:pypi/", "no constraints"),
        ("vers:pypi/>=1.0|>=2.0", "cannot be followed"),
        ("vers:pypi/<1.0|<2.0", "cannot be followed"),
        ("vers:pypi/>=1.0|1.5|<2.0", "cannot be followed"),
        ("vers:pypi/1.0|<2.0", "cannot be followed"),
        ("vers:pypi/1.0|1.0.0", "the same version"),
        ("vers:pypi/!=1.0", "only '!='"),
        ("vers:pypi/>=not.a.version", "not a PyPI version"),
        ("vers:pypi/*|1.0", "not a PyPI version"),
        (">=1.0", "neither one version nor"),
        ("1.0 2.0", "neither one version nor"),
        ("", "neither one version nor"),
        ("vers:pypi/" + "|".join(f">{n}.0|<{n}.5" for n in range(40)), "longer than 255"),
    ],
)
def test_bad_selectors(selector: str, message: str) -> None:
    with pytest.raises(UsageError, match=message.replace("(", r"\(")):
        validate_selector(selector, "PyPI")


def test_ranges_need_an_ordering() -> None:
    with pytest.raises(UsageError, match="no version ordering"):
        validate_selector("vers:conan/>=1.0.0", "ConanCenter")
    assert validate_selector("1.0.0", "ConanCenter") == "1.0.0"


@pytest.mark.parametrize(
    ("selector", "version", "expected"),
    [
        ("1.0", "1.0", True),
        ("1.0", "1.0.0", True),  # PEP 440 equality
        ("1.0", "1.0.1", False),
        ("weird-version", "weird-version", True),  # text equality, no ordering needed
        ("vers:pypi/>=1.0|<2.0", "1.5", True),
        ("vers:pypi/>=1.0|<2.0", "1.0", True),
        ("vers:pypi/>=1.0|<2.0", "2.0", False),
        ("vers:pypi/>=1.0|<2.0", "2.0rc1", True),  # a pre-release of 2.0 sorts below it
        ("vers:pypi/>=1.0|<2.0", "0.9", False),
        ("vers:pypi/>=1.0|<2.0", "not a version", False),
        ("vers:pypi/<1.0|>2.0", "0.1", True),
        ("vers:pypi/<1.0|>2.0", "1.5", False),
        ("vers:pypi/<1.0|>2.0", "3", True),
        ("vers:pypi/>=1.0|!=1.5", "1.5", False),
        ("vers:pypi/>=1.0|!=1.5", "1.6", True),
        ("vers:pypi/*", "0.0.1.dev1", True),
        ("vers:pypi/1.0|2.0", "2.0.0", True),
    ],
)
def test_matches(selector: str, version: str, expected: bool) -> None:
    assert matches(selector, "PyPI", version) is expected


# A literal transcription of the vers spec ("Checking if a version is contained within a
# range"), on positions in a sorted version list instead of versions.
def spec_contains(constraints: list[tuple[str, int]], tested: int) -> bool:
    for comparator, position in constraints:
        if position == tested and comparator in ("=", "<=", ">="):
            return True
    for comparator, position in constraints:
        if position == tested and comparator == "!=":
            return False
    rest = [(c, p) for c, p in constraints if c not in ("=", "!=")]
    if len(rest) == 1:  # no pair to iterate over: the one constraint decides
        comparator, position = rest[0]
        return (comparator in ("<", "<=") and tested < position) or (
            comparator in (">", ">=") and tested > position
        )
    last = len(rest) - 2
    for n, ((current, low), (following, high)) in enumerate(pairwise(rest)):
        if n == 0 and current in ("<", "<=") and tested < low:
            return True
        if n == last and following in (">", ">=") and tested > high:
            return True
        if current in (">", ">=") and following in ("<", "<=") and low < tested < high:
            return True
    return False


def spec_valid(constraints: list[tuple[str, int]]) -> bool:
    """The vers validity rules, plus the two we add: a range of only "!=" matches nothing,
    and "=" right after a lower bound is redundant."""
    kept = [c for c, _ in constraints if c != "!="]
    if not kept:
        return False
    follows = {
        "=": {"=", ">", ">="},
        "<": {"=", ">", ">="},
        "<=": {"=", ">", ">="},
        ">": {"<", "<="},
        ">=": {"<", "<="},
    }
    return all(b in follows[a] for a, b in pairwise(kept))


def pypi_version(parts: tuple[int, int, str]) -> str:
    major, minor, suffix = parts
    return f"{major}.{minor}{suffix}"


VERSION = st.tuples(
    st.integers(0, 3), st.integers(0, 3), st.sampled_from(["", "a1", "rc1", ".post1", ".dev0"])
).map(pypi_version)


@given(
    st.lists(VERSION, min_size=1, max_size=12, unique=True),
    st.data(),
)
def test_ranges_agree_with_the_spec_over_sorted_versions(
    versions: list[str], data: st.DataObject
) -> None:
    ordered = sorted(versions, key=lambda v: version_key("PyPI", v))
    positions = sorted(data.draw(st.sets(st.integers(0, len(ordered) - 1), min_size=1, max_size=5)))
    comparators = data.draw(
        st.lists(
            st.sampled_from(["=", "!=", "<", "<=", ">", ">="]),
            min_size=len(positions),
            max_size=len(positions),
        )
    )
    constraints = list(zip(comparators, positions, strict=True))
    written = [
        f"{c if c != '=' else data.draw(st.sampled_from(['', '=']))}{ordered[p]}"
        for c, p in constraints
    ]
    random.Random(data.draw(st.integers())).shuffle(written)  # any order in, sorted out
    selector = "vers:pypi/" + "|".join(written)
    if not spec_valid(constraints):
        with pytest.raises(UsageError):
            validate_selector(selector, "PyPI")
        return
    canonical = validate_selector(selector, "PyPI")
    assert validate_selector(canonical, "PyPI") == canonical
    for tested, version in enumerate(ordered):
        expected = spec_contains(constraints, tested)
        assert matches(selector, "PyPI", version) is expected, (selector, version)
        assert matches(canonical, "PyPI", version) is expected, (canonical, version)


@given(st.text(max_size=20))
def test_selectors_never_fail_with_anything_but_a_usage_error(text: str) -> None:
    for selector in (text, "vers:pypi/" + text, "vers:npm/" + text):
        try:
            canonical = validate_selector(selector, "PyPI" if "npm" not in selector else "npm")
        except UsageError as error:
            assert "\n" not in str(error)
        else:
            assert canonical == canonical.strip() and canonical


# --------------------------------------------------------------------------- applying


def test_only_approved_curations_apply() -> None:
    base = record(("1.0", "BSD"))
    proposed = curation(1, "license", "BSD-3-Clause", status="proposed")
    rejected = curation(2, "repository", "github.com/other/demo", status="rejected")
    assert apply_curations(base, [proposed, rejected]) == base


def test_approved_curations_set_the_fields() -> None:
    base = record(("1.0", "BSD"))
    curated = apply_curations(
        base,
        [
            curation(1, "license", "BSD-3-Clause"),
            curation(2, "repository", "github.com/other/demo"),
            curation(3, "homepage", ""),
            curation(4, "description", "Better words"),
            curation(5, "status", "deprecated"),
        ],
    )
    assert curated.license == LicenseValue("BSD-3-Clause", "BSD-3-Clause", "curated", "curation:1")
    assert curated.repository == "github.com/other/demo"
    assert curated.repository_raw == base.repository_raw  # what upstream said stays visible
    assert curated.homepage is None
    assert curated.description == "Better words"
    assert curated.status is PackageStatus.DEPRECATED
    # A package-level licence curation leaves every version's licence alone.
    assert curated.versions == base.versions


def test_curations_of_another_package_do_not_apply() -> None:
    base = record(("1.0", "BSD"))
    other = curation(1, "license", "MIT", purl="pkg:pypi/other")
    assert apply_curations(base, [other]) == base


def test_the_newest_approval_wins() -> None:
    base = record()
    older = curation(1, "license", "MIT", reviewed=5)
    newer = curation(2, "license", "Apache-2.0", reviewed=1)  # created later, approved earlier
    curated = apply_curations(base, [older, newer])
    assert curated.license is not None and curated.license.spdx == "MIT"
    curated = apply_curations(base, [newer, older])
    assert curated.license is not None and curated.license.spdx == "MIT"


def test_version_selectors_set_matching_versions_only() -> None:
    base = record(("0.9", "BSD"), ("1.0", "BSD"), ("1.5", "BSD"), ("2.0", "MIT"))
    wide = curation(1, "license", "BSD-2-Clause", versions="vers:pypi/>=1.0|<2.0", reviewed=9)
    exact = curation(2, "license", "BSD-3-Clause", versions="1.5", reviewed=1)
    curated = apply_curations(base, [wide, exact])
    got = {v.version: v.license for v in curated.versions}
    assert got["0.9"] == licence("BSD") and got["2.0"] == licence("MIT")
    assert got["1.0"] == LicenseValue("BSD-2-Clause", "BSD-2-Clause", "curated", "curation:1")
    # An exact version beats a range, even one approved later.
    assert got["1.5"] == LicenseValue("BSD-3-Clause", "BSD-3-Clause", "curated", "curation:2")
    assert curated.license == base.license  # version curations leave the package's alone


def test_explain_says_what_each_curation_does() -> None:
    steps = explain(
        [
            curation(1, "license", "MIT", reviewed=1),
            curation(2, "license", "Apache-2.0", reviewed=2),
            curation(3, "license", "ISC", status="proposed"),
            curation(4, "license", "0BSD", status="rejected"),
            curation(5, "license", "BSD-3-Clause", versions="vers:pypi/>=1.0"),
            curation(6, "homepage", "https://x.example.org"),
        ],
        "license",
        "PyPI",
    )
    notes = {s.curation.id: (s.applied, s.note) for s in steps}
    assert notes == {
        1: (False, "superseded by #2"),
        2: (True, "in effect"),
        3: (False, "proposed, not reviewed yet"),
        4: (False, "rejected by bob"),
        5: (False, "sets the licence of versions vers:pypi/>=1.0, not the package's"),
    }
    version_steps = explain(
        [curation(1, "license", "MIT"), curation(5, "license", "ISC", versions="vers:pypi/>=1.0")],
        "license",
        "PyPI",
        "0.5",
    )
    assert [s.note for s in version_steps] == [
        "sets the package's licence, not a version's",
        "vers:pypi/>=1.0 does not select 0.5",
    ]
