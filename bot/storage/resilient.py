"""Degraded, never down: the store the app uses, wrapped around a backend that may fail.

When the database fails, event de-duplication fails open (the question is answered, and the log
says so), per-user limits fall back to this process's own counts, feedback is retried and then
reported to the caller as FeedbackNotSaved, and /healthz says "degraded". While degraded, calls
fail fast without waiting on the network, and one call a second probes the database; when it
answers again the store reconnects and checks the schema (recreating it if it went missing) by itself.
"""

import contextlib
import logging
import threading
import time
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any, Protocol, TypeVar

from bot.storage.store import (
    FeedbackNotSaved,
    FeedbackRow,
    FeedbackSummary,
    SchemaError,
    ShareState,
    StorageUnavailable,
    Store,
)

log = logging.getLogger("bot.storage")

PROBE_SECONDS = 1.0  # while degraded, how often one call tries the database again
FEEDBACK_RETRY_DELAYS = (0.25, 0.75, 1.5)  # waits between the four attempts to store a vote
_LOCAL = "local:"  # prefix of leases granted by this process while the database was away

T = TypeVar("T")


class Counter(Protocol):
    """This process's own per-user counts, used while the database is away."""

    def try_acquire(self, user: str, per_minute: int, concurrent: int) -> str | None:
        """A lease id when under both limits, else None."""
        ...

    def release(self, lease: str) -> None:
        """End a lease."""
        ...


