"""yarn.lock, classic and Berry.

Fixtures written by real tools from the package.json beside each:
- yarn/classic, yarn/classic-workspace: Yarn 1.22.22 (``npx yarn@1.22.22 install``)
- yarn/berry, yarn/berry-workspace: Yarn 4.18.1 (``npx @yarnpkg/cli-dist@4 install``,
  nodeLinker node-modules; __metadata version 10)
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ossmeta.errors import SourceError
from ossmeta.model import DeclaredPackage
from ossmeta.sources.files import InputFile
from ossmeta.sources.inputs import yarn
from ossmeta.sources.inputs.skipped import Skipped
from tests.fuzzing import JS_PIECES, check_content, mutated
from tests.helpers import DATA, input_file, text_file


def packages_of(file: InputFile) -> list[DeclaredPackage]:
    return [p for p in yarn.parse(file) if isinstance(p, DeclaredPackage)]


def skips_of(file: InputFile) -> list[str]:
    return [str(s) for s in yarn.parse(file) if isinstance(s, Skipped)]


def by_line(packages: list[DeclaredPackage]) -> dict[int, DeclaredPackage]:
    return {int(p.location.line or 0): p for p in packages}


def summary(p: DeclaredPackage) -> tuple[str, str | None, str | None, bool | None, str | None]:
    return (p.name, p.version, p.requirement, p.direct, p.scope)


def test_classic() -> None:
    packages = packages_of(input_file("inputs", "yarn", "classic", "yarn.lock"))
    assert len(packages) == 152
    found = by_line(packages)
    code_frame = found[5]
    assert summary(code_frame) == ("@babel/code-frame", "7.10.4", None, True, None)
    assert code_frame.ecosystem == "npm"
    assert code_frame.location.path == "inputs/yarn/classic/yarn.lock"
    assert code_frame.hashes == (
        "sha512-vG6SvB6oYEhvgisZNFRmRCUkLz11c7rp+tbNTynGqc6mS1d5ATd/sGyV6W0KZZnXRKMTzZDRgQT3Ou9jhpAfUg==",
    )
    assert summary(found[557]) == ("lodash", "4.17.10", None, True, None)  # lodash-old alias
    assert summary(found[562]) == ("lodash", "4.17.15", None, True, None)
    assert summary(found[620]) == ("minimist", "1.2.0", None, True, None)
    assert summary(found[625]) == ("mocha", "8.4.0", None, True, "dev")
    assert summary(found[523]) == ("is-number", "7.0.0", None, True, "optional")
    # A header with several ranges, one with spaces in it.
    assert summary(found[857]) == ("string-width", "2.1.1", None, False, None)
    assert summary(found[865]) == ("string-width", "4.2.3", None, False, None)
    assert summary(found[45]) == ("ansi-regex", "3.0.1", None, False, None)
    assert sum(1 for p in packages if p.direct) == 7


def test_classic_without_package_json(tmp_path: Path) -> None:
    shutil.copy(DATA / "inputs/yarn/classic/yarn.lock", tmp_path / "yarn.lock")
    packages = packages_of(InputFile(tmp_path / "yarn.lock", "yarn.lock"))
    assert len(packages) == 152
    assert {p.direct for p in packages} == {None}
    assert {p.scope for p in packages} == {None}


def test_classic_workspace() -> None:
    packages = packages_of(input_file("inputs", "yarn", "classic-workspace", "yarn.lock"))
    found = {(p.name, p.version or p.requirement): p for p in packages}
    assert ("local-lib", "1.0.0") not in found  # file: folder
    assert len(packages) == 10
    assert summary(found["minimist", "1.2.5"]) == ("minimist", "1.2.5", None, True, "dev")
    assert found["ms", "2.1.3"].direct is True  # tarball URL from the root package.json
    assert found["ms", "2.1.3"].hashes == ()
    # Declared by a workspace package.json we do not read.
    assert found["lodash", "4.17.21"].direct is None
    assert found["minimist", "1.2.0"].direct is None


def test_berry() -> None:
    packages = packages_of(input_file("inputs", "yarn", "berry", "yarn.lock"))
    assert len(packages) == 173
    found = by_line(packages)
    assert summary(found[8]) == ("@babel/code-frame", "7.10.4", None, True, None)
    assert found[8].hashes[0].startswith("10c0/69e0f52986a1f40231d8")
    assert summary(found[827]) == ("lodash", "4.17.10", None, True, None)  # alias
    assert summary(found[834]) == ("lodash", "4.17.15", None, True, None)
    assert summary(found[937]) == ("mocha", "8.4.0", None, True, "dev")
    assert summary(found[755]) == ("is-number", "7.0.0", None, True, "optional")
    assert summary(found[76]) == ("ansi-regex", "3.0.1", None, False, None)
    # The builtin compat patch maps to the npm version it patches.
    assert summary(found[574]) == ("fsevents", "2.3.3", None, False, None)
    assert summary(found[564]) == ("fsevents", "2.3.3", None, False, None)
    assert 783 not in found  # the workspace itself
    assert sum(1 for p in packages if p.direct) == 7


def test_berry_workspace() -> None:
    packages = packages_of(input_file("inputs", "yarn", "berry-workspace", "yarn.lock"))
    names = sorted((p.name, p.version) for p in packages)
    assert ("local-lib", "1.0.0") not in names
    assert not any(p.name.startswith(("@mono/", "mono-root")) for p in packages)
    found = by_line(packages)
    assert summary(found[49]) == ("lodash", "4.17.21", None, True, None)  # from packages/web
    assert summary(found[67]) == ("minimist", "1.2.0", None, True, None)  # packages/util
    assert summary(found[74]) == ("minimist", "1.2.5", None, True, "dev")  # root dev
    assert summary(found[91]) == ("ms", "2.1.3", None, True, None)  # tarball with version
    assert len(packages) == 10


def test_berry_protocols(tmp_path: Path) -> None:
    file = text_file(
        tmp_path,
        "yarn.lock",
        """# This file is generated by running "yarn install" inside your project.
