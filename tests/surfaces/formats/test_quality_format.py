"""The quality report's table and HTML lead with what needs a curator's attention, each
HTML count linked to its section, and count only trusted values as complete."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime, timedelta

from ossmeta.analyses.quality_model import (
    CurationCheck,
    CurationDifference,
    FailedFetch,
    FieldQuality,
    QualityReport,
    RegistryQuality,
    Staleness,
    UnmappedLicense,
)
from ossmeta.surfaces.formats.quality import attention, write_quality

NOW = datetime(2026, 3, 1, tzinfo=UTC)


def registry(name: str, *, stale: int, failures: int, unmapped: int) -> RegistryQuality:
    return RegistryQuality(
        registry=name,
        packages=4,
        versions=10,
        fields=(
            # 4 packages, 3 declare a licence, 1 of them maps to SPDX: 2 are junk
            FieldQuality("package", "license", 4, 3, 1),
            FieldQuality("package", "description", 4, 4, 4),
            FieldQuality("version", "license", 10, 10, 9),
        ),
        curations=(CurationCheck("package", "license", 2, 1, 1, 0, 0),),
        packages_with_several_licenses=1,
        versions_differing_from_package=2,
        staleness=Staleness(4, stale, 0, NOW - timedelta(days=40), timedelta(days=3)),
        unmapped_distinct=unmapped,
        unmapped=(UnmappedLicense("see LICENSE", 1, 0),) if unmapped else (),
        failures_by_kind=(("http", failures),) if failures else (),
        failures=(FailedFetch("gone", "http", "HTTP 404", NOW),) if failures else (),
    )


REPORT = QualityReport(
    generated_at=NOW,
    stale_after=timedelta(days=30),
    registries=(
        registry("pypi", stale=2, failures=1, unmapped=1),
        registry("npm", stale=0, failures=0, unmapped=0),
    ),
    curation_differences=(
        CurationDifference("pypi", "pkg:pypi/alpha", "license", None, "MIT", "BSD-3-Clause"),
    ),
    repository_conflicts_total=3,
    repository_conflicts=(),
    license_drift=(),
)


def test_attention_counts() -> None:
    counts = {item.what.split(" (")[0].split(":")[0]: item.count for item in attention(REPORT)}
    assert counts["approved curations that differ from the source"] == 2
    assert counts["repositories whose packages disagree on the licence across registries"] == 3
    assert counts["packages whose versions carry more than one licence"] == 2
    # (3 - 1) package licences + (10 - 9) version licences, per registry
    assert counts["declared licences"] == 6
    assert counts["stale packages"] == 2
    assert counts["failed fetches"] == 1


def render(fmt: str) -> str:
    out = io.StringIO()
    write_quality(REPORT, fmt, out)
    return out.getvalue()


def test_html_leads_with_a_linked_summary() -> None:
    page = render("html")
    summary = page.index("Needs a curator&#x27;s attention")
    assert summary < page.index("<h2 id=")  # before every section
    links = set(re.findall(r'<a href="#([a-z-]+)">', page))
    ids = set(re.findall(r'<h2 id="([a-z-]+)">', page))
    assert links and links <= ids
    assert '<span class="count">3</span>repositories whose packages disagree' in page


def test_complete_counts_trusted_values_only() -> None:
    page = render("html")
    row = "<td>pypi</td><td>package</td><td>license</td><td>4</td><td>3</td><td>1</td>"
    assert row + "<td>25.0%</td><td>2</td>" in page  # not 75%: two of three are junk
    table = render("table")
    assert table.index("Needs a curator's attention") < table.index("Completeness")
    assert re.search(r"pypi\s+package\s+license\s+4\s+3\s+1\s+25\.0%\s+2", table)
