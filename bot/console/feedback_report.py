"""The ``feedback`` report: what people said of the answers in Slack, as a summary or as CSV."""

import csv
import re
from datetime import UTC, datetime
from typing import TextIO

from bot.storage.store import FeedbackRow, Store

_FORMULA = ("=", "+", "-", "@", "\t", "\r")  # cells a spreadsheet would run as formulas


# What must never reach a terminal from stored text: control codes (escape sequences), bidi
# overrides that reorder the line, and lone surrogates that cannot be encoded.
_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]+")


def printable(text: str) -> str:
    """Stored text made safe for a terminal line: each run of unprintable characters a space."""
    return _UNPRINTABLE.sub(" ", text).strip()


def feedback_text(store: Store, since: datetime | None = None) -> str:
    """Feedback totals per answer mode and the latest questions people disliked."""
    summary = store.feedback_summary(since=since)
    period = f" since {since:%Y-%m-%d %H:%M} UTC" if since else ""
    if summary.total == 0:
        return f"No feedback yet{period}."
    lines = [f"{summary.total} ratings{period}, {summary.positive / summary.total:.0%} helpful"]
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


def write_csv(rows: list[FeedbackRow], out: TextIO) -> None:
    """Every vote as CSV: created (UTC), user, vote, mode, sources, question."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["created", "user", "vote", "mode", "sources", "question"])
    for row in rows:
        writer.writerow(
            [
                row.created.astimezone(UTC).isoformat(timespec="seconds"),
                _cell(row.user_id),
                "up" if row.positive else "down",
                _cell(row.mode),
                _cell(" ".join(row.sources)),
                _cell(row.question),
            ]
        )


def _cell(text: str) -> str:
    """A CSV cell that neither a terminal nor a spreadsheet will run: no control characters, no formulas."""
    clean = printable(text)
    return "'" + clean if clean.startswith(_FORMULA) else clean
