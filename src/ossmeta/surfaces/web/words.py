"""Words the store keeps as identifiers (a health part, a severity, a package status) and
the pages show translated: each marked for the catalog here, translated where rendered."""

from __future__ import annotations

from collections.abc import Callable

from ossmeta.surfaces.web.i18n import N_

__all__ = ["CHART", "CONFIDENCE", "PARTS", "SEVERITY", "STATES", "STATUS", "chart_words", "word"]

PARTS = {
    "security": N_("Security"),
    "license": N_("Licence"),
    "maintenance": N_("Maintenance"),
    "community": N_("Community"),
    "adoption": N_("Adoption"),
}
SEVERITY = {
    "critical": N_("critical"),
    "high": N_("high"),
    "medium": N_("medium"),
    "low": N_("low"),
    "none": N_("none"),
    "unknown": N_("unknown"),
}
#: What happened to a version, as the versions chart and table name it.
STATES = {
    "published": N_("published"),
    "yanked": N_("yanked"),
    "deprecated": N_("deprecated"),
}
STATUS = {
    "active": N_("active"),
    "deprecated": N_("deprecated"),
    "yanked-only": N_("every version yanked"),
    "removed": N_("removed from the registry"),
}
CONFIDENCE = {
    "exact": N_("exact"),
    "mapped": N_("mapped"),
    "ambiguous": N_("ambiguous"),
    "unknown": N_("unknown"),
}


def word(table: dict[str, str], key: str | None) -> str:
    """The marked English word for ``key`` (the key itself when the table lacks it)."""
    if key is None:
        return ""
    return table.get(key, key)


#: Labels the charts draw (axes, legend); the tables beside them use the template's words.
CHART = {
    "released": N_("Release date"),
    "score": N_("Score"),
    "advisories": N_("Advisories"),
}


def chart_words(gettext: Callable[[str], str]) -> dict[str, dict[str, str]]:
    """Every word a chart shows, translated, for the page's JSON data island."""
    return {
        name: {key: gettext(text) for key, text in table.items()}
        for name, table in (("chart", CHART), ("states", STATES), ("parts", PARTS))
    }
