"""ossmeta.purls: the fast parser agrees with packageurl-python, build/parse round-trips,
and invalid purls raise InvalidPurl only."""

from __future__ import annotations

import re

import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from packageurl import PackageURL

from ossmeta import ecosystems, purls
from ossmeta.errors import InputError
from ossmeta.purls import InvalidPurl, Purl, _fast_parse, build_purl, parse_purl, purl_package


def reference(text: str) -> Purl | None:
    """What packageurl-python makes of ``text``, as a Purl (None when it refuses it)."""
    try:
        ref = PackageURL.from_string(text)
    except ValueError:
        return None
    qualifiers = tuple(sorted(ref.qualifiers.items()))
    return Purl(ref.type, ref.namespace, ref.name, ref.version, qualifiers, ref.subpath)


# Building blocks for purl-like strings: plain characters, the separators, whitespace,
# non-ASCII, and percent escapes (valid, invalid UTF-8, of separators, malformed).
PIECES = st.one_of(
    st.sampled_from(list("abcXYZ019-._~+!$'()*,;=&:@/?#")),
    st.sampled_from(["%40", "%2F", "%20", "%25", "%3A", "%C3%A9", "%ff", "%", "%4", "%2e%2e"]),
    st.sampled_from([" ", "\t", "\n", "\u00e9", "\u00a0", "..", ".", "//"]),
)
SEGMENT = st.lists(PIECES, min_size=0, max_size=6).map("".join)
TYPES = st.one_of(
    st.sampled_from(
        [
            *("pypi", "npm", "maven", "golang", "cargo", "gem", "nuget", "composer", "github"),
            *("pub", "hackage", "oci", "huggingface", "cpan", "mlflow", "generic", "deb", "NPM"),
            *("PyPI", "a", "flow", "1x", "-x", "x y", ""),
        ]
    ),
    st.text("abcdefghijklmnopqrstuvwxyz0123456789.-_+", min_size=1, max_size=5),
)


@st.composite
def purl_texts(draw: st.DrawFn) -> str:
    text = "pkg:" + draw(st.sampled_from(["", "", "", "/", "//"])) + draw(TYPES) + "/"
    if draw(st.booleans()):
        text += draw(st.sampled_from(["@", "%40", ""])) + draw(SEGMENT) + "/"
    text += draw(SEGMENT)
    if draw(st.booleans()):
        text += "@" + draw(SEGMENT)
    if draw(st.booleans()):
        pairs = draw(st.lists(st.tuples(SEGMENT, SEGMENT), min_size=1, max_size=3))
        text += "?" + "&".join(f"{k}={v}" for k, v in pairs)
    if draw(st.booleans()):
        text += "#" + draw(SEGMENT)
    return text


def agree(text: str) -> None:
    expected = reference(text)
    fast = _fast_parse(text)
    assert fast is None or fast == expected
    if expected is None:
        with pytest.raises(InvalidPurl) as caught:
            parse_purl(text)
        assert "\n" not in str(caught.value).strip()
    else:
        assert parse_purl(text) == expected


@given(purl_texts())
@example("pkg:npm/%40angular/core@16.2.0")
@example("pkg:npm/@angular/core@16.2.0")
@example("pkg:npm/@angular/a/core@16.2.0")
@example("pkg:pypi/Django_Foo@3.2?Foo=bar&a=&b=c#sub/./../x")
@example("pkg:cpan/Some/Module@1.0")
@example("pkg:a/ns/name")
@example("pkg:mlflow/Name?repository_url=azureml")
@example("pkg:oci/Name@SHA256%3AABC")
@example("pkg:deb/debian/curl@7.50.3-1:1?arch=i386")
@example("pkg:generic/name:x@1")
@example("pkg:npm///x")
@example("pkg:golang/a//b@v1")
@example("pkg:pypi/x@1?a=b&")
@example("pkg:pypi/x@1?1a=b")
def test_fast_path_agrees_with_packageurl(text: str) -> None:
    agree(text)


