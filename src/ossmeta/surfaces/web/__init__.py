"""The web pages ``ossmeta serve`` shows beside the API: server-rendered (Jinja2), in English
and Chinese (gettext catalogs through Babel), readable without JavaScript; charts drawn by
Apache ECharts served from ``/static/`` like every other file the pages use.

``install_web(app)`` adds the pages (``routes``) and the static files to the API's app; the
pages read through the same service functions as the API. A page is a route that gathers
frozen values (``package_page``) and answers ``render.page(request, template, ...)``: the
template extends ``base.html``, marks every visible string with ``_()`` (data is marked
``translate="no"``) and ``python -m ossmeta.surfaces.web.catalogs`` brings the catalogs in
step."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

__all__ = ["STATIC", "install_web"]

STATIC = Path(__file__).with_name("static")


def install_web(app: FastAPI) -> None:
    from ossmeta.surfaces.web.hall_config import load_hall
    from ossmeta.surfaces.web.routes import ROUTERS

    load_hall()  # a wrong hall file stops the start with its one line (file:line: why)

    for router in ROUTERS:
        app.include_router(router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
