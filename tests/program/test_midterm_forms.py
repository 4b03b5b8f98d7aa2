"""The mid-term questions' TOML parsing: every mistake one line naming file and line
(fuzzed with hypothesis), and the answers' checks per kind."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ossmeta.analyses.program.forms import check_answers, parse_questions
from ossmeta.errors import InputError
from tests.program.test_midterm import QUESTIONS


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        (QUESTIONS.replace('kind = "scale"', 'kind = "stars"'), 3, "question 1: kind is one of"),
        (QUESTIONS.replace('options = ["on track", "behind"]', "options = []"), 19, "at least 2"),
        (
            QUESTIONS.replace('options_zh = ["按计划", "落后"]', 'options_zh = ["按计划"]'),
            20,
            "one label per option",
        ),
        (QUESTIONS.replace("required = false", 'required = "no"'), 12, "required is true or false"),
        (QUESTIONS.replace('key = "note"', 'key = "attendance"'), 8, "used twice"),
        (QUESTIONS.replace('key = "merged"', 'key = "Merged!"'), 23, "mentor question 2: key"),
        (
            QUESTIONS.replace('kind = "yesno"', 'kind = "yesno"\noptions = ["a", "b"]'),
            25,
            "only a choice question has options",
        ),
        ("[[student]]\nkey = 'x'\n", 1, "unknown form 'student'"),
        ("university = 3\n", 1, "write each question as"),
        ("[[mentor]]\nkey = \n", 2, "not valid TOML"),
    ],
)
def test_each_mistake_names_its_line(text: str, line: int, message: str) -> None:
    with pytest.raises(InputError, match=message) as raised:
        parse_questions(text, "questions.toml")
    assert raised.value.path == "questions.toml" and raised.value.line == line


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300))
def test_any_text_parses_or_gives_one_input_error(text: str) -> None:
    try:
        parse_questions(text, "questions.toml")
    except InputError as error:
        assert "\n" not in str(error) and str(error).startswith("questions.toml")


keys = st.from_regex(r"[a-z][a-z0-9_]{0,10}", fullmatch=True)
labels = st.text(
    st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=1, max_size=20
).filter(str.strip)


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.tuples(keys, st.sampled_from(["text", "scale", "yesno"]), labels),
        max_size=5,
        unique_by=lambda q: q[0],
    )
)
def test_written_questions_read_back(questions: list[tuple[str, str, str]]) -> None:
    text = "".join(
        f"[[university]]\nkey = {key!r}\nkind = {kind!r}\nlabel = {_toml(label)}\n"
        f"label_zh = {_toml(label)}\n\n"
        for key, kind, label in questions
    )
    form = parse_questions(text, "q.toml")["university"]
    assert [(q.key, q.kind, q.label) for q in form.questions] == [
        (key, kind, label.strip()) for key, kind, label in questions
    ]


def _toml(text: str) -> str:
    import json

    return json.dumps(text, ensure_ascii=False)  # a JSON string is a TOML basic string


def test_answers_by_kind() -> None:
    forms = parse_questions(QUESTIONS, "questions.toml")
    checked = check_answers(forms["mentor"], {"progress": "behind", "merged": "No"})
    assert checked == {"progress": "behind", "merged": False}
    assert check_answers(forms["university"], {"attendance": "3", "note": ""}) == {"attendance": 3}
    with pytest.raises(InputError, match="'merged': yes or no"):
        check_answers(forms["mentor"], {"progress": "behind", "merged": "maybe"})
    with pytest.raises(InputError, match="'attendance': a whole number"):
        check_answers(forms["university"], {"attendance": True})