class ResilientStore:
    """A Store that keeps the app answering whatever its backend does."""

    def __init__(
        self,
        inner: Store,
        fallback: Counter,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        schema_checked: bool = False,
    ) -> None:
        self.inner, self._clock, self._sleep = inner, clock, sleep
        self.schema_checked = schema_checked
        self._local = fallback
        self._lock = threading.Lock()
        self._degraded_since: float | None = None
        self._next_probe = 0.0
        self._last_error = ""
        self._schema_problem: str | None = None

    @property
    def backend(self) -> str:
        """sqlite or postgres."""
        return self.inner.backend

    # -- health ------------------------------------------------------------------------------

    def health(self) -> dict[str, Any]:
        """What /healthz reports about the database (never its URL); a due probe runs first."""
        if self._degraded_since is not None:
            with contextlib.suppress(StorageUnavailable):  # a health check is a chance to reconnect
                self._call(self.inner.schema_version)
        with self._lock:
            degraded = self._degraded_since is not None or self._schema_problem is not None
            report: dict[str, Any] = {"backend": self.backend, "status": "degraded" if degraded else "ok"}
            if self._degraded_since is not None:
                report["degraded_seconds"] = round(self._clock() - self._degraded_since, 1)
                report["last_error"] = self._last_error
            if self._schema_problem:
                report["schema"] = self._schema_problem
        return report

    def _call(self, operation: Callable[[], T], force: bool = False) -> T:
        """Run one backend call, failing fast while degraded except for a probe a second."""
        if not self._may_try(force):
            raise StorageUnavailable(self._last_error or "database unavailable")
        try:
            self._recover_if_degraded()
            result = operation()
        except StorageUnavailable as error:
            self._mark_down(str(error))
            raise
        self._mark_up()
        return result

    def _may_try(self, force: bool) -> bool:
        """Healthy, forced (feedback), or the probe that is due while degraded."""
        with self._lock:
            if self._degraded_since is None or force:
                return True
            if self._clock() < self._next_probe:
                return False
            self._next_probe = self._clock() + PROBE_SECONDS
            return True

    def _recover_if_degraded(self) -> None:
        """While degraded, reconnect afresh and check the schema again before trying."""
        if self._degraded_since is not None:
            reconnect = getattr(self.inner, "reconnect", None)
            if callable(reconnect):
                reconnect()
            # The outage may have taken the tables with it (an SQLite file deleted and recreated
            # empty): upgrading is idempotent and cheap, and recreates a schema found missing.
            self.schema_checked = False
        if not self.schema_checked:
            self._check_schema()

    def _check_schema(self) -> None:
        """Upgrade an older or empty schema; a newer one leaves the store degraded, never crashed."""
        try:
            self.inner.upgrade()
        except SchemaError as error:
            with self._lock:
                self._schema_problem = str(error)
            log.error("database schema problem: %s", error)
            raise StorageUnavailable("schema newer than this release") from None
        self.schema_checked = True

    def _mark_down(self, reason: str) -> None:
        """Enter (or stay in) degraded mode; logs once per outage."""
        with self._lock:
            first = self._degraded_since is None
            if first:
                self._degraded_since = self._clock()
                self._next_probe = self._clock() + PROBE_SECONDS
            self._last_error = reason
        if first:
            log.error("database unavailable (%s): degraded until it answers again", reason)

    def _mark_up(self) -> None:
        """Leave degraded mode."""
        with self._lock:
            was = self._degraded_since
            self._degraded_since = None
        if was is not None:
            log.warning("database available again after %.1f s", self._clock() - was)

    # -- the Store contract, degraded -------------------------------------------------------

    def first_time(self, key: str) -> bool:
        """Repeat detection; without the database, assume new (answering twice beats never)."""
        try:
            return self._call(lambda: self.inner.first_time(key))
        except StorageUnavailable:
            log.warning("de-duplication unavailable, answering event anyway key=%s", key[:100])
            return True

    def remember_thread(self, channel: str, thread_ts: str, user: str) -> None:
        """Best effort: without the database, follow-ups there need a mention again."""
        try:
            self._call(lambda: self.inner.remember_thread(channel, thread_ts, user))
        except StorageUnavailable:
            log.warning("thread not remembered (database unavailable) channel=%s", channel[:32])

    def invited(self, channel: str, thread_ts: str, user: str) -> bool:
        """Without the database, assume not: unmentioned replies are left alone, mentions still work."""
        try:
            return self._call(lambda: self.inner.invited(channel, thread_ts, user))
        except StorageUnavailable:
            log.warning("invited threads unavailable; replies without a mention are not answered")
            return False

    def add_feedback(
        self,
        user_id: str,
        positive: bool,
        record: Mapping[str, Any],
        answer_id: str | None = None,
        clicked_at: float | None = None,
    ) -> None:
        """Store a vote, retrying; raises FeedbackNotSaved when every attempt failed."""
        for delay in (*FEEDBACK_RETRY_DELAYS, None):
            try:
                self._call(
                    lambda: self.inner.add_feedback(user_id, positive, record, answer_id, clicked_at),
                    force=True,
                )
                return
            except StorageUnavailable as error:
                if delay is None:
                    log.error("feedback not saved after retries user=%s error=%s", user_id[:32], error)
                    raise FeedbackNotSaved(str(error)) from None
                self._sleep(delay)

    def feedback_summary(self, recent: int = 5, since: datetime | None = None) -> FeedbackSummary:
        """As the backend (reports need the database; they raise StorageUnavailable)."""
        return self._call(lambda: self.inner.feedback_summary(recent, since), force=True)

    def feedback_rows(self, since: datetime | None = None) -> list[FeedbackRow]:
        """As the backend."""
        return self._call(lambda: self.inner.feedback_rows(since), force=True)

    def put_share(self, payload: dict[str, Any]) -> str:
        """As the backend; StorageUnavailable tells the caller to offer no share button."""
        return self._call(lambda: self.inner.put_share(payload))

    def take_share(self, share_id: str) -> dict[str, Any] | None:
        """As the backend; StorageUnavailable when the database is away."""
        return self._call(lambda: self.inner.take_share(share_id), force=True)

    def return_share(self, share_id: str) -> None:
        """As the backend."""
        self._call(lambda: self.inner.return_share(share_id), force=True)

    def share_state(self, share_id: str) -> ShareState:
        """As the backend."""
        return self._call(lambda: self.inner.share_state(share_id), force=True)

    def try_acquire(self, user: str, per_minute: int, concurrent: int) -> str | None:
        """Shared limits; without the database, this process's own counts (never a refusal)."""
        try:
            return self._call(lambda: self.inner.try_acquire(user, per_minute, concurrent))
        except StorageUnavailable:
            lease = self._local.try_acquire(user, per_minute, concurrent)
            return None if lease is None else _LOCAL + lease

    def release(self, lease: str) -> None:
        """End a lease; a shared one that cannot be ended expires by itself."""
        if lease.startswith(_LOCAL):
            self._local.release(lease.removeprefix(_LOCAL))
            return
        try:
            self._call(lambda: self.inner.release(lease))
        except StorageUnavailable:
            log.info("lease left to expire (database unavailable)")

    def start(self, must_connect: bool) -> None:
        """Check (and create or upgrade) the schema at start-up; a newer schema raises SchemaError.

        An unreachable database is fatal only when ``must_connect`` (a local SQLite file that cannot
        be opened is a configuration error); a remote one leaves the app degraded until it returns.
        """
        try:
            self.inner.upgrade()
        except StorageUnavailable as error:
            if must_connect:
                raise
            self._mark_down(str(error))
            return
        self.schema_checked = True

    def schema_version(self) -> int:
        """As the backend."""
        return self._call(self.inner.schema_version, force=True)

    def upgrade(self) -> int:
        """As the backend."""
        return self.inner.upgrade()

    def close(self) -> None:
        """As the backend."""
        self.inner.close()
