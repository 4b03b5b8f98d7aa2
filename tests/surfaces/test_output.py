"""``-o``/``--output`` behaves like shell redirection: files are replaced atomically (through
a symlink, which stays), FIFOs and devices are streamed, a directory is exit 2 and a full
disk exit 4, on a report file and on stdout alike."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path
from typing import TextIO

import pytest

from ossmeta.errors import EXIT_INPUT, EXIT_UNAVAILABLE, OutputError, UsageError
from ossmeta.surfaces.cli.app import main
from ossmeta.surfaces.cli.output import write_output

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
SRC = Path(__file__).resolve().parents[2] / "src"
REPORT = "line one\nline two\n"


def render(stream: TextIO) -> None:
    stream.write(REPORT)


def test_a_new_file_and_an_existing_one_are_written_whole(tmp_path: Path) -> None:
    target = tmp_path / "report.txt"
    write_output(target, render)
    assert target.read_text() == REPORT
    target.write_text("old")
    write_output(target, render)
    assert target.read_text() == REPORT
    assert [p.name for p in tmp_path.iterdir()] == ["report.txt"]  # nothing left beside


def test_a_symlink_stays_and_its_target_is_replaced(tmp_path: Path) -> None:
    real = tmp_path / "real.txt"
    real.write_text("old")
    link = tmp_path / "link.txt"
    link.symlink_to(real)
    write_output(link, render)
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert real.read_text() == REPORT


def test_a_fifo_is_streamed_to_its_reader(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received: list[str] = []

    def reader() -> None:
        with open(fifo, encoding="utf-8") as stream:
            received.append(stream.read())

    thread = threading.Thread(target=reader, daemon=True)
    thread.start()
    write_output(fifo, render)
    thread.join(timeout=30)
    assert received == [REPORT]
    assert fifo.exists() and not fifo.is_file()  # still the FIFO, not a file put in its place


def test_a_device_is_written_not_replaced() -> None:
    write_output(Path("/dev/null"), render)
    assert Path("/dev/null").is_char_device()


def test_an_inherited_descriptor_path_is_streamed(tmp_path: Path) -> None:
    read_end, write_end = os.pipe()
    try:
        write_output(Path(f"/dev/fd/{write_end}"), render)
    finally:
        os.close(write_end)
    with os.fdopen(read_end, encoding="utf-8") as stream:
        assert stream.read() == REPORT


def test_a_directory_is_the_users_mistake(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="is a directory"):
        write_output(tmp_path, render)
    with pytest.raises(UsageError, match="missing is not a directory"):
        write_output(tmp_path / "missing" / "report.txt", render)


def test_a_full_device_is_the_environments_failure() -> None:
    with pytest.raises(OutputError, match="No space left on device"):
        write_output(Path("/dev/full"), render)


def test_a_failed_render_leaves_the_previous_report(tmp_path: Path) -> None:
    target = tmp_path / "report.txt"
    target.write_text("previous")

    def broken(stream: TextIO) -> None:
        stream.write("half")
        raise RuntimeError("a forced bug")

    with pytest.raises(RuntimeError):
        write_output(target, broken)
    assert target.read_text() == "previous"
    assert [p.name for p in tmp_path.iterdir()] == ["report.txt"]


@pytest.fixture
def store(tmp_path: Path) -> str:
    db = f"sqlite:///{tmp_path / 'store.db'}"
    assert main(["db", "upgrade", "--db", db]) == 0
    assert main(["advisories", "import", str(EXAMPLES / "advisories"), "--db", db]) == 0
    return db


def scan(db: str, *more: str, stdout: int | None = None) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "ossmeta", "scan", str(EXAMPLES / "project"), "--db", db]
    env = {**os.environ, "PYTHONPATH": str(SRC), "NO_COLOR": "1"}
    return subprocess.run(
        [*command, *more],
        env=env,
        stdout=stdout if stdout is not None else subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        timeout=120,
    )


def test_scan_to_a_full_disk_is_one_line_exit_4(store: str) -> None:
    with open("/dev/full", "w") as full:
        done = scan(store, stdout=full.fileno())
    assert done.returncode == EXIT_UNAVAILABLE, done.stderr
    assert done.stderr.strip() == "ossmeta: error: cannot write the output: No space left on device"
    done = scan(store, "-o", "/dev/full")
    assert done.returncode == EXIT_UNAVAILABLE, done.stderr
    assert done.stderr.strip() == "ossmeta: error: cannot write /dev/full: No space left on device"


def test_scan_into_a_directory_is_one_line_exit_2(store: str, tmp_path: Path) -> None:
    done = scan(store, "-o", str(tmp_path))
    assert done.returncode == EXIT_INPUT
    assert done.stderr.strip() == f"ossmeta: error: cannot write {tmp_path}: it is a directory"


def test_scan_to_dev_stdout_and_dash_reach_stdout(store: str) -> None:
    for target in ("/dev/stdout", "-"):
        done = scan(store, "-f", "json", "-o", target)
        assert done.returncode == 1, done.stderr  # the example project has findings
        assert done.stdout.startswith('{"schema":"ossmeta.scan/1"'), target


def test_a_reader_that_goes_away_is_not_an_error(store: str) -> None:
    command = [sys.executable, "-m", "ossmeta", "advisories", "show", "PYSEC-2021-98"]
    env = {**os.environ, "PYTHONPATH": str(SRC), "NO_COLOR": "1"}
    process = subprocess.Popen(
        [*command, "--db", store, "--format", "json"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert process.stdout is not None and process.stderr is not None
    process.stdout.close()  # like `| head -0`: the reader is gone before anything is written
    with process.stderr:
        err = process.stderr.read().decode()
    assert process.wait(timeout=120) == 141
    assert err == ""


def test_an_unwritable_output_is_refused_before_any_work(tmp_path: Path) -> None:
    # No store at all: had the scan run first, the missing store would be the error.
    missing_store = f"sqlite:///{tmp_path / 'absent.db'}"
    done = scan(missing_store, "-o", str(tmp_path))
    assert done.returncode == EXIT_INPUT, done.stderr
    assert done.stderr.strip() == f"ossmeta: error: cannot write {tmp_path}: it is a directory"
    done = scan(missing_store, "-o", str(tmp_path / "no" / "such" / "report.json"))
    assert done.returncode == EXIT_INPUT, done.stderr
    assert "is not a directory" in done.stderr and not (tmp_path / "absent.db").exists()
