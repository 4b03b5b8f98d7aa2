"""ossmeta.versions.version_key: dispatch per scheme and the per-process cache."""

from __future__ import annotations

import pytest

from ossmeta.versions import InvalidVersion, ordering_for, try_version_key, version_key

SAMPLES = {
    "SEMVER": "1.2.3-rc.1",
    "npm": "v4.17.15",
    "crates.io": "1.0.0",
    "Go": "v0.0.0-20210101000000-abcdef123456",
    "PyPI": "3.2",
    "Maven": "5.0.0.RELEASE",
    "RubyGems": "6.1.4.1",
    "NuGet": "13.0.1",
    "Packagist": "v5.4.0",
}


@pytest.mark.parametrize("scheme", sorted(SAMPLES))
def test_cached_key_equals_fresh_key(scheme: str) -> None:
    ordering = ordering_for(scheme)
    assert ordering is not None and ordering.name == scheme
    text = SAMPLES[scheme]
    first = version_key(scheme, text)
    assert first == ordering.key(text)
    assert version_key(scheme, text) is first  # parsed once
    assert try_version_key(scheme, text) == first


@pytest.mark.parametrize("scheme", sorted(SAMPLES))
def test_invalid_is_cached_and_reraised(scheme: str) -> None:
    text = "not a version at all!"
    for _ in range(2):
        with pytest.raises(InvalidVersion):
            version_key(scheme, text)
    assert try_version_key(scheme, text) is None


def test_unknown_scheme() -> None:
    with pytest.raises(InvalidVersion, match="no version ordering"):
        version_key("Hackage", "1.0")
