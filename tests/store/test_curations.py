"""Curations in the store (SQLite and PostgreSQL): propose and review, the effective package,
curations surviving a re-sync, the YAML files (round trip, idempotence, all-or-nothing, one-line
errors, hostile purls) and ``why``."""

from __future__ import annotations

import tempfile
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from packageurl import PackageURL
from sqlalchemy import Connection, delete, func, select

from ossmeta.errors import OssmetaError, UsageError
from ossmeta.model import (
    LicenseValue,
    PackageRecord,
    PackageStatus,
    PackageVersion,
    Provenance,
    RawRecord,
)
from ossmeta.normalizers.curation import Curation, canonical_package_purl
from ossmeta.store import Store
from ossmeta.store.curation_files import export_yaml, import_yaml, package_file
from ossmeta.store.curation_why import why
from ossmeta.store.curations import effective_package, list_curations, propose, review
from ossmeta.store.packages import save_package
from ossmeta.store.schema import curations
from ossmeta.store.sync_state import put_records

T0 = datetime(2026, 3, 1, 12, 0, 0, 123456, tzinfo=UTC)
PURL = "pkg:pypi/demo"
EVIDENCE = "https://github.com/example/demo/blob/main/LICENSE"


def licence(raw: str, spdx: str | None = None, confidence: str = "ambiguous") -> LicenseValue:
    return LicenseValue(spdx, raw, confidence, "pypi:classifiers")


def package(description: str = "A demo", repository_raw: str | None = None) -> PackageRecord:
    return PackageRecord(
        purl=PURL,
        ecosystem="PyPI",
        name="demo",
        repository=None if repository_raw else "github.com/example/demo",
        repository_raw=repository_raw or "https://github.com/example/demo",
        homepage=None,
        description=description,
        status=PackageStatus.ACTIVE,
        license=licence("BSD"),
        versions=tuple(
            PackageVersion(v, None, False, None, licence("BSD"), ())
            for v in ("0.9", "1.0", "1.5", "2.0")
        ),
        source="pypi-project+pypi-release",
    )


def seed(store: Store, record: PackageRecord | None = None) -> None:
    with store.engine.begin() as connection:
        save_package(connection, record or package(), T0)


def suggest(connection: Connection, value: str = "BSD-3-Clause", **extra: object) -> int:
    arguments: dict[str, object] = {
        "reason": "the LICENSE file is BSD 3-clause",
        "author": "alice",
        "evidence": EVIDENCE,
        "now": T0,
    } | extra
    field = str(arguments.pop("field", "license"))
    purl = str(arguments.pop("purl", PURL))
    return propose(connection, purl, field, value, **arguments)  # type: ignore[arg-type]


def approve(connection: Connection, curation_id: int, minutes: int = 1) -> None:
    review(connection, curation_id, True, "bob", "checked", T0 + timedelta(minutes=minutes))


# --------------------------------------------------------------------------- propose / review


def test_only_an_approved_curation_changes_the_effective_value(store: Store) -> None:
    seed(store)
    with store.engine.begin() as connection:
        proposed = suggest(connection)
        rejected = suggest(connection, "MIT", author="carol")
        review(connection, rejected, False, "bob", "the file says BSD", T0)
        effective = effective_package(connection, PURL)
        assert effective is not None and effective.license == licence("BSD")
        approve(connection, proposed)
        effective = effective_package(connection, "pkg:pypi/Demo")  # any spelling
    assert effective is not None
    assert effective.license == LicenseValue(
        "BSD-3-Clause", "BSD-3-Clause", "curated", f"curation:{proposed}"
    )
    # The package-level licence curation leaves the versions' licences as declared.
    assert {v.license for v in effective.versions} == {licence("BSD")}


