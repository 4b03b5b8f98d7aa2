"""The policy file: the contract's smallest form parses; every wrong key, type or value is
a one-line usage error naming the file and the line; and no input makes the parser fail
any other way (fuzzed)."""

from __future__ import annotations

import tomllib
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ossmeta.analyses.policy.config import KNOWN, parse_policy
from ossmeta.errors import UsageError
from ossmeta.model import SeverityLevel

CONTRACT = """\
name = "baseline"
[security]
deny_at_or_above = "high"
[licenses]
deny = ["GPL-3.0-only", "AGPL-3.0-only"]
[cooldown]
min_age_days = 7
"""


def parse(text: str) -> Any:
    return parse_policy(tomllib.loads(text), "p.toml", text)


def test_the_contract_form() -> None:
    policy = parse(CONTRACT)
    assert policy.name == "baseline" and not policy.dry_run
    assert policy.security.deny_at_or_above is SeverityLevel.HIGH
    assert policy.security.malicious == "deny"
    assert policy.licenses.deny == ("GPL-3.0-only", "AGPL-3.0-only")
    assert policy.licenses.allow is None and policy.licenses.unknown == "allow"
    assert policy.cooldown.min_age_days == 7 and policy.cooldown.security_fix_exempt
    assert policy.cooldown.unknown_age == "hide"


def test_an_allow_list_makes_unknown_licences_fail_unless_told() -> None:
    assert parse('name = "p"\n[licenses]\nallow = ["MIT"]\n').licenses.unknown == "deny"
    text = 'name = "p"\n[licenses]\nallow = ["MIT"]\nunknown = "hide"\n'
    assert parse(text).licenses.unknown == "hide"


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ('name = "p"\ncolour = 1\n', 2, "unknown key 'colour'"),
        ('name = "p"\n[security]\n\ndeny_at_or_above = "severe"\n', 4, "deny_at_or_above"),
        ('name = "p"\n[licenses]\ndeny = "GPL-3.0-only"\n', 3, "list of non-empty strings"),
        ('name = "p"\n[cooldown]\nmin_age_days = -1\n', 3, "0 or more"),
        ('name = "p"\n[cooldown]\nunknown_age = "maybe"\n', 3, "deny, hide, allow"),
        ('name = "p"\n[health]\nmaintenance_deny = ["abandoned"]\n', 3, "'abandoned'"),
        ('name = "p"\n[health]\nmin_scor = 3\n', 3, "unknown key 'min_scor'"),
        ('name = "p"\ndry_run = "yes"\n', 2, "true or false"),
        ('name = "p"\nsecurity = 3\n', 2, "[security] must be a table"),
        ('name = "p q"\n', 1, "name 'p q'"),
        ('name = "p"\n[licenses]\nallow = ["MIT"]\ndeny = ["MIT"]\n', 4, "both allowed and denied"),
    ],
)
def test_a_wrong_value_names_file_and_line(text: str, line: int, words: str) -> None:
    with pytest.raises(UsageError) as caught:
        parse(text)
    assert caught.value.path == "p.toml" and caught.value.line == line
    assert words in str(caught.value) and "\n" not in str(caught.value)


def test_a_missing_name_is_an_error() -> None:
    with pytest.raises(UsageError, match="name is required"):
        parse("[security]\n")


_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-10, 10),
    st.floats(allow_nan=True),
    st.text(max_size=12),
    st.sampled_from(["high", "deny", "hide", "MIT", "active", "baseline"]),
)
_KEYS = st.sampled_from(sorted({k for keys in KNOWN.values() for k in keys} | {"x"}))
_VALUES = st.recursive(
    _SCALARS,
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(_KEYS, inner, max_size=4)),
    max_leaves=12,
)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(_KEYS, _VALUES, max_size=6), st.booleans())
def test_fuzz_never_fails_but_as_a_usage_error(table: dict[str, Any], named: bool) -> None:
    if named:
        table["name"] = "fuzz"
    try:
        policy = parse_policy(table, "f.toml", None)
    except UsageError as error:
        assert "\n" not in str(error) and str(error).startswith("f.toml")
    else:
        assert policy.name == "fuzz"


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200))
def test_fuzz_text_with_line_lookup(text: str) -> None:
    """The line finder reads whatever text it is given."""
    body = 'name = "p"\n[security]\ndeny_at_or_above = 3\n' + text
    try:
        table = tomllib.loads(body)
    except tomllib.TOMLDecodeError:
        return
    try:
        parse_policy(table, "f.toml", body)
    except UsageError as error:
        assert "\n" not in str(error)


_CASE_KEYS = st.sampled_from(
    ["name", "purl", "license", "age_days", "published", "now", "advisories", "health_score",
     "maintenance", "deprecated", "yanked", "fixes", "expect", "expect_rules", "x"]
)  # fmt: skip


_ADVISORY = st.fixed_dictionaries(
    {"id": st.just("GHSA-1")},
    optional={"severity": _VALUES, "aliases": _VALUES, "malicious": _VALUES},
)
_CASE = st.fixed_dictionaries(
    {"purl": st.just("pkg:pypi/a@1.0"), "expect": st.just("deny")},
    optional={
        "advisories": st.lists(_ADVISORY, max_size=2),
        "age_days": _SCALARS,
        "license": _SCALARS,
        "maintenance": _SCALARS,
        "fixes": _VALUES,
        "expect_rules": _VALUES,
        "health_score": _SCALARS,
    },
)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.one_of(_SCALARS, _CASE, st.dictionaries(_CASE_KEYS, _VALUES, max_size=6)), max_size=3
    )
)
def test_fuzz_cases_never_fail_but_as_a_usage_error(cases: list[Any]) -> None:
    from ossmeta.analyses.policy.cases import parse_cases

    try:
        parse_cases(cases, "c.toml", "[[cases]]\n" * len(cases))
    except UsageError as error:
        assert "\n" not in str(error) and str(error).startswith("c.toml")


@pytest.mark.parametrize(
    "advisory",
    [{"id": "GHSA-1", "severity": ["high"]}, {"id": "GHSA-1", "malicious": "yes"}, {"id": 3}],
)
def test_a_wrong_advisory_in_a_case_is_a_usage_error(advisory: dict[str, Any]) -> None:
    from ossmeta.analyses.policy.cases import parse_cases

    case = {"purl": "pkg:pypi/a@1.0", "expect": "deny", "advisories": [advisory]}
    with pytest.raises(UsageError, match="case 1: "):
        parse_cases([case], "c.toml", "[[cases]]\n")
