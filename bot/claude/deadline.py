"""A real overall deadline for an iterator that may block (a model call), not a per-read timeout."""

import queue
import threading
import time
from collections.abc import Callable, Iterator
from typing import TypeVar, cast

Item = TypeVar("Item")
_ITEM, _DONE, _ERROR = "item", "done", "error"


class DeadlineExceeded(Exception):
    """The whole iteration did not finish in time."""


def within_deadline(
    produce: Callable[[], Iterator[Item]],
    seconds: float,
    clock: Callable[[], float] = time.monotonic,
) -> Iterator[Item]:
    """Items of ``produce()``, raising DeadlineExceeded once ``seconds`` have passed in total.

    The producer runs on a daemon thread so a blocked network read cannot hold the caller past
    the deadline; once abandoned it stops at its next item (or at its own socket timeout).
    """
    channel: queue.Queue[tuple[str, object]] = queue.Queue()
    abandoned = threading.Event()
    worker = threading.Thread(target=_pump, args=(produce, channel, abandoned), daemon=True)
    end = clock() + seconds
    worker.start()
    try:
        yield from _drain(channel, end, clock)
    finally:
        abandoned.set()


def _pump(
    produce: Callable[[], Iterator[Item]],
    channel: "queue.Queue[tuple[str, object]]",
    abandoned: threading.Event,
) -> None:
    """Run the producer, passing each item (or its failure) through the channel."""
    items = produce()
    try:
        for item in items:
            if abandoned.is_set():
                return
            channel.put((_ITEM, item))
        channel.put((_DONE, None))
    except BaseException as error:  # handed to the consumer, which re-raises it
        channel.put((_ERROR, error))
    finally:
        close = getattr(items, "close", None)
        if close is not None:
            close()


def _drain(
    channel: "queue.Queue[tuple[str, object]]", end: float, clock: Callable[[], float]
) -> Iterator[Item]:
    """Yield items from the channel until done, failure or the deadline.

    What the producer delivered in time is always handed over: only waiting for the producer
    counts against the deadline, not time the consumer spends between items.
    """
    while True:
        try:
            kind, value = channel.get_nowait()
        except queue.Empty:
            remaining = end - clock()
            if remaining <= 0:
                raise DeadlineExceeded from None
            try:
                kind, value = channel.get(timeout=remaining)
            except queue.Empty:
                raise DeadlineExceeded from None
        if kind == _DONE:
            return
        if kind == _ERROR:
            assert isinstance(value, BaseException)
            raise value
        yield cast(Item, value)
