"""The engine on facts: every rule, how they combine, waivers, time; and the licence logic
against a reference evaluation of random expressions (property-tested)."""

from __future__ import annotations

import tomllib
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ossmeta.analyses.policy.config import LicenseRules, Policy, parse_policy
from ossmeta.analyses.policy.engine import AdvisoryFact, ReleaseFacts, evaluate
from ossmeta.analyses.policy.licenses import judge_license
from ossmeta.analyses.policy.waivers import Waiver
from ossmeta.model import SeverityLevel

NOW = datetime(2026, 6, 1, tzinfo=UTC)
POLICY = """\
name = "strict"
[security]
deny_at_or_above = "high"
[licenses]
deny = ["GPL-3.0-only"]
[health]
min_score = 0.5
maintenance_deny = ["archived"]
deny_deprecated = true
deny_yanked = true
[cooldown]
min_age_days = 7
[first_party]
patterns = ["acme-*", "@acme/*"]
"""


def policy(text: str = POLICY) -> Policy:
    return parse_policy(tomllib.loads(text), "p.toml", text)


def facts(**changes: object) -> ReleaseFacts:
    base = ReleaseFacts("pypi", "demo", "1.0", NOW - timedelta(days=30), "MIT")
    return replace(base, **changes)  # type: ignore[arg-type]


def rules(decision: object) -> list[str]:
    return [r.rule for r in decision.reasons]  # type: ignore[attr-defined]


def test_a_clean_release_is_allowed() -> None:
    decision = evaluate(policy(), facts(), (), NOW, version=3)
    assert decision.action == "allow" and decision.reasons == ()
    assert decision.policy == "strict" and decision.policy_version == 3


@pytest.mark.parametrize(
    ("level", "action"),
    [
        (SeverityLevel.MEDIUM, "allow"),
        (SeverityLevel.HIGH, "deny"),
        (SeverityLevel.CRITICAL, "deny"),
        (SeverityLevel.UNKNOWN, "deny"),  # an unrated advisory is not a harmless one
    ],
)
def test_severity_threshold(level: SeverityLevel, action: str) -> None:
    decision = evaluate(policy(), facts(advisories=(AdvisoryFact("GHSA-1", level),)), (), NOW)
    assert decision.action == action
    if action == "deny":
        assert decision.reasons[0].advisory == "GHSA-1"
        assert "GHSA-1" in decision.summary()


def test_malicious_denies_without_a_threshold_and_through_a_waiver() -> None:
    lenient = policy('name = "lenient"\n')
    bad = facts(advisories=(AdvisoryFact("GHSA-2", SeverityLevel.LOW, ("MAL-2026-1",)),))
    decision = evaluate(lenient, bad, (), NOW)
    assert decision.action == "deny" and rules(decision) == ["security.malicious"]
    waiver = Waiver(1, "demo", "*", "r", "a", "b", NOW - timedelta(days=1))
    assert evaluate(lenient, bad, (waiver,), NOW).action == "deny"


def test_every_rule_that_fires_is_a_reason() -> None:
    bad = facts(
        license="GPL-3.0-only",
        health_score=0.2,
        maintenance="archived",
        deprecated=True,
        yanked=True,
        published=NOW - timedelta(days=1),
    )
    decision = evaluate(policy(), bad, (), NOW)
    assert decision.action == "deny"
    assert rules(decision) == [
        "licenses.deny",
        "health.min_score",
        "health.maintenance_deny",
        "health.deny_deprecated",
        "health.deny_yanked",
        "cooldown.min_age_days",
    ]


def test_unknown_health_does_not_fire() -> None:
    assert evaluate(policy(), facts(health_score=None, maintenance=None), (), NOW).action == "allow"


def test_cooldown_says_when_it_ends_and_a_security_fix_skips_it() -> None:
    published = NOW - timedelta(days=2)
    decision = evaluate(policy(), facts(published=published), (), NOW)
    assert decision.action == "deny" and rules(decision) == ["cooldown.min_age_days"]
    assert decision.valid_until == published + timedelta(days=7)
    assert (
        evaluate(policy(), facts(published=published), (), decision.valid_until).action == "allow"
    )
    fix = facts(published=published, fixes_advisories=("GHSA-3",))
    assert evaluate(policy(), fix, (), NOW).action == "allow"
    strict = policy(
        POLICY.replace("min_age_days = 7", "min_age_days = 7\nsecurity_fix_exempt = false")
    )
    assert evaluate(strict, fix, (), NOW).action == "deny"


@pytest.mark.parametrize(
    ("rule", "action"), [("hide", "hide"), ("deny", "deny"), ("allow", "allow")]
)
def test_unknown_age_follows_its_rule(rule: str, action: str) -> None:
    text = POLICY.replace("min_age_days = 7", f'min_age_days = 7\nunknown_age = "{rule}"')
    assert evaluate(policy(text), facts(published=None), (), NOW).action == action