# Manual changes might be lost - proceed with caution!

__metadata:
  version: 8
  cacheKey: 10

"app@workspace:.":
  version: 0.0.0-use.local
  resolution: "app@workspace:."
  dependencies:
    left-pad: "git+https://github.com/left-pad/left-pad.git#commit=abc123"
    lodash: "patch:lodash@npm%3A4.17.21#./lodash.patch"
  languageName: unknown
  linkType: soft

"left-pad@git+https://github.com/left-pad/left-pad.git#commit=abc123":
  version: 1.3.0
  resolution: "left-pad@https://github.com/left-pad/left-pad.git#commit=abc123"
  languageName: node
  linkType: hard

"lodash@patch:lodash@npm%3A4.17.21#./lodash.patch":
  version: 4.17.21
  resolution: "lodash@patch:lodash@npm%3A4.17.21#./lodash.patch::version=4.17.21&hash=abc"
  languageName: node
  linkType: hard

"tool@portal:../tool::locator=app%40workspace%3A.":
  version: 0.0.0-use.local
  resolution: "tool@portal:../tool::locator=app%40workspace%3A."
  languageName: node
  linkType: soft

"gen@exec:./gen.js::locator=app%40workspace%3A.":
  version: 0.0.0-use.local
  resolution: "gen@exec:./gen.js#./gen.js::hash=1&locator=app%40workspace%3A."
  languageName: node
  linkType: hard
""",
    )
    left, lodash, gen = packages_of(file)
    assert (lodash.name, lodash.version, lodash.direct, lodash.location.line) == (
        "lodash",
        "4.17.21",
        True,
        23,
    )
    assert (gen.name, gen.version, gen.direct) == ("gen", None, False)
    assert gen.requirement == "exec:./gen.js#./gen.js::hash=1&locator=app%40workspace%3A."
    # Berry writes a git source as an https URL with #commit=: not a registry version.
    assert (left.name, left.version, left.direct, left.location.line) == (
        "left-pad",
        None,
        True,
        17,
    )
    assert left.requirement == "https://github.com/left-pad/left-pad.git#commit=abc123"


def test_classic_git_and_local(tmp_path: Path) -> None:
    file = text_file(
        tmp_path,
        "yarn.lock",
        """# yarn lockfile v1


"left-pad@git+https://github.com/left-pad/left-pad.git#v1.3.0":
  version "1.3.0"
  resolved "git+https://github.com/left-pad/left-pad.git#5f4a8b9b0d1c2e3f4a5b6c7d8e9f0a1b2c3d4e5f"

"tool@link:../tool":
  version "0.0.0"
  uid ""

"@scope/pkg@^1.0.0", "@scope/pkg@^1.1.0":
  version "1.2.0"
  resolved "https://yarn.mirror.example/@scope/pkg/-/pkg-1.2.0.tgz#abc"
