"""OS packages end to end: ``ossmeta advisories import`` of distribution OSV records, then
``ossmeta scan`` of container-image SBOMs (syft and Trivy shapes, CycloneDX and SPDX)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from ossmeta.surfaces.cli.app import main

DATA = Path(__file__).resolve().parents[1] / "data"
IMAGES = DATA / "inputs" / "images"


@pytest.fixture
def db(store_url: str) -> str:
    """A SQLite and a PostgreSQL store holding the distribution records."""
    assert main(["db", "upgrade", "--db", store_url]) == 0
    assert main(["advisories", "import", str(DATA / "osv-distros"), "--db", store_url]) == 0
    return store_url


def scan(capsys: pytest.CaptureFixture[str], db: str, *paths: Path) -> dict[str, Any]:
    capsys.readouterr()
    main(["scan", *map(str, paths), "--db", db, "--format", "json"])
    report: dict[str, Any] = json.loads(capsys.readouterr().out)
    return report


def by_purl(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {c["purl"].split("@")[0]: c for c in report["components"]}


def ids(component: dict[str, Any], kind: str = "vulnerabilities") -> list[str]:
    return [v["id"] for v in component[kind]]


def test_debian_image_matches_its_release_by_source_package(
    db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    report = scan(capsys, db, IMAGES / "debian-12.syft.cdx.json")
    found = by_purl(report)
    assert all(c["status"] == "ok" for c in report["components"])  # none unsupported
    libssl = found["pkg:deb/debian/libssl3"]
    assert (libssl["ecosystem"], libssl["name"]) == ("Debian:12", "openssl")  # the source
    assert ids(libssl) == ["DSA-9901-1"]  # not DLA-9902-1, the Debian 11 record of the CVE
    [vulnerability] = libssl["vulnerabilities"]
    assert vulnerability["fixed"] == ["3.0.11-1~deb12u2"]  # not Debian 11's 1.1.1w-0+deb11u9
    assert libssl["upgrade"] == "3.0.11-1~deb12u2"
    assert ids(found["pkg:deb/debian/openssl"]) == ["DSA-9901-1"]
    assert ids(found["pkg:deb/debian/libc6"]) == []  # 2.36-9+deb12u4 is past the fix
    assert ids(found["pkg:deb/debian/base-files"]) == []
    # zlib1g names no release: Debian 12's record would affect it, so the verdict is unknown
    zlib = found["pkg:deb/debian/zlib1g"]
    assert zlib["ecosystem"] == "Debian" and ids(zlib) == []
    assert ids(zlib, "unknown") == ["DSA-9904-1"]
    assert "names no Debian release" in zlib["unknown"][0]["reason"]
    assert any("1 Debian package(s) name no Debian release" in n for n in report["notes"])
    assert any("2 Debian package(s) name no source package" in n for n in report["notes"])


def test_alpine_spdx_matches_only_alpine_3_20(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    report = scan(capsys, db, IMAGES / "alpine-3.20.trivy.spdx.json")
    found = by_purl(report)
    busybox = found["pkg:apk/alpine/busybox"]
    assert busybox["ecosystem"] == "Alpine:v3.20"
    # ALPINE-CVE-2030-1006 covers Alpine 3.21 only, below 1.37.0-r9: not this package
    assert ids(busybox) == ["ALPINE-CVE-2030-1005"]
    assert busybox["vulnerabilities"][0]["fixed"] == ["1.36.1-r29"]
    ssl_client = found["pkg:apk/alpine/ssl_client"]
    assert (ssl_client["name"], ids(ssl_client)) == ("busybox", ["ALPINE-CVE-2030-1005"])
    assert ids(found["pkg:apk/alpine/musl"]) == []


def test_rocky_image_with_rpm_epochs(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    report = scan(capsys, db, IMAGES / "rocky-9.trivy.cdx.json")
    found = by_purl(report)
    openssl = found["pkg:rpm/rocky/openssl"]
    assert (openssl["ecosystem"], openssl["version"]) == ("Rocky Linux:9", "1:3.0.7-25.el9")
    assert ids(openssl) == ["RLSA-2030:1007"] and openssl["upgrade"] == "1:3.0.7-27.el9"
    assert ids(found["pkg:rpm/rocky/openssl-libs"]) == []  # at the fixed version
    assert ids(found["pkg:rpm/rocky/curl"]) == []  # RLSA-2030:1008 is for Rocky Linux 8
    assert report["notes"] == []


def test_ubuntu_lts_and_an_uncovered_distribution(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    purls = [
        "pkg:deb/ubuntu/openssl@3.0.2-0ubuntu1.14?arch=amd64&distro=ubuntu-22.04",
        "pkg:deb/ubuntu/openssl@3.0.2-0ubuntu1.15?arch=amd64&distro=ubuntu-22.04",
        "pkg:deb/ubuntu/openssl@3.0.2-0ubuntu1.14?arch=amd64&distro=ubuntu-20.04",
        "pkg:rpm/centos/curl@7.61.1-34.el8?distro=centos-8",
    ]
    sbom = tmp_path / "ubuntu.cdx.json"
    sbom.write_text(json.dumps({
        "bomFormat": "CycloneDX", "specVersion": "1.6", "version": 1,
        "components": [{"type": "library", "name": p.split("/")[2].split("@")[0],
                        "purl": p} for p in purls],
    }))  # fmt: skip
    report = scan(capsys, db, sbom)
    rows = [(c["ecosystem"], c["version"], c["status"], ids(c)) for c in report["components"]]
    assert rows == [
        ("Ubuntu:20.04:LTS", "3.0.2-0ubuntu1.14", "ok", []),  # the record is for 22.04
        ("Ubuntu:22.04:LTS", "3.0.2-0ubuntu1.14", "ok", ["UBUNTU-CVE-2030-1001"]),
        ("Ubuntu:22.04:LTS", "3.0.2-0ubuntu1.15", "ok", []),
        (None, "7.61.1-34.el8", "unidentified", []),
    ]
    assert any("pkg:rpm/centos package(s): OSV has no ecosystem" in n for n in report["notes"])
