"""bun.lock (bun's text lockfile).

Fixtures written by bun 1.2.23 (``npx bun@1.2 install --ignore-scripts``, lockfileVersion 1)
from the package.json beside each: bun/app (a single project) and bun/workspace
(packages/web, packages/util, a ``file:`` folder and a tarball URL dependency).
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ossmeta.errors import SourceError
from ossmeta.model import DeclaredPackage
from ossmeta.sources.inputs import bun
from ossmeta.sources.inputs.skipped import Skipped
from tests.fuzzing import JS_PIECES, check_content, mutated
from tests.helpers import DATA, input_file, text_file


def by_pointer(*parts: str) -> dict[str, DeclaredPackage]:
    packages, _ = split(*parts)
    return {str(p.location.pointer): p for p in packages}


def split(*parts: str) -> tuple[list[DeclaredPackage], list[str]]:
    found = list(bun.parse(input_file("inputs", "bun", *parts, "bun.lock")))
    packages = [p for p in found if isinstance(p, DeclaredPackage)]
    return packages, [str(s) for s in found if isinstance(s, Skipped)]


def summary(p: DeclaredPackage) -> tuple[str, str | None, str | None, bool | None, str | None]:
    return (p.name, p.version, p.requirement, p.direct, p.scope)


def test_app() -> None:
    found = by_pointer("app")
    assert len(found) == 163
    lodash = found["$.packages.lodash"]
    assert summary(lodash) == ("lodash", "4.17.15", None, True, None)
    assert lodash.ecosystem == "npm"
    assert lodash.location.path == "inputs/bun/app/bun.lock"
    assert lodash.hashes == (
        "sha512-8xOcRHvCjnocdS5cpwXQXVzmmh5e5+saE2QGoeQmbKmRS6J3VQppPOIt0MnmE+4xlZoumy0GPG0D0MVIQbNA1A==",
    )
    assert summary(found["$.packages.lodash-old"]) == ("lodash", "4.17.10", None, True, None)
    assert summary(found['$.packages["@babel/code-frame"]'])[:4] == (
        "@babel/code-frame",
        "7.10.4",
        None,
        True,
    )
    assert summary(found["$.packages.mocha"]) == ("mocha", "8.4.0", None, True, "dev")
    assert summary(found["$.packages.is-number"]) == ("is-number", "7.0.0", None, True, "optional")
    assert summary(found["$.packages.minimist"]) == ("minimist", "1.2.0", None, True, None)
    # Nested copies keep their own versions and are transitive.
    assert summary(found['$.packages["debug/ms"]']) == ("ms", "2.1.2", None, False, None)
    assert summary(found['$.packages["body-parser/debug/ms"]'])[:4] == ("ms", "2.0.0", None, False)
    assert found["$.packages.ms"].direct is False
    assert sum(1 for p in found.values() if p.direct) == 7


def test_workspace() -> None:
    found = by_pointer("workspace")
    assert sorted(found) == [
        "$.packages.is-number",
        "$.packages.js-tokens",
        "$.packages.lodash",
        "$.packages.loose-envify",
        "$.packages.minimist",
        "$.packages.ms",
        "$.packages.object-assign",
        "$.packages.react",
        "$.packages.react-dom",
        "$.packages.scheduler",
        '$.packages["@mono/util/minimist"]',
    ]  # workspace and file: entries are skipped
    assert summary(found["$.packages.lodash"]) == ("lodash", "4.17.21", None, True, None)
    assert summary(found["$.packages.minimist"]) == ("minimist", "1.2.5", None, True, "dev")
    nested = found['$.packages["@mono/util/minimist"]']
    assert summary(nested) == ("minimist", "1.2.0", None, True, None)
    # bun records no version for a tarball URL.
    ms = found["$.packages.ms"]
    assert summary(ms) == ("ms", None, "https://npm.mirror.example/ms/-/ms-2.1.3.tgz", True, None)
    assert ms.hashes == ()
    assert found["$.packages.react"].direct is False
    assert found["$.packages.is-number"].direct is False


def test_workspace_and_file_entries_are_said() -> None:
    _, skipped = split("workspace")
    where = "inputs/bun/workspace/bun.lock:$.packages"
    assert skipped == [
        f'{where}["@mono/util"]: skipped @mono/util (workspace:packages/util): '
        "the project's own code",
        f'{where}["@mono/web"]: skipped @mono/web (workspace:packages/web): '
        "the project's own code",
        f"{where}.local-lib: skipped local-lib (file:local-lib): the project's own code",
    ]
    assert split("app")[1] == []


def test_git_entry_and_no_workspaces(tmp_path: Path) -> None:
    file = text_file(
        tmp_path,
        "bun.lock",
        """{
  "lockfileVersion": 0,
  "packages": {
    "left-pad": ["left-pad@github:left-pad/left-pad#5f4a8b9", {}, "left-pad-left-pad-5f4a8b9"],
    "@scope/pkg": ["@scope/pkg@2.0.0", "", {}, "sha512-abc"],
  },
}
""",
    )
    left, scoped = (p for p in bun.parse(file) if isinstance(p, DeclaredPackage))
    assert summary(left) == ("left-pad", None, "github:left-pad/left-pad#5f4a8b9", None, None)
    assert left.hashes == ()
    assert summary(scoped) == ("@scope/pkg", "2.0.0", None, None, None)
    assert scoped.hashes == ("sha512-abc",)


def test_trailing_commas_only_outside_strings() -> None:
    text = '{"a": ["x,]", "y\\",}",], "b": {"c": 1,},}'
    assert bun._strip_trailing_commas(text) == '{"a": ["x,]", "y\\",}"], "b": {"c": 1}}'


def test_trailing_comma_strip_is_linear() -> None:
    # Unterminated strings and long comma runs must not make the regex backtrack.
    start = time.perf_counter()
    bun._strip_trailing_commas('"' + "a" * 200_000 + ",]" * 100_000)
    bun._strip_trailing_commas("," * 200_000 + '"\\' * 50_000)
    assert time.perf_counter() - start < 2


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{\n  "lockfileVersion": 1,\n  "packages": {\n', "bun.lock:4: invalid JSON"),
        ('{"packages": {}}', "bun.lock:1: lockfileVersion must be a number, not null"),
        ('{"lockfileVersion": 1, "packages": []}', "bun.lock: packages must be an object"),
        (
            '{"lockfileVersion": 1, "packages": {"a": []}}',
            "bun.lock: package $.packages.a is an empty list",
        ),
        (
            '{"lockfileVersion": 1, "packages": {"a": [1]}}',
            "bun.lock: package $.packages.a identifier must be a string",
        ),
        (
            '{"lockfileVersion": 1, "packages": {"a": ["a"]}}',
            "bun.lock: package $.packages.a has a malformed identifier 'a'",
        ),
        (
            '{"lockfileVersion": 1, "workspaces": {"": []}}',
            "bun.lock: workspace '' must be an object",
        ),
    ],
)
def test_malformed(tmp_path: Path, content: str, message: str) -> None:
    with pytest.raises(SourceError) as caught:
        list(bun.parse(text_file(tmp_path, "bun.lock", content)))
    assert str(caught.value).startswith(message)


def test_sniff() -> None:
    assert bun.sniff((DATA / "inputs/bun/app/bun.lock").read_text()[:65536])
    assert not bun.sniff((DATA / "inputs/npm/v3/package-lock.json").read_text()[:65536])


FIXTURES = [
    (DATA / "inputs/bun" / folder / "bun.lock").read_bytes() for folder in ("app", "workspace")
]


@given(st.text(max_size=300))
def test_fuzz_text(text: str) -> None:
    check_content(bun.parse, "bun.lock", text)


@given(mutated(*FIXTURES, pieces=JS_PIECES))
def test_fuzz_mutated_fixtures(content: bytes) -> None:
    check_content(bun.parse, "bun.lock", content)
