"""pnpm-lock.yaml, lockfileVersion 5.4, 6.0 and 9.0.

Fixtures written by real tools from the package.json beside each
(``npx pnpm@N install --ignore-scripts``):
- pnpm/v9, pnpm/v9-workspace: pnpm 9.15.9 (lockfileVersion '9.0')
- pnpm/v6, pnpm/v6-workspace: pnpm 8.15.9 (lockfileVersion '6.0')
- pnpm/v5.4: pnpm 7.33.7 (lockfileVersion 5.4)
The workspace projects have packages/web (depends on packages/util through
``workspace:*``), packages/util, a ``file:`` folder and a tarball URL dependency.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ossmeta.errors import SourceError
from ossmeta.model import DeclaredPackage
from ossmeta.sources.files import InputFile
from ossmeta.sources.inputs import pnpm
from ossmeta.sources.inputs.skipped import Skipped
from tests.fuzzing import JS_PIECES, check_content, mutated
from tests.helpers import DATA, input_file, text_file


def packages_of(file: InputFile) -> list[DeclaredPackage]:
    return [p for p in pnpm.parse(file) if isinstance(p, DeclaredPackage)]


def skips_of(file: InputFile) -> list[str]:
    return [str(s) for s in pnpm.parse(file) if isinstance(s, Skipped)]


def summary(p: DeclaredPackage) -> tuple[str, str | None, bool | None, str | None, int | None]:
    return (p.name, p.version, p.direct, p.scope, p.location.line)


def parse(*parts: str) -> dict[tuple[str, str | None], DeclaredPackage]:
    packages = packages_of(input_file("inputs", "pnpm", *parts, "pnpm-lock.yaml"))
    found = {(p.name, p.version): p for p in packages}
    assert len(found) == len(packages)  # one entry per name and version
    return found


# (lockfile, line of lodash 4.17.15, of debug 4.3.1 with its peer suffix, of mocha)
LINES = {"v9": (354, 168, 391), "v6": (585, 266, 638), "v5.4": (576, 257, 629)}


@pytest.mark.parametrize("version", ["v9", "v6", "v5.4"])
def test_single_project(version: str) -> None:
    found = parse(version)
    assert len(found) == 150
    lodash_line, debug_line, mocha_line = LINES[version]
    lodash = found["lodash", "4.17.15"]
    assert summary(lodash) == ("lodash", "4.17.15", True, None, lodash_line)
    assert lodash.ecosystem == "npm"
    assert lodash.location.path == f"inputs/pnpm/{version}/pnpm-lock.yaml"
    assert lodash.hashes == (
        "sha512-8xOcRHvCjnocdS5cpwXQXVzmmh5e5+saE2QGoeQmbKmRS6J3VQppPOIt0MnmE+4xlZoumy0GPG0D0MVIQbNA1A==",
    )
    # The alias resolves to the real package, and it is direct.
    assert summary(found["lodash", "4.17.10"])[:4] == ("lodash", "4.17.10", True, None)
    assert summary(found["mocha", "8.4.0"]) == ("mocha", "8.4.0", True, "dev", mocha_line)
    assert found["@babel/code-frame", "7.10.4"].direct is True
    assert found["is-number", "7.0.0"].scope == "optional"
    debug = found["debug", "4.3.1"]
    assert (debug.direct, debug.location.line) == (False, debug_line)
    # 5.x and 6.0 flag dev-only packages; 9.0 no longer does.
    assert debug.scope == (None if version == "v9" else "dev")
    assert found["ms", "2.0.0"].scope is None
    assert sum(1 for p in found.values() if p.direct) == 7
    assert all(p.location.line for p in found.values())


@pytest.mark.parametrize("version", ["v9", "v6"])
def test_workspace(version: str) -> None:
    found = parse(f"{version}-workspace")
    assert len(found) == 11
    assert not any(name.startswith(("@mono/", "local-lib")) for name, _ in found)
    assert found["lodash", "4.17.21"].direct is True  # packages/web
    assert (found["minimist", "1.2.0"].direct, found["minimist", "1.2.0"].scope) == (True, None)
    assert (found["minimist", "1.2.5"].direct, found["minimist", "1.2.5"].scope) == (True, "dev")
    assert found["ms", "2.1.3"].direct is True  # the tarball URL resolved to the registry
    assert found["react-dom", "17.0.2"].direct is True  # key with a peer suffix
    assert found["react", "17.0.2"].direct is False
    assert found["is-number", "7.0.0"].direct is False  # only local-lib needs it


def test_non_registry_sources(tmp_path: Path) -> None:
    file = text_file(
        tmp_path,
        "pnpm-lock.yaml",
        """lockfileVersion: '9.0'

