"""Reader pins: a reader of an activity dataset says which manifest generation it reads, so
that no writer deletes that generation's files under it.

A pin is a small JSON file ``<dataset>/readers/<pid>-<random>.json`` holding the generation,
the host and pid of the reader, and a heartbeat time the reader refreshes while it reads. A
pin counts while it is fresh: its heartbeat is younger than the grace period (and than
``STALE_AFTER_S`` at least, since readers beat every ``HEARTBEAT_S``) and, on this host, its
process is alive. A stale pin (a reader killed without cleaning up) is ignored and
removed by the next writer. Readers on other machines that cannot write pins (Spark over a
shared filesystem) are protected by the grace period alone: a superseded file is kept at
least that long.
"""

from __future__ import annotations

import json
import os
import secrets
import socket
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Final

__all__ = [
    "DEFAULT_GRACE_S",
    "GRACE_VARIABLE",
    "HEARTBEAT_S",
    "Pin",
    "grace_seconds",
    "held_generations",
    "process_alive",
]

READERS: Final = "readers"
GRACE_VARIABLE: Final = "OSSMETA_ACTIVITY_GRACE_S"
DEFAULT_GRACE_S: Final = 3600.0
HEARTBEAT_S: Final = 60.0
STALE_AFTER_S: Final = 600.0


def grace_seconds() -> float:
    """How long a superseded file is kept at least, and how old a heartbeat may be."""
    text = os.environ.get(GRACE_VARIABLE, "")
    try:
        return max(0.0, float(text)) if text else DEFAULT_GRACE_S
    except ValueError:
        return DEFAULT_GRACE_S


@dataclass
class Pin:
    """One reader's claim on one generation of one dataset."""

    path: Path
    generation: int

    @classmethod
    def create(cls, directory: Path, generation: int) -> Pin:
        folder = directory / READERS
        folder.mkdir(parents=True, exist_ok=True)
        pin = cls(folder / f"{os.getpid()}-{secrets.token_hex(8)}.json", generation)
        pin.beat()
        return pin

    def move_to(self, generation: int) -> None:
        self.generation = generation
        self.beat()

    def beat(self) -> None:
        """Write (or refresh) the pin. Written in place, not swapped: a writer that reads it
        torn treats it as fresh, which only keeps files longer."""
        body = {
            "generation": self.generation,
            "host": socket.gethostname(),
            "pid": os.getpid(),
            "heartbeat": time.time(),
        }
        self.path.write_text(json.dumps(body), encoding="utf-8")

    def release(self) -> None:
        self.path.unlink(missing_ok=True)


def held_generations(directory: Path, grace_s: float, now: float) -> set[int] | None:
    """The generations fresh pins hold; stale pins are removed. ``None`` when a pin cannot
    be read: the caller then deletes nothing (it may be a reader's half-written pin)."""
    folder = directory / READERS
    if not folder.is_dir():
        return set()
    stale_s = max(grace_s, STALE_AFTER_S)
    held: set[int] = set()
    for path in folder.glob("*.json"):
        try:
            body = json.loads(path.read_text(encoding="utf-8"))
            generation = int(body["generation"])
            heartbeat = float(body["heartbeat"])
            host, pid = str(body["host"]), int(body["pid"])
        except FileNotFoundError:
            continue  # released while we looked
        except (OSError, ValueError, KeyError, TypeError):
            if _age(path, now) > stale_s:  # damaged long ago: no reader is behind it
                path.unlink(missing_ok=True)
                continue
            return None
        if now - heartbeat > stale_s or (host == socket.gethostname() and not process_alive(pid)):
            path.unlink(missing_ok=True)
            continue
        held.add(generation)
    return held


def _age(path: Path, now: float) -> float:
    try:
        return now - path.stat().st_mtime
    except FileNotFoundError:
        return float("inf")


def process_alive(pid: int) -> bool:
    """Whether a process of this host with this id runs."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process: alive
    return True
