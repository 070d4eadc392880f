"""Embedded SQLite store: feedback, short-lived shareable answers, and events already handled.

One file shared by every gunicorn worker, so duplicate deliveries are caught across processes.
"""

import json
import sqlite3
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from pydantic import BaseModel

SHARE_SECONDS = 30 * 60  # as long as a slash command's response_url lives
SEEN_SECONDS = 60 * 60  # Slack retries an event for a few minutes at most
THREAD_SECONDS = 90 * 24 * 60 * 60  # how long a thread the bot was asked in stays open to follow-ups

_SCHEMA = """
CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY, created REAL NOT NULL, user_id TEXT NOT NULL, positive INTEGER NOT NULL,
    question TEXT NOT NULL, mode TEXT NOT NULL, sources TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS shares (id TEXT PRIMARY KEY, expires REAL NOT NULL, payload TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS seen (key TEXT PRIMARY KEY, created REAL NOT NULL);
CREATE TABLE IF NOT EXISTS threads (
    channel TEXT NOT NULL, thread_ts TEXT NOT NULL, created REAL NOT NULL, PRIMARY KEY (channel, thread_ts)
);
"""


class FeedbackSummary(BaseModel):
    """Counts of feedback, overall and per answer mode."""

    total: int
    positive: int
    by_mode: dict[str, tuple[int, int]]
    recent_negative: list[str]


class Store:
    """Thread-safe access to the SQLite file (one connection per thread)."""

    def __init__(self, path: Path, clock: Callable[[], float] = time.time) -> None:
        self.path, self._clock = path, clock
        self._local = threading.local()
        path.parent.mkdir(parents=True, exist_ok=True)
        self._connection().executescript(_SCHEMA)  # commits by itself, so outside _db()

    def _connection(self) -> sqlite3.Connection:
        """This thread's connection (sqlite3 connections must not cross threads)."""
        connection: sqlite3.Connection | None = getattr(self._local, "connection", None)
        if connection is None:
            connection = sqlite3.connect(self.path, timeout=10, isolation_level=None)
            connection.execute("PRAGMA journal_mode=WAL")
            self._local.connection = connection
        return connection

    @contextmanager
    def _db(self) -> Iterator[sqlite3.Connection]:
        """A write transaction on this thread's connection, committed on success."""
        connection = self._connection()
        connection.execute("BEGIN IMMEDIATE")
        try:
            yield connection
            connection.execute("COMMIT")
        except BaseException:
            connection.execute("ROLLBACK")
            raise

    def first_time(self, key: str) -> bool:
        """True the first time a key (an event id) is seen; False for any repeat."""
        now = self._clock()
        with self._db() as db:
            db.execute("DELETE FROM seen WHERE created < ?", (now - SEEN_SECONDS,))
            cursor = db.execute("INSERT OR IGNORE INTO seen (key, created) VALUES (?, ?)", (key, now))
            return cursor.rowcount == 1

    def remember_thread(self, channel: str, thread_ts: str) -> None:
        """Note that the bot was asked in a thread, so later messages there may be answered."""
        now = self._clock()
        with self._db() as db:
            db.execute("DELETE FROM threads WHERE created < ?", (now - THREAD_SECONDS,))
            db.execute(
                "INSERT OR REPLACE INTO threads (channel, thread_ts, created) VALUES (?, ?, ?)",
                (channel, thread_ts, now),
            )

    def invited(self, channel: str, thread_ts: str) -> bool:
        """True if the bot was asked in this thread (within the last 90 days)."""
        row = (
            self._connection()
            .execute(
                "SELECT 1 FROM threads WHERE channel = ? AND thread_ts = ? AND created >= ?",
                (channel, thread_ts, self._clock() - THREAD_SECONDS),
            )
            .fetchone()
        )
        return row is not None

    def add_feedback(self, user_id: str, positive: bool, record: dict[str, Any]) -> None:
        """Store one thumbs up or down with the question, answer mode and sources."""
        row = (
            self._clock(),
            user_id,
            int(positive),
            str(record.get("q", "")),
            str(record.get("m", "")),
            json.dumps(record.get("s", [])),
        )
        with self._db() as db:
            db.execute(
                "INSERT INTO feedback (created, user_id, positive, question, mode, sources)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                row,
            )

    def feedback_summary(self, recent: int = 5) -> FeedbackSummary:
        """Totals, per-mode (positive, negative) counts and the latest negative questions."""
        with self._db() as db:
            rows = db.execute(
                "SELECT mode, positive, COUNT(*) FROM feedback GROUP BY mode, positive"
            ).fetchall()
            negative = db.execute(
                "SELECT question FROM feedback WHERE positive = 0 ORDER BY id DESC LIMIT ?", (recent,)
            ).fetchall()
        by_mode: dict[str, tuple[int, int]] = {}
        for mode, positive, count in rows:
            up, down = by_mode.get(mode, (0, 0))
            by_mode[mode] = (up + count, down) if positive else (up, down + count)
        total = sum(up + down for up, down in by_mode.values())
        positives = sum(up for up, _ in by_mode.values())
        return FeedbackSummary(
            total=total, positive=positives, by_mode=by_mode, recent_negative=[q for (q,) in negative]
        )

    def put_share(self, payload: dict[str, Any]) -> str:
        """Keep an answer for sharing for 30 minutes; returns its id."""
        share_id, now = uuid.uuid4().hex, self._clock()
        with self._db() as db:
            db.execute("DELETE FROM shares WHERE expires < ?", (now,))
            db.execute(
                "INSERT INTO shares (id, expires, payload) VALUES (?, ?, ?)",
                (share_id, now + SHARE_SECONDS, json.dumps(payload)),
            )
        return share_id

    def take_share(self, share_id: str) -> dict[str, Any] | None:
        """The shareable answer, once (sharing twice is a no-op), or None if gone."""
        with self._db() as db:
            row = db.execute(
                "SELECT payload FROM shares WHERE id = ? AND expires >= ?", (share_id, self._clock())
            ).fetchone()
            db.execute("DELETE FROM shares WHERE id = ?", (share_id,))
        return json.loads(row[0]) if row else None
