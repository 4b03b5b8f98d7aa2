"""Templates: one Jinja2 environment per language (autoescaped, gettext installed, strict
about undefined names), and the response every page answers with."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, StrictUndefined

from ossmeta import __version__
from ossmeta.store import Store
from ossmeta.surfaces.web import words
from ossmeta.surfaces.web.i18n import COOKIE, LANGUAGES, Language, language_for, translations

__all__ = [
    "SESSION_COOKIE",
    "app_store",
    "package_href",
    "page",
    "request_gettext",
    "request_language",
]

TEMPLATES = Path(__file__).with_name("templates")
#: The session cookie (set by the session module; read here so public pages know the user).
SESSION_COOKIE = "ossmeta_session"
#: The pages' own scripts and styles, and the vendored ones, all from /static/; JSON data
#: islands are not scripts and need no allowance.
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; script-src 'self'; "
    "style-src 'self' 'unsafe-inline'; img-src 'self' data:; object-src 'none'; "
    "base-uri 'none'; frame-ancestors 'none'; form-action 'self'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Vary": "Accept-Language, Cookie",
}


def package_href(purl: str) -> str:
    """The package page of a purl (its ``%40`` and the like survive the round trip)."""
    return "/packages/" + quote(purl, safe=":/")


@cache
def _environment(language: Language) -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=StrictUndefined,
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    catalog = translations(language)
    env.install_gettext_translations(catalog, newstyle=True)  # type: ignore[attr-defined]
    env.globals.update(
        word=words.word,
        STATUS=words.STATUS,
        STATES=words.STATES,
        SEVERITY=words.SEVERITY,
        PARTS=words.PARTS,
        CONFIDENCE=words.CONFIDENCE,
        chart_words=words.chart_words(catalog.gettext),
        lang=language,
        languages=LANGUAGES,
        version=__version__,
        package_href=package_href,
        quote=quote,
    )
    return env


def app_store(request: Request) -> Store:
    """The app's store, as the API's routes have it (the pages do not import the API)."""
    store: Store = request.app.state.store
    return store


def request_language(request: Request) -> Language:
    return language_for(request.cookies.get(COOKIE), request.headers.get("accept-language"))


def page(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    if "user" not in context and request.cookies.get(SESSION_COOKIE):
        # A public page still says who is logged in; only a visitor with a session pays the
        # lookup. Imported here: the session module renders through this one.
        from ossmeta.surfaces.web.session import signed_in

        signed = signed_in(request)
        if signed is not None:
            context.update(user=signed.user, csrf=signed.csrf)
            response = _rendered(request, template, status, context)
            response.headers.update({"Cache-Control": "private, no-store"})
            return response
    return _rendered(request, template, status, context)


def _rendered(
    request: Request, template: str, status: int, context: dict[str, Any]
) -> HTMLResponse:
    language = request_language(request)
    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    html = _environment(language).get_template(template).render(here=here, **context)
    return HTMLResponse(html, status_code=status, headers=SECURITY_HEADERS)


def request_gettext(request: Request) -> Callable[[str], str]:
    """The request's language's ``gettext``, for words a page puts in a JSON data island."""
    return translations(request_language(request)).gettext
