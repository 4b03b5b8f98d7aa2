"""OS package purls -> OSV ecosystems with a release, and OSV's release matching."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ossmeta.model import Component, ComponentStatus, DeclaredPackage, Location
from ossmeta.normalizers.components import normalize_components
from ossmeta.normalizers.distros import (
    OS_ECOSYSTEMS,
    coverage_notes,
    os_package,
    release_ecosystem,
    release_matches,
)
from ossmeta.purls import Purl, parse_purl


@pytest.mark.parametrize(
    ("base", "distro", "ecosystem"),
    [
        ("Debian", "debian-12", "Debian:12"),  # syft
        ("Debian", "debian-12.4", "Debian:12"),  # Trivy
        ("Debian", "bookworm", "Debian:12"),  # a code name (cdxgen's distro_name)
        ("Debian", "debian-bullseye", "Debian:11"),
        ("Ubuntu", "ubuntu-22.04", "Ubuntu:22.04:LTS"),
        ("Ubuntu", "ubuntu-23.10", "Ubuntu:23.10"),
        ("Ubuntu", "noble", "Ubuntu:24.04:LTS"),
        ("Alpine", "alpine-3.20.3", "Alpine:v3.20"),  # syft
        ("Alpine", "3.20.3", "Alpine:v3.20"),  # Trivy
        ("Alpine", "3.21_alpha20240807", "Alpine:v3.21"),
        ("Red Hat", "rhel-9.4", "Red Hat:enterprise_linux:9"),
        ("Rocky Linux", "rocky-9.3", "Rocky Linux:9"),
        ("AlmaLinux", "almalinux-9.4", "AlmaLinux:9"),
        ("Mageia", "mageia-9", "Mageia:9"),
        ("openSUSE", "opensuse-leap-15.5", "openSUSE:Leap 15.5"),
        ("openSUSE", "opensuse-tumbleweed-20240101", "openSUSE:Tumbleweed"),
        ("SUSE", "sles-15.5", "SUSE:Linux Enterprise Server 15 SP5"),
        ("Wolfi", "wolfi-20230201", "Wolfi"),
        ("Debian", "sid", None),
        ("Alpine", "edge", None),
        ("Ubuntu", "ubuntu-22", None),
    ],
)
def test_release_from_distro_qualifier(base: str, distro: str, ecosystem: str | None) -> None:
    assert release_ecosystem(base, distro) == ecosystem


@pytest.mark.parametrize(
    ("component", "record", "expected"),
    [
        ("Debian:12", "Debian:12", True),
        ("Debian:12", "Debian:11", False),
        ("Debian:12", "Debian", True),  # a record without a release applies to every one
        ("Debian", "Debian:12", None),  # the component names no release: unknown
        ("Ubuntu:22.04:LTS", "Ubuntu:22.04:LTS", True),
        ("Ubuntu:22.04:LTS", "Ubuntu:Pro:22.04:LTS", True),
        ("Ubuntu:22.04:LTS", "Ubuntu:20.04:LTS", False),
        ("Alpine:v3.20", "Alpine:v3.20", True),
        ("Alpine:v3.20", "Alpine:v3.2", False),
        ("Red Hat:enterprise_linux:9", "Red Hat:enterprise_linux:9::appstream", True),
        ("Red Hat:enterprise_linux:9", "Red Hat:enterprise_linux:8::baseos", False),
        ("Red Hat:enterprise_linux:9", "Red Hat:rhel_eus:9.2::baseos", False),
        ("Rocky Linux:9", "Rocky Linux:8", False),
        ("AlmaLinux:9", "AlmaLinux:9", True),
        ("openSUSE:Leap 15.5", "openSUSE:Leap 15.5", True),
        ("openSUSE:Leap 15.5", "openSUSE:Leap Micro 5.5", False),
        ("SUSE:Linux Enterprise Server 15 SP5", "SUSE:Linux Enterprise Module for Basesystem 15 SP5", True),
        ("SUSE:Linux Enterprise Server 15 SP5", "SUSE:Linux Enterprise Server 15 SP4", False),
        ("Maven", "Maven:https://maven.google.com", True),  # not a distribution: no releases
    ],
)  # fmt: skip
def test_release_matches(component: str, record: str, expected: bool | None) -> None:
    assert release_matches(component, record) is expected


def test_source_package_version_and_epoch() -> None:
    found = os_package(
        parse_purl("pkg:deb/debian/libc6@2.36-9%2Bdeb12u4?upstream=glibc&distro=debian-12")
    )
    assert found is not None
    assert (found.ecosystem, found.name, found.version) == ("Debian:12", "glibc", "2.36-9+deb12u4")
    assert found.release_known and found.source_named
    # syft names the source version when it differs from the binary's (a binNMU)
    found = os_package(
        parse_purl("pkg:deb/debian/libfoo1@1.2-3%2Bb1?upstream=foo%401.2-3&distro=debian-12")
    )
    assert found is not None and (found.name, found.version) == ("foo", "1.2-3")
    found = os_package(parse_purl("pkg:deb/ubuntu/libssl3@3.0.2-0ubuntu1.14?distro=ubuntu-22.04"))
    assert found is not None and (found.name, found.source_named) == ("libssl3", False)
    found = os_package(
        parse_purl(
            "pkg:rpm/redhat/openssl-libs@3.0.7-27.el9?epoch=1&upstream=openssl-3.0.7-27.el9.src.rpm&distro=rhel-9.4"
        )
    )
    assert found is not None  # RPM advisories name binary packages: upstream is not used
    assert (found.ecosystem, found.name, found.version) == (
        "Red Hat:enterprise_linux:9",
        "openssl-libs",
        "1:3.0.7-27.el9",
    )
    assert found.source_named
    assert os_package(parse_purl("pkg:pypi/django@3.2")) is None
    found = os_package(parse_purl("pkg:deb/raspbian/openssl@3.0.11"))
    assert found is not None and found.ecosystem is None
    found = os_package(parse_purl("pkg:apk/alpine/busybox@1.36.1-r15"))
    assert found is not None and (found.ecosystem, found.release_known) == ("Alpine", False)

    found = os_package(parse_purl("pkg:apk/wolfi/glibc@2.40-r0?upstream=glibc"))
    assert found is not None and (found.ecosystem, found.release_known) == ("Wolfi", True)


def test_components_keep_release_binary_purl_and_status() -> None:
    where = Location("image.cdx.json", None, "$.components[0]")
    purls = [
        "pkg:deb/debian/libssl3@3.0.11-1~deb12u1?arch=amd64&upstream=openssl&distro=debian-12",
        "pkg:deb/debian/openssl@3.0.11-1~deb12u1?arch=amd64&distro=debian-12",
        "pkg:apk/alpine/busybox@1.36.1-r15?distro=3.20.3",
        "pkg:rpm/rocky/openssl@3.0.7-25.el9?epoch=1&distro=rocky-9.3",
        "pkg:deb/debian/bad@not-a-version?distro=debian-12",
    ]
    found = normalize_components(DeclaredPackage(None, "x", None, where, purl=p) for p in purls)
    rows = [(c.ecosystem, c.name, c.version, c.status, c.purl) for c in found]
    assert rows == [
        ("Alpine:v3.20", "busybox", "1.36.1-r15", ComponentStatus.OK, purls[2]),
        ("Debian:12", "bad", "not-a-version", ComponentStatus.UNKNOWN, purls[4]),
        # two binaries of one source stay two components, each with its own purl
        ("Debian:12", "openssl", "3.0.11-1~deb12u1", ComponentStatus.OK, purls[0]),
        ("Debian:12", "openssl", "3.0.11-1~deb12u1", ComponentStatus.OK, purls[1]),
        ("Rocky Linux:9", "openssl", "1:3.0.7-25.el9", ComponentStatus.OK, purls[3]),
    ]


def _component(purl: str) -> Component:
    return Component(purl, None, "x", None, ComponentStatus.OK, ())


def test_coverage_notes() -> None:
    notes = coverage_notes(
        [
            _component("pkg:deb/debian/zlib1g@1.2?upstream=zlib"),
            _component("pkg:deb/debian/zlib1g@1.2?upstream=zlib&distro=debian-12"),
            _component("pkg:apk/alpine/musl@1.2.5-r0?distro=3.20.3"),
            _component("pkg:rpm/centos/curl@7.61.1-34.el8?distro=centos-8"),
            _component("pkg:pypi/django@3.2"),
        ]
    )
    assert notes == (
        "1 Debian package(s) name no Debian release (no usable distro qualifier in the purl): "
        "advisories scoped to a release are reported as unknown for them",
        "1 Alpine package(s) name no source package (no upstream qualifier in the purl): matched "
        "by binary package name, so advisories filed under a differently named source package "
        "are missed",
        "1 pkg:rpm/centos package(s): OSV has no ecosystem for this distribution; not checked",
    )


qualifier_value = st.text(alphabet=st.characters(codec="utf-8"), max_size=30)


@given(
    st.sampled_from(["deb", "apk", "rpm"]),
    st.sampled_from(["debian", "ubuntu", "alpine", "wolfi", "redhat", "rocky", "opensuse", "sles", "x"]),
    st.dictionaries(st.sampled_from(["distro", "distro_name", "upstream", "epoch", "arch"]),
                    qualifier_value, max_size=4),
    st.one_of(st.none(), qualifier_value),
)  # fmt: skip
def test_fuzz_any_qualifiers(ptype: str, namespace: str, qualifiers: dict[str, str],
                             version: str | None) -> None:  # fmt: skip
    """Whatever the qualifiers say, the answer is an identity (or None for the distribution),
    never an exception, and a component always matches records of its own release."""
    purl = Purl(ptype, namespace, "pkg", version, tuple(sorted(qualifiers.items())), None)
    found = os_package(purl)
    assert found is not None
    if found.ecosystem is None:
        return
    assert found.ecosystem.split(":")[0] in OS_ECOSYSTEMS
    assert found.release_known == (
        ":" in found.ecosystem or found.ecosystem in ("Wolfi", "Chainguard")
    )
    if ":" in found.ecosystem:
        assert release_matches(found.ecosystem, found.ecosystem) is True