def test_review_rules(store: Store) -> None:
    with store.engine.begin() as connection:
        first = suggest(connection)
        with pytest.raises(UsageError, match="cannot be reviewed by its author Alice"):
            review(connection, first, True, " Alice ")
        with pytest.raises(UsageError, match="no curation #999"):
            review(connection, 999, True, "bob")
        with pytest.raises(UsageError, match="already proposes this value"):
            suggest(connection, author="carol")
        done = review(connection, first, False, "bob", "  ", T0)
        assert (done.status, done.reviewer, done.review_note) == ("rejected", "bob", None)
        with pytest.raises(UsageError, match="already rejected by bob"):
            review(connection, first, True, "carol")
        assert list_curations(connection, status="rejected") == (done,)
        assert list_curations(connection, PURL, "proposed") == ()
        with pytest.raises(UsageError, match="status must be one of"):
            list_curations(connection, status="pending")


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"field": "licence"}, "cannot curate field 'licence'"),
        ({"versions": "vers:pypi/>=1.0", "field": "homepage"}, "takes no versions selector"),
        ({"purl": "pkg:pypi/demo@1.0"}, "without a version"),
        ({"evidence": "see the LICENSE file"}, "evidence must be an http(s) URL"),
        ({"reason": " "}, "needs a reason"),
        ({"author": ""}, "needs an author"),
        ({"author": "alice\nbob"}, "must be one line"),
        ({"versions": "vers:pypi/>=2|>=1"}, "cannot be followed"),
    ],
)
def test_propose_refuses_bad_curations(
    store: Store, arguments: dict[str, str], message: str
) -> None:
    with store.engine.begin() as connection:
        with pytest.raises(UsageError) as caught:
            suggest(connection, **arguments)
        assert message in str(caught.value) and "\n" not in str(caught.value)
        assert list_curations(connection) == ()


def test_curations_survive_a_resync(store: Store) -> None:
    seed(store)
    with store.engine.begin() as connection:
        approve(connection, suggest(connection))
        approve(connection, suggest(connection, "Curated words", field="description"))
    # A re-sync writes a fresh normalized record over the derived rows.
    seed(store, package(description="Upstream changed this"))
    with store.engine.begin() as connection:
        effective = effective_package(connection, PURL)
        count = connection.execute(select(func.count()).select_from(curations)).scalar_one()
    assert count == 2
    assert effective is not None
    assert effective.description == "Curated words"
    assert effective.license is not None and effective.license.spdx == "BSD-3-Clause"


def test_version_ranges_select_versions(store: Store) -> None:
    seed(store)
    with store.engine.begin() as connection:
        ranged = suggest(connection, versions="vers:pypi/<2.0|>=1.0")
        approve(connection, ranged)
        stored = list_curations(connection, PURL)
        effective = effective_package(connection, PURL)
    assert stored[0].versions == "vers:pypi/>=1.0|<2.0"  # canonical
    assert effective is not None
    got = {v.version: v.license.spdx if v.license else None for v in effective.versions}
    assert got == {"0.9": None, "1.0": "BSD-3-Clause", "1.5": "BSD-3-Clause", "2.0": None}
    assert effective.license == licence("BSD")  # the package's own licence is not a version's


def test_newest_approval_wins_in_the_store(store: Store) -> None:
    seed(store)
    with store.engine.begin() as connection:
        first = suggest(connection, "github.com/example/demo-old", field="repository")
        second = suggest(connection, "https://github.com/Example/Demo-New.git", field="repository")
        approve(connection, second, minutes=1)
        approve(connection, first, minutes=2)
        effective = effective_package(connection, PURL)
    assert effective is not None and effective.repository == "github.com/example/demo-old"


# --------------------------------------------------------------------------- YAML


def several(connection: Connection) -> None:
    """Curations of every shape: statuses, a selector, multi-line and non-ASCII text."""
    one = suggest(connection, reason="line one\nline two\n  indented: yes\n")
    approve(connection, one)
    two = suggest(connection, "", field="homepage", author="carol", reason="no homepage")
    review(connection, two, False, "bob", "it has one: ünïcode ✓", T0 + timedelta(hours=1))
    suggest(connection, "MIT", versions="1.0", author="dave", reason="'quoted' # not a comment")
    suggest(connection, "1.0", field="description", author="erin", reason="yes")  # looks numeric
    suggest(connection, "MIT", purl="pkg:npm/%40scope/name", versions="vers:npm/>=1.0.0|<2.0.0")
    suggest(connection, "Apache-2.0", purl="pkg:maven/org.example/lib")


def test_yaml_round_trip(store: Store, tmp_path: Path) -> None:
    with store.engine.begin() as connection:
        several(connection)
        before = list_curations(connection)
        first = export_yaml(connection, tmp_path / "a")
    assert [p.relative_to(tmp_path / "a").as_posix() for p in first] == [
        "maven/org.example/lib.yaml",
        "npm/%40scope/name.yaml",
        "pypi/demo.yaml",
    ]
    text = (tmp_path / "a" / "pypi" / "demo.yaml").read_text()
    assert (
        "  reason: |-\n    line one\n    line two\n      indented: yes\n" in text
        and "ünïcode ✓" in text
    )
    with store.engine.begin() as connection:
        connection.execute(delete(curations))  # an empty store
        stats = import_yaml(connection, [tmp_path / "a"])
        second = export_yaml(connection, tmp_path / "b")
        after = list_curations(connection)
    assert (stats.files, stats.read, stats.added, stats.unchanged) == (3, 6, 6, 0)
    for a, b in zip(first, second, strict=True):
        assert a.relative_to(tmp_path / "a") == b.relative_to(tmp_path / "b")
        assert a.read_bytes() == b.read_bytes()

    def without_id(found: tuple[Curation, ...]) -> list[Curation]:
        return sorted((replace(c, id=0) for c in found), key=repr)

    assert without_id(after) == without_id(before)


