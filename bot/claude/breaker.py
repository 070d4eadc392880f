"""A circuit breaker: after repeated model failures, skip the model for a cool-down."""

import logging
import threading
import time
from collections.abc import Callable
from typing import Literal

from pydantic import BaseModel, ConfigDict

State = Literal["closed", "open", "half_open"]
log = logging.getLogger("bot.claude.breaker")


class BreakerState(BaseModel):
    """What callers (and the health endpoint) may see of the breaker."""

    model_config = ConfigDict(frozen=True)

    state: State
    consecutive_failures: int
    last_failure: str | None
    retry_in_seconds: float | None


class CircuitBreaker:
    """Closed: calls go through. Open: calls are skipped. Half-open: one probe call at a time."""

    def __init__(
        self,
        threshold: int = 5,
        cooldown: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.threshold, self.cooldown, self._clock = threshold, cooldown, clock
        self._lock = threading.Lock()
        self._state: State = "closed"
        self._failures = 0
        self._last: str | None = None
        self._opened_at = 0.0
        self._probing = False

    def allow(self) -> bool:
        """True when a call may go to the model now (claims the probe when half-open)."""
        with self._lock:
            if self._state == "open" and self._clock() >= self._opened_at + self.cooldown:
                self._state = "half_open"
                log.info("circuit breaker half-open: letting one request probe the model")
            if self._state == "closed":
                return True
            if self._state == "half_open" and not self._probing:
                self._probing = True
                return True
            return False

    def record_success(self) -> None:
        """A call succeeded: reset the count, and close the breaker if this was the probe.

        A success reported while open comes from a call that started before the breaker opened;
        it does not close it early (only a probe after the cool-down does).
        """
        with self._lock:
            if self._state == "open":
                return
            if self._state == "half_open":
                log.info("circuit breaker closed: the probe succeeded")
            self._state, self._failures, self._probing = "closed", 0, False

    def record_failure(self, reason: str) -> None:
        """A call failed: open after ``threshold`` in a row, or at once if it was the probe."""
        with self._lock:
            self._failures += 1
            self._last = reason
            if self._state == "half_open" or (self._state == "closed" and self._failures >= self.threshold):
                log.warning(
                    "circuit breaker opened after %d failures (last: %s); model skipped for %.0f s",
                    self._failures,
                    reason,
                    self.cooldown,
                )
                self._state, self._opened_at = "open", self._clock()
            self._probing = False

    def release(self) -> None:
        """A call ended without a verdict (its caller went away): free the probe slot."""
        with self._lock:
            self._probing = False

    def snapshot(self) -> BreakerState:
        """The current state, for callers and health checks."""
        with self._lock:
            retry = None
            if self._state == "open":
                retry = max(0.0, self._opened_at + self.cooldown - self._clock())
            return BreakerState(
                state=self._state,
                consecutive_failures=self._failures,
                last_failure=self._last,
                retry_in_seconds=retry,
            )
