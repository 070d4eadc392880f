"""Per-user limits on model use: a rate over a sliding window and a cap on answers in flight.

The counting is injected (a ``UsageCounter``): this process's memory by default, or a shared
store so that the limits hold across processes and hosts. This package never imports storage.
"""

import threading
import time
import uuid
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Protocol

WINDOW_SECONDS = 60.0


class UsageCounter(Protocol):
    """Counts model answers per user; grants come with a lease that must be released."""

    def try_acquire(self, user: str, per_minute: int, concurrent: int) -> str | None:
        """A lease id when the user is under both limits (the grant is counted), else None."""
        ...

    def release(self, lease: str) -> None:
        """End a lease."""
        ...


class LocalCounter:
    """A UsageCounter in this process's memory."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._recent: dict[str, deque[float]] = {}
        self._active: dict[str, int] = {}
        self._leases: dict[str, str] = {}

    def try_acquire(self, user: str, per_minute: int, concurrent: int) -> str | None:
        """Take a slot if the user is under both limits."""
        now = self._clock()
        with self._lock:
            recent = self._recent.setdefault(user, deque())
            while recent and recent[0] <= now - WINDOW_SECONDS:
                recent.popleft()
            if len(recent) >= per_minute or self._active.get(user, 0) >= concurrent:
                return None
            recent.append(now)
            self._active[user] = self._active.get(user, 0) + 1
            lease = uuid.uuid4().hex
            self._leases[lease] = user
            return lease

    def release(self, lease: str) -> None:
        """Give a slot back; forget idle users so the table stays small."""
        with self._lock:
            user = self._leases.pop(lease, None)
            if user is None:
                return
            self._active[user] -= 1
            if self._active[user] == 0:
                del self._active[user]
                if not self._recent.get(user):
                    self._recent.pop(user, None)


class UserLimiter:
    """Grants model use per user; over either limit the caller answers with the rules instead."""

    def __init__(
        self,
        per_minute: int,
        concurrent: int,
        clock: Callable[[], float] = time.monotonic,
        counter: UsageCounter | None = None,
    ) -> None:
        self.per_minute, self.concurrent = per_minute, concurrent
        self.counter: UsageCounter = counter or LocalCounter(clock)

    @contextmanager
    def lease(self, user: str) -> Iterator[bool]:
        """Yields True when this user may use the model now (and holds a slot until exit)."""
        lease = self.counter.try_acquire(user, self.per_minute, self.concurrent)
        try:
            yield lease is not None
        finally:
            if lease is not None:
                self.counter.release(lease)