def test_import_is_idempotent_and_takes_reviews(store: Store, tmp_path: Path) -> None:
    with store.engine.begin() as connection:
        pending = suggest(connection)
        export_yaml(connection, tmp_path / "proposed")
        approve(connection, pending)
        export_yaml(connection, tmp_path / "approved")
        connection.execute(delete(curations))
    with store.engine.begin() as connection:
        assert import_yaml(connection, [tmp_path / "proposed"]).added == 1
        again = import_yaml(connection, [tmp_path / "proposed"])
        assert (again.added, again.updated, again.unchanged) == (0, 0, 1)
        reviewed = import_yaml(connection, [tmp_path / "approved"])
        assert (reviewed.added, reviewed.updated, reviewed.unchanged) == (0, 1, 0)
        (only,) = list_curations(connection)
        assert (only.status, only.reviewer) == ("approved", "bob")
        # The store now says approved; the old "proposed" file conflicts with it.
        with pytest.raises(UsageError, match=r"demo\.yaml:\d+: conflicts with stored curation"):
            import_yaml(connection, [tmp_path / "proposed"])


def test_import_is_all_or_nothing(store: Store, tmp_path: Path) -> None:
    with store.engine.begin() as connection:
        several(connection)
        export_yaml(connection, tmp_path / "good")
        connection.execute(delete(curations))
    broken = tmp_path / "good" / "zzz" / "broken.yaml"
    broken.parent.mkdir()
    broken.write_text("purl: pkg:pypi/other\ncurations:\n- field: license\n  value: [\n")
    with pytest.raises(UsageError) as caught, store.engine.begin() as connection:
        import_yaml(connection, [tmp_path / "good"])
    assert str(caught.value).startswith(f"{broken}:5: not valid YAML")
    with store.engine.connect() as connection:
        assert list_curations(connection) == ()


BASE = """\
purl: pkg:pypi/demo
curations:
- field: license
  value: BSD-3-Clause
  reason: the LICENSE file
  author: alice
  evidence: https://example.org/LICENSE
  status: proposed
  created_at: '2026-03-01T12:00:00.000000Z'
"""


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        (BASE.replace("field: license", "field: licence"), 3, "cannot curate field 'licence'"),
        (BASE.replace("  status:", "  colour: red\n  status:"), 8, "unknown key 'colour'"),
        (BASE.replace("value: BSD-3-Clause", "value: BSD"), 4, "not a valid SPDX expression"),
        (BASE.replace("value: BSD-3-Clause", "value: 1.0"), 4, "value must be a string"),
        (BASE.replace("status: proposed", "status: approved"), 8, "needs reviewer and reviewed_at"),
        (BASE.replace("'2026-03-01T12:00:00.000000Z'", "yesterday"), 9, "not an ISO 8601 time"),
        (BASE.replace("'2026-03-01T12:00:00.000000Z'", "2026-03-01T12:00:00"), 9, "no time zone"),
        (BASE.replace("pkg:pypi/demo", "pkg:pypi/demo@1"), 1, "without a version"),
        (BASE.replace("  evidence: https://example.org/LICENSE\n", ""), 3, "without 'evidence'"),
        (BASE + "extra: 1\n", 10, "unknown key 'extra'"),
        (BASE + "  value: MIT\n", 10, "key 'value' given twice"),
        (
            BASE.replace("status: proposed", "status: approved")
            + "  reviewer: Alice\n  reviewed_at: '2026-03-02T00:00:00Z'\n",
            10,
            "reviewed by its author alice",
        ),
        ("purl: pkg:pypi/demo\ncurations: nope\n", 2, "curations must be a list"),
        ("- just\n- a list\n", 1, "expected a mapping"),
        ("", 1, "expected a mapping"),
        ("purl: [unclosed\n", 2, "not valid YAML"),
        ("a: 1\n\tb: 2\n", 2, "not valid YAML"),
    ],
)
def test_malformed_files_fail_with_one_line(
    store: Store, tmp_path: Path, text: str, line: int, message: str
) -> None:
    path = tmp_path / "curations.yaml"
    path.write_text(text)
    with pytest.raises(OssmetaError) as caught, store.engine.begin() as connection:
        import_yaml(connection, [path])
    shown = str(caught.value)
    assert shown.startswith(f"{path}:{line}: ") and message in shown and "\n" not in shown


