"""Package URLs (purls): fast parsing, the OSV package a purl names, and building purls.

packageurl-python is the reference: ``parse_purl`` gives exactly what
``PackageURL.from_string`` gives, and ``build_purl`` exactly what ``PackageURL.to_string``
writes. ``from_string`` is too slow for the scan hot path (about 38k purls/s: a URL split,
two normalization passes and a namedtuple per call), so ``parse_purl`` first tries one
regular expression for the shapes SBOMs actually contain (printable ASCII, no percent
escapes but an npm scope's ``%40``) and hands anything else (escapes, whitespace,
non-ASCII, colons before the version, empty segments, mlflow's special names, every
invalid purl) to packageurl-python. The property tests in ``tests/test_purls.py`` hold
the two in agreement, packageurl-python's quirks included."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from ossmeta.ecosystems import (
    CRATES,
    ECOSYSTEM_TO_PURL_TYPE,
    MAVEN,
    NPM,
    NUGET,
    PACKAGIST,
    PURL_TYPE_TO_ECOSYSTEM,
    PYPI,
    RUBYGEMS,
    base_ecosystem,
    canonical_name,
)
from ossmeta.errors import InputError


class InvalidPurl(InputError):
    """A string that is not a valid package URL."""


@dataclass(frozen=True, slots=True)
class Purl:
    """A parsed, normalized package URL (percent-decoded parts, qualifiers sorted)."""

    type: str
    namespace: str | None
    name: str
    version: str | None
    qualifiers: tuple[tuple[str, str], ...]
    subpath: str | None


# Types whose namespace / name / version packageurl-python lower-cases (its normalize_*).
_LOWER_NAMESPACE = frozenset(
    {"bitbucket", "github", "pypi", "gitlab", "composer", "luarocks", "qpkg", "alpm", "apk", "hex"}
)
_LOWER_NAME = (_LOWER_NAMESPACE - {"qpkg"}) | {"oci", "npm", "bitnami", "pub"}
_LOWER_VERSION = frozenset({"huggingface", "oci"})
_PUB_NAME = re.compile(r"[^a-z0-9]")
_QUALIFIER_KEY = re.compile(r"[A-Za-z._-][A-Za-z0-9._-]*")

# The shapes the fast path takes: printable ASCII without spaces, no percent escape except
# an npm scope's leading %40, no colon before the version (urlsplit would take it for a
# URL scheme), every segment non-empty. Everything else goes to packageurl-python.
# The classes are printable ASCII (! to ~) less the characters named after each: written
# as the ranges left, they compile in a fraction of the time negated classes spanning all
# of Unicode take (a thirtieth of a second, paid by every command that reads a purl).
_C = r"[\x21\x22\x24\x26-\x2e\x30-\x39\x3b-\x3e\x41-\x7e]"  # less / @ ? # % :
_VERSION = r"[\x21\x22\x24\x26-\x2e\x30-\x3e\x41-\x7e]"  # less / @ ? # %
_QUERY = r"[\x21\x22\x24\x26-\x3e\x40-\x7e]"  # less ? # %
_SUBPATH = r"[\x21-\x24\x26-\x7e]"  # less %
_COMMON = re.compile(
    rf"pkg:([A-Za-z._-][A-Za-z0-9._-]*)/"
    rf"(?:((?:%40|@)?{_C}+(?:/{_C}+)*)/)?"
    rf"({_C}+)"
    rf"(?:@({_VERSION}+))?"
    rf"(?:\?({_QUERY}+))?"
    rf"(?:#({_SUBPATH}+))?"
)


def _qualifiers(text: str) -> tuple[tuple[str, str], ...] | None:
    """``a=1&b=2`` without escapes or spaces; None when packageurl-python would refuse it."""
    found: dict[str, str] = {}
    for pair in text.split("&"):
        key, sep, value = pair.partition("=")
        if not sep:
            return None
        if key and value:  # packageurl-python drops empty keys and values
            found[key.lower()] = value
    if not all(_QUALIFIER_KEY.fullmatch(key) for key in found):
        return None
    return tuple(sorted(found.items()))


def _fast_parse(text: str) -> Purl | None:
    """The common shapes, exactly as packageurl-python normalizes them; None when unsure.

    Without percent escapes (beyond a leading ``%40``), whitespace or empty segments,
    packageurl-python's second normalization pass changes nothing, so one pass here
    gives its result; mlflow's name rule reads the raw qualifier text, so mlflow (and the
    types its substring test catches) always goes the slow way.
    """
    match = _COMMON.fullmatch(text)
    if match is None:
        return None
    ptype, namespace, name, version, query, subpath = match.groups()
    ptype = ptype.lower()
    if ptype in "mlflow":  # packageurl-python tests `ptype in ("mlflow")`, a substring test
        return None
    if namespace:
        if namespace[0] == "@":
            if ptype != "npm" or "/" in namespace:
                return None  # only npm reads a raw "@scope", and only as one segment
        elif namespace.startswith("%40"):
            namespace = "@" + namespace[3:]
        if ptype in _LOWER_NAMESPACE:
            namespace = namespace.lower()
        if ptype in "cpan":  # a substring test in packageurl-python too
            namespace = namespace.upper()
    if ptype in _LOWER_NAME:
        name = name.lower()
    if ptype == "pypi" or ptype == "hackage":
        name = name.replace("_", "-")
    elif ptype == "pub":
        name = _PUB_NAME.sub("_", name)
    if version and ptype in _LOWER_VERSION:
        version = version.lower()
    qualifiers = _qualifiers(query) if query else ()
    if qualifiers is None:
        return None
    if subpath:
        kept = [s for s in subpath.split("/") if s and s != "." and s != ".."]
        subpath = "/".join(kept) or None
    return Purl(ptype, namespace, name, version, qualifiers, subpath)


def _reference_parse(text: str) -> Purl:
    from packageurl import PackageURL  # the slow path only: most purls never need it

    try:
        ref = PackageURL.from_string(text)
    except (ValueError, TypeError, AttributeError, IndexError, KeyError) as error:
        shown = text if len(text) <= 200 else text[:200] + "..."
        reason = str(error).replace(f": {text!r}", "").rstrip(".") or type(error).__name__
        raise InvalidPurl(f"invalid package URL {shown!r}: {reason}") from None
    qualifiers = tuple(sorted(ref.qualifiers.items())) if ref.qualifiers else ()
    return Purl(ref.type, ref.namespace, ref.name, ref.version, qualifiers, ref.subpath)


@lru_cache(maxsize=65536)
def parse_purl(text: str) -> Purl:
    """Parse a purl exactly as packageurl-python does; ``InvalidPurl`` when it is not one."""
    return _fast_parse(text) or _reference_parse(text)


def purl_package(p: Purl) -> tuple[str | None, str]:
    """The OSV base ecosystem (None for a purl type OSV does not know) and the OSV-style
    package name: ``group:artifact`` for Maven, ``@scope/name`` for npm, ``path/name``
    for Go and Packagist, the bare name for PyPI, crates.io, RubyGems and NuGet."""
    ecosystem = PURL_TYPE_TO_ECOSYSTEM.get(p.type)
    if not p.namespace or ecosystem in (PYPI, CRATES, RUBYGEMS, NUGET):
        return ecosystem, p.name
    if ecosystem == MAVEN:
        return ecosystem, f"{p.namespace}:{p.name}"
    return ecosystem, f"{p.namespace}/{p.name}"


def _split_name(ecosystem: str, name: str) -> tuple[str | None, str]:
    if ecosystem == MAVEN:
        group, sep, artifact = name.partition(":")
        return (group, artifact) if sep else (None, name)
    if ecosystem == NPM:
        scope, sep, rest = name.partition("/")
        return (scope, rest) if sep and scope.startswith("@") else (None, name)
    if ecosystem == PACKAGIST:
        vendor, sep, rest = name.partition("/")
        return (vendor, rest) if sep else (None, name)
    if ecosystem in (PYPI, CRATES, RUBYGEMS, NUGET):
        return None, name
    # Go module paths and the rest (GitHub Actions, SwiftURL): the last segment is the name.
    path, sep, last = name.rpartition("/")
    return (path, last) if sep else (None, name)


_UNRESERVED = re.compile(r"[A-Za-z0-9._~-]+\Z")  # never percent-encoded in a purl
#: purl type -> (lower-case the namespace, lower-case the name), as packageurl-python does.
_CASE_RULES = {
    "pypi": (False, True),
    "npm": (False, True),
    "maven": (False, False),
    "cargo": (False, False),
    "golang": (False, False),
    "gem": (False, False),
    "nuget": (False, False),
    "composer": (True, True),
}


def _fast_purl(ptype: str, namespace: str | None, name: str, version: str | None) -> str | None:
    """The purl string for plain parts, written directly; None sends the caller to
    packageurl-python (odd characters, other types). ``PackageURL.to_string`` costs about
    40 us, too much for 10,000 components per scan; a test checks both agree."""
    rules = _CASE_RULES.get(ptype)
    if rules is None or not _UNRESERVED.match(name):
        return None
    if ptype == "pypi":
        name = name.replace("_", "-")
    if rules[1]:
        name = name.lower()
    text = f"pkg:{ptype}/"
    if namespace and ptype not in ("npm", "maven", "golang", "composer"):
        return None  # these types never carry one here
    if namespace:
        segments = namespace.split("/")
        for n, segment in enumerate(segments):
            if ptype == "npm" and n == 0 and segment.startswith("@"):
                if not _UNRESERVED.match(segment[1:]):
                    return None
                segments[n] = "%40" + segment[1:]
            elif not _UNRESERVED.match(segment):
                return None
        joined = "/".join(segments)
        text += (joined.lower() if rules[0] else joined) + "/"
    text += name
    if version:
        plain = version.replace("+", "")
        if not _UNRESERVED.match(plain):
            return None
        text += "@" + version.replace("+", "%2B")
    return text


@lru_cache(maxsize=65536)
def build_purl(ecosystem: str, name: str, version: str | None) -> str | None:
    """The canonical purl for an OSV ecosystem, OSV-style name and version, exactly as
    ``PackageURL.to_string`` writes it; None when the ecosystem has no purl type or the
    parts make no purl (an empty name)."""
    base = base_ecosystem(ecosystem)
    ptype = ECOSYSTEM_TO_PURL_TYPE.get(base)
    if ptype is None:
        return None
    namespace, short = _split_name(base, canonical_name(base, name))
    fast = _fast_purl(ptype, namespace, short, version or None)
    if fast is not None:
        return fast
    from packageurl import PackageURL

    try:
        text: str = PackageURL(ptype, namespace, short, version or None).to_string()
    except (ValueError, TypeError):  # TypeError: packageurl-python on a blank PyPI name
        return None
    return text


__all__ = ["InvalidPurl", "Purl", "build_purl", "parse_purl", "purl_package"]


def package_purl(text: str) -> tuple[str, str, Purl]:
    """(canonical purl of the package, OSV ecosystem, the parsed purl) for any purl of a
    package type we hold registry data for: the version, qualifiers and subpath are not in
    the canonical form (the caller decides whether it accepts them). ``InvalidPurl`` when
    the text is not a purl or its type has no registry here."""
    parsed = parse_purl(text.strip())
    ecosystem, name = purl_package(parsed)
    built = build_purl(ecosystem, name, None) if ecosystem in ECOSYSTEM_TO_PURL_TYPE else None
    if ecosystem is None or built is None:
        raise InvalidPurl(f"{text}: no registry of packages for purl type {parsed.type!r}")
    return built, ecosystem, parsed
