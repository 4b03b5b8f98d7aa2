"""``python -m ossmeta.surfaces.web.catalogs``: after a template or a marked string changes,
re-extract the messages (Babel's extractor over the templates and the Python code), rewrite
``locale/messages.pot`` and bring each ``.po`` in step, keeping its translations; prints the
messages still untranslated. The catalog test extracts the same way."""

from __future__ import annotations

import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

from ossmeta.surfaces.web.i18n import LANGUAGES, LOCALE_DIR

__all__ = ["KEYWORDS", "METHODS", "OPTIONS", "marked", "update"]

WEB = Path(__file__).parent
METHODS = [("**.py", "python"), ("templates/**.html", "jinja2.ext:babel_extract")]
OPTIONS: Mapping[str, Mapping[str, str]] = {
    "templates/**.html": {
        "extensions": "jinja2.ext.i18n",
        "trim_blocks": "true",
        "lstrip_blocks": "true",
    }
}
KEYWORDS: Mapping[str, Any] = {"_": None, "N_": None, "gettext": None, "ngettext": (1, 2)}


def marked() -> dict[str, list[tuple[str, int]]]:
    """Each marked message and the places that mark it."""
    found: dict[str, list[tuple[str, int]]] = {}
    for filename, line, message, _comments, _context in extract_from_dir(
        WEB,
        METHODS,
        options_map=dict(OPTIONS),  # type: ignore[arg-type]
        keywords=dict(KEYWORDS),
    ):
        msgid = message if isinstance(message, str) else message[0]
        found.setdefault(msgid, []).append((filename, line))
    return found


def _entries(catalog: Catalog) -> list[tuple[Any, ...]]:
    return [(m.id, tuple(sorted(m.locations)), tuple(sorted(m.flags))) for m in catalog if m.id]


def update() -> dict[str, list[str]]:
    """Rewrites the template and every language's catalog; the untranslated msgids of each
    language that is not the source language."""
    template = Catalog(project="ossmeta", charset="utf-8", fuzzy=False)
    for msgid, places in marked().items():
        flags = ("python-format",) if "%(" in msgid else ()
        template.add(msgid, locations=places, flags=flags)
    pot = LOCALE_DIR / "messages.pot"
    if pot.exists():
        with pot.open("rb") as handle:
            before = read_po(handle)
        if _entries(before) == _entries(template):
            # Nothing changed: keep the date, so a run without changes leaves no diff.
            template.creation_date = before.creation_date
    with pot.open("wb") as handle:
        write_po(handle, template, width=100)
    untranslated: dict[str, list[str]] = {}
    for language in LANGUAGES.values():
        path = LOCALE_DIR / language.catalog / "LC_MESSAGES" / "messages.po"
        if path.exists():
            with path.open("rb") as handle:
                catalog = read_po(handle, locale=language.catalog)
        else:
            catalog = Catalog(locale=language.catalog, project="ossmeta", fuzzy=False)
        catalog.update(template, no_fuzzy_matching=True)
        catalog.obsolete.clear()
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as handle:
            write_po(handle, catalog, width=100)
        if language.code != "en":
            untranslated[language.code] = [str(m.id) for m in catalog if m.id and not m.string]
    return untranslated


if __name__ == "__main__":
    missing = update()
    for code, msgids in missing.items():
        for msgid in msgids:
            print(f"{code}: untranslated: {msgid}")
    sys.exit(1 if any(missing.values()) else 0)
