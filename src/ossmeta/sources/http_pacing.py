"""Pacing for the HTTP fetcher: the clock, the per-host rate limiter, retry backoff,
``Retry-After`` and rate-limit reset parsing, and the ``Wait`` announced before a pause.
Kept apart from ``http.py`` so the timing rules can be read (and tested with a fake clock)
without the network code around them."""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Protocol


class Clock(Protocol):
    """Where the fetcher reads the time and how it waits; tests inject a fake one so
    backoff and rate limits can be checked without real waiting."""

    def now(self) -> float:
        """Monotonic seconds."""
        ...

    async def sleep(self, seconds: float) -> None:
        """Wait ``seconds`` (never negative)."""
        ...


@dataclass(frozen=True, slots=True)
class Wait:
    """A pause the fetcher is about to make, told to the user before it starts: a long
    silence looks like a hang, so every wait says how long and what for."""

    seconds: float
    host: str
    reason: str  # "host asked (429 Retry-After)", "retry 2 of 5 after ReadTimeout"

    def __str__(self) -> str:
        return f"waiting {self.seconds:.0f} s for {self.host}: {self.reason}"


WaitHook = Callable[[Wait], None]


class RealClock:
    """The production clock: ``time.monotonic`` and ``asyncio.sleep``."""

    def now(self) -> float:
        return time.monotonic()

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


class HostLimiter:
    """A token bucket per host, in its virtual-time form (GCRA): each host keeps the
    theoretical arrival time ``tat`` of its next request instead of a token count.

    A request may go at ``tat - tolerance``; taking it reserves the next slot at once, so
    callers that wait concurrently are spaced ``1/rate`` apart without a lock (the event
    loop runs ``acquire`` up to its ``await`` atomically). With ``burst`` 1, N requests to
    one host span at least ``(N-1)/rate`` seconds; ``rate`` None disables the limit but
    still honours ``hold``.
    """

    def __init__(self, rate: float | None, burst: int, clock: Clock) -> None:
        if rate is not None and rate <= 0:
            raise ValueError("rate must be positive or None")
        if burst < 1:
            raise ValueError("burst must be at least 1")
        self._interval = 1.0 / rate if rate else 0.0
        self._tolerance = (burst - 1) * self._interval
        self._clock = clock
        self._tat: dict[str, float] = {}

    async def acquire(self, host: str) -> None:
        """Wait until a request to ``host`` may be sent, and take that slot."""
        now = self._clock.now()
        tat = max(self._tat.get(host, now), now)
        wait = tat - self._tolerance - now
        self._tat[host] = tat + self._interval
        if wait > 0:
            await self._clock.sleep(wait)

    def hold(self, host: str, seconds: float) -> None:
        """Send nothing to ``host`` for ``seconds``: a 429 or 503 with ``Retry-After`` speaks
        for the whole host, not only for the request that received it."""
        now = self._clock.now()
        until = now + seconds + self._tolerance
        self._tat[host] = max(self._tat.get(host, now), until)


def backoff_delay(retry: int, base: float, cap: float, rng: random.Random) -> float:
    """Exponential backoff with full jitter (uniform in ``[0, min(cap, base * 2**(retry-1))]``)
    for the ``retry``-th retry, counted from 1. Full jitter spreads clients that failed
    together, so they do not all come back at the same instant."""
    ceiling = min(cap, base * 2.0 ** max(retry - 1, 0))
    return rng.uniform(0.0, ceiling)


def parse_retry_after(value: str | None, date: str | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header: delta-seconds or an HTTP date.

    A date is measured against the response's own ``Date`` header when there is one, so a
    skewed local clock does not change the wait; otherwise against the local wall clock.
    Returns None for a missing or unreadable header; a date in the past gives 0.
    """
    if value is None:
        return None
    text = value.strip()
    if text.isdigit():
        return float(text)
    target = _http_date(text)
    if target is None:
        return None
    reference = _http_date(date) if date else None
    base = reference.timestamp() if reference is not None else time.time()
    return max(0.0, target.timestamp() - base)


def _http_date(text: str) -> datetime | None:
    try:
        parsed = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    # RFC 9110 dates are GMT; a date without a zone is read as GMT too, not local time.
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed


def parse_rate_limit_reset(
    remaining: str | None, reset: str | None, date: str | None = None
) -> float | None:
    """Seconds until a spent request quota comes back, from the ``X-RateLimit-Remaining`` /
    ``X-RateLimit-Reset`` pair GitHub and its look-alikes send (reset in UTC epoch seconds).

    None unless ``remaining`` is exactly 0 and ``reset`` is an integer: a refusal that does
    not say the quota is spent is not a primary rate limit. Like ``Retry-After`` dates, the
    reset is measured against the response's ``Date`` when there is one (the server's own
    clock), else the local wall clock; a reset in the past gives 0.
    """
    if remaining is None or reset is None or remaining.strip() != "0":
        return None
    text = reset.strip()
    if not text.isdigit():
        return None
    reference = _http_date(date) if date else None
    base = reference.timestamp() if reference is not None else time.time()
    return max(0.0, float(text) - base)
