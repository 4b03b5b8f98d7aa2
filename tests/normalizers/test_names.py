"""Package-name normalization per ecosystem."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ossmeta.normalizers.names import normalize_name


@pytest.mark.parametrize(
    ("ecosystem", "raw", "canonical"),
    [
        ("PyPI", "Django", "django"),
        ("PyPI", "zope.interface", "zope-interface"),
        ("PyPI", "Appium-Python-Client", "appium-python-client"),
        ("PyPI", "ruamel.yaml.clib", "ruamel-yaml-clib"),
        ("PyPI", "  requests  ", "requests"),
        ("npm", "lodash", "lodash"),
        ("npm", "@babel/core", "@babel/core"),
        ("npm", "JSONStream", "JSONStream"),  # a legacy name with capitals is its own package
        ("Maven", "org.apache.logging.log4j:log4j-core", "org.apache.logging.log4j:log4j-core"),
        ("crates.io", "serde_json", "serde_json"),
        ("Packagist", "Symfony/HTTP-Kernel", "symfony/http-kernel"),
    ],
)
def test_canonical(ecosystem: str, raw: str, canonical: str) -> None:
    result = normalize_name(ecosystem, raw)
    assert (result.canonical, result.problem) == (canonical, None)


@pytest.mark.parametrize(
    ("ecosystem", "raw", "problem"),
    [
        ("PyPI", "", "empty name"),
        ("PyPI", "-leading", "PEP 508"),
        ("PyPI", "has space", "PEP 508"),
        ("npm", "@scope", "@scope/name"),
        ("npm", ".hidden", "URL-safe"),
        ("npm", "a" * 215, "214"),
        ("npm", "no spaces", "URL-safe"),
        ("Maven", "log4j-core", "groupId:artifactId"),
        ("Maven", "org.example:", "groupId:artifactId"),
        ("crates.io", "9lives", "starting with a letter"),
    ],
)
def test_rejected_names(ecosystem: str, raw: str, problem: str) -> None:
    result = normalize_name(ecosystem, raw)
    assert result.canonical is None
    assert result.problem is not None and problem in result.problem


@given(
    st.sampled_from(["PyPI", "npm", "Maven", "crates.io", "Packagist", "Go"]), st.text(max_size=30)
)
def test_total_and_idempotent(ecosystem: str, raw: str) -> None:
    first = normalize_name(ecosystem, raw)
    if first.canonical is not None:
        assert normalize_name(ecosystem, first.canonical).canonical == first.canonical