CLEAN = st.text("abcXYZ019-._~+!$'()*,;", min_size=1, max_size=8)


@given(
    st.sampled_from(["pypi", "npm", "maven", "golang", "cpan", "pub", "hackage", "oci", "x"]),
    st.lists(CLEAN, max_size=3),
    CLEAN,
    st.none() | CLEAN,
    st.lists(st.tuples(st.sampled_from(["type", "Arch", "a.b", "_x", "1x"]), CLEAN), max_size=2),
    st.none() | st.lists(CLEAN | st.sampled_from([".", ".."]), min_size=1, max_size=3),
    st.sampled_from(["", "%40", "@"]),
)
def test_clean_purls_agree_and_mostly_take_the_fast_path(
    ptype: str,
    namespace: list[str],
    name: str,
    version: str | None,
    qualifiers: list[tuple[str, str]],
    subpath: list[str] | None,
    scope: str,
) -> None:
    text = f"pkg:{ptype}/" + "".join(
        f"{scope if i == 0 else ''}{s}/" for i, s in enumerate(namespace)
    )
    text += name + (f"@{version}" if version else "")
    text += ("?" + "&".join(f"{k}={v}" for k, v in qualifiers)) if qualifiers else ""
    text += ("#" + "/".join(subpath)) if subpath else ""
    agree(text)
    if not scope and not any(k == "1x" for k, _ in qualifiers) and name.strip("/"):
        assert _fast_parse(text) is not None, text


@given(st.text(max_size=40))
def test_any_text_agrees_or_raises_invalid_purl(text: str) -> None:
    agree(text)
    agree("pkg:" + text)
    agree("pkg:npm/" + text)


def test_common_shapes_take_the_fast_path() -> None:
    for text in [
        "pkg:pypi/django@3.2",
        "pkg:npm/%40babel/core@7.0.0",
        "pkg:npm/lodash@4.17.15",
        "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1?type=jar",
        "pkg:golang/github.com/gin-gonic/gin@v1.9.0",
        "pkg:deb/debian/openssl@1.1.1n-0+deb11u3?arch=amd64&distro=debian-11",
    ]:
        assert _fast_parse(text) == reference(text), text


@pytest.mark.parametrize(
    ("text", "ecosystem", "name", "version"),
    [
        ("pkg:pypi/Django@3.2", ecosystems.PYPI, "django", "3.2"),
        ("pkg:pypi/zope_interface@5.0", ecosystems.PYPI, "zope-interface", "5.0"),
        ("pkg:npm/%40babel/core@7.22.5", ecosystems.NPM, "@babel/core", "7.22.5"),
        ("pkg:npm/lodash@4.17.15", ecosystems.NPM, "lodash", "4.17.15"),
        (
            "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1?type=jar",
            ecosystems.MAVEN,
            "org.apache.logging.log4j:log4j-core",
            "2.14.1",
        ),
        ("pkg:cargo/serde@1.0.150", ecosystems.CRATES, "serde", "1.0.150"),
        ("pkg:golang/golang.org/x/net@v0.7.0", ecosystems.GO, "golang.org/x/net", "v0.7.0"),
        ("pkg:gem/rails@7.0.4", ecosystems.RUBYGEMS, "rails", "7.0.4"),
        ("pkg:nuget/Newtonsoft.Json@12.0.1", ecosystems.NUGET, "Newtonsoft.Json", "12.0.1"),
        (
            "pkg:composer/Laravel/Framework@v8.0.0",
            ecosystems.PACKAGIST,
            "laravel/framework",
            "v8.0.0",
        ),
        ("pkg:github/actions/checkout@v4", "GitHub Actions", "actions/checkout", "v4"),
        ("pkg:deb/debian/curl@7.74.0-1.3", None, "debian/curl", "7.74.0-1.3"),
        ("pkg:generic/openssl", None, "openssl", None),
    ],
)
def test_purl_package_per_ecosystem(
    text: str, ecosystem: str | None, name: str, version: str | None
) -> None:
    parsed = parse_purl(text)
    assert purl_package(parsed) == (ecosystem, name)
    assert parsed.version == version


