"""Sending a batch of deliveries a few at once, fairly between receivers.

At most ``concurrency`` sends are in flight, and at most ``per_host`` to one receiver host,
taken from the hosts in turn: a slow or hanging receiver holds at most ``per_host`` of the
sending threads, and the rest of the batch goes on to the others. Answers are handed to
``record`` in groups: at the end, and every ``flush_s`` while sends are in flight, so that
one receiver that times out does not keep the others' answers unrecorded.
"""

from __future__ import annotations

import time
from collections import Counter, deque
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Executor, Future, wait
from dataclasses import dataclass
from typing import TypeVar
from urllib.parse import urlsplit

__all__ = ["SendLimits", "host_of", "send_fairly"]

Item = TypeVar("Item")
Result = TypeVar("Result")


@dataclass(frozen=True)
class SendLimits:
    concurrency: int = 8
    per_host: int = 4
    #: Longest wait before answers already in are recorded while other sends go on.
    flush_s: float = 0.25


def host_of(url: str | None) -> str:
    """What fairness counts by: the URL's host and port (e-mail shares one key)."""
    if url is None:
        return "smtp:"
    parts = urlsplit(url)
    return f"{parts.hostname or ''}:{parts.port or ''}"


def send_fairly(
    items: Sequence[Item],
    *,
    key: Callable[[Item], str],
    send: Callable[[Item], Result],
    record: Callable[[list[tuple[Item, Result]]], None],
    may_start: Callable[[], bool],
    pool: Executor,
    limits: SendLimits,
) -> list[Item]:
    """Send every item (``send`` must not raise) while ``may_start()`` holds; the items not
    started, in order. Returns once every started send was answered and recorded."""
    queues: dict[str, deque[Item]] = {}
    for item in items:
        queues.setdefault(key(item), deque()).append(item)
    turn = deque(queues)
    busy: Counter[str] = Counter()
    running: dict[Future[Result], tuple[str, Item]] = {}
    answered: list[tuple[Item, Result]] = []
    flushed_at = time.monotonic()
    while True:
        while len(running) < max(1, limits.concurrency) and may_start():
            host = next((h for h in turn if queues[h] and busy[h] < max(1, limits.per_host)), None)
            if host is None:
                break
            turn.remove(host)
            turn.append(host)  # the next send goes to another host when one has work
            item = queues[host].popleft()
            busy[host] += 1
            running[pool.submit(send, item)] = (host, item)
        if not running:
            break
        finished, _ = wait(running, timeout=limits.flush_s, return_when=FIRST_COMPLETED)
        for future in finished:
            host, item = running.pop(future)
            busy[host] -= 1
            answered.append((item, future.result()))
        if answered and time.monotonic() - flushed_at >= limits.flush_s:
            record(answered)
            answered = []
            flushed_at = time.monotonic()
    if answered:
        record(answered)
    return [item for queue in queues.values() for item in queue]
