"""End to end with a REAL policy: the contract's policy file applied with ``ossmeta policy
apply``, the index added with ``--policy``, advisories imported as OSV records; real pip
and uv installing through the index on loopback. Each flow asserts on the client's output
and on the request logs of the index and of the stub upstream."""

from __future__ import annotations

import logging
from datetime import timedelta
from pathlib import Path

import httpx
import pytest

from tests.index.pypi.conftest import NOW
from tests.index.pypi.policy_harness import (  # noqa: F401  (gated: the fixture)
    ADV_DEMO,
    ADV_HARD,
    ADV_MEDIUM,
    BASELINE,
    DAY,
    Gated,
    gated,
    install,
    installed,
    pip,
    uv,
)
from tests.index.pypi_upstream import make_wheel


def test_the_contract_policy_gates_pip_and_uv(gated: Gated) -> None:  # noqa: F811
    g = gated
    # uv runs every case (it is cheap); pip the ones whose output the contract names.
    for client in ("pip", "uv"):
        # Allowed, and a range skips the denied 2.0 (listed as yanked with the reason).
        ranged = install(client, g, f"{client}-ranged", "demo-a>=1")
        assert ranged.returncode == 0, ranged.stderr
        assert installed(g, f"{client}-ranged") == ["demo_a-1.1.dist-info"]
        # A denied pin fails naming the rule and the advisory.
        pinned = install(client, g, f"{client}-pinned", "demo-a==2.0")
        output = pinned.stdout + pinned.stderr
        assert pinned.returncode != 0 and installed(g, f"{client}-pinned") == []
        assert "403" in output and "security.deny_at_or_above" in output and ADV_DEMO in output
        # Cooldown: uploaded a day ago under min_age_days = 7, refused with the date it ends.
        fresh = install(client, g, f"{client}-fresh", "fresh-pkg==1.1")
        ends = (NOW - DAY + 7 * DAY).isoformat(timespec="seconds")
        output = fresh.stdout + fresh.stderr
        assert fresh.returncode != 0 and "cooldown.min_age_days" in output and ends in output
    # The licence read from the upstream's core metadata alone (no sync step) is denied.
    licensed = uv(g, "licensed", "gpl-pkg==1.0")
    assert licensed.returncode != 0
    assert "licenses.deny" in licensed.stderr and "GPL-3.0-only" in licensed.stderr
    # The security fix released the same day as fresh-pkg 1.1 is exempt from the cooldown.
    fix = uv(g, "fix", "fixed-pkg")
    assert fix.returncode == 0, fix.stderr
    assert installed(g, "fix") == ["fixed_pkg-1.1.dist-info"]
    # Denied files answered 403 and never reached the upstream; allowed ones were fetched.
    for denied in ("demo_a-2.0", "gpl_pkg-1.0", "fresh_pkg-1.1"):
        assert set(g.requests.statuses(f"{denied}-py3-none-any.whl")) == {403}
        assert g.upstream.requested(f"/files/{denied}-py3-none-any.whl") == 0
    assert g.upstream.requested("/files/demo_a-1.1-py3-none-any.whl") == 1
    assert g.upstream.requested("/files/fixed_pkg-1.1-py3-none-any.whl") == 1
    # No sync step: the licence came from the upstream's own pages and metadata.
    assert g.upstream.requested("/simple/gpl-pkg/") >= 1


def test_a_waiver_lets_a_version_through_until_it_expires(gated: Gated) -> None:  # noqa: F811
    g = gated
    assert uv(g, "before", "gpl-pkg==1.0").returncode != 0
    code, out = g.cli(
        "policy", "waiver", "add", "baseline", "pkg:pypi/gpl-pkg", "--versions", "==1.0",
        "--reason", "legal approved the internal use", "--requested-by", "alice",
        "--approved-by", "bob", "--days", "1",
    )  # fmt: skip
    assert code == 0, out
    during = pip(g, "during", "gpl-pkg==1.0")
    assert during.returncode == 0, during.stderr
    assert installed(g, "during") == ["gpl_pkg-1.0.dist-info"]
    # The index's clock passes the expiry (the kept page's decisions end then): refused again.
    g.clock.ahead = timedelta(days=1, hours=1)
    after = pip(g, "after", "gpl-pkg==1.0")
    output = after.stdout + after.stderr
    assert after.returncode != 0 and "licenses.deny" in output
    served = g.requests.statuses("gpl_pkg-1.0-py3-none-any.whl")
    assert served[0] == 403 and 200 in served and served[-1] == 403
    code, out = g.cli("policy", "audit", "--policy", "baseline")
    assert code == 0 and "waiver.add" in out


