"""Words of the repository, compare, quality and hall pages that come from identifiers
(a metric's name, a maintenance status, a line of the quality summary): each marked for the
catalog here, translated where shown."""

from __future__ import annotations

from collections.abc import Callable

from ossmeta.surfaces.web.i18n import N_
from ossmeta.surfaces.web.words import PARTS

__all__ = ["CHART_TITLES", "MAINTENANCE", "METRICS", "QUALITY_FIELDS", "SUMMARY", "chart_words"]

CHART_TITLES = {
    "activity": N_("Activity"),
    "openrank": N_("OpenRank influence"),
    "participants": N_("Participants and contributors"),
    "new_contributors": N_("New contributors"),
    "issue_times": N_("Issues: response and resolution time (days)"),
    "change_request_times": N_("Change requests: response and resolution time (days)"),
    "bus_factor": N_("Bus factor"),
}
METRICS = {
    "activity": N_("Activity"),
    "openrank": N_("OpenRank influence"),
    "participants": N_("Participants"),
    "contributors": N_("Contributors"),
    "new_contributors": N_("New contributors"),
    "issue_response_time.avg": N_("Issue response time, mean"),
    "issue_resolution_duration.avg": N_("Issue resolution time, mean"),
    "change_request_response_time.avg": N_("Change request response time, mean"),
    "change_request_resolution_duration.avg": N_("Change request resolution time, mean"),
    "bus_factor": N_("Bus factor"),
    "days_since_last_commit": N_("Days since the last commit"),
    "days_since_last_release": N_("Days since the last release"),
    "commit_frequency": N_("Commits in the month"),
    "active_authors": N_("Active authors in the month"),
    "git_bus_factor_commits": N_("Bus factor by commits"),
    "release_cadence": N_("Release cadence"),
    "score": N_("Health score"),
    "events": N_("Events"),
    "completeness": N_("Completeness"),
    "month": N_("Month"),
}
MAINTENANCE = {
    "active": N_("active"),
    "slowing": N_("slowing"),
    "inactive": N_("inactive"),
    "archived": N_("archived"),
}
#: The quality summary's lines (``formats.quality.attention``), by anchor and place.
SUMMARY = {
    ("curation-differences", 0): N_("approved curations that differ from the source"),
    ("repository-licences", 0): N_(
        "repositories whose packages disagree on the licence across registries"
    ),
    ("version-licences", 0): N_("packages whose versions carry more than one licence"),
    ("completeness", 0): N_("declared licences with low confidence"),
    ("unmapped", 0): N_("distinct licence texts no SPDX mapping covers"),
    ("staleness", 0): N_("stale packages"),
    ("staleness", 1): N_("packages never fetched successfully"),
    ("failures", 0): N_("failed fetches"),
}
QUALITY_FIELDS = {
    "license": N_("licence"),
    "repository": N_("repository"),
    "homepage": N_("home page"),
    "description": N_("description"),
    "maintainers": N_("maintainers"),
    "published": N_("release date"),
    "files": N_("files"),
    "dependencies": N_("dependencies"),
}


def chart_words(gettext: Callable[[str], str]) -> dict[str, str]:
    """The names the charts draw, translated, for a page's JSON data island: metrics by
    name, health parts as ``part.NAME`` and quality fields as ``field.NAME`` (a part and a
    field share the name ``license``); a name not here (a purl, a registry) is drawn as it is."""
    tables = (("", METRICS), ("part.", PARTS), ("field.", QUALITY_FIELDS))
    return {prefix + key: gettext(text) for prefix, table in tables for key, text in table.items()}