@pytest.mark.parametrize(
    ("ecosystem", "name", "version", "expected"),
    [
        ("PyPI", "Django_Foo.Bar", "3.2", "pkg:pypi/django-foo-bar@3.2"),
        ("npm", "@types/node", "18.0.0", "pkg:npm/%40types/node@18.0.0"),
        ("npm", "lodash", None, "pkg:npm/lodash"),
        ("Maven", "org.apache:commons-text", "1.9", "pkg:maven/org.apache/commons-text@1.9"),
        ("Go", "github.com/gin-gonic/gin", "v1.9.0", "pkg:golang/github.com/gin-gonic/gin@v1.9.0"),
        ("Packagist", "Symfony/Http-Kernel", "v5.0.0", "pkg:composer/symfony/http-kernel@v5.0.0"),
        ("NuGet", "Newtonsoft.Json", "12.0.1", "pkg:nuget/Newtonsoft.Json@12.0.1"),
        ("crates.io", "serde", "1.0.0", "pkg:cargo/serde@1.0.0"),
        ("RubyGems", "rails", "7.0.0", "pkg:gem/rails@7.0.0"),
        ("Maven:https://maven.google.com", "a:b", "1", "pkg:maven/a/b@1"),
        ("PyPI", "pkg", "1.0+local", "pkg:pypi/pkg@1.0%2Blocal"),
        ("Debian:12", "openssl", "3.0", None),
        ("Linux", "kernel", "6.1", None),
        ("PyPI", "", "1.0", None),
    ],
)  # fmt: skip
def test_build_purl_examples(
    ecosystem: str, name: str, version: str | None, expected: str | None
) -> None:
    assert build_purl(ecosystem, name, version) == expected


NAME_CHARS = "abcdefghijklmnopqrstuvwxyz0123456789-._"
NAMES = st.text(NAME_CHARS, min_size=1, max_size=12).filter(lambda s: s.strip("/."))


@st.composite
def osv_packages(draw: st.DrawFn) -> tuple[str, str]:
    ecosystem = draw(st.sampled_from(sorted(ecosystems.ECOSYSTEM_TO_PURL_TYPE)))
    if ecosystem == ecosystems.MAVEN:
        return ecosystem, draw(NAMES) + ":" + draw(NAMES)
    if ecosystem == ecosystems.NPM and draw(st.booleans()):
        return ecosystem, "@" + draw(NAMES) + "/" + draw(NAMES)
    if ecosystem in (ecosystems.GO, ecosystems.PACKAGIST, "GitHub Actions", "SwiftURL"):
        parts = draw(st.lists(NAMES, min_size=2, max_size=3))
        if ecosystem == ecosystems.PACKAGIST:
            parts = parts[:2]
        return ecosystem, "/".join(parts)
    return ecosystem, draw(NAMES)


VERSIONS = st.one_of(
    st.none(),
    st.text("0123456789.abcXYZ-+~_:!@#?&=% /", min_size=1, max_size=12).filter(str.strip),
)


@given(osv_packages(), VERSIONS)
@example(("npm", "@scope/pkg"), "1.0.0")
@example(("PyPI", "A_B"), "1.0 beta")
def test_build_then_parse_round_trips(package: tuple[str, str], version: str | None) -> None:
    ecosystem, name = package
    built = build_purl(ecosystem, name, version)
    assert built is not None
    namespace, _, short = (
        name.partition(":") if ecosystem == ecosystems.MAVEN else name.rpartition("/")
    )
    ptype = ecosystems.ECOSYSTEM_TO_PURL_TYPE[ecosystem]
    canonical = ecosystems.canonical_name(ecosystem, name)
    if ecosystem == ecosystems.PYPI:
        namespace, short = "", canonical
    elif ecosystem == ecosystems.PACKAGIST:
        namespace, _, short = canonical.partition("/")
    assert built == PackageURL(ptype, namespace or None, short, version).to_string()
    parsed = parse_purl(built)
    assert parsed == reference(built)
    got_ecosystem, got_name = purl_package(parsed)
    assert got_ecosystem == ecosystem
    if ptype not in ("npm", "pub", "hex", "github", "hackage"):
        # (packageurl-python rewrites those types' names: lower case, "-" for "_", ...)
        assert got_name == canonical
    assert parsed.version == (version.strip() if version else None)
    assert build_purl(ecosystem, got_name, parsed.version) == built