def test_first_party_is_exempt_from_everything() -> None:
    bad = facts(license="GPL-3.0-only", yanked=True, published=NOW)
    assert evaluate(policy(), replace(bad, name="acme-core"), (), NOW).action == "allow"
    assert (
        evaluate(policy(), replace(bad, ecosystem="npm", name="@acme/ui"), (), NOW).action
        == "allow"
    )
    assert evaluate(policy(), replace(bad, name="acme"), (), NOW).action == "deny"


def test_dry_run_decides_but_never_blocks() -> None:
    dry = policy(POLICY.replace('name = "strict"', 'name = "strict"\ndry_run = true'))
    decision = evaluate(dry, facts(license="GPL-3.0-only"), (), NOW)
    assert decision.action == "deny" and decision.dry_run and decision.enforced == "allow"


def test_a_waiver_in_force_and_in_range_allows_until_it_expires() -> None:
    expires = NOW + timedelta(days=3)
    waiver = Waiver(7, "pkg:pypi/Demo", ">=1.0,<2", "vendor fix", "a", "b", NOW, expires)
    gpl = facts(license="GPL-3.0-only")
    decision = evaluate(policy(), gpl, (waiver,), NOW)
    assert decision.action == "allow" and decision.waiver == "waiver 7"
    assert decision.valid_until == expires and rules(decision) == ["licenses.deny"]
    assert evaluate(policy(), gpl, (waiver,), expires).action == "deny"
    assert evaluate(policy(), replace(gpl, version="2.0"), (waiver,), NOW).action == "deny"
    assert evaluate(policy(), replace(gpl, ecosystem="npm"), (waiver,), NOW).action == "deny"
    revoked = replace(waiver, revoked_at=NOW - timedelta(seconds=1))
    assert evaluate(policy(), gpl, (revoked,), NOW).action == "deny"


# ------------------------------------------------------------------------- licences

IDS = ["MIT", "Apache-2.0", "GPL-3.0-only", "BSD-3-Clause", "ISC"]


@st.composite
def expressions(draw: st.DrawFn, depth: int = 0) -> tuple[str, object]:
    """(SPDX text, tree) where a tree is an id or ("AND"|"OR", left, right)."""
    if depth >= 3 or draw(st.booleans()):
        key = draw(st.sampled_from(IDS))
        return key, key
    op = draw(st.sampled_from(["AND", "OR"]))
    left_text, left = draw(expressions(depth + 1))
    right_text, right = draw(expressions(depth + 1))
    return f"({left_text} {op} {right_text})", (op, left, right)


def reference(tree: object, allow: set[str] | None, deny: set[str]) -> bool:
    if isinstance(tree, str):
        return tree not in deny and (allow is None or tree in allow)
    op, left, right = tree  # type: ignore[misc]
    results = (reference(left, allow, deny), reference(right, allow, deny))
    return all(results) if op == "AND" else any(results)


@settings(max_examples=300, deadline=None)
@given(
    expressions(),
    st.one_of(st.none(), st.sets(st.sampled_from(IDS))),
    st.sets(st.sampled_from(IDS)),
)
def test_licence_logic_matches_and_or(
    drawn: tuple[str, object], allow: set[str] | None, deny: set[str]
) -> None:
    text, tree = drawn
    allow_list = None if allow is None else allow - deny
    verdict = judge_license(
        text, LicenseRules(None if allow_list is None else tuple(allow_list), tuple(deny))
    )
    assert (verdict.outcome == "pass") == reference(tree, allow_list, deny)


@pytest.mark.parametrize(
    ("expression", "allow", "deny", "outcome"),
    [
        ("GPL-2.0-only WITH Classpath-exception-2.0", None, ["GPL-2.0-only"], "denied"),
        ("GPL-2.0-only WITH Classpath-exception-2.0", ["GPL-2.0-only"], [], "pass"),
        (
            "GPL-2.0-only WITH Classpath-exception-2.0",
            ["GPL-2.0-only WITH Classpath-exception-2.0"],
            ["GPL-2.0-only"],
            "pass",
        ),
        ("NOASSERTION", None, ["GPL-3.0-only"], "unknown"),
        ("LicenseRef-acme", ["MIT"], [], "unknown"),
        ("MIT AND (", None, [], "unknown"),
        (None, None, [], "unknown"),
        ("mit", ["MIT"], [], "pass"),
        ("MIT AND NOASSERTION", ["MIT"], [], "unknown"),
    ],
)
def test_licence_edges(
    expression: str | None, allow: list[str] | None, deny: list[str], outcome: str
) -> None:
    rules_ = LicenseRules(None if allow is None else tuple(allow), tuple(deny))
    assert judge_license(expression, rules_).outcome == outcome


def test_unknown_licence_rule() -> None:
    text = 'name = "p"\n[licenses]\nallow = ["MIT"]\nunknown = "hide"\n'
    assert evaluate(policy(text), facts(license=None), (), NOW).action == "hide"
    assert evaluate(policy(text), facts(license="Apache-2.0"), (), NOW).action == "deny"
    assert evaluate(policy(text), facts(license="MIT OR Apache-2.0"), (), NOW).action == "allow"
