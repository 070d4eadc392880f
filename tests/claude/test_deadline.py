"""The overall deadline around a blocking iterator."""

import threading
import time
from collections.abc import Iterator

import pytest

from bot.claude.deadline import DeadlineExceeded, within_deadline


def test_deadline_passes_items_and_errors_through() -> None:
    assert list(within_deadline(lambda: iter([1, 2, 3]), 1.0)) == [1, 2, 3]

    def failing() -> Iterator[int]:
        yield 1
        raise ValueError("boom")

    with pytest.raises(ValueError, match="boom"):
        list(within_deadline(failing, 1.0))


def test_deadline_cuts_a_slow_producer_off_in_time() -> None:
    released = threading.Event()

    def slow() -> Iterator[int]:
        yield 1
        released.wait(5)  # blocks like a stalled socket read
        yield 2

    started = time.monotonic()
    items = within_deadline(slow, 0.2)
    assert next(items) == 1
    with pytest.raises(DeadlineExceeded):
        next(items)
    assert time.monotonic() - started < 1.0
    released.set()


def test_deadline_counts_total_time_not_per_item() -> None:
    def trickle() -> Iterator[int]:
        for i in range(10):
            time.sleep(0.05)  # each item well inside the deadline, the total not
            yield i

    with pytest.raises(DeadlineExceeded):
        list(within_deadline(trickle, 0.2))


def test_deadline_ignores_time_the_consumer_spends() -> None:
    items = within_deadline(lambda: iter([1, 2, 3]), 0.2)
    seen = [next(items)]
    time.sleep(0.4)  # a slow consumer (say, Slack retrying after Retry-After)
    seen += list(items)  # the producer finished in time, so nothing is lost
    assert seen == [1, 2, 3]