""",
    )
    left, scoped = packages_of(file)
    assert skips_of(file) == ["yarn.lock:8: skipped tool@link:../tool: the project's own code"]
    assert (left.name, left.version, left.location.line) == ("left-pad", None, 4)
    assert left.requirement == "git+https://github.com/left-pad/left-pad.git#v1.3.0"
    assert (scoped.name, scoped.version, scoped.location.line, scoped.hashes) == (
        "@scope/pkg",
        "1.2.0",
        12,
        (),
    )


def test_classic_header_without_a_range(tmp_path: Path) -> None:
    text_file(tmp_path, "package.json", '{"dependencies": {"balanced-match": ""}}')
    file = text_file(
        tmp_path,
        "yarn.lock",
        """# yarn lockfile v1


balanced-match:
  version "1.0.2"

"@scope/pkg", "@scope/pkg@^1.0.0":
  version "1.2.0"

"concat-map":
  version "0.0.1"
""",
    )
    found = [(p.name, p.version, p.location.line, p.direct) for p in packages_of(file)]
    assert found == [
        ("balanced-match", "1.0.2", 4, True),
        ("@scope/pkg", "1.2.0", 7, False),
        ("concat-map", "0.0.1", 10, False),
    ]


def test_the_projects_own_entries_are_said() -> None:
    where = "inputs/yarn/berry-workspace/yarn.lock"
    assert skips_of(input_file("inputs", "yarn", "berry-workspace", "yarn.lock")) == [
        f"{where}:8: skipped @mono/util@workspace:packages/util: the project's own code",
        f"{where}:16: skipped @mono/web@workspace:packages/web: the project's own code",
        f"{where}:40: skipped local-lib@file:./local-lib#./local-lib: the project's own code",
        f"{where}:81: skipped mono-root@workspace:.: the project's own code",
    ]
    assert skips_of(input_file("inputs", "yarn", "classic-workspace", "yarn.lock")) == [
        "inputs/yarn/classic-workspace/yarn.lock:15: skipped local-lib@file:./local-lib: "
        "the project's own code"
    ]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("# yarn lockfile v1\n\nlodash@^4.17.15\n", "yarn.lock:3: expected a 'name@range:' header"),
        ('# yarn lockfile v1\n  version "1"\n', "yarn.lock:2: indented line before the first"),
        ('lodash@^4:\n  resolved "x"\n', "yarn.lock:1: entry 'lodash@^4' has no version"),
        ('lo dash:\n  version "1.0.0"\n', "yarn.lock:1: malformed entry name 'lo dash'"),
        ('"@scope":\n  version "1.0.0"\n', "yarn.lock:1: malformed entry name '@scope'"),
        ('"lodash@^4:\n  version "1"\n', "yarn.lock:1: malformed quoted string"),
        ('__metadata:\n  version: 8\n"a@npm:1":\n  version: [\n', "yarn.lock:5: invalid YAML"),
        ("__metadata: 1\n", "yarn.lock: __metadata must be an object"),
        (
            '__metadata:\n  version: 8\n"a@npm:1":\n  version: 1.0.0\n',
            "yarn.lock:3: entry resolution must be a string, not null",
        ),
    ],
)
def test_malformed(tmp_path: Path, content: str, message: str) -> None:
    with pytest.raises(SourceError) as caught:
        packages_of(text_file(tmp_path, "yarn.lock", content))
    assert str(caught.value).startswith(message)


def test_sniff() -> None:
    assert yarn.sniff((DATA / "inputs/yarn/classic/yarn.lock").read_text()[:65536])
    assert yarn.sniff((DATA / "inputs/yarn/berry/yarn.lock").read_text()[:65536])
    assert not yarn.sniff((DATA / "inputs/pnpm/v9/pnpm-lock.yaml").read_text()[:65536])


FIXTURES = ["classic", "berry", "berry-workspace"]


@given(st.text(max_size=300))
def test_fuzz_text(text: str) -> None:
    check_content(yarn.parse, "yarn.lock", text)


@given(st.text(alphabet='ab@^:" \n-#,_.1', max_size=200))
def test_fuzz_classic_alphabet(text: str) -> None:
    check_content(yarn.parse, "yarn.lock", text)


@given(st.data())
def test_fuzz_mutated_fixtures(data: st.DataObject) -> None:
    folder = data.draw(st.sampled_from(FIXTURES))
    original = (DATA / "inputs/yarn" / folder / "yarn.lock").read_bytes()
    manifest = (DATA / "inputs/yarn" / folder / "package.json").read_bytes()
    content = data.draw(mutated(original, pieces=JS_PIECES))
    check_content(yarn.parse, "yarn.lock", content, {"package.json": manifest})
