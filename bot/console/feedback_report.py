"""The ``feedback`` report: what people said of the answers in Slack."""

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.storage.sqlite import Store


# What must never reach a terminal from stored text: control codes (escape sequences), bidi
# overrides that reorder the line, and lone surrogates that cannot be encoded.
_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]+")


def printable(text: str) -> str:
    """Stored text made safe for a terminal line: each run of unprintable characters a space."""
    return _UNPRINTABLE.sub(" ", text).strip()


def feedback_text(store: "Store") -> str:
    """Feedback totals per answer mode and the latest questions people disliked."""
    summary = store.feedback_summary()
    if summary.total == 0:
        return "No feedback yet."
    lines = [f"{summary.total} ratings, {summary.positive / summary.total:.0%} helpful"]
    lines += [
        f"  {printable(mode)}: {up} helpful, {down} not helpful"
        for mode, (up, down) in sorted(summary.by_mode.items())
    ]
    if summary.recent_negative:
        lines += [
            "Latest questions rated not helpful:",
            *(f"  - {printable(q[:200])}" for q in summary.recent_negative),
        ]
    return "\n".join(lines)
