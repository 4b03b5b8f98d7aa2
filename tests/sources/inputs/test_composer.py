"""composer.lock parser.

Fixture: tests/data/inputs/composer/composer.lock was written by Composer 2.5.5 (Debian
composer, PHP 8.2) with `composer update --no-install`, packagist.org disabled and the
packages declared in an inline `package` repository with their Packagist names, versions,
source/dist references and requirements (so the file is what Composer writes for them;
Packagist's GitHub dists carry an empty shasum, one package was given a SHA-1 to exercise
it). composer.json beside it is the project's manifest without that repository.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ossmeta.ecosystems import PACKAGIST
from ossmeta.errors import SourceError
from ossmeta.model import DeclaredPackage
from ossmeta.sources.files import InputFile
from ossmeta.sources.inputs import composer
from ossmeta.sources.inputs.skipped import Skipped
from tests.fuzzing import JSON_PIECES, check_content, mutated, retyped_json
from tests.helpers import DATA, input_file, text_file

LOCK = DATA / "inputs" / "composer" / "composer.lock"
MANIFEST = LOCK.with_name("composer.json").read_bytes()


def test_with_manifest() -> None:
    found = list(composer.parse(input_file("inputs", "composer", "composer.lock")))
    assert all(p.ecosystem == PACKAGIST for p in found)
    assert [(p.name, p.version, p.location.pointer, p.direct, p.scope) for p in found] == [
        ("acme/internal-tools", None, "$.packages[0]", True, None),
        ("guzzlehttp/guzzle", "7.4.1", "$.packages[1]", True, None),
        ("guzzlehttp/promises", "1.5.1", "$.packages[2]", False, None),
        ("guzzlehttp/psr7", "2.1.0", "$.packages[3]", False, None),
        ("psr/http-client", "1.0.1", "$.packages[4]", False, None),
        ("psr/http-message", "1.0.1", "$.packages[5]", False, None),
        ("ralouphie/getallheaders", "3.0.3", "$.packages[6]", False, None),
        ("symfony/http-foundation", "v5.4.2", "$.packages[7]", True, None),  # v kept
        ("symfony/polyfill-mbstring", "v1.23.1", "$.packages[8]", False, None),
        ("hamcrest/hamcrest-php", "v2.0.1", "$.packages-dev[0]", False, "dev"),
        ("mockery/mockery", "1.4.4", "$.packages-dev[1]", True, "dev"),
    ]
    branch = found[0]
    assert branch.requirement == "dev-main#4c1b5e9b2b0d6f4ad1f1e8a3b6d2c9e0f7a8b1c2"
    assert all(p.requirement is None for p in found[1:])
    assert found[6].hashes == ("sha1:f3a9b1d2c4e5f60718293a4b5c6d7e8f90a1b2c3",)
    assert all(p.hashes == () for p in found if p is not found[6])  # empty shasum
    assert str(found[1].location) == "inputs/composer/composer.lock:$.packages[1]"


def test_without_manifest(tmp_path: Path) -> None:
    shutil.copy(LOCK, tmp_path / "composer.lock")
    found = list(composer.parse(InputFile.of(tmp_path / "composer.lock", "composer.lock")))
    assert len(found) == 11
    assert all(p.direct is None for p in found)


def test_branch_versions_path_packages_and_composer1(tmp_path: Path) -> None:
    lock = {
        "content-hash": "x",
        "packages": [
            {"name": "a/alias", "version": "2.x-dev"},
            {"name": "a/local", "version": "dev-main", "dist": {"type": "path", "url": "../a"}},
            {"name": "Vendor/Mixed", "version": "1.0.0"},
        ],
        "packages-dev": None,  # Composer 1
    }
    text_file(
        tmp_path,
        "composer.json",
        '{"require": {"vendor/mixed": "^1", "php": ">=7"}, "require-dev": []}',
    )
    found = list(composer.parse(text_file(tmp_path, "composer.lock", json.dumps(lock))))
    assert [str(s) for s in found if isinstance(s, Skipped)] == [
        "composer.lock:$.packages[1]: skipped a/local (../a): a path repository, "
        "the project's own code"
    ]
    packages = [p for p in found if isinstance(p, DeclaredPackage)]
    assert [(p.name, p.version, p.requirement, p.direct) for p in packages] == [
        ("a/alias", None, "2.x-dev", False),
        ("Vendor/Mixed", "1.0.0", None, True),  # Packagist names are case-insensitive
    ]


@pytest.mark.parametrize(
    ("content", "message", "line"),
    [
        ('{"packages": [\n  {"name": "a/b",\n', "invalid JSON", 3),
        ("[]", "composer.lock must be an object", None),
        ('{"_readme": []}', "no packages or packages-dev list", None),
        ('{"packages": {}}', "packages must be a list", None),
        ('{"packages": [{"name": "a/b"}]}', "$.packages[0].version must be a string", None),
        ('{"packages": [{"name": "a/b", "version": "1", "dist": 1}]}', "dist must be", None),
    ],
)
def test_malformed(tmp_path: Path, content: str, message: str, line: int | None) -> None:
    with pytest.raises(SourceError) as error:
        list(composer.parse(text_file(tmp_path, "composer.lock", content)))
    assert message in error.value.message
    assert error.value.line == line
    assert str(error.value).startswith(f"composer.lock:{line}:" if line else "composer.lock:")


def test_malformed_manifest(tmp_path: Path) -> None:
    shutil.copy(LOCK, tmp_path / "composer.lock")
    text_file(tmp_path, "composer.json", '{"require": ["a/b"]}')
    with pytest.raises(SourceError, match="require must be an object") as error:
        list(composer.parse(InputFile.of(tmp_path / "composer.lock", "composer.lock")))
    assert error.value.path == "composer.json"


def test_sniff() -> None:
    assert composer.sniff(LOCK.read_text())
    assert not composer.sniff('{"lockfileVersion": 3, "packages": {}}')


# --------------------------------------------------------------------------- fuzz

PIECES = (*JSON_PIECES, b'"packages": [', b'"version": ', b'"require": {')


def _check(lock: bytes | str, manifest: bytes | str | None) -> None:
    siblings = {} if manifest is None else {"composer.json": manifest}
    check_content(
        composer.parse, "composer.lock", lock, siblings, names=("composer.lock", "composer.json")
    )


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(
            st.sampled_from(
                [
                    "packages",
                    "packages-dev",
                    "name",
                    "version",
                    "dist",
                    "shasum",
                    "type",
                    "source",
                    "reference",
                    "require",
                ]
            ),
            inner,
            max_size=4,
        )
    ),
    max_leaves=20,
)


@given(st.text(max_size=300) | JSON.map(json.dumps), st.none() | JSON.map(json.dumps))
def test_fuzz_text(lock: str, manifest: str | None) -> None:
    _check(lock, manifest)


# A package from a path repository: a note.
SKIPS = (
    b'{"packages": [{"name": "a/b", "version": "1.0", "dist": {"type": "path", "url": "../b"}}]}'
)


@given(
    mutated(LOCK.read_bytes(), SKIPS, pieces=PIECES),
    st.none() | mutated(MANIFEST, pieces=PIECES),
)
def test_fuzz_mutations(lock: bytes, manifest: bytes | None) -> None:
    _check(lock, manifest)


@given(retyped_json(LOCK.read_bytes()), st.none() | st.just(MANIFEST) | retyped_json(MANIFEST))
def test_fuzz_structural_mutations(lock: str, manifest: bytes | str | None) -> None:
    """Replace one JSON value of the lockfile (and maybe of composer.json) with a value of
    another type."""
    _check(lock, manifest)
