"""``ossmeta`` commands as real processes for the monitoring tests: a worker or a server
started on a store, waited for until it says it runs, stopped by a signal."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass

__all__ = ["Running", "ossmeta", "run_ossmeta", "started"]


def _env(extra: Mapping[str, str] | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OSSMETA_SMTP_")}
    return env | dict(extra or {})


def ossmeta(*args: str) -> list[str]:
    return [sys.executable, "-m", "ossmeta", *args]


def run_ossmeta(
    *args: str, env: Mapping[str, str] | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ossmeta(*args), capture_output=True, text=True, env=_env(env), timeout=timeout, check=False
    )


@dataclass
class Running:
    process: subprocess.Popen[str]
    #: What the process said it runs as (its first line): the worker's name, the API's URL.
    said: str
    stdout: str = ""
    stderr: str = ""

    def stop(self, sig: int = signal.SIGTERM) -> int:
        """Send ``sig`` and wait for the exit; its code (output kept in stdout/stderr)."""
        if self.process.poll() is None:
            self.process.send_signal(sig)
        out, err = self.process.communicate(timeout=120)
        self.stdout += out or ""
        self.stderr += err or ""
        return int(self.process.returncode)


@contextmanager
def started(
    *args: str, wait_for: str, on_stderr: bool, env: Mapping[str, str] | None = None
) -> Iterator[Running]:
    """Start ``ossmeta ARGS`` and wait for its first line, which must match ``wait_for``
    (a regex whose first group is kept); killed at the end if still running."""
    with subprocess.Popen(
        ossmeta(*args),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=_env(env),
    ) as process:  # closes the pipes at the end
        try:
            stream = process.stderr if on_stderr else process.stdout
            assert stream is not None
            line = stream.readline()
            match = re.search(wait_for, line)
            if match is None:
                process.kill()
                out, err = process.communicate(timeout=60)
                raise AssertionError(f"ossmeta {' '.join(args)} said {line!r}: {out} {err}")
            running = Running(process, match.group(1) if match.groups() else line.strip())
            if on_stderr:
                running.stderr = line
            else:
                running.stdout = line
            yield running
        finally:
            if process.poll() is None:
                process.kill()
                process.wait(timeout=60)