def test_not_utf8_and_missing_files(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "latin1.yaml"
    path.write_bytes(BASE.replace("alice", "alïce").encode("latin-1"))
    with store.engine.begin() as connection:
        with pytest.raises(UsageError, match=r"latin1\.yaml: not UTF-8"):
            import_yaml(connection, [path])
        with pytest.raises(UsageError, match="no such file or directory"):
            import_yaml(connection, [tmp_path / "absent.yaml"])


# Any text but control characters (refused on input; see test_curation.py), line breaks
# (stored as "\n") and tabs included.
TEXT = st.text(
    st.characters(codec="utf-8", exclude_categories=["Cs", "Cc"], include_characters="\n\r\t"),
    min_size=1,
    max_size=60,
)


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture], max_examples=40)
@given(reason=TEXT, description=TEXT, note=TEXT)
def test_any_text_survives_the_yaml_round_trip(
    store: Store, reason: str, description: str, note: str
) -> None:
    assume(reason.strip() and description.strip())
    with tempfile.TemporaryDirectory() as scratch, store.engine.begin() as connection:
        connection.execute(delete(curations))  # each example starts from an empty table
        made = suggest(connection, description, field="description", reason=reason)
        review(connection, made, True, "bob", note, T0 + timedelta(minutes=1))
        before = list_curations(connection)
        first = export_yaml(connection, Path(scratch) / "a")
        connection.execute(delete(curations))
        import_yaml(connection, [Path(scratch) / "a"])
        after = list_curations(connection)
        second = export_yaml(connection, Path(scratch) / "b")
        assert [replace(c, id=0) for c in after] == [replace(c, id=0) for c in before]
        assert [p.read_bytes() for p in first] == [p.read_bytes() for p in second]


def test_hidden_directories_are_not_imported(store: Store, tmp_path: Path) -> None:
    (tmp_path / "repo" / ".git").mkdir(parents=True)
    (tmp_path / "repo" / ".git" / "junk.yaml").write_text("not: curations\n")
    (tmp_path / "repo" / "demo.yaml").write_text(BASE)
    with store.engine.begin() as connection:
        stats = import_yaml(connection, [tmp_path / "repo"])
    assert (stats.files, stats.added) == (1, 1)


HOSTILE = [
    "pkg:npm/%2E%2E/%2E%2E",
    "pkg:npm/%2E%2E%2F%2E%2E%2Fetc%2Fpasswd",
    "pkg:npm/%2Egit",
    "pkg:maven/a.yaml/a",
    "pkg:maven/a/a",
    "pkg:golang/github.com/a/b%2Fc",
    "pkg:golang/github.com/a%2Fb/c",
    "pkg:golang/github.com/a/b/c",
    "pkg:npm/" + "x" * 300,
    "pkg:npm/" + "x" * 299 + "y",
    "pkg:maven/%5C%5C..%5C/%25",
    "pkg:maven/%0A/%09x",
]


def test_hostile_purls_stay_inside_the_export_directory(store: Store, tmp_path: Path) -> None:
    distinct = {canonical_package_purl(purl)[0] for purl in HOSTILE}
    with store.engine.begin() as connection:
        for n, purl in enumerate(sorted(distinct)):
            suggest(connection, "MIT", purl=purl, now=T0 + timedelta(seconds=n))
        written = export_yaml(connection, tmp_path / "out")
        connection.execute(delete(curations))
        stats = import_yaml(connection, [tmp_path / "out"])
        assert {c.purl for c in list_curations(connection)} == distinct
    root = (tmp_path / "out").resolve()
    assert len(written) == len(set(written)) == len(distinct) == stats.added
    for path in written:
        assert path.resolve().is_relative_to(root)
        assert not any(part.startswith(".") for part in path.relative_to(tmp_path / "out").parts)
    everything = sorted(p for p in (tmp_path / "out").rglob("*") if p.is_file())
    assert everything == sorted(written)


def test_export_refuses_a_symlink_out(store: Store, tmp_path: Path) -> None:
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "pypi").symlink_to(tmp_path / "elsewhere")
    with store.engine.begin() as connection:
        suggest(connection)
        with pytest.raises(UsageError, match="leads outside"):
            export_yaml(connection, tmp_path / "out")
    assert list((tmp_path / "elsewhere").iterdir()) == []


