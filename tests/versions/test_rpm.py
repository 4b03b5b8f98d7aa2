"""RPM ordering (rpmvercmp with epoch:version-release), checked against rpm's own
Python bindings where the system has them."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ossmeta.versions import ordering_for
from ossmeta.versions.rpm import RED_HAT, split_evr
from tests.versions.laws import (
    assert_ascending,
    assert_equal,
    assert_invalid,
    assert_total_order,
    fuzz,
    sign,
)


def test_tilde_and_caret() -> None:
    # "~" sorts below the end of the text, "^" above it but below any further segment.
    assert_ascending(RED_HAT, ["1.0~rc1", "1.0~rc2", "1.0", "1.0^git1", "1.0^git2", "1.0a"])
    assert_ascending(RED_HAT, ["1.0", "1.0.1", "1.0.1.0"])


def test_numbers_beat_letters_and_compare_as_numbers() -> None:
    assert_ascending(RED_HAT, ["1.a", "1.z", "1.0", "1.9", "1.10"])
    assert_ascending(RED_HAT, ["1.A", "1.a"])  # letters bytewise
    assert_equal(RED_HAT, ["1.01", "1.001", "1.1"])


def test_separators_only_separate() -> None:
    assert_equal(RED_HAT, ["1.0", "1_0", "1..0", "1.0.", "1+0"])


def test_epoch_version_release() -> None:
    assert_ascending(
        RED_HAT, ["3.0.7-25.el9", "3.0.7-27.el9", "3.0.7-27.el9_4.1", "3.0.8-1.el9", "1:3.0.1-1"]
    )
    assert_equal(RED_HAT, ["0:3.0.7-27.el9", "3.0.7-27.el9"])
    assert split_evr("2:1.0-1.el9") == (2, "1.0", "1.el9")
    assert split_evr("1.0") == (0, "1.0", "")


def test_registered_for_the_rpm_distributions() -> None:
    for scheme in ("Red Hat", "Rocky Linux", "AlmaLinux", "openSUSE", "SUSE", "Mageia"):
        ordering = ordering_for(scheme)
        assert ordering is not None and ordering.name == scheme
        assert not ordering.is_prerelease("1.0~rc1-1")


@pytest.mark.parametrize("text", ["", " ", "-1", "1.0-", "1:", "1.0 1", "1.\u00e9", "1\t0"])
def test_rejects(text: str) -> None:
    assert_invalid(RED_HAT, text)


part = st.lists(st.sampled_from(["0", "1", "2", "10", "007", "a", "b", "Z", "el", ".", "_", "~",
                                 "^", "+"]), min_size=1, max_size=5).map("".join)  # fmt: skip


@st.composite
def rpm_version(draw: st.DrawFn) -> tuple[str, str, str]:
    epoch = draw(st.sampled_from(["0", "1", "2"]))
    version = draw(part.filter(lambda s: any(c.isalnum() for c in s)))
    release = draw(part.filter(lambda s: any(c.isalnum() for c in s)))
    return epoch, version, release


def _text(evr: tuple[str, str, str]) -> str:
    return f"{evr[0]}:{evr[1]}-{evr[2]}"


@given(st.lists(rpm_version().map(_text), min_size=1, max_size=8))
def test_total_order(texts: list[str]) -> None:
    assert_total_order(RED_HAT, texts)


@given(st.text())
def test_fuzz_only_invalid_version_escapes(text: str) -> None:
    fuzz(RED_HAT, text)


def test_huge_numbers_are_fine() -> None:
    assert_ascending(RED_HAT, ["1." + "9" * 5000, "1.1" + "0" * 5000])


# rpm's Python bindings live in the system interpreter (Debian's python3-rpm); one
# process answers every comparison over a pipe.
_ORACLE = (
    "import sys, rpm\n"
    "for line in sys.stdin:\n"
    "    a, b = (tuple(x.split('\\x1f')) for x in line.rstrip('\\n').split('\\x1e'))\n"
    "    print(rpm.labelCompare(a, b), flush=True)\n"
)
PYTHON3 = shutil.which("python3", path="/usr/bin")


def _has_rpm_bindings() -> bool:
    if PYTHON3 is None:
        return False
    return subprocess.run([PYTHON3, "-c", "import rpm"], capture_output=True).returncode == 0


HAS_RPM = _has_rpm_bindings()


@pytest.fixture(scope="module")
def oracle() -> Iterator[subprocess.Popen[str]]:
    assert PYTHON3 is not None
    with subprocess.Popen(
        [PYTHON3, "-c", _ORACLE], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    ) as process:  # closing its pipes ends it
        yield process


def _rpm_sign(oracle: subprocess.Popen[str], a: tuple[str, ...], b: tuple[str, ...]) -> int:
    assert oracle.stdin is not None and oracle.stdout is not None
    oracle.stdin.write("\x1f".join(a) + "\x1e" + "\x1f".join(b) + "\n")
    oracle.stdin.flush()
    return int(oracle.stdout.readline())


@pytest.mark.skipif(not HAS_RPM, reason="rpm's Python bindings are missing (apt: python3-rpm)")
@settings(max_examples=300, deadline=None)
@given(a=rpm_version(), b=rpm_version())
def test_agrees_with_rpm(oracle: subprocess.Popen[str], a: tuple[str, str, str],
                         b: tuple[str, str, str]) -> None:  # fmt: skip
    assert sign(RED_HAT.key(_text(a)), RED_HAT.key(_text(b))) == _rpm_sign(oracle, a, b), (a, b)