def test_a_hardened_release_is_preferred(gated: Gated, tmp_path: Path) -> None:  # noqa: F811
    g = gated
    refused = uv(g, "before", "hard-pkg==1.0")
    assert refused.returncode != 0 and ADV_HARD in refused.stderr
    wheel = make_wheel("hard-pkg", "1.0+trusted.1", NOW)
    path = tmp_path / wheel.filename
    path.write_bytes(wheel.content)
    patch = tmp_path / "fix.patch"
    patch.write_text("--- a/hard_pkg_mod.py\n+++ b/hard_pkg_mod.py\n", encoding="utf-8")
    code, out = g.cli(
        "hardened", "add", "pkg:pypi/hard-pkg@1.0", str(path), "--fixes", ADV_HARD,
        "--patch", str(patch),
    )  # fmt: skip
    assert code == 0, out
    for client in ("pip", "uv"):
        got = install(client, g, client, "hard-pkg==1.0")
        assert got.returncode == 0, got.stderr
        assert installed(g, client) == ["hard_pkg-1.0+trusted.1.dist-info"]
        module = (g.work / client / "hard_pkg_mod.py").read_text(encoding="utf-8")
        assert "1.0+trusted.1" in module
    assert set(g.requests.statuses(wheel.filename)) == {200}
    # Served from the blob store: the upstream never had it; its own upstream 1.0 is denied.
    assert g.upstream.requested("trusted.1-py3-none-any.whl") == 0
    assert g.upstream.requested("/files/hard_pkg-1.0-py3-none-any.whl") == 0
    # The page lists it with its own hash, upload time and core metadata.
    answer = httpx.get(
        g.simple + "hard-pkg/", headers={"Accept": "application/vnd.pypi.simple.v1+json"}
    )
    files = {f["filename"]: f for f in answer.json()["files"]}
    mine = files[wheel.filename]
    assert mine["hashes"] == {"sha256": wheel.sha256} and mine["size"] == len(wheel.content)
    assert mine["yanked"] is False and "upload-time" in mine
    assert mine["core-metadata"] is not False
    assert files["hard_pkg-1.0-py3-none-any.whl"]["yanked"]  # the upstream one: denied


def test_offline_upstream_and_tampered_files(
    gated: Gated,  # noqa: F811
    caplog: pytest.LogCaptureFixture,
) -> None:
    g = gated
    assert pip(g, "first", "demo-a==1.1").returncode == 0
    g.upstream.tamper("demo_a-1.0-py3-none-any.whl")
    with caplog.at_level(logging.ERROR, logger="ossmeta.index"):
        tampered = uv(g, "tampered", "demo-a==1.0")
    assert tampered.returncode != 0 and "502" in tampered.stderr
    assert installed(g, "tampered") == []
    assert any("refused demo_a-1.0-py3-none-any.whl" in r.getMessage() for r in caplog.records)
    g.upstream.offline()
    fetched = g.upstream.requested("/files/demo_a-1.1-py3-none-any.whl")
    again = uv(g, "again", "demo-a==1.1")
    assert again.returncode == 0, again.stderr
    assert installed(g, "again") == ["demo_a-1.1.dist-info"]
    assert g.upstream.requested("/files/demo_a-1.1-py3-none-any.whl") == fetched  # kept
    denied = uv(g, "denied", "demo-a==2.0")
    assert denied.returncode != 0 and ADV_DEMO in denied.stderr
    assert set(g.requests.statuses("demo_a-2.0-py3-none-any.whl")) == {403}


def test_revocation_after_a_stricter_policy(gated: Gated) -> None:  # noqa: F811
    g = gated
    cache = g.work / "pip-cache"
    first = pip(g, "first", "demo-a>=1", cache=cache)
    assert first.returncode == 0 and installed(g, "first") == ["demo_a-1.1.dist-info"]
    assert uv(g, "uv-first", "demo-a>=1").returncode == 0
    g.apply(BASELINE.replace('"high"', '"medium"'))  # 1.1's medium advisory now denies it
    # Warm caches revalidate the page (max-age=0, must-revalidate, and an ETag that the
    # policy's version changed): pip's (trusted host, as over HTTPS) and uv's both see the
    # new page at once, and a range skips the revoked 1.1.
    pages = len(g.requests.revalidations("/simple/demo-a/"))
    cached = pip(g, "cached", "demo-a>=1", cache=cache)
    assert cached.returncode == 0, cached.stderr
    assert installed(g, "cached") == ["demo_a-1.0.dist-info"]
    uv_cached = uv(g, "uv-cached", "demo-a>=1")
    assert uv_cached.returncode == 0 and installed(g, "uv-cached") == ["demo_a-1.0.dist-info"]
    assert g.requests.revalidations("/simple/demo-a/")[pages:] == [200, 200]
    # A pin of the revoked version is refused even from a warm cache: the denied file is
    # listed under a URL the caches never saw, so both clients ask for it and get the 403
    # with the reason (with the plain URL they reinstalled the cached wheel, warning only).
    refreshed = pip(g, "refreshed", "demo-a==1.1", cache=cache)
    output = refreshed.stdout + refreshed.stderr
    assert refreshed.returncode != 0 and ADV_MEDIUM in output and "policy baseline v2" in output
    uv_refreshed = uv(g, "uv-refreshed", "demo-a==1.1")
    assert uv_refreshed.returncode != 0 and ADV_MEDIUM in uv_refreshed.stderr
    assert set(g.requests.statuses("demo_a-1.1-py3-none-any.whl")[-2:]) == {403}
    assert installed(g, "refreshed") == [] and installed(g, "uv-refreshed") == []
