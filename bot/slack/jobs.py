"""The shape of the answer pool as surfaces see it, and the de-duplication its jobs share."""

import logging
from collections.abc import Callable

from bot.storage.store import Store

log = logging.getLogger("bot.slack")

# Puts a job on the answer pool (``AnswerPool.submit`` with no arguments); returns at once.
Submit = Callable[[Callable[[], None]], object]

# Clicks of the same button by the same user this close together are one click (a double click).
DOUBLE_CLICK_SECONDS = 5.0


def first_time(store: Store, key: str) -> bool:
    """False for a repeat of a key; True (answer anyway) when storage cannot tell."""
    try:
        return store.first_time(key)
    except Exception as error:
        log.warning("de-duplication unavailable (%s); answering anyway", type(error).__name__)
        return True


def first_click(store: Store, key: str, clicked_at: str) -> bool:
    """False for a second click of the same button (same key) within about DOUBLE_CLICK_SECONDS.

    ``clicked_at`` is Slack's action_ts; without a usable one every click counts. Each click claims
    its time slot and marks the slots either side, so two clicks that straddle a slot boundary, or
    that the pool runs out of order, are still one click.
    """
    try:
        slot = int(float(clicked_at) // DOUBLE_CLICK_SECONDS)
    except (ValueError, OverflowError):
        return True
    first = first_time(store, f"{key}:{slot}")
    for neighbour in (slot - 1, slot + 1):
        first_time(store, f"{key}:{neighbour}")
    return first
