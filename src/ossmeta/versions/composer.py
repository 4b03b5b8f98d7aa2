"""Composer/Packagist ordering: Composer's VersionParser normalization for exact
versions, then PHP ``version_compare`` semantics.

Written by hand (no Python package implements Composer's rules), following the
documented behaviour of ``Composer\\Semver\\VersionParser::normalize``:

* trim; drop a ``@stability`` flag and ``+build`` metadata; an optional ``v``;
* classical versions: one to four numeric parts padded to four (``v1.2`` -> ``1.2.0.0``),
  the first at most five digits; otherwise date versions (``20210101``, ``2021-01-01``);
* a stability suffix ``stable``, ``alpha``/``a``, ``beta``/``b``, ``RC``, ``patch``/``pl``/``p``
  with optional numbers (``-beta.2`` -> ``-beta2``), and an optional ``-dev`` suffix.
  Only ``stable`` in lower case means "no suffix": Composer tests it case-sensitively and
  keeps ``-STABLE`` as a suffix, a word ``version_compare`` does not know, so it sorts
  below every known form, even ``dev``.

Branches (``dev-main``, ``1.x-dev``) are names, not points in an order: InvalidVersion.

``version_compare`` then splits the normalized text at separators and digit/letter
transitions and compares part by part: numbers by value, a number counting as the
special form ``#``, and the forms ordered dev < alpha < beta < RC < # < patch. When one
side runs out, the other's next part decides: a number makes it greater, a form compares
against ``#``. That is a fixed END position just below every number, so keys are tuples
``(rank, number)`` followed by END.
"""

from __future__ import annotations

import re

from ossmeta.versions import InvalidVersion

Part = tuple[int, int]
ComposerKey = tuple[Part, ...]

_NUMBER_RANK = 4  # PHP's "#" special form
_END: Part = (_NUMBER_RANK, -1)
_FORMS = {"stable": -1, "dev": 0, "alpha": 1, "beta": 2, "rc": 3, "patch": 5}
_EXPAND = {"a": "alpha", "b": "beta", "p": "patch", "pl": "patch"}

# Composer's modifier pattern: stability, its numbers, a dev suffix.
_MODIFIER = r"[._-]?(?:(stable|beta|b|RC|alpha|a|patch|pl|p)((?:[.-]?[0-9]+)*+)?)?([.-]?dev)?"
_CLASSICAL = re.compile(
    rf"v?([0-9]{{1,5}}+)(\.[0-9]++)?(\.[0-9]++)?(\.[0-9]++)?{_MODIFIER}", re.IGNORECASE
)
_DATE = re.compile(
    rf"v?([0-9]{{4}}(?:[.:-]?[0-9]{{2}}){{1,6}}(?:[.:-]?[0-9]{{1,3}}){{0,2}}){_MODIFIER}",
    re.IGNORECASE,
)
_STABILITY_FLAG = re.compile(r"@(?:stable|RC|beta|alpha|dev)\Z", re.IGNORECASE)
_BUILD = re.compile(r"([^,\s+]++)\+\S++")
_DIGITS = re.compile(r"[0-9]+")
_PHP_TRIM = " \t\n\r\0\x0b"


def _parse(text: str) -> tuple[list[int], str, list[int], bool]:
    """(numbers, stability, stability numbers, dev suffix) of an exact version."""
    version = text.strip(_PHP_TRIM)
    flag = _STABILITY_FLAG.search(version)
    if flag is not None:
        version = version[: flag.start()]
    if version.lower().startswith("dev-") or version in ("master", "trunk", "default"):
        raise InvalidVersion(f"branch, not a version: {text!r}")
    build = _BUILD.fullmatch(version)
    if build is not None:
        version = build.group(1)
    match = _CLASSICAL.fullmatch(version)
    if match is not None:
        numbers = [int(part.lstrip(".")) if part else 0 for part in match.groups()[:4]]
        stability, extra, dev = match.groups()[4:]
    else:
        match = _DATE.fullmatch(version)
        if match is None:
            raise InvalidVersion(f"not a Composer version: {text!r}")
        numbers = [int(part) for part in _DIGITS.findall(match.group(1))]
        stability, extra, dev = match.groups()[1:]
    if stability == "stable":
        # Composer returns the bare version here, dropping any -dev suffix too.
        return numbers, "", [], False
    stability = (stability or "").lower()
    stability = _EXPAND.get(stability, stability)
    extra_numbers = [int(part) for part in _DIGITS.findall(extra)] if stability and extra else []
    return numbers, stability, extra_numbers, bool(dev)


class ComposerOrdering:
    name = "Packagist"

    def key(self, text: str) -> ComposerKey:
        try:
            numbers, stability, extra, dev = _parse(text)
        except ValueError:  # int() refusing a number with thousands of digits
            raise InvalidVersion(f"version number too large in {text!r}") from None
        parts: list[Part] = [(_NUMBER_RANK, n) for n in numbers]
        if stability:
            parts.append((_FORMS[stability], 0))
            parts.extend((_NUMBER_RANK, n) for n in extra)
        if dev:
            parts.append((_FORMS["dev"], 0))
        parts.append(_END)
        return tuple(parts)

    def is_prerelease(self, text: str) -> bool:
        """Composer's stability: alpha, beta, RC and dev are below stable."""
        _numbers, stability, _extra, dev = _parse(text)
        return dev or stability in ("alpha", "beta", "rc")


COMPOSER = ComposerOrdering()
