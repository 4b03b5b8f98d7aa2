"""``ossmeta sync``, ``normalize``, ``packages show|dependents`` and ``why`` on the command
line, against the synthetic registries on loopback, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ossmeta.surfaces.cli.app import main
from tests.loopback import serve
from tests.registry_server import Universe


@pytest.fixture
def universe() -> Universe:
    return Universe.make(pypi=4, npm=4, crates=2, maven=2, versions=3)


@pytest.fixture
def origin(universe: Universe) -> Iterator[str]:
    with serve(quiet=True) as loopback:
        loopback.handler = universe.handler(loopback.origin)
        yield loopback.origin


@pytest.fixture
def config(tmp_path: Path, origin: str, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(
        f"""
[registries.pypi]
url = "{origin}"
[registries.npm]
url = "{origin}/npm"
changes_url = "{origin}/npm-replicate"
[registries.crates]
url = "{origin}/crates-index"
[registries.maven]
url = "{origin}/maven"
[http]
rate_per_host = 0
max_retries = 1
"""
    )
    monkeypatch.setenv("OSSMETA_CONFIG", str(path))
    return path


@pytest.fixture(autouse=True)
def created(store_url: str) -> None:
    """Only ``db upgrade`` creates a store; the commands under test write into one."""
    assert main(["db", "upgrade", "--db", store_url]) == 0


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def show(capsys: pytest.CaptureFixture[str], purl: str, db: str) -> dict[str, Any]:
    code, out, err = run(capsys, "packages", "show", purl, "--format", "json", "--db", db)
    assert code == 0, err
    shown: dict[str, Any] = json.loads(out)
    return shown


def test_sync_then_show_follows_the_json_contract(
    config: Path, universe: Universe, store_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(capsys, "sync", "pypi", *universe.pypi_names, "--db", store_url)
    assert code == 0, err
    assert f"pypi: {len(universe.pypi_names)} package(s): 4 written, 0 unchanged, 0 failed" in err
    name = universe.pypi_names[0]
    shown = show(capsys, f"pkg:pypi/{name.upper()}@1.0.0", store_url)  # any spelling, a version
    assert list(shown) == ["purl", "repository", "status", "license", "versions", "dependents"]
    assert shown["purl"] == f"pkg:pypi/{name}"
    assert shown["repository"] == f"github.com/{name}/{name}"
    assert shown["status"] == "active"
    assert [v["version"] for v in shown["versions"]] == universe._versions(name)
    version = shown["versions"][-1]
    assert list(version) == ["version", "published", "yanked", "license", "dependencies"]
    assert version["published"].endswith("Z")
    assert list(version["license"]) == ["spdx", "raw", "confidence", "source"]
    # An extra's requirement is optional, kept as declared (no version constraint).
    assert {"purl": "pkg:pypi/pytest", "requirement": "", "scope": "optional"} in version[
        "dependencies"
    ]
    assert shown["versions"][0]["yanked"] is True

    code, out, _ = run(
        capsys, "packages", "dependents", "pkg:pypi/pytest", "--limit", "3", "--format", "json",
        "--db", store_url,
    )  # fmt: skip
    page = json.loads(out)
    assert (code, page["total"], len(page["dependents"])) == (0, 4, 3)
    code, out, _ = run(
        capsys, "packages", "dependents", "pkg:pypi/pytest", "--offset", "3", "--format", "json",
        "--db", store_url,
    )  # fmt: skip
    rest = json.loads(out)["dependents"]
    assert sorted(page["dependents"] + rest) == sorted(f"pkg:pypi/{n}" for n in universe.pypi_names)


def test_every_registry_syncs_from_the_config_file(
    config: Path, universe: Universe, store_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    for registry, names in (
        ("npm", universe.npm_names),
        ("crates", universe.crate_names),
        ("maven", universe.maven_names),
    ):
        code, _, err = run(capsys, "sync", registry, *names, "--db", store_url)
        assert code == 0, err
    assert show(capsys, "pkg:npm/%40scope0/aurora-js-0", store_url)["versions"]
    assert show(capsys, "pkg:cargo/aurora_rs0", store_url)["license"]["spdx"] == "MIT OR Apache-2.0"
    maven = show(capsys, "pkg:maven/org.example.g0/art-0", store_url)
    assert maven["license"]["spdx"] == "Apache-2.0"
    code, _, err = run(capsys, "normalize", "--db", store_url)
    assert code == 0 and "normalized 8 package(s); 0 failed" in err


def test_a_failed_package_exits_1_and_is_listed(
    config: Path, universe: Universe, store_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    universe.faults[universe.npm_names[1]] = "500"
    code, _, err = run(capsys, "sync", "npm", *universe.npm_names, "--db", store_url)
    assert code == 1
    assert f"failed {universe.npm_names[1]}: [fetch]" in err
    assert "Traceback" not in err


def test_usage_errors_are_one_line_with_exit_2(
    tmp_path: Path,
    store_url: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("OSSMETA_CONFIG", str(tmp_path / "absent.toml"))
    code, _, err = run(
        capsys, "sync", "pypi", "x", "--registry-url", "http://127.0.0.1:9", "--db", store_url
    )
    assert code == 2 and "absent.toml" in err and "no such file" in err
    monkeypatch.delenv("OSSMETA_CONFIG")
    monkeypatch.setenv("OSSMETA_HOME", str(tmp_path))
    code, _, err = run(capsys, "sync", "pypi", "x", "--db", store_url)
    assert code == 2 and "no registry URL for pypi" in err and len(err.strip().splitlines()) == 1
    code, _, err = run(capsys, "packages", "show", "pkg:pypi/never-synced", "--db", store_url)
    assert code == 2 and "no package pkg:pypi/never-synced" in err
    code, _, err = run(capsys, "packages", "show", "not a purl", "--db", store_url)
    assert code == 2 and len(err.strip().splitlines()) == 1


def test_curation_survives_a_resync_and_why_shows_the_chain(
    config: Path, universe: Universe, store_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    name = universe.pypi_names[0]
    purl = f"pkg:pypi/{name}"
    assert run(capsys, "sync", "pypi", name, "--db", store_url)[0] == 0
    source = show(capsys, purl, store_url)["license"]
    code, out, err = run(
        capsys, "curate", "propose", purl, "license", "BSD-2-Clause", "--reason", "LICENSE file",
        "--author", "ada", "--evidence", f"https://github.com/{name}/{name}/blob/main/LICENSE",
        "--db", store_url,
    )  # fmt: skip
    assert code == 0, err
    curation_id = next(word for word in (out + err).replace("#", " ").split() if word.isdigit())
    assert (
        run(
            capsys,
            "curate",
            "review",
            curation_id,
            "--approve",
            "--reviewer",
            "bob",
            "--db",
            store_url,
        )[0]
        == 0
    )
    universe.publish("pypi", name)
    assert run(capsys, "sync", "pypi", name, "--db", store_url)[0] == 0
    assert run(capsys, "normalize", "pypi", "--db", store_url)[0] == 0
    shown = show(capsys, purl, store_url)
    assert len(shown["versions"]) == 4  # the re-sync happened
    assert shown["license"]["spdx"] == "BSD-2-Clause"
    assert shown["license"]["confidence"] == "curated"
    code, out, _ = run(capsys, "why", purl, "license", "--format", "json", "--db", store_url)
    assert code == 0
    chain = json.dumps(json.loads(out))
    assert source["raw"] in chain and "BSD-2-Clause" in chain and "pypi-project" in chain
