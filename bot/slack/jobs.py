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

    ``clicked_at`` is Slack's action_ts; without a usable one every click counts. A click in time
    slot s claims the two windows that hold it, (s-1, s) then (s, s+1), and stops at the first one
    already taken. Two clicks in one slot or in neighbouring slots share a window, so exactly one
    of them claims both, even when the pool runs them at the same moment or out of order.
    """
    try:
        slot = int(float(clicked_at) // DOUBLE_CLICK_SECONDS)
    except (ValueError, OverflowError):
        return True
    return all(first_time(store, f"{key}:{window}-{window + 1}") for window in (slot - 1, slot))
