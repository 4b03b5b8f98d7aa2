"""``ossmeta hardened add|list|show``: a hardened wheel, sdist or npm tarball is checked
against the upstream release it replaces, stored in the blob store with its own digests,
listed, and shown as provenance and as OpenVEX that ossmeta's own VEX reader accepts.
Every mismatch is a one-line input error naming the file, and adds nothing."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from ossmeta.normalizers.vex import parse_vex
from ossmeta.store import Store
from ossmeta.store.blobs import BlobStore
from ossmeta.surfaces.cli.app import main
from tests.hardened.artifacts import npm_tarball, patch, sdist, wheel


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("OSSMETA_HOME", str(tmp_path / "home"))
    return tmp_path / "home"


def test_add_list_show_a_wheel_and_an_sdist(
    store: Store, home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = ("--db", store.url)
    built = wheel(tmp_path / "dist", "Demo_Lib", "1.2.3+trusted.1")
    source = sdist(tmp_path / "dist", "demo-lib", "1.2.3+trusted.1")
    fix = patch(tmp_path)
    code, _, err = run(
        capsys, "hardened", "add", "pkg:pypi/demo-lib@1.2.3", str(built),
        "--fixes", "GHSA-aaaa-bbbb-cccc,CVE-2026-0001", "--patch", str(fix), *db,
    )  # fmt: skip
    assert code == 0, err
    assert "1.2.3+trusted.1" in err
    code, _, err = run(
        capsys, "hardened", "add", "pkg:pypi/demo-lib@1.2.3", str(source),
        "--fixes", "GHSA-aaaa-bbbb-cccc", "--patch", str(fix), *db,
    )  # fmt: skip
    assert code == 0, err

    code, out, _ = run(capsys, "hardened", "list", "--format", "json", *db)
    listed = json.loads(out)
    assert [(r["name"], r["version"], r["filename"]) for r in listed] == [
        ("demo-lib", "1.2.3+trusted.1", built.name),
        ("demo-lib", "1.2.3+trusted.1", source.name),
    ]
    digest = hashlib.sha256(built.read_bytes()).hexdigest()
    assert listed[0]["sha256"] == digest
    assert listed[0]["sha512"] == hashlib.sha512(built.read_bytes()).hexdigest()
    assert listed[0]["size"] == built.stat().st_size
    assert listed[0]["fixes"] == ["GHSA-aaaa-bbbb-cccc", "CVE-2026-0001"]
    assert listed[0]["patches"] == [
        {"name": fix.name, "sha256": hashlib.sha256(fix.read_bytes()).hexdigest()}
    ]
    stored = BlobStore(home / "blobs").find(digest)
    assert stored is not None and stored.read_bytes() == built.read_bytes()

    # The upstream purl shows the hardened version that replaces it, as the hardened one does.
    _, by_upstream, _ = run(capsys, "hardened", "show", "pkg:pypi/demo-lib@1.2.3", *db)
    _, by_hardened, _ = run(capsys, "hardened", "show", "pkg:pypi/demo-lib@1.2.3%2Btrusted.1", *db)
    assert by_upstream == by_hardened
    provenance = json.loads(by_upstream)
    assert provenance["upstream"] == {"purl": "pkg:pypi/demo-lib@1.2.3", "version": "1.2.3"}
    assert provenance["version"] == "1.2.3+trusted.1"
    assert provenance["fixes"] == ["GHSA-aaaa-bbbb-cccc", "CVE-2026-0001"]
    assert [a["filename"] for a in provenance["artifacts"]] == [built.name, source.name]
    assert provenance["artifacts"][0]["digests"]["sha256"] == digest

    code, out, _ = run(capsys, "hardened", "show", "pkg:pypi/demo-lib@1.2.3", "--vex", *db)
    assert code == 0
    document = parse_vex(out.encode())
    assert document.format == "openvex" and not document.problems
    assert sorted((s.vulnerability, s.target, s.state) for s in document.statements) == [
        ("CVE-2026-0001", "pkg:pypi/demo-lib@1.2.3%2Btrusted.1", "not_affected"),
        ("GHSA-aaaa-bbbb-cccc", "pkg:pypi/demo-lib@1.2.3%2Btrusted.1", "not_affected"),
    ]
    assert all(fix.name in s.detail for s in document.statements)
    raw = json.loads(out)
    assert {s["justification"] for s in raw["statements"]} == {"vulnerable_code_not_present"}

    code, out, _ = run(capsys, "hardened", "list", *db)
    assert out.splitlines()[0].split("\t")[:4] == ["PyPI", "demo-lib", "1.2.3", "1.2.3+trusted.1"]


def test_a_scoped_npm_tarball(
    store: Store, home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = ("--db", store.url)
    tarball = npm_tarball(tmp_path, "@acme/left-pad", "1.0.0-trusted.2")
    code, _, err = run(
        capsys, "hardened", "add", "pkg:npm/%40acme/left-pad@1.0.0", str(tarball),
        "--fixes", "GHSA-xxxx-yyyy-zzzz", "--patch", str(patch(tmp_path)), *db,
    )  # fmt: skip
    assert code == 0, err
    _, out, _ = run(capsys, "hardened", "show", "pkg:npm/%40acme/left-pad@1.0.0", *db)
    provenance = json.loads(out)
    assert provenance["purl"] == "pkg:npm/%40acme/left-pad@1.0.0-trusted.2"
    # The registry's tarball name, whatever the file was called here.
    artifact = provenance["artifacts"][0]
    assert artifact["filename"] == "left-pad-1.0.0-trusted.2.tgz"
    assert (
        artifact["integrity"]
        == BlobStore(home / "blobs").put([tarball.read_bytes()], {}, what="again").integrity
    )


def _bad_cases(folder: Path) -> list[tuple[list[str], Path, str]]:
    """(arguments after ``hardened add``, the file the error must name, words it says)."""
    fix = patch(folder)
    common = ["--fixes", "GHSA-1", "--patch", str(fix)]
    not_local = wheel(folder / "a", "demo", "1.2.3")
    other_label = wheel(folder / "b", "demo", "1.2.3+cgr.1")
    meta_disagrees = wheel(folder / "c", "demo", "1.2.3+trusted.1", metadata_version="1.2.3")
    meta_name = wheel(folder / "d", "demo", "1.2.3+trusted.1", metadata_name="other")
    other_upstream = wheel(folder / "e", "demo", "1.2.4+trusted.1")
    pkg_info = sdist(folder / "f", "demo", "1.2.3+trusted.1", pkg_info_version="1.2.3+trusted.2")
    npm_release = npm_tarball(folder / "g", "left-pad", "1.0.0")
    npm_build = npm_tarball(folder / "h", "left-pad", "1.0.0+trusted.1")
    npm_name = npm_tarball(folder / "i", "right-pad", "1.0.0-trusted.1")
    garbage = folder / "demo-1.2.3+trusted.1-py3-none-any.whl"
    garbage.write_bytes(b"not a zip")
    good = wheel(folder / "j", "demo", "1.2.3+trusted.1")
    missing_patch = folder / "nope.patch"
    return [
        (["pkg:pypi/demo@1.2.3", str(not_local), *common], not_local, "not a hardened version"),
        (["pkg:pypi/demo@1.2.3", str(other_label), *common], other_label, "1.2.3+trusted.N"),
        (["pkg:pypi/demo@1.2.3", str(meta_disagrees), *common], meta_disagrees, "METADATA"),
        (["pkg:pypi/demo@1.2.3", str(meta_name), *common], meta_name, "names 'other'"),
        (["pkg:pypi/demo@1.2.3", str(other_upstream), *common], other_upstream, "upstream"),
        (["pkg:pypi/other@1.2.3", str(good), *common], good, "not of 'other'"),
        (["pkg:pypi/demo@1.2.3", str(pkg_info), *common], pkg_info, "PKG-INFO"),
        (["pkg:npm/left-pad@1.0.0", str(npm_release), *common], npm_release, "1.0.0-trusted.N"),
        (["pkg:npm/left-pad@1.0.0", str(npm_build), *common], npm_build, "1.0.0-trusted.N"),
        (["pkg:npm/left-pad@1.0.0", str(npm_name), *common], npm_name, "'right-pad'"),
        (["pkg:pypi/demo@1.2.3", str(garbage), *common], garbage, "cannot read"),
        (["pkg:pypi/demo@1.2.3", str(good), "--fixes", "GHSA-1"], Path("--patch"), "patch"),
        (
            ["pkg:pypi/demo@1.2.3", str(good), "--fixes", "G", "--patch", str(missing_patch)],
            missing_patch,
            "cannot read the patch",
        ),
        (["pkg:pypi/demo", str(good), *common], Path("pkg:pypi/demo"), "upstream version"),
        (["pkg:cargo/demo@1.2.3", str(good), *common], Path("pkg:cargo"), "pkg:pypi"),
        (
            ["pkg:pypi/demo@1.2.3", str(folder / "none.whl"), *common],
            folder / "none.whl",
            "no such",
        ),
    ]


def test_every_mismatch_is_one_line_naming_the_file_and_adds_nothing(
    store: Store, home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for arguments, named, words in _bad_cases(tmp_path):
        code, _, err = run(capsys, "hardened", "add", *arguments, "--db", store.url)
        assert code == 2, (arguments, err)
        assert len(err.strip().splitlines()) == 1, err
        assert str(named) in err and words in err, (words, err)
    assert run(capsys, "hardened", "list", "--format", "json", "--db", store.url)[1].strip() == "[]"
    # Nothing reached the blob store either: every check comes before the bytes are kept.
    assert not list((home / "blobs" / "sha256").glob("*/*"))


def test_a_file_is_added_once_and_show_names_what_is_missing(
    store: Store, home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    built = wheel(tmp_path, "demo", "1.2.3+trusted.1")
    args = ("hardened", "add", "pkg:pypi/demo@1.2.3", str(built), "--fixes", "GHSA-1")
    args += ("--patch", str(patch(tmp_path)), "--db", store.url)
    assert run(capsys, *args)[0] == 0
    code, _, err = run(capsys, *args)
    assert code == 2 and "added already" in err and built.name in err
    code, _, err = run(capsys, "hardened", "show", "pkg:pypi/demo@1.2.2", "--db", store.url)
    assert code == 2 and "no hardened release" in err


@pytest.fixture(scope="module")
def packed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, object]]:
    """A scoped package made by real ``npm pack`` (offline, its own cache and config), and
    what npm says of it."""
    npm = shutil.which("npm")
    if npm is None:
        pytest.skip("npm is not installed")
    folder = tmp_path_factory.mktemp("npm")
    source = folder / "src"
    source.mkdir()
    manifest = {"name": "@acme/left-pad", "version": "2.0.1-trusted.1", "main": "index.js"}
    (source / "package.json").write_text(json.dumps(manifest), encoding="utf-8")
    (source / "index.js").write_text("module.exports = 1;\n", encoding="utf-8")
    env = {
        **os.environ,
        "npm_config_cache": str(folder / "cache"),
        "npm_config_userconfig": os.devnull,
    }
    done = subprocess.run(
        [npm, "pack", "--pack-destination", str(folder), "--ignore-scripts", "--offline", "--json"],
        cwd=source, capture_output=True, text=True, env=env, timeout=120, check=True,
    )  # fmt: skip
    (said,) = json.loads(done.stdout)
    return folder / said["filename"], said


def test_a_tarball_from_npm_pack(
    store: Store,
    home: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    packed: tuple[Path, dict[str, object]],
) -> None:
    tarball, said = packed
    db = ("--db", store.url)
    code, _, err = run(
        capsys, "hardened", "add", "pkg:npm/%40acme/left-pad@2.0.1", str(tarball),
        "--fixes", "GHSA-xxxx-yyyy-zzzz", "--patch", str(patch(tmp_path)), *db,
    )  # fmt: skip
    assert code == 0, err
    _, out, _ = run(capsys, "hardened", "show", "pkg:npm/%40acme/left-pad@2.0.1", *db)
    (artifact,) = json.loads(out)["artifacts"]
    assert artifact["integrity"] == said["integrity"]  # npm's own digest of its tarball
    assert artifact["filename"] == "left-pad-2.0.1-trusted.1.tgz"
    # The same tarball cannot pass for another upstream release.
    code, _, err = run(
        capsys, "hardened", "add", "pkg:npm/%40acme/left-pad@2.0.0", str(tarball),
        "--fixes", "GHSA-1", "--patch", str(patch(tmp_path)), *db,
    )  # fmt: skip
    assert code == 2 and str(tarball) in err and "2.0.0-trusted.N" in err
