"""The ``feedback`` report: what people said of the answers in Slack."""

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.storage.sqlite import Store


def feedback_text(store: "Store") -> str:
    """Feedback totals per answer mode and the latest questions people disliked."""
    summary = store.feedback_summary()
    if summary.total == 0:
        return "No feedback yet."
    lines = [f"{summary.total} ratings, {summary.positive / summary.total:.0%} helpful"]
    lines += [
        f"  {mode}: {up} helpful, {down} not helpful" for mode, (up, down) in sorted(summary.by_mode.items())
    ]
    if summary.recent_negative:
        lines += ["Latest questions rated not helpful:", *(f"  - {q[:200]}" for q in summary.recent_negative)]
    return "\n".join(lines)