@pytest.mark.parametrize(
    "text",
    [
        *("", "django==3.2", "pkg:", "pkg:pypi", "pkg:pypi/", "pkg:1abc/x", "pkg:pypi/@1.0"),
        *("pkg:pypi/x?flag", "pkg:pypi/x?a%20b=c", "PKG:pypi/x", "pkg:npm/%20@1", "pkg:npm/@scope"),
    ],
)
def test_invalid_purls_raise_invalid_purl(text: str) -> None:
    with pytest.raises(InvalidPurl) as caught:
        parse_purl(text)
    assert isinstance(caught.value, InputError)
    message = str(caught.value)
    assert message.startswith("invalid package URL ")
    assert "\n" not in message


def test_parse_is_cached_and_returns_equal_purls() -> None:
    first = parse_purl("pkg:pypi/requests@2.19.0")
    assert parse_purl("pkg:pypi/requests@2.19.0") is first
    assert first == Purl("pypi", None, "requests", "2.19.0", (), None)


# ---------------------------------------------------------------- build_purl's direct path

from hypothesis import given as _given  # noqa: E402
from hypothesis import strategies as _st  # noqa: E402
from packageurl import PackageURL as _PackageURL  # noqa: E402

from ossmeta.purls import _fast_purl  # noqa: E402

_parts = _st.text(alphabet="AZaz09._~-+@/%: ", min_size=1, max_size=12)


@_given(
    _st.sampled_from(["pypi", "npm", "maven", "cargo", "golang", "gem", "nuget", "composer"]),
    _st.none() | _parts,
    _parts,
    _st.none() | _parts,
)
def test_direct_purl_writing_agrees_with_packageurl(
    ptype: str, namespace: str | None, name: str, version: str | None
) -> None:
    fast = _fast_purl(ptype, namespace, name, version)
    if fast is None:
        return  # left to packageurl-python
    assert fast == _PackageURL(ptype, namespace, name, version).to_string()


def test_package_purl_drops_version_qualifiers_and_subpath() -> None:
    from ossmeta.purls import InvalidPurl, package_purl

    built, ecosystem, parsed = package_purl(" pkg:pypi/Zope_Interface@5.0?arch=x#sub ")
    assert (built, ecosystem, parsed.version) == ("pkg:pypi/zope-interface", "PyPI", "5.0")
    assert package_purl("pkg:npm/%40types/node@20")[0] == "pkg:npm/%40types/node"
    with pytest.raises(InvalidPurl, match="no registry of packages"):
        package_purl("pkg:generic/thing")
    with pytest.raises(InvalidPurl):
        package_purl("not a purl")


def test_fast_path_classes_are_printable_ascii_less_their_delimiters() -> None:
    # The fast path's character classes are written as ASCII ranges (they compile far
    # faster than classes negating all of Unicode); each must still be exactly printable
    # ASCII less the characters that delimit its part.
    printable = {chr(c) for c in range(0x21, 0x7F)}
    expected = {
        "_C": printable - set("/@?#%:"),
        "_VERSION": printable - set("/@?#%"),
        "_QUERY": printable - set("?#%"),
        "_SUBPATH": printable - {"%"},
    }
    probes = [chr(c) for c in range(0x300)] + ["\u00e9", "\u2028", "\U0001f600", "\U0010ffff"]
    for name, allowed in expected.items():
        pattern = re.compile(getattr(purls, name))
        matched = {c for c in probes if pattern.fullmatch(c)}
        assert matched == allowed, name
