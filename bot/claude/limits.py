"""Per-user limits on model use: a rate over a sliding window and a cap on answers in flight."""

import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager

WINDOW_SECONDS = 60.0


class UserLimiter:
    """Grants model use per user; over either limit the caller answers with the rules instead."""

    def __init__(self, per_minute: int, concurrent: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.per_minute, self.concurrent, self._clock = per_minute, concurrent, clock
        self._lock = threading.Lock()
        self._recent: dict[str, deque[float]] = {}
        self._active: dict[str, int] = {}

    @contextmanager
    def lease(self, user: str) -> Iterator[bool]:
        """Yields True when this user may use the model now (and holds a slot until exit)."""
        granted = self._acquire(user)
        try:
            yield granted
        finally:
            if granted:
                self._release(user)

    def _acquire(self, user: str) -> bool:
        """Take a slot if the user is under both limits."""
        now = self._clock()
        with self._lock:
            recent = self._recent.setdefault(user, deque())
            while recent and recent[0] <= now - WINDOW_SECONDS:
                recent.popleft()
            if len(recent) >= self.per_minute or self._active.get(user, 0) >= self.concurrent:
                return False
            recent.append(now)
            self._active[user] = self._active.get(user, 0) + 1
            return True

    def _release(self, user: str) -> None:
        """Give a slot back; forget idle users so the table stays small."""
        with self._lock:
            self._active[user] -= 1
            if self._active[user] == 0:
                del self._active[user]
                if not self._recent.get(user):
                    self._recent.pop(user, None)
