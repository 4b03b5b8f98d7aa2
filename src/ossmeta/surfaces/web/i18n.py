"""Languages of the pages: which one a request gets, its gettext catalog, and its dates and
numbers.

Catalogs are the ``.po`` files in ``locale/``, compiled in memory when the process starts:
no build step and no generated binaries to keep in step with their sources, for a cost of a
few milliseconds per catalog at start-up.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path

from babel import Locale
from babel.dates import format_date, format_datetime
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal, format_percent
from babel.support import NullTranslations, Translations

__all__ = [
    "COOKIE",
    "DEFAULT",
    "LANGUAGES",
    "N_",
    "Language",
    "language_for",
    "translations",
]

LOCALE_DIR = Path(__file__).with_name("locale")
#: The cookie that remembers a visitor's choice.
COOKIE = "lang"


@dataclass(frozen=True)
class Language:
    code: str  # the cookie's value and the switcher's path segment
    tag: str  # the BCP 47 tag for ``<html lang>`` and ``hreflang``
    catalog: str  # the folder under ``locale/``
    own_name: str  # the language's name in itself, as the switcher shows it

    @property
    def locale(self) -> Locale:
        return _locale(self.catalog)

    def date(self, value: datetime | None) -> str:
        return "" if value is None else format_date(value, "medium", locale=self.locale)

    def datetime(self, value: datetime | None) -> str:
        return "" if value is None else format_datetime(value, "medium", locale=self.locale)

    def number(self, value: float | None, digits: int = 2) -> str:
        if value is None:
            return ""
        pattern = "#,##0." + "0" * digits if digits else "#,##0"
        return format_decimal(value, pattern, locale=self.locale)

    def percent(self, share: float | None) -> str:
        return "" if share is None else format_percent(share, locale=self.locale)


LANGUAGES: Mapping[str, Language] = {
    "en": Language("en", "en", "en", "English"),
    "zh": Language("zh", "zh-Hans", "zh_Hans", "简体中文"),
}
DEFAULT = LANGUAGES["en"]


def N_(message: str) -> str:  # gettext's name for "mark now, translate later"
    """Marks a string for the catalog where it is defined; it is translated where shown."""
    return message


@cache
def _locale(catalog: str) -> Locale:
    return Locale.parse(catalog)


@cache
def translations(language: Language) -> NullTranslations:
    """The language's catalog (English is the source language: its catalog may be empty)."""
    path = LOCALE_DIR / language.catalog / "LC_MESSAGES" / "messages.po"
    if not path.exists():
        return NullTranslations()
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=language.catalog)
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return Translations(compiled)


def _from_header(header: str) -> Language | None:
    """The best of our languages in an ``Accept-Language`` header (RFC 9110 weights); any
    Chinese tag gets Simplified Chinese, the one Chinese the catalogs have."""
    ranked: list[tuple[float, int, Language]] = []
    for index, part in enumerate(header.split(",")):
        tag, _, params = part.strip().partition(";")
        weight = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name.strip().lower() == "q":
                try:
                    weight = float(value)
                except ValueError:
                    weight = 0.0
        primary = tag.strip().lower().split("-")[0]
        found = LANGUAGES.get(primary)
        if found is not None and weight > 0:
            ranked.append((-weight, index, found))
    return min(ranked, key=lambda r: (r[0], r[1]))[2] if ranked else None


def language_for(cookie: str | None, accept_language: str | None) -> Language:
    """The ``lang`` cookie, else ``Accept-Language``, else English."""
    if cookie and cookie in LANGUAGES:
        return LANGUAGES[cookie]
    return _from_header(accept_language or "") or DEFAULT
