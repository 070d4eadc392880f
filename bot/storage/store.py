"""The storage contract every backend keeps, the records it holds and the errors it raises."""

import hashlib
import json
import logging
import math
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, Literal, Protocol

from pydantic import BaseModel

SHARE_SECONDS = 30 * 60  # as long as a slash command's response_url lives
SEEN_SECONDS = 60 * 60  # Slack retries an event for a few minutes at most
THREAD_SECONDS = 90 * 24 * 60 * 60  # how long an asker's follow-ups in a thread are answered
WINDOW_SECONDS = 60.0  # the per-minute answer limit's sliding window
PURGE_SECONDS = 60.0  # how often one process clears expired rows (no cron job needed)
IDLE_USER_SECONDS = 24 * 60 * 60  # a user's limit row is forgotten after a day without answers

# Stored values are bounded whatever a (possibly crafted) button value carried.
MAX_QUESTION = 4_000
MAX_MODE = 16
MAX_SOURCES = 50
MAX_SOURCE_ID = 100
MAX_ID = 128

ShareState = Literal["ready", "taken", "gone"]

log = logging.getLogger("bot.storage")


class StorageUnavailable(Exception):
    """The database could not be reached or refused the statement; the caller degrades."""


class FeedbackNotSaved(StorageUnavailable):
    """A thumbs up or down could not be stored even after retries: tell the user."""


class SchemaError(Exception):
    """The database's schema cannot be used by this version of the app (one line, no secrets)."""


class FeedbackSummary(BaseModel):
    """Counts of feedback, overall and per answer mode."""

    total: int
    positive: int
    by_mode: dict[str, tuple[int, int]]
    recent_negative: list[str]


class FeedbackRow(BaseModel):
    """One stored vote, as reports read it."""

    created: datetime
    user_id: str
    positive: bool
    mode: str
    sources: list[str]
    question: str


class FeedbackEntry(BaseModel):
    """One vote, bounded and ready to store."""

    user_id: str
    answer_id: str
    positive: bool
    question: str
    mode: str
    sources: list[str]

    @property
    def sources_json(self) -> str:
        """The sources as stored (a JSON list)."""
        return json.dumps(self.sources)


def feedback_entry(
    user_id: str, positive: bool, record: Mapping[str, Any], answer_id: str | None = None
) -> FeedbackEntry:
    """Bound every stored value; without an answer id, the answer is known by its content."""
    question = storable(str(record.get("q", ""))[:MAX_QUESTION])
    mode = storable(str(record.get("m", ""))[:MAX_MODE])
    raw_sources = record.get("s", [])
    items = raw_sources[:MAX_SOURCES] if isinstance(raw_sources, list) else []
    sources = [storable(str(source)[:MAX_SOURCE_ID]) for source in items]
    key = answer_id or _content_id(question, mode, sources)
    return FeedbackEntry(
        user_id=storable(str(user_id)[:MAX_ID]),
        answer_id=storable(str(key)[:MAX_ID]),
        positive=bool(positive),
        question=question,
        mode=mode,
        sources=sources,
    )


def click_time(clicked_at: float | None) -> float | None:
    """A click time fit to compare: None unless it is a finite number."""
    if isinstance(clicked_at, int | float) and math.isfinite(clicked_at):
        return float(clicked_at)
    return None


def since_bounds(since: datetime | None, now: float) -> tuple[float, float]:
    """The created range a report reads: all rows, or since a time and never in the future."""
    if since is None:
        return float("-inf"), float("inf")
    return since.timestamp(), now


def read_feedback_row(row_id: object, stored: tuple[object, ...]) -> FeedbackRow | None:
    """A stored vote as reports read it: a malformed value is shown safely, with a warning naming the row.

    The row is skipped (with a warning) only when its time cannot be read: a report is ordered by it.
    """
    created, user, positive, mode, sources, question = stored
    when = _stored_time(created)
    if when is None:
        log.warning("feedback row id=%s skipped: its time is not a time", row_id)
        return None
    if not all(isinstance(value, str) for value in (user, mode, question)):
        log.warning("feedback row id=%s: a text value is stored as another type; shown decoded", row_id)
    listed = _stored_sources(sources)
    if listed is None:
        log.warning("feedback row id=%s: its sources are unreadable; shown as none", row_id)
    return FeedbackRow(
        created=when,
        user_id=_stored_text(user),
        positive=positive is True or positive == 1,
        mode=_stored_text(mode),
        sources=listed or [],
        question=_stored_text(question),
    )


