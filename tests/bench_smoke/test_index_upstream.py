"""The index benchmarks' own harness: the stub upstream serves valid simple pages (JSON and
HTML) whose hashes, sizes and core metadata match the files it serves, real pip installs
from it, and wrk's report is read right."""

from __future__ import annotations

import hashlib
import importlib
import io
import os
import re
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import httpx
import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench"
JSON = "application/vnd.pypi.simple.v1+json"


def _bench_module(name: str) -> ModuleType:
    sys.path.insert(0, str(BENCH))
    try:
        return importlib.import_module(name)
    finally:
        sys.path.remove(str(BENCH))


upstream_module = _bench_module("index_upstream")


@pytest.fixture(scope="module")
def upstream() -> Iterator[object]:
    with upstream_module.start() as running:
        yield running


def test_json_page_lists_every_version_with_hashes_that_match_the_files(upstream: object) -> None:
    base = upstream.base  # type: ignore[attr-defined]
    with httpx.Client() as client:
        answer = client.get(f"{base}/simple/Many_Ver/", headers={"Accept": JSON})
        assert answer.status_code == 200
        assert answer.headers["content-type"] == JSON
        page = answer.json()
        assert page["meta"]["api-version"].startswith("1.")
        assert page["name"] == "many-ver"
        assert len(page["files"]) == len(set(page["versions"])) == 300
        for entry in page["files"]:
            wheel = client.get(entry["url"]).content
            assert hashlib.sha256(wheel).hexdigest() == entry["hashes"]["sha256"]
            assert len(wheel) == entry["size"]
            assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z", entry["upload-time"])
            metadata = client.get(entry["url"] + ".metadata").content
            assert hashlib.sha256(metadata).hexdigest() == entry["core-metadata"]["sha256"]
            with zipfile.ZipFile(io.BytesIO(wheel)) as archive:
                names = archive.namelist()
                info = next(n for n in names if n.endswith(".dist-info/METADATA"))
                assert archive.read(info) == metadata
                record = archive.read(info.replace("METADATA", "RECORD")).decode()
                assert {line.split(",")[0] for line in record.splitlines()} == set(names)
        assert client.get(f"{base}/simple/no-such-project/").status_code == 404


def test_html_page_carries_the_same_hashes(upstream: object) -> None:
    base = upstream.base  # type: ignore[attr-defined]
    with httpx.Client() as client:
        as_json = client.get(f"{base}/simple/bench-small-00/", headers={"Accept": JSON}).json()
        as_html = client.get(f"{base}/simple/bench-small-00/", headers={"Accept": "text/html"})
    assert as_html.headers["content-type"].startswith("application/vnd.pypi.simple.v1+html")
    linked = dict(re.findall(r'href="[^"]*/([^/"#]+)#sha256=([0-9a-f]{64})"', as_html.text))
    assert linked == {f["filename"]: f["hashes"]["sha256"] for f in as_json["files"]}
    assert as_html.text.count("data-core-metadata=") == len(linked) == 3


def test_pip_installs_from_it(upstream: object, tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PIP_")}
    env["PIP_CONFIG_FILE"] = os.devnull
    last, before = upstream_module.SMALL[-1], upstream_module.SMALL[-2]
    done = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
         "--no-cache-dir", "--no-compile", "--target", str(tmp_path),
         "--index-url", f"{upstream.base}/simple/", before],  # type: ignore[attr-defined]
        env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    installed = sorted(p.name for p in tmp_path.glob("*.dist-info"))
    assert installed == [f"{n.replace('-', '_')}-1.2.0.dist-info" for n in (before, last)]


WRK_OUTPUT = """Running 10s test @ http://127.0.0.1:1/index/
  2 threads and 4 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     3.10ms    1.20ms  40.00ms   90.00%
  Latency Distribution
     50%  850.00us
     75%    3.00ms
     90%    4.00ms
     99%    1.20s
  1234 requests in 10.00s, 190.00MB read
  Non-2xx or 3xx responses: 7
Requests/sec:    123.45
Transfer/sec:     19.00MB
"""


def test_wrk_report_is_read_with_its_units() -> None:
    parsed = _bench_module("bench_index").parse_wrk(WRK_OUTPUT)
    assert parsed["rps"] == pytest.approx(123.45)
    assert parsed["p50_ms"] == pytest.approx(0.85)
    assert parsed["p99_ms"] == pytest.approx(1200.0)
    assert parsed["non_2xx"] == 7
    with pytest.raises(ValueError):
        _bench_module("bench_index").parse_wrk("wrk: connection refused\n")
