"""Declared packages -> components: canonical names and purls, statuses, and duplicates
across files merged with every location kept."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from ossmeta.model import ComponentStatus, DeclaredPackage, Location
from ossmeta.normalizers.components import normalize_components


def declared(
    eco: str | None, name: str, version: str | None, where: str, **extra: object
) -> DeclaredPackage:
    path, _, line = where.partition(":")
    return DeclaredPackage(eco, name, version, Location(path, int(line) if line else None), **extra)  # type: ignore[arg-type]


def test_duplicates_across_files_merge_with_all_locations() -> None:
    components = normalize_components(
        [
            declared("PyPI", "Django", "3.2", "requirements.txt:2", direct=True),
            declared(
                None, "django", None, "bom.cdx.json", purl="pkg:pypi/django@3.2", direct=False
            ),
            declared(
                "PyPI", "django", "3.2", "requirements.txt:2", direct=True
            ),  # same place twice
            declared("PyPI", "django", "4.2", "poetry.lock:10", scope="dev"),
        ]
    )
    assert [(c.name, c.version) for c in components] == [("django", "3.2"), ("django", "4.2")]
    first = components[0]
    assert first.purl == "pkg:pypi/django@3.2"
    assert [str(loc) for loc in first.locations] == ["requirements.txt:2", "bom.cdx.json"]
    assert first.direct is True  # direct in one file is direct
    assert components[1].scopes == ("dev",)


def test_names_follow_each_ecosystem() -> None:
    components = normalize_components(
        [
            declared("PyPI", "Zope.Interface", "5.0", "a:1"),
            declared("npm", "@Babel/Core", "7.0.0", "b:1"),
            declared("Maven", "org.apache.commons:commons-text", "1.9", "c:1"),
            declared("Go", "github.com/gorilla/mux", "v1.8.0", "d:1"),
            declared("Packagist", "Symfony/HTTP-Kernel", "v5.4.2", "e:1"),
        ]
    )
    purls = {c.ecosystem: c.purl for c in components}
    assert purls == {
        "PyPI": "pkg:pypi/zope-interface@5.0",
        "npm": "pkg:npm/%40Babel/core@7.0.0",
        "Maven": "pkg:maven/org.apache.commons/commons-text@1.9",
        "Go": "pkg:golang/github.com/gorilla/mux@v1.8.0",
        "Packagist": "pkg:composer/symfony/http-kernel@v5.4.2",
    }
    assert all(c.status is ComponentStatus.OK for c in components)


def test_statuses() -> None:
    by_name = {
        c.name: c
        for c in normalize_components(
            [
                declared("PyPI", "flask", None, "r:1", requirement=">=2.0"),
                declared("PyPI", "weird", "not/a/version", "r:2"),
                declared(None, "mystery-lib", "1.0", "bom.json"),
                declared(None, "x", None, "bom.json", purl="pkg:deb/raspbian/openssl@3.0.11"),
            ]
        )
    }
    assert by_name["flask"].status is ComponentStatus.UNRESOLVED
    assert by_name["flask"].requirement == ">=2.0"
    assert by_name["weird"].status is ComponentStatus.UNKNOWN
    assert by_name["mystery-lib"].status is ComponentStatus.UNIDENTIFIED
    assert by_name["x"].status is ComponentStatus.UNIDENTIFIED  # OSV has no Raspbian
    assert by_name["x"].purl == "pkg:deb/raspbian/openssl@3.0.11"


@given(
    st.lists(
        st.tuples(
            st.sampled_from(["PyPI", "npm", "crates.io", None]),
            st.text(min_size=1, max_size=8),
            st.none() | st.text(max_size=6),
            st.none() | st.text(max_size=20),
        ),
        max_size=20,
    )
)
def test_normalizing_is_total_and_keeps_every_location(
    items: list[tuple[str | None, str, str | None, str | None]],
) -> None:
    packages = [
        declared(eco, name, version, f"f{n}:1", purl=purl)
        for n, (eco, name, version, purl) in enumerate(items)
    ]
    components = normalize_components(packages)
    assert sorted(str(loc) for c in components for loc in c.locations) == sorted(
        f"f{n}:1" for n in range(len(items))
    )