def _stored_time(value: object) -> datetime | None:
    """A stored timestamp as a datetime; None for text, infinities or times no calendar holds."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return None
    try:
        return datetime.fromtimestamp(value, UTC)
    except (OverflowError, OSError, ValueError):
        return None


def _stored_sources(value: object) -> list[str] | None:
    """The stored JSON list of section ids; None when it is not one."""
    try:
        items = json.loads(_stored_text(value))
    except ValueError:
        return None
    if not isinstance(items, list) or not all(isinstance(item, str) for item in items):
        return None
    return [storable(item) for item in items]


def _stored_text(value: object) -> str:
    """Stored text whatever its stored type (a BLOB is decoded, anything else spelled out)."""
    if isinstance(value, bytes):
        return storable(value.decode("utf-8", "replace"))
    return storable(value if isinstance(value, str) else str(value))


def storable(text: str) -> str:
    """Text both stores can hold alike: no NUL (PostgreSQL refuses it), no lone surrogates."""
    return text.replace("\x00", "\N{REPLACEMENT CHARACTER}").encode("utf-8", "replace").decode("utf-8")


def _content_id(question: str, mode: str, sources: list[str]) -> str:
    """A stable id for an answer that came without one: its question, mode and sources."""
    digest = hashlib.sha256(json.dumps([question, mode, sources]).encode("utf-8", "replace"))
    return "content-" + digest.hexdigest()[:32]


def summarise(counts: list[tuple[str, bool, int]], negative: list[str]) -> FeedbackSummary:
    """The summary from per-(mode, vote) counts and the latest disliked questions."""
    by_mode: dict[str, tuple[int, int]] = {}
    for mode, positive, count in counts:
        up, down = by_mode.get(mode, (0, 0))
        by_mode[mode] = (up + count, down) if positive else (up, down + count)
    total = sum(up + down for up, down in by_mode.values())
    positives = sum(up for up, _ in by_mode.values())
    return FeedbackSummary(total=total, positive=positives, by_mode=by_mode, recent_negative=negative)


class Store(Protocol):
    """Shared state: answered events, shares, feedback and per-user limits.

    Every method is one atomic transaction, correct across threads, processes and hosts.
    Backends raise StorageUnavailable when the database fails; ResilientStore degrades on it.
    """

    @property
    def backend(self) -> str:
        """sqlite or postgres."""
        ...

    def first_time(self, key: str) -> bool:
        """True the first time a key (an event id) is seen within SEEN_SECONDS; False for a repeat."""
        ...

    def remember_thread(self, channel: str, thread_ts: str, user: str) -> None:
        """Note that a user asked the bot in a channel thread, so their follow-ups may be answered."""
        ...

    def invited(self, channel: str, thread_ts: str, user: str) -> bool:
        """True if this user asked the bot in this thread within THREAD_SECONDS."""
        ...

    def add_feedback(
        self,
        user_id: str,
        positive: bool,
        record: Mapping[str, Any],
        answer_id: str | None = None,
        clicked_at: float | None = None,
    ) -> None:
        """Store a vote: one per user per answer, a later click changes it.

        ``clicked_at`` is Slack's action_ts: a click older than the stored one is ignored, so the
        last click wins whatever order the clicks are stored in (without one, the last stored wins).
        """
        ...

    def feedback_summary(self, recent: int = 5, since: datetime | None = None) -> FeedbackSummary:
        """Totals, per-mode (positive, negative) counts and the latest negative questions."""
        ...

    def feedback_rows(self, since: datetime | None = None) -> list[FeedbackRow]:
        """Every vote since a time (all when None), oldest first."""
        ...

    def put_share(self, payload: dict[str, Any]) -> str:
        """Keep an answer for sharing for SHARE_SECONDS; returns its id."""
        ...

    def take_share(self, share_id: str) -> dict[str, Any] | None:
        """Claim a shareable answer once (None if taken or expired); return_share undoes it."""
        ...

    def return_share(self, share_id: str) -> None:
        """Make a claimed share available again (its post failed), until it expires."""
        ...

    def share_state(self, share_id: str) -> ShareState:
        """Whether a share can still be taken, was taken, or is gone (expired or unknown)."""
        ...

    def try_acquire(self, user: str, per_minute: int, concurrent: int) -> str | None:
        """A lease id when the user is under both limits (counted), else None."""
        ...

    def release(self, lease: str) -> None:
        """End a lease early (leases also expire on their own if a process dies)."""
        ...

    def schema_version(self) -> int:
        """The version of the schema in the database (0 when there is none)."""
        ...

    def upgrade(self) -> int:
        """Create or upgrade the schema (under a lock); returns the version now in place."""
        ...

    def close(self) -> None:
        """Release connections."""
        ...
