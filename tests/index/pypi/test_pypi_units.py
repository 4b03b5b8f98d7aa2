"""Fast checks of the Python index's parts: PEP 691 negotiation, the upstream page reader,
licences from core metadata, the enforcement rules of a built page, and safe phrases."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import orjson
import pytest

from ossmeta.analyses.policy.model import Decision, Reason, UpstreamRelease, allow_everything
from ossmeta.errors import NormalizeError
from ossmeta.normalizers.simple_pages import (
    license_from_metadata,
    normalize_project,
    parse_project_page,
)
from ossmeta.service.index_pypi_licenses import license_from_project_json
from ossmeta.service.index_pypi_view import build_view
from ossmeta.surfaces.index.pypi_render import JSON_TYPE, choose_type, render_project
from ossmeta.surfaces.index.reason_phrase import safe_phrase

BASE = "http://127.0.0.1:9/simple/demo/"
HASH = "ab" * 32


@pytest.mark.parametrize(
    ("accept", "chosen"),
    [
        (f"{JSON_TYPE}, application/vnd.pypi.simple.v1+html; q=0.1, text/html; q=0.01", JSON_TYPE),
        ("application/vnd.pypi.simple.v1+html;q=0.2, text/html;q=0.01", "application/vnd.pypi.simple.v1+html"),
        ("text/html", "text/html"),
        ("application/vnd.pypi.simple.latest+json", JSON_TYPE),
        ("*/*", JSON_TYPE),
        (None, "text/html"),
        ("text/html;q=0.5, application/vnd.pypi.simple.v1+json;q=0.4", "text/html"),
        ("application/xml", None),
        (f"{JSON_TYPE};q=0", None),
    ],
)  # fmt: skip
def test_negotiation(accept: str | None, chosen: str | None) -> None:
    assert choose_type(accept) == chosen


def page(*files: dict[str, object]) -> bytes:
    return orjson.dumps({"meta": {"api-version": "1.1"}, "name": "Demo_A", "files": list(files)})


def test_page_reader_keeps_upstream_facts() -> None:
    parsed = parse_project_page(
        page(
            {"filename": "demo_a-1.0-py3-none-any.whl", "url": "../../f/demo_a-1.0-py3-none-any.whl#sha256=x",
             "hashes": {"sha256": HASH.upper()}, "size": 10, "upload-time": "2025-01-02T03:04:05.123456Z",
             "yanked": "bad", "dist-info-metadata": {"sha256": HASH}, "requires-python": ">=3.9"},
            {"filename": "demo_a-1.1.tar.gz", "url": "https://files.example/demo_a-1.1.tar.gz",
             "hashes": {"sha256": HASH}, "yanked": True, "core-metadata": False},
        ),
        BASE, "upstream",
    )  # fmt: skip
    first, second = parsed.files
    assert parsed.name == "demo-a"
    assert first.url == "http://127.0.0.1:9/f/demo_a-1.0-py3-none-any.whl"
    assert first.sha256 == HASH and first.metadata_sha256 == HASH
    assert first.upload_time == datetime(2025, 1, 2, 3, 4, 5, 123456, tzinfo=UTC)
    assert (first.yanked, second.yanked) == ("bad", "")
    assert second.core_metadata is None and second.size is None


@pytest.mark.parametrize(
    "body",
    [b"<html>", b"[]", b'{"files": [], "name": 3}', page({"filename": "a/b", "url": "x"}),
     page({"filename": "a.whl", "url": "x", "upload-time": "yesterday"})],
)  # fmt: skip
def test_page_reader_refuses_what_is_not_a_page(body: bytes) -> None:
    with pytest.raises(NormalizeError, match=r"^upstream"):
        parse_project_page(body, BASE, "upstream")


def test_licences_from_core_metadata_and_project_json() -> None:
    assert license_from_metadata(b"Name: a\nLicense-Expression: MIT OR Apache-2.0\n\n") == (
        "MIT OR Apache-2.0"
    )
    assert license_from_metadata(b"Name: a\nLicense: BSD-3-Clause\n\n") == "BSD-3-Clause"
    classified = (
        b"Name: a\nLicense: UNKNOWN\nClassifier: License :: OSI Approved :: MIT License\n\n"
    )
    assert license_from_metadata(classified) == "MIT License"
    assert license_from_metadata(b"Name: a\n\n") is None
    info = orjson.dumps({"info": {"version": "2.0", "license_expression": "MIT"}})
    assert license_from_project_json(info, "2.0") == "MIT"
    assert license_from_project_json(info, "1.0") is None  # info is about another version


def test_normalize() -> None:
    assert normalize_project("Foo.Bar__baz-Q") == "foo-bar-baz-q"


def upstream_page() -> bytes:
    def wheel(version: str, **extra: object) -> dict[str, object]:
        name = f"demo_a-{version}-py3-none-any.whl"
        return {"filename": name, "url": name, "hashes": {"sha256": HASH}, "size": 1,
                "upload-time": "2025-01-01T00:00:00Z", **extra}  # fmt: skip

    no_hash: dict[str, object] = {
        "filename": "demo_a-3.0.tar.gz",
        "url": "x",
        "hashes": {"md5": "00"},
    }
    return page(wheel("1.0", yanked="old"), wheel("2.0"), wheel("2.1"), no_hash)


def test_built_view_enforces_each_action() -> None:
    until = datetime(2030, 1, 1, tzinfo=UTC)
    seen: list[UpstreamRelease] = []

    def decide(releases: object) -> list[Decision]:
        assert isinstance(releases, list)
        seen.extend(releases)
        by_version = {
            "1.0": Decision("allow"),
            "2.0": Decision("deny", (Reason("malicious", "MAL-1 is malware", "MAL-1"),), "p", 3),
            "2.1": Decision("hide", valid_until=until),
        }
        return [by_version[r.version] for r in releases]

    files = parse_project_page(upstream_page(), BASE, "upstream").files
    view = build_view("demo-a", files, [], {"1.0": "MIT"}, decide)
    assert [r.version for r in seen] == ["1.0", "2.0", "2.1"]  # no sha256: not served at all
    assert seen[0].yanked and seen[0].license == "MIT"
    assert seen[0].published == datetime(2025, 1, 1, tzinfo=UTC)
    listed = {f.version: f.yanked for f in view.listed}
    assert listed == {"1.0": "old", "2.0": "policy p v3: malicious: MAL-1 is malware"}
    assert view.files["demo_a-2.1-py3-none-any.whl"].action == "hide"
    assert view.versions == ("1.0", "2.0") and view.valid_until == until
    as_json, as_html = render_project(view)
    assert b"2.1" not in as_json.body and b"2.1" not in as_html.body
    dry = build_view("demo-a", files, [], {}, lambda rs: [Decision("deny", dry_run=True)] * len(rs))
    assert all(f.yanked in (None, "old") for f in dry.listed)  # a dry run blocks nothing
    plain = build_view("demo-a", files, [], {}, allow_everything)
    assert len(plain.listed) == 3


def test_safe_phrase_is_one_printable_line() -> None:
    assert safe_phrase("policy p v1: a\r\nb\u00e9c") == "policy p v1: a b c"
    assert len(safe_phrase("x" * 1000)) == 400


def test_a_decision_that_expires_rebuilds_the_page() -> None:
    # valid_until is the earliest of the decisions'; a page past it is rebuilt (index_pypi).
    from ossmeta.service.index_pypi import _expired

    files = parse_project_page(upstream_page(), BASE, "upstream").files
    soon = datetime(2030, 1, 1, tzinfo=UTC)
    view = build_view(
        "demo-a", files, [], {},
        lambda rs: [Decision("deny", valid_until=soon + timedelta(days=i)) for i, _ in enumerate(rs)],
    )  # fmt: skip
    assert view.valid_until == soon
    assert not _expired(view, soon - timedelta(seconds=1)) and _expired(view, soon)