SEGMENT = st.one_of(
    st.sampled_from([".", "..", ".git", "a.yaml", "%", "%2E", "\\", "~", " ", "CON"]),
    st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), min_size=1, max_size=40),
)


@given(st.sampled_from(["npm", "maven", "golang"]), st.lists(SEGMENT, max_size=3), SEGMENT)
def test_package_files_are_always_relative_and_plain(
    ptype: str, namespace: list[str], name: str
) -> None:
    try:
        purl = PackageURL(ptype, "/".join(namespace) or None, name).to_string()
        path = package_file(purl)
    except (OssmetaError, ValueError, TypeError):
        return  # not a purl (packageurl-python refuses to write or to read it back)
    assert not path.is_absolute() and path.suffix == ".yaml"
    for part in path.parts:
        assert part not in ("", ".", "..") and not part.startswith(".")
        assert "/" not in part and "\\" not in part and "\x00" not in part
        assert len(part.encode()) < 255
    for part in path.parts[:-1]:
        assert not part.endswith(".yaml")


# --------------------------------------------------------------------------- why


def raw(kind: str, external_id: str, payload: dict[str, object]) -> RawRecord:
    canonical = str(sorted(payload.items()))
    return RawRecord(
        kind,
        external_id,
        None,
        payload,
        Provenance("pypi", f"https://pypi.mirror.example/{external_id}", f"{hash(canonical):x}"),
        canonical,
    )


def test_why_shows_the_whole_chain(store: Store) -> None:
    seed(store, package(repository_raw="https://demo.readthedocs.io/"))
    with store.engine.begin() as connection:
        put_records(
            connection,
            [
                (PURL, raw("pypi-project", "demo", {"info": {"license": "BSD"}})),
                (PURL, raw("pypi-release", "demo@1.0", {"info": {"license": "BSD"}})),
            ],
            T0,
        )
        superseded = suggest(connection, "MIT")
        approve(connection, superseded, minutes=1)
        winner = suggest(connection, "BSD-3-Clause", author="carol")
        approve(connection, winner, minutes=2)
        pending = suggest(connection, "0BSD", author="dave")
        ranged = suggest(connection, "BSD-2-Clause", versions="vers:pypi/>=1.0", author="erin")
        approve(connection, ranged, minutes=3)
        shown = why(connection, "pkg:pypi/Demo", "license")
        for_version = why(connection, PURL, "license", "1.0")
        repository = why(connection, PURL, "repository")
    assert (shown.raw, shown.declared_in) == ("BSD", "pypi:classifiers")
    assert (shown.normalized, shown.confidence) == (None, "ambiguous")
    assert shown.note is not None and "BSD family" in shown.note
    assert [(r.source, r.kind, r.external_id) for r in shown.records] == [
        ("pypi", "pypi-project", "demo"),
        ("pypi", "pypi-release", "demo@1.0"),
    ]
    assert shown.records[0].fetched_at == T0
    assert [(s.curation.id, s.curation.status, s.applied) for s in shown.curations] == [
        (superseded, "approved", False),
        (winner, "approved", True),
        (pending, "proposed", False),
        (ranged, "approved", False),
    ]
    assert (shown.effective, shown.effective_from) == ("BSD-3-Clause", f"curation:{winner}")
    # For a version: its own record, and the range curation (not the package's) in effect.
    assert [r.external_id for r in for_version.records] == ["demo@1.0"]
    assert (for_version.effective, for_version.effective_from) == (
        "BSD-2-Clause",
        f"curation:{ranged}",
    )
    # The repository link was rejected by the normalizer; why says so, nothing curated.
    assert repository.raw == "https://demo.readthedocs.io/" and repository.normalized is None
    assert repository.note is not None and "documentation" in repository.note.lower()
    assert (repository.effective, repository.effective_from) == (None, "registry")


def test_why_refusals(store: Store) -> None:
    seed(store)
    with store.engine.begin() as connection:
        with pytest.raises(UsageError, match="no package pkg:pypi/absent"):
            why(connection, "pkg:pypi/absent", "license")
        with pytest.raises(UsageError, match=r"has no version '9\.9'"):
            why(connection, PURL, "license", "9.9")
        with pytest.raises(UsageError, match="package field"):
            why(connection, PURL, "homepage", "1.0")
        # Curations of a package the store has not synced yet still explain themselves.
        approve(connection, suggest(connection, "MIT", purl="pkg:pypi/later"))
        later = why(connection, "pkg:pypi/later", "license")
    assert not later.in_store and later.effective == "MIT"
