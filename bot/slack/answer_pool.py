"""The answer pool: threads started at boot that run answers, kept off the acknowledgements' way.

Listeners only put a job on a queue (no thread is created on an ack's path). With an
``AckGate`` a single dispatcher holds jobs back while acknowledgements are in flight, for at
most ``max_delay`` seconds, so a burst of questions is acknowledged before answer work competes
with it for the GIL.
"""

import logging
import queue
import threading
import time
from collections.abc import Callable
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from typing import ParamSpec, Protocol, TypeVar

log = logging.getLogger("bot.slack.answer_pool")

Job = Callable[[], None]
P = ParamSpec("P")
T = TypeVar("T")


class Gate(Protocol):
    """Decides how long a queued job still waits before it may start."""

    def hold(self, queued_at: float) -> float:
        """Seconds to wait (0: start now)."""
        ...


class AckGate:
    """Counts acknowledgements in flight; answers wait until they have been quiet a moment."""

    def __init__(
        self, quiet: float = 0.05, max_delay: float = 1.0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.quiet, self.max_delay, self._clock = quiet, max_delay, clock
        self._in_flight = 0
        self._last = 0.0
        self._lock = threading.Lock()

    def enter(self) -> None:
        """An acknowledgement started."""
        with self._lock:
            self._in_flight += 1

    def leave(self) -> None:
        """An acknowledgement was sent."""
        with self._lock:
            self._in_flight -= 1
            self._last = self._clock()

    def hold(self, queued_at: float) -> float:
        """Seconds a job queued at ``queued_at`` should still wait (0: let it go now)."""
        now = self._clock()
        overdue = queued_at + self.max_delay - now
        with self._lock:
            busy = self._in_flight > 0
            quiet_in = self._last + self.quiet - now
        if overdue <= 0 or (not busy and quiet_in <= 0):
            return 0.0
        return min(overdue, max(quiet_in, self.quiet / 5))


class AnswerPool(Executor):
    """A fixed set of answer threads, all started at boot; ``drain`` finishes queued work."""

    def __init__(self, threads: int, gate: Gate | None = None, name: str = "answer") -> None:
        self._executor = ThreadPoolExecutor(max_workers=threads, thread_name_prefix=name)
        self._gate = gate
        self._queue: queue.SimpleQueue[tuple[float, Job] | None] = queue.SimpleQueue()
        self._drained = False
        self._start_threads(threads)
        self._dispatcher = threading.Thread(target=self._dispatch, name=f"{name}-gate", daemon=True)
        self._dispatcher.start()

    def submit(self, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> Future[T]:
        """Queue a job (cheap: no thread is created, nothing waits); its Future tells the outcome."""
        if self._drained:
            raise RuntimeError("the answer pool has been drained")
        future: Future[T] = Future()

        def job() -> None:
            if future.set_running_or_notify_cancel():
                try:
                    future.set_result(fn(*args, **kwargs))
                except BaseException as error:  # kept on the Future, and logged: never lost silently
                    log.error("answer job crashed error=%s", type(error).__name__)
                    future.set_exception(error)

        self._queue.put((time.monotonic(), job))
        return future

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:  # noqa: ARG002
        """Executor's shutdown, whatever is asked: queued answers always run to their end."""
        self.drain()

    def drain(self) -> None:
        """Run every job already queued to its end, then stop the threads."""
        if self._drained:
            return
        self._drained = True
        self._queue.put(None)
        self._dispatcher.join()
        self._executor.shutdown(wait=True)

    def _start_threads(self, threads: int) -> None:
        """Make the executor create every thread now, not during the first acknowledgements."""
        everyone = threading.Barrier(threads)
        for _ in range(threads):
            self._executor.submit(everyone.wait)

    def _dispatch(self) -> None:
        """Hand queued jobs to the threads, holding them back while acks are in flight."""
        while (item := self._queue.get()) is not None:
            queued_at, job = item
            while self._gate is not None and (wait := self._gate.hold(queued_at)) > 0:
                time.sleep(wait)
            self._executor.submit(job)
