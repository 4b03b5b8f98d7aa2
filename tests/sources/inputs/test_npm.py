"""package-lock.json / npm-shrinkwrap.json.

Fixtures written by real tools from the package.json beside each:
- npm/v3, npm/v2: npm 11.19.1 (Node 20), ``npm install --lockfile-version=2|3
  --omit-lockfile-registry-resolved=false``
- npm/v1, npm/v1-edge: npm 6.14.18 (``npx npm@6 install``)
- npm/workspace/npm-shrinkwrap.json: npm 11.19.1 ``npm install`` then ``npm shrinkwrap``
  in a workspace project (packages/web, packages/util, a file: folder, a tarball URL)
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ossmeta.errors import SourceError
from ossmeta.model import DeclaredPackage
from ossmeta.sources.files import InputFile
from ossmeta.sources.inputs import npm
from ossmeta.sources.inputs.skipped import Skipped
from tests.fuzzing import JS_PIECES, check_content, mutated
from tests.helpers import DATA, input_file, text_file

LODASH_15 = (
    "sha512-8xOcRHvCjnocdS5cpwXQXVzmmh5e5+saE2QGoeQm"
    "bKmRS6J3VQppPOIt0MnmE+4xlZoumy0GPG0D0MVIQbNA1A=="
)


def split(file: InputFile) -> tuple[list[DeclaredPackage], list[str]]:
    found = list(npm.parse(file))
    packages = [p for p in found if isinstance(p, DeclaredPackage)]
    return packages, [str(s) for s in found if isinstance(s, Skipped)]


def by_pointer(packages: list[DeclaredPackage]) -> dict[str, DeclaredPackage]:
    return {str(p.location.pointer): p for p in packages}


@pytest.mark.parametrize("version", ["v3", "v2"])
def test_packages_map(version: str) -> None:
    packages = list(npm.parse(input_file("inputs", "npm", version, "package-lock.json")))
    assert len(packages) == 159  # 160 keys minus the root ""
    found = by_pointer(packages)
    lodash = found['$.packages["node_modules/lodash"]']
    assert (lodash.ecosystem, lodash.name, lodash.version) == ("npm", "lodash", "4.17.15")
    assert lodash.direct is True and lodash.scope is None and lodash.requirement is None
    assert lodash.hashes == (LODASH_15,)
    assert lodash.location.path == f"inputs/npm/{version}/package-lock.json"
    # The alias entry carries the real name.
    alias = found['$.packages["node_modules/lodash-old"]']
    assert (alias.name, alias.version, alias.direct) == ("lodash", "4.17.10", True)
    scoped = found['$.packages["node_modules/@babel/code-frame"]']
    assert (scoped.name, scoped.version, scoped.direct) == ("@babel/code-frame", "7.10.4", True)
    mocha = found['$.packages["node_modules/mocha"]']
    assert (mocha.direct, mocha.scope) == (True, "dev")
    assert found['$.packages["node_modules/is-number"]'].scope == "optional"  # devOptional
    nested = found['$.packages["node_modules/cliui/node_modules/ansi-regex"]']
    assert (nested.name, nested.version, nested.direct, nested.scope) == (
        "ansi-regex",
        "5.0.1",
        False,
        "dev",
    )
    assert found['$.packages["node_modules/ansi-regex"]'].version == "3.0.1"
    # Every copy keeps its own version.
    assert sorted(p.version or "" for p in packages if p.name == "ms") == [
        "2.0.0",
        "2.1.1",
        "2.1.2",
        "2.1.3",
    ]
    assert found['$.packages["node_modules/minimist"]'].version == "1.2.0"
    assert not any(p.name == "js-demo-app" for p in packages)
    assert sum(1 for p in packages if p.direct) == 7


def test_v1_tree_matches_v3() -> None:
    v1 = list(npm.parse(input_file("inputs", "npm", "v1", "package-lock.json")))
    v3 = list(npm.parse(input_file("inputs", "npm", "v3", "package-lock.json")))
    assert sorted((p.name, p.version) for p in v1) == sorted((p.name, p.version) for p in v3)
    found = by_pointer(v1)
    alias = found["$.dependencies.lodash-old"]
    assert (alias.name, alias.version, alias.direct) == ("lodash", "4.17.10", True)
    nested = found["$.dependencies.cliui.dependencies.ansi-regex"]
    assert (nested.version, nested.direct, nested.scope) == ("5.0.1", False, "dev")
    deep = found["$.dependencies.mocha.dependencies.debug.dependencies.ms"]
    assert (deep.version, deep.direct) == ("2.1.2", False)
    assert found['$.dependencies["@babel/code-frame"]'].direct is True
    assert (found["$.dependencies.mocha"].direct, found["$.dependencies.mocha"].scope) == (
        True,
        "dev",
    )
    assert found["$.dependencies.ms"].direct is False  # top level, but not in package.json
    assert found["$.dependencies.lodash"].hashes == (LODASH_15,)


def test_v2_with_only_the_v1_tree_falls_back_to_it(tmp_path: Path) -> None:
    # npm reads the dependencies tree when a v2 lockfile lost its packages object
    v2 = json.loads((DATA / "inputs/npm/v2/package-lock.json").read_text())
    assert v2["lockfileVersion"] == 2 and v2["dependencies"]
    del v2["packages"]
    shutil.copy(DATA / "inputs/npm/v2/package.json", tmp_path / "package.json")
    file = text_file(tmp_path, "package-lock.json", json.dumps(v2))
    tree = list(npm.parse(file))
    v1 = list(npm.parse(input_file("inputs", "npm", "v1", "package-lock.json")))
    assert len(tree) == 159
    assert sorted((p.name, p.version, p.direct) for p in tree) == sorted(
        (p.name, p.version, p.direct) for p in v1
    )


def test_v1_without_package_json_leaves_top_level_direct_unknown(tmp_path: Path) -> None:
    shutil.copy(DATA / "inputs/npm/v1/package-lock.json", tmp_path / "package-lock.json")
    file = InputFile(tmp_path / "package-lock.json", "package-lock.json")
    found = by_pointer(list(npm.parse(file)))
    assert found["$.dependencies.lodash"].direct is None
    assert found["$.dependencies.cliui.dependencies.ansi-regex"].direct is False


def test_v1_url_and_file_dependencies() -> None:
    packages, skipped = split(input_file("inputs", "npm", "v1-edge", "package-lock.json"))
    found = {p.name: p for p in packages}
    assert set(found) == {"is-number", "minimist", "ms"}
    assert skipped == [
        "inputs/npm/v1-edge/package-lock.json:$.dependencies.local-lib: skipped local-lib "
        "(file:local-lib): the project's own code"
    ]
    ms = found["ms"]
    assert (ms.version, ms.requirement, ms.direct) == (
        None,
        "https://npm.mirror.example/ms/-/ms-2.1.3.tgz",
        True,
    )
    assert (found["minimist"].version, found["minimist"].direct) == ("1.2.0", True)
    assert found["is-number"].direct is False  # a dependency of the local folder


def test_workspace_shrinkwrap() -> None:
    packages, skipped = split(input_file("inputs", "npm", "workspace", "npm-shrinkwrap.json"))
    found = by_pointer(packages)
    # Links, workspace folders, the file: folder and the root are not components; the
    # links are said (the folders they point to are the project's own).
    where = "inputs/npm/workspace/npm-shrinkwrap.json:$.packages"
    assert skipped == [
        f'{where}["node_modules/@mono/util"]: skipped a link to packages/util: '
        "the project's own code",
        f'{where}["node_modules/@mono/web"]: skipped a link to packages/web: '
        "the project's own code",
        f'{where}["node_modules/local-lib"]: skipped a link to local-lib: the project\'s own code',
    ]
    assert sorted(found) == [
        '$.packages["node_modules/is-number"]',
        '$.packages["node_modules/js-tokens"]',
        '$.packages["node_modules/lodash"]',
        '$.packages["node_modules/loose-envify"]',
        '$.packages["node_modules/minimist"]',
        '$.packages["node_modules/ms"]',
        '$.packages["node_modules/object-assign"]',
        '$.packages["node_modules/react"]',
        '$.packages["node_modules/react-dom"]',
        '$.packages["node_modules/scheduler"]',
        '$.packages["packages/util/node_modules/minimist"]',
    ]
    # Declared by packages/web and hoisted to the top.
    assert found['$.packages["node_modules/lodash"]'].direct is True
    root_minimist = found['$.packages["node_modules/minimist"]']
    assert (root_minimist.version, root_minimist.direct, root_minimist.scope) == (
        "1.2.5",
        True,
        "dev",
    )
    ws_minimist = found['$.packages["packages/util/node_modules/minimist"]']
    assert (ws_minimist.version, ws_minimist.direct, ws_minimist.scope) == ("1.2.0", True, None)
    react = found['$.packages["node_modules/react"]']
    assert (react.direct, react.scope) == (False, "peer")
    assert found['$.packages["node_modules/scheduler"]'].direct is False
    assert (found['$.packages["node_modules/ms"]'].version) == "2.1.3"


def test_git_dependency_and_missing_root(tmp_path: Path) -> None:
    # Shaped as npm writes a git dependency (lockfileVersion 3).
    file = text_file(
        tmp_path,
        "package-lock.json",
        """{
  "name": "x",
  "lockfileVersion": 3,
  "requires": true,
  "packages": {
    "node_modules/left-pad": {
      "version": "1.3.0",
      "resolved": "git+ssh://git@github.com/left-pad/left-pad.git#5f4a8b9b0d1c2e3f4a5b6c7d8e9f0a1b2c3d4e5f",
      "license": "WTFPL"
    },
    "node_modules/@scope/pkg": {"version": "2.0.0", "optional": true, "dev": true}
  }
}""",
    )
    left, scoped = npm.parse(file)
    assert (left.name, left.version, left.direct) == ("left-pad", None, None)
    assert left.requirement == (
        "git+ssh://git@github.com/left-pad/left-pad.git#5f4a8b9b0d1c2e3f4a5b6c7d8e9f0a1b2c3d4e5f"
    )
    assert (scoped.name, scoped.version, scoped.scope) == ("@scope/pkg", "2.0.0", "dev")


def test_malformed_json_names_file_and_line(tmp_path: Path) -> None:
    file = text_file(tmp_path, "package-lock.json", '{\n  "lockfileVersion": 3,\n  "packages": {\n')
    with pytest.raises(SourceError) as caught:
        list(npm.parse(file))
    message = str(caught.value)
    assert message.startswith("package-lock.json:4: invalid JSON")
    assert "\n" not in message


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("[]", "package-lock.json:1: package-lock.json must be an object, not a list"),
        ('{"lockfileVersion": "3"}', "package-lock.json: lockfileVersion must be a number"),
        (
            '{"lockfileVersion": 3}',
            "package-lock.json: lockfileVersion 3 file has neither packages nor dependencies",
        ),
        (
            '{"lockfileVersion": 3, "packages": {"node_modules/a": {"version": 1}}}',
            'package-lock.json: package $.packages["node_modules/a"] version must be a string',
        ),
        (
            '{"lockfileVersion": 1, "dependencies": {"a": []}}',
            "package-lock.json: dependency $.dependencies.a must be an object",
        ),
        (
            '{"lockfileVersion": 1, "dependencies": {"a": {"version": "npm:@x"}}}',
            "package-lock.json: dependency $.dependencies.a has a malformed alias",
        ),
    ],
)
def test_wrong_shapes(tmp_path: Path, content: str, message: str) -> None:
    with pytest.raises(SourceError) as caught:
        list(npm.parse(text_file(tmp_path, "package-lock.json", content)))
    assert str(caught.value).startswith(message)


def test_sniff() -> None:
    head = (DATA / "inputs/npm/v3/package-lock.json").read_text()[:65536]
    assert npm.sniff(head)
    assert npm.sniff((DATA / "inputs/npm/v1/package-lock.json").read_text()[:65536])
    assert not npm.sniff((DATA / "inputs/bun/app/bun.lock").read_text()[:65536])
    assert not npm.sniff('{"name": "x", "version": "1.0.0"}')


FIXTURES = [
    ("v3", "package-lock.json"),
    ("v1", "package-lock.json"),
    ("workspace", "npm-shrinkwrap.json"),
]


@given(st.text(max_size=300))
def test_fuzz_text(text: str) -> None:
    check_content(npm.parse, "package-lock.json", text)


@given(st.data())
def test_fuzz_mutated_fixtures(data: st.DataObject) -> None:
    folder, name = data.draw(st.sampled_from(FIXTURES))
    original = (DATA / "inputs/npm" / folder / name).read_bytes()
    manifest = (DATA / "inputs/npm" / folder / "package.json").read_bytes()
    content = data.draw(mutated(original, pieces=JS_PIECES))
    check_content(npm.parse, name, content, {"package.json": manifest})
