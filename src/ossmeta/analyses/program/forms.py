"""The mid-term check's forms as a program year configures them (a TOML file), and the
validation of one submitted form's answers against its questions.

::

    [[university]]            # the university form; [[mentor]] is the mentor form
    key = "attendance"
    kind = "scale"            # text | choice | scale (1 to 5) | yesno
    label = "Attendance"
    label_zh = "出勤"
    required = true           # the default
    options = ["a", "b"]      # choice only; options_zh gives their Chinese labels

Every mistake is one ``InputError`` naming the file and the line. Pure: no I/O.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ossmeta.errors import InputError

__all__ = [
    "FORMS",
    "KINDS",
    "MIDTERM_RULE",
    "Form",
    "Question",
    "Sections",
    "check_answers",
    "parse_questions",
    "read_toml",
]

FORMS = ("university", "mentor")
KINDS = ("text", "choice", "scale", "yesno")
MAX_TEXT = 5_000
_KEY = re.compile(r"[a-z][a-z0-9_]{0,63}")

#: The published pass rule of the mid-term check.
MIDTERM_RULE = (
    "A pair passes the mid-term check only when both its university's form and its mentor's "
    "form say pass; one fail is a fail; until both are in, the outcome is pending. An admin "
    "may end a failed pair, with a reason (audited); an ended pair takes no further part."
)


@dataclass(frozen=True, slots=True)
class Question:
    key: str
    kind: str
    label: str
    label_zh: str
    required: bool
    options: tuple[str, ...] = ()
    options_zh: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Form:
    name: str  # university | mentor
    questions: tuple[Question, ...]


class Sections:
    """Where each ``[[section]]`` entry and each of its keys starts in the TOML text (line
    numbers for error messages; tomllib does not keep them)."""

    def __init__(self, text: str) -> None:
        self._entries: dict[str, list[tuple[int, dict[str, int]]]] = {}
        self._top: dict[str, int] = {}
        current: dict[str, int] | None = self._top
        header = re.compile(r"^\s*\[\[\s*([A-Za-z0-9_-]+)\s*\]\]")
        table = re.compile(r"^\s*\[")
        assignment = re.compile(r"^\s*\"?([A-Za-z0-9_-]+)\"?\s*=")
        for number, line in enumerate(text.splitlines(), 1):
            if found := header.match(line):
                current = {}
                self._entries.setdefault(found.group(1), []).append((number, current))
            elif table.match(line):
                current = None
            elif current is not None and (found := assignment.match(line)):
                current.setdefault(found.group(1), number)

    def line(self, section: str | None, index: int = 0, key: str | None = None) -> int | None:
        if section is None:
            return self._top.get(key or "")
        entries = self._entries.get(section, [])
        if index >= len(entries):
            return self._top.get(section)
        start, keys = entries[index]
        return keys.get(key, start) if key else start


def read_toml(text: str, where: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        found = re.search(r"line (\d+)", str(error))
        message = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(error))
        line = int(found.group(1)) if found else None
        raise InputError(f"not valid TOML: {message}", path=where, line=line) from None


def _labels(entry: Mapping[str, Any], fail: Any, what: str) -> tuple[str, str]:
    labels = []
    for name in ("label", "label_zh"):
        value = entry.get(name)
        if not isinstance(value, str) or not value.strip() or len(value) > 500:
            raise fail(name, f"{what}: {name} is a text of 1 to 500 characters")
        labels.append(value.strip())
    return labels[0], labels[1]


def _options(entry: Mapping[str, Any], fail: Any, what: str) -> tuple[tuple[str, ...], ...]:
    found: list[tuple[str, ...]] = []
    for name in ("options", "options_zh"):
        value = entry.get(name, [] if name == "options_zh" else None)
        if not isinstance(value, list) or not all(
            isinstance(o, str) and o.strip() and len(o) <= 200 for o in value
        ):
            raise fail(name, f"{what}: {name} is a list of texts (1 to 200 characters)")
        found.append(tuple(o.strip() for o in value))
    options, options_zh = found
    if len(options) < 2 or len(set(options)) != len(options):
        raise fail("options", f"{what}: a choice needs at least 2 different options")
    if options_zh and len(options_zh) != len(options):
        raise fail("options_zh", f"{what}: options_zh needs one label per option")
    return options, options_zh


def _question(entry: Any, fail: Any, what: str) -> Question:
    if not isinstance(entry, dict):
        raise fail(None, f"{what} is a table ([[form]] with key, kind, label, label_zh)")
    allowed = {"key", "kind", "label", "label_zh", "required", "options", "options_zh"}
    for name in entry:
        if name not in allowed:
            raise fail(name, f"{what}: unknown field {name!r} ({', '.join(sorted(allowed))})")
    key = entry.get("key")
    if not isinstance(key, str) or not _KEY.fullmatch(key):
        raise fail("key", f"{what}: key is lower-case letters, digits and _ (up to 64)")
    kind = entry.get("kind")
    if kind not in KINDS:
        raise fail("kind", f"{what}: kind is one of {', '.join(KINDS)}")
    label, label_zh = _labels(entry, fail, what)
    required = entry.get("required", True)
    if not isinstance(required, bool):
        raise fail("required", f"{what}: required is true or false")
    options: tuple[str, ...] = ()
    options_zh: tuple[str, ...] = ()
    if kind == "choice":
        options, options_zh = _options(entry, fail, what)
    elif "options" in entry or "options_zh" in entry:
        raise fail("options", f"{what}: only a choice question has options")
    return Question(key, kind, label, label_zh, required, options, options_zh)


def parse_questions(text: str, where: str) -> dict[str, Form]:
    """The university and the mentor form of a year; each may have no questions (then it
    carries only its pass or fail)."""
    data = read_toml(text, where)
    sections = Sections(text)
    forms: dict[str, Form] = {}
    for name in data:
        if name not in FORMS:
            line = sections.line(None, key=name) or sections.line(name)
            raise InputError(f"unknown form {name!r} (university, mentor)", path=where, line=line)
    for name in FORMS:
        entries = data.get(name, [])
        if not isinstance(entries, list):
            line = sections.line(None, key=name)
            raise InputError(f"{name}: write each question as [[{name}]]", path=where, line=line)
        questions: list[Question] = []
        for index, entry in enumerate(entries):

            def fail(key: str | None, message: str, index: int = index, form: str = name) -> Any:
                return InputError(message, path=where, line=sections.line(form, index, key))

            question = _question(entry, fail, f"{name} question {index + 1}")
            if any(q.key == question.key for q in questions):
                raise fail("key", f"{name}: question key {question.key!r} is used twice")
            questions.append(question)
        forms[name] = Form(name, tuple(questions))
    return forms


def _answer(question: Question, value: object) -> object:
    if question.kind == "text":
        if not isinstance(value, str) or len(value) > MAX_TEXT:
            raise ValueError(f"a text of at most {MAX_TEXT} characters")
        return value.strip()
    if question.kind == "choice":
        if value not in question.options:
            raise ValueError(f"one of {', '.join(question.options)}")
        return value
    if question.kind == "scale":
        if isinstance(value, str) and value.strip().isdigit():
            value = int(value)
        if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 5:
            raise ValueError("a whole number from 1 to 5")
        return value
    words = {"yes": True, "no": False, "true": True, "false": False}
    if isinstance(value, str) and value.strip().lower() in words:
        value = words[value.strip().lower()]
    if not isinstance(value, bool):
        raise ValueError("yes or no")
    return value


def check_answers(form: Form, answers: Mapping[str, object]) -> dict[str, object]:
    """The answers, checked and normalised; an ``InputError`` names the question."""
    known = {q.key for q in form.questions}
    for key in answers:
        if key not in known:
            raise InputError(f"{form.name} form: no question {key!r}")
    checked: dict[str, object] = {}
    for question in form.questions:
        value = answers.get(question.key)
        if value is None or value == "":
            if question.required:
                raise InputError(f"{form.name} form: question {question.key!r} needs an answer")
            continue
        try:
            checked[question.key] = _answer(question, value)
        except ValueError as error:
            raise InputError(f"{form.name} form, question {question.key!r}: {error}") from None
    return checked