settings:
  autoInstallPeers: true
  excludeLinksFromLockfile: false

importers:

  .:
    dependencies:
      left-pad:
        specifier: github:left-pad/left-pad#v1.3.0
        version: https://codeload.github.com/left-pad/left-pad/tar.gz/5f4a8b9

packages:

  left-pad@https://codeload.github.com/left-pad/left-pad/tar.gz/5f4a8b9:
    resolution: {tarball: https://codeload.github.com/left-pad/left-pad/tar.gz/5f4a8b9}
    version: 1.3.0

  'pad@https://example.com/pad-1.0.0.tgz':
    resolution: {tarball: https://example.com/pad-1.0.0.tgz}

  tool@git+https://github.com/acme/tool.git#0123456789abcdef:
    resolution: {commit: 0123456789abcdef, repo: https://github.com/acme/tool.git, type: git}
    version: 2.0.0
""",
    )
    left, pad, tool = packages_of(file)
    assert summary(left) == ("left-pad", "1.3.0", True, None, 17)
    assert (pad.name, pad.version, pad.requirement, pad.location.line) == (
        "pad",
        None,
        "https://example.com/pad-1.0.0.tgz",
        21,
    )
    assert (tool.version, tool.requirement) == (
        None,
        "git+https://github.com/acme/tool.git#0123456789abcdef",
    )


def test_v5_without_importers(tmp_path: Path) -> None:
    file = text_file(
        tmp_path,
        "pnpm-lock.yaml",
        "lockfileVersion: 5.3\n\npackages:\n\n  /@types/react/17.0.2_abc:\n"
        "    resolution: {integrity: sha512-x}\n    dev: true\n",
    )
    (only,) = packages_of(file)
    assert summary(only) == ("@types/react", "17.0.2", None, "dev", 5)
    assert only.hashes == ("sha512-x",)


def test_v5_keys_with_a_registry_host_and_no_name(tmp_path: Path) -> None:
    file = text_file(
        tmp_path,
        "pnpm-lock.yaml",
        """lockfileVersion: 5.4

specifiers:
  foo: ^1.0.0
  '@scope/name': ^1.0.0

dependencies:
  foo: registry.example.test/foo/1.0.0
  '@scope/name': /registry.example.test/@scope/name/1.0.0_react@17.0.2

packages:

  registry.example.test/foo/1.0.0:
    resolution: {integrity: sha512-foo, tarball: https://registry.example.test/foo/-/foo-1.0.0.tgz}
    dev: false

  /registry.example.test/@scope/name/1.0.0_react@17.0.2:
    resolution: {integrity: sha512-name}
    dev: false

  /npm.mirror.example.test/deep/path/bar/2.1.0:
    resolution: {integrity: sha512-bar}
    dev: true
""",
    )
    foo, scoped, bar = packages_of(file)
    assert (foo.name, foo.version, foo.requirement, foo.location.line) == ("foo", "1.0.0", None, 13)
    assert foo.hashes == ("sha512-foo",)
    assert (scoped.name, scoped.version, scoped.location.line) == ("@scope/name", "1.0.0", 17)
    assert (bar.name, bar.version, bar.scope) == ("bar", "2.1.0", "dev")
    assert foo.direct is True and scoped.direct is True and bar.direct is False


def test_the_projects_own_entries_are_said() -> None:
    assert skips_of(input_file("inputs", "pnpm", "v9-workspace", "pnpm-lock.yaml")) == [
        "inputs/pnpm/v9-workspace/pnpm-lock.yaml:49: skipped local-lib@file:local-lib: "
        "the project's own code"
    ]
    assert skips_of(input_file("inputs", "pnpm", "v6-workspace", "pnpm-lock.yaml")) == [
        "inputs/pnpm/v6-workspace/pnpm-lock.yaml:105: skipped file:local-lib: "
        "the project's own code"
    ]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("lockfileVersion: '9.0'\npackages: [\n", "pnpm-lock.yaml:3: invalid YAML"),
        ("- 1\n", "pnpm-lock.yaml:1: pnpm-lock.yaml must be an object, not a list"),
        ("packages: {}\n", "pnpm-lock.yaml:1: lockfileVersion must be a version, not null"),
        ("lockfileVersion: x.y\n", "pnpm-lock.yaml:1: unsupported lockfileVersion 'x.y'"),
        ("lockfileVersion: '9.0'\npackages: 3\n", "pnpm-lock.yaml: packages must be an object"),
        (
            "lockfileVersion: '9.0'\npackages:\n  a@1.0.0: [1]\n",
            "pnpm-lock.yaml:3: package 'a@1.0.0' must be an object",
        ),
        (
            "lockfileVersion: '6.0'\npackages:\n  example.com/x.tgz:\n    version: 1.0.0\n",
            "pnpm-lock.yaml:3: package 'example.com/x.tgz' has no name",
        ),
        (
            "lockfileVersion: '9.0'\nimporters:\n  .:\n    dependencies:\n      a: {}\n",
            "pnpm-lock.yaml: importer dependency 'a' has no version",
        ),
    ],
)
def test_malformed(tmp_path: Path, content: str, message: str) -> None:
    with pytest.raises(SourceError) as caught:
        packages_of(text_file(tmp_path, "pnpm-lock.yaml", content))
    assert str(caught.value).startswith(message)


def test_sniff() -> None:
    for version in ("v9", "v6", "v5.4"):
        assert pnpm.sniff((DATA / "inputs/pnpm" / version / "pnpm-lock.yaml").read_text()[:65536])
    assert not pnpm.sniff((DATA / "inputs/yarn/berry/yarn.lock").read_text()[:65536])


FIXTURES = [
    (DATA / "inputs/pnpm" / folder / "pnpm-lock.yaml").read_bytes()
    for folder in ("v9", "v6", "v5.4", "v9-workspace")
]


@given(st.text(max_size=300))
def test_fuzz_text(text: str) -> None:
    check_content(pnpm.parse, "pnpm-lock.yaml", text)


@given(mutated(*FIXTURES, pieces=JS_PIECES))
def test_fuzz_mutated_fixtures(content: bytes) -> None:
    check_content(pnpm.parse, "pnpm-lock.yaml", content)


_V5_SEGMENTS = ["registry.example.test", "@scope", "name", "1.0.0", "1.0.0_react@17.0.2", "", "x"]


@given(st.lists(st.sampled_from(_V5_SEGMENTS), min_size=1, max_size=6), st.booleans())
def test_fuzz_v5_keys(segments: list[str], slash: bool) -> None:
    key = ("/" if slash else "") + "/".join(segments)
    content = f"lockfileVersion: 5.4\n\npackages:\n\n  '{key}':\n    resolution: {{}}\n"
    for package in check_content(pnpm.parse, "pnpm-lock.yaml", content):
        # one segment, or two when scoped: whatever came before is a host, dropped
        assert package.name and package.name.count("/") == package.name.startswith("@")
