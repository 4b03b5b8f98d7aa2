"""Every string of the UI is translated: the catalog has a Chinese translation for each
message the templates and the Python code mark, and no page shows an English word that
did not go through the catalog (each visible text node differs between the two
languages)."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest
from babel.messages.pofile import read_po

from ossmeta.surfaces.web import i18n
from ossmeta.surfaces.web.catalogs import marked
from tests.web.text_nodes import visible_words
from tests.web.world import ADVISORY

WEB = Path(i18n.__file__).parent
PAGES = (
    "/",
    "/search",
    "/search?q=jinja",
    f"/search?q={ADVISORY}",
    "/search?q=nothing-matches-this",
    "/packages/pkg:pypi/jinja2",
    "/packages/pkg:pypi/flask",
    "/packages/pkg:pypi/no-such-package",
    "/packages/pkg:nosuchtype",
    "/search?q=" + "x" * 201,
)


def _marked() -> dict[str, str]:
    """Each marked message and where it is marked first."""
    return {msgid: f"{places[0][0]}:{places[0][1]}" for msgid, places in marked().items()}


def _catalog(language: str) -> dict[str, str]:
    path = WEB / "locale" / language / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as handle:
        catalog = read_po(handle)
    return {m.id: m.string for m in catalog if m.id and not m.fuzzy and isinstance(m.id, str)}


def test_the_extractor_sees_templates_and_python() -> None:
    marked = _marked()
    assert any(where.startswith("templates/") for where in marked.values())
    assert any(where.endswith(".py") or ".py:" in where for where in marked.values())
    assert "Skip to the content" in marked and "Maintenance" in marked


def test_every_marked_string_has_a_chinese_translation() -> None:
    chinese = _catalog("zh_Hans")
    missing = [
        f"{where}: {msgid!r}" for msgid, where in _marked().items() if not chinese.get(msgid)
    ]
    assert not missing, "untranslated:\n" + "\n".join(missing)


def test_translations_keep_their_placeholders() -> None:
    for msgid, msgstr in _catalog("zh_Hans").items():
        assert sorted(re.findall(r"%\(\w+\)s", msgid)) == sorted(
            re.findall(r"%\(\w+\)s", msgstr)
        ), msgid


@pytest.mark.parametrize("path", PAGES)
def test_every_visible_string_changes_with_the_language(web: httpx.Client, path: str) -> None:
    english = visible_words(web.get(path, headers={"Cookie": "lang=en"}).text)
    chinese = visible_words(web.get(path, headers={"Cookie": "lang=zh"}).text)
    assert english, "the page shows no words"
    assert len(english) == len(chinese), (english, chinese)
    unchanged = [en for en, zh in zip(english, chinese, strict=True) if en == zh]
    assert not unchanged, f"not translated on {path}: {unchanged}"
