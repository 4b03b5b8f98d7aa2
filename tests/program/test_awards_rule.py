"""The published aggregation rule of the cross-review (normalized Borda count, ties broken
by the year's seed), as pure computation."""

from __future__ import annotations

import random
from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from ossmeta.analyses.program.awards import aggregate, aggregation_rule


def test_normalized_borda_by_hand() -> None:
    rankings = {
        "r1": ["B2", "B1"],  # 1, 0
        "r2": ["A1", "A2"],  # 1, 0
        "r3": ["A1", "B1", "A2", "B2"],  # 1, 2/3, 1/3, 0
    }
    order = aggregate(["A1", "A2", "B1", "B2", "C1"], rankings, seed=3)
    assert [(r.place, r.pair, r.score, r.reviews) for r in order] == [
        (1, "A1", Fraction(1), 2),
        (2, "B2", Fraction(1, 2), 2),
        (3, "B1", Fraction(1, 3), 2),
        (4, "A2", Fraction(1, 6), 2),
        (5, "C1", Fraction(0), 0),  # nobody ranked it
    ]


def test_a_pair_alone_on_a_list_gets_full_points_and_unknown_pairs_are_ignored() -> None:
    order = aggregate(["A1", "B1"], {"r1": ["A1", "Z9"], "r2": ["B1"]}, seed=0)
    assert {r.pair: r.score for r in order} == {"A1": Fraction(1), "B1": Fraction(1)}


def test_ties_follow_the_published_seeded_rule() -> None:
    pairs = [f"P{n}" for n in range(8)]
    expected = sorted(pairs)
    random.Random("5:awards").shuffle(expected)  # the rule's words, followed literally
    assert [r.pair for r in aggregate(pairs, {}, seed=5)] == expected
    assert "'5:awards'" in aggregation_rule(5) and "seed 5" in aggregation_rule(5)
    orders = {tuple(r.pair for r in aggregate(pairs, {}, seed=s)) for s in range(6)}
    assert len(orders) > 1  # the seed matters


@given(
    st.lists(st.sampled_from([f"P{n}" for n in range(6)]), unique=True, min_size=1),
    st.lists(st.permutations([f"P{n}" for n in range(6)]), max_size=5),
    st.integers(min_value=0, max_value=10**6),
)
def test_order_is_by_score_and_complete(
    pairs: list[str], lists: list[list[str]], seed: int
) -> None:
    rankings = {f"r{n}": order[: n + 2] for n, order in enumerate(lists)}
    order = aggregate(pairs, rankings, seed)
    assert sorted(r.pair for r in order) == sorted(pairs)
    assert [r.place for r in order] == list(range(1, len(pairs) + 1))
    scores = [r.score for r in order]
    assert scores == sorted(scores, reverse=True)
    assert all(0 <= s <= 1 for s in scores)
    assert aggregate(pairs, rankings, seed) == order
