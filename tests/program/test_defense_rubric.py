"""The rubric's TOML parsing (line-precise errors, fuzzed) and the aggregation rule: the
median ignores one outlier, ties share a rank."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ossmeta.analyses.program.rubric import (
    aggregate,
    check_scores,
    parse_rubric,
    rank,
    reviewer_score,
)
from ossmeta.errors import InputError

RUBRIC = """\
[[criterion]]
key = "quality"
label = "Quality"
label_zh = "质量"
weight = 3
max = 10

[[criterion]]
key = "talk"
label = "Talk"
label_zh = "答辩"
weight = 1
max = 5
"""


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        (RUBRIC.replace("weight = 1", "weight = 0"), 12, "criterion 2: weight is a number"),
        (RUBRIC.replace("max = 5", "max = true"), 13, "criterion 2: max is a number"),
        (RUBRIC.replace('key = "talk"', 'key = "quality"'), 9, "used twice"),
        (RUBRIC.replace('label_zh = "答辩"\n', ""), 8, "label_zh is a text"),
        (RUBRIC.replace("weight = 3", "weight = 3\nbonus = 1"), 6, "unknown field 'bonus'"),
        ("seed = 1\n" + RUBRIC, 1, "unknown setting 'seed'"),
        ('seed = "x"\n', 1, "unknown setting"),
        ("[[criterion]\n", 1, "not valid TOML"),
    ],
)
def test_each_mistake_names_its_line(text: str, line: int, message: str) -> None:
    with pytest.raises(InputError, match=message) as raised:
        parse_rubric(text, "rubric.toml")
    assert raised.value.path == "rubric.toml" and raised.value.line == line


def test_an_empty_rubric_is_refused() -> None:
    with pytest.raises(InputError, match="lists its criteria"):
        parse_rubric("", "rubric.toml")


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300))
def test_any_text_parses_or_gives_one_input_error(text: str) -> None:
    try:
        parse_rubric(text, "rubric.toml")
    except InputError as error:
        assert "\n" not in str(error) and str(error).startswith("rubric.toml")


def test_a_reviewer_number_is_the_weighted_mean_of_score_over_max() -> None:
    criteria = parse_rubric(RUBRIC, "rubric.toml")
    scores = check_scores(criteria, {"quality": "7.5", "talk": 5})
    assert reviewer_score(criteria, scores) == Fraction(3 * 75 + 100, 4)
    with pytest.raises(InputError, match="no criterion 'style'"):
        check_scores(criteria, {"quality": 1, "talk": 1, "style": 1})


numbers = st.fractions(min_value=0, max_value=100)


@settings(max_examples=500, deadline=None)
@given(st.lists(numbers, min_size=2, max_size=9), numbers)
def test_the_median_ignores_one_outlier(others: list[Fraction], outlier: Fraction) -> None:
    """Whatever one reviewer gives, the score stays within the others' range (and with at
    least three honest reviewers, it cannot be dragged to the outlier's value)."""
    score = aggregate([*others, outlier])
    assert min(others) <= score <= max(others)


@settings(max_examples=300, deadline=None)
@given(st.lists(numbers, min_size=1, max_size=9))
def test_the_median_does_not_depend_on_order(values: list[Fraction]) -> None:
    assert aggregate(values) == aggregate(list(reversed(values)))


def test_ties_share_a_rank_and_the_next_rank_skips() -> None:
    ranked = rank(
        {
            "A": [Fraction(80)],
            "B": [Fraction(70), Fraction(90)],
            "C": [Fraction(60)],
            "D": [Fraction(100), Fraction(0), Fraction(95)],
        }
    )
    assert [(r.subject, r.score, r.rank) for r in ranked] == [
        ("D", 95, 1),
        ("A", 80, 2),
        ("B", 80, 2),
        ("C", 60, 4),
    ]
