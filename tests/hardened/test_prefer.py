"""The index rule for hardened releases: list the hardened version beside the upstream
files, deny the upstream version only when the policy denies it, and let PEP 440 do the
preferring: ``==1.2.3`` matches ``1.2.3+trusted.1`` and installers take the highest match.
Checked with ``packaging`` and with real pip's finder on local files (no network)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from packaging.specifiers import SpecifierSet

from ossmeta.service.hardened import hardened_releases, preferred_for
from ossmeta.store import Store
from tests.hardened.artifacts import patch, wheel


def test_pep440_lets_a_pin_match_its_hardened_rebuild() -> None:
    assert SpecifierSet("==1.2.3").contains("1.2.3+trusted.1")
    assert not SpecifierSet("==1.2.3").contains("1.2.4+trusted.1")
    assert not SpecifierSet("==1.2.3+trusted.1").contains("1.2.3")


@pytest.mark.parametrize(
    ("upstream", "denied", "hardened", "expected"),
    [
        (["1.2.2", "1.2.3"], [], ["1.2.3+trusted.1"], "1.2.3+trusted.1"),
        (["1.2.3"], ["1.2.3"], ["1.2.3+trusted.1"], "1.2.3+trusted.1"),
        (["1.2.3"], [], ["1.2.3+trusted.1", "1.2.3+trusted.2"], "1.2.3+trusted.2"),
        (["1.2.3"], ["1.2.3+trusted.2"], ["1.2.3+trusted.1", "1.2.3+trusted.2"], "1.2.3+trusted.1"),
        (["1.2.3"], [], [], "1.2.3"),
        (["1.2.3"], ["1.2.3"], [], None),  # nothing allowed: the pin fails, with the reason
        (["1.2.3", "1.2.4"], ["1.2.3"], ["1.2.4+trusted.1"], None),  # another version's rebuild
    ],
)
def test_preferred_for(
    upstream: list[str], denied: list[str], hardened: list[str], expected: str | None
) -> None:
    assert preferred_for("1.2.3", upstream, denied, hardened) == expected


def test_real_pip_installs_the_hardened_rebuild_for_a_pin(tmp_path: Path) -> None:
    """Both files side by side, as the index lists them: pip's finder picks the rebuild."""
    links = tmp_path / "links"
    wheel(links, "demo", "1.2.3")
    wheel(links, "demo", "1.2.3+trusted.1")
    wheel(links, "demo", "1.2.4")
    env = {**os.environ, "PIP_CONFIG_FILE": os.devnull, "PIP_NO_INPUT": "1"}
    done = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--isolated", "--dry-run", "--quiet",
         "--ignore-installed", "--no-index", "--no-cache-dir", "--find-links", str(links),
         "--report", "-", "demo==1.2.3"],
        capture_output=True, text=True, env=env, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert [i["metadata"]["version"] for i in report["install"]] == ["1.2.3+trusted.1"]


def test_the_service_lists_hardened_files_for_the_indexes(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ossmeta.service.hardened import add_hardened

    monkeypatch.setenv("OSSMETA_HOME", str(tmp_path / "home"))
    built = wheel(tmp_path, "Demo", "1.2.3+trusted.1")
    add_hardened(store, "pkg:pypi/demo@1.2.3", built, ["GHSA-1"], [patch(tmp_path)], "test")
    (listed,) = hardened_releases(store, "pypi", "DEMO")
    assert (listed.name, listed.upstream_version, listed.version) == (
        "demo",
        "1.2.3",
        "1.2.3+trusted.1",
    )
    assert listed.filename == built.name and listed.fixes == ("GHSA-1",)
    assert listed.path is not None and listed.path.read_bytes() == built.read_bytes()
    assert listed.size == built.stat().st_size
    assert hardened_releases(store, "npm", "demo") == []
