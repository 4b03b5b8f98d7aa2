"""Login throttling: after ``LIMIT`` failures for one login within ``WINDOW``, further
attempts for it are refused unchecked until the window has passed. In memory and bounded
(the oldest logins are forgotten first): a guard against guessing, not an account lock."""

from __future__ import annotations

import threading
from collections import OrderedDict
from datetime import UTC, datetime, timedelta

__all__ = ["LoginThrottle"]


class LoginThrottle:
    LIMIT = 5
    WINDOW = timedelta(minutes=15)
    MAX_KEYS = 10_000

    def __init__(self) -> None:
        self._failures: OrderedDict[str, list[datetime]] = OrderedDict()
        self._lock = threading.Lock()

    def _recent(self, key: str, now: datetime) -> list[datetime]:
        kept = [at for at in self._failures.get(key, []) if now - at < self.WINDOW]
        if kept:
            self._failures[key] = kept
        else:
            self._failures.pop(key, None)
        return kept

    def blocked(self, login: str, now: datetime | None = None) -> bool:
        with self._lock:
            return len(self._recent(login.lower(), now or datetime.now(UTC))) >= self.LIMIT

    def failed(self, login: str, now: datetime | None = None) -> None:
        key, now = login.lower(), now or datetime.now(UTC)
        with self._lock:
            recent = self._recent(key, now)
            self._failures[key] = [*recent[-self.LIMIT :], now]
            self._failures.move_to_end(key)
            while len(self._failures) > self.MAX_KEYS:
                self._failures.popitem(last=False)

    def succeeded(self, login: str) -> None:
        with self._lock:
            self._failures.pop(login.lower(), None)
