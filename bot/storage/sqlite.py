"""Embedded SQLite store: one file shared by every process on one machine (the default).

Statements run in ``BEGIN IMMEDIATE`` transactions, so concurrent writers from several gunicorn
workers queue on the file's write lock instead of racing.
"""

import fcntl
import json
import sqlite3
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

from bot.storage.store import (
    IDLE_USER_SECONDS,
    MAX_ID,
    PURGE_SECONDS,
    SEEN_SECONDS,
    SHARE_SECONDS,
    THREAD_SECONDS,
    WINDOW_SECONDS,
    FeedbackRow,
    FeedbackSummary,
    SchemaError,
    ShareState,
    StorageUnavailable,
    click_time,
    feedback_entry,
    read_feedback_row,
    since_bounds,
    storable,
    summarise,
)

BUSY_SECONDS = 10  # how long a statement waits for another process's write lock

# Version 1 is the schema of earlier releases (files may have it without a version number).
MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE IF NOT EXISTS feedback (
        id INTEGER PRIMARY KEY, created REAL NOT NULL, user_id TEXT NOT NULL, positive INTEGER NOT NULL,
        question TEXT NOT NULL, mode TEXT NOT NULL, sources TEXT NOT NULL
    );
    CREATE TABLE IF NOT EXISTS shares (id TEXT PRIMARY KEY, expires REAL NOT NULL, payload TEXT NOT NULL);
    CREATE TABLE IF NOT EXISTS seen (key TEXT PRIMARY KEY, created REAL NOT NULL);
    """,
    """
    ALTER TABLE feedback ADD COLUMN answer_id TEXT NOT NULL DEFAULT '';
    UPDATE feedback SET answer_id = 'row-' || id;
    CREATE UNIQUE INDEX feedback_vote ON feedback (user_id, answer_id);
    CREATE INDEX feedback_created ON feedback (created);
    ALTER TABLE shares ADD COLUMN taken REAL;
    CREATE TABLE user_limits (user_id TEXT PRIMARY KEY, touched REAL NOT NULL);
    CREATE TABLE answer_grants (id INTEGER PRIMARY KEY, user_id TEXT NOT NULL, at REAL NOT NULL);
    CREATE INDEX answer_grants_user ON answer_grants (user_id, at);
    CREATE TABLE answer_leases (id TEXT PRIMARY KEY, user_id TEXT NOT NULL, expires REAL NOT NULL);
    CREATE INDEX answer_leases_user ON answer_leases (user_id);
    CREATE TABLE IF NOT EXISTS threads (
        channel TEXT NOT NULL, thread_ts TEXT NOT NULL, created REAL NOT NULL,
        PRIMARY KEY (channel, thread_ts)
    );
    """,
    # Follow-ups are answered for the people who asked in a thread, not for anyone chatting there.
    """
    CREATE TABLE thread_askers (
        channel TEXT NOT NULL, thread_ts TEXT NOT NULL, user_id TEXT NOT NULL, created REAL NOT NULL,
        PRIMARY KEY (channel, thread_ts, user_id)
    );
    DROP TABLE threads;
    """,
    # The last click wins: a vote keeps the time of the click it came from (Slack's action_ts).
    """
    ALTER TABLE feedback ADD COLUMN clicked REAL;
    """,
)
SCHEMA_VERSION = len(MIGRATIONS)


class SqliteStore:
    """The Store contract over one SQLite file (one connection per thread)."""

    backend = "sqlite"

    def __init__(
        self,
        path: Path,
        clock: Callable[[], float] = time.time,
        lease_seconds: float = 300.0,
        read_only: bool = False,
    ) -> None:
        self.path, self._clock, self.lease_seconds = path, clock, lease_seconds
        self.read_only = read_only  # reports on a file nobody can write (a read-only file system)
        self._local = threading.local()
        self._purge_lock = threading.Lock()
        self._next_purge = 0.0
        self._generation = 0  # bumped by reconnect(): every thread then opens the file afresh

    def _connection(self) -> sqlite3.Connection:
        """This thread's connection (sqlite3 connections must not cross threads)."""
        connection: sqlite3.Connection | None = getattr(self._local, "connection", None)
        if connection is not None and getattr(self._local, "generation", 0) != self._generation:
            connection.close()  # opened before reconnect(): it may hold a deleted file
            connection = None
        if connection is None:
            # journal_mode is set once, by upgrade(), under a file lock: setting it here from
            # every worker at once is what made fresh databases kill workers at boot.
            # immutable: a file that cannot be written cannot change, and a WAL file then needs
            # no shared-memory file next to it (which a read-only folder could not hold).
            where = f"file:{quote(str(self.path))}?immutable=1" if self.read_only else str(self.path)
            connection = sqlite3.connect(
                where, timeout=BUSY_SECONDS, isolation_level=None, uri=self.read_only
            )
            self._local.connection, self._local.generation = connection, self._generation
        return connection

    def reconnect(self) -> None:
        """Make every thread open the file afresh (it may have been deleted or replaced)."""
        self._generation += 1

    @contextmanager
    def _db(self) -> Iterator[sqlite3.Connection]:
        """A write transaction on this thread's connection; database errors become StorageUnavailable."""
        try:
            connection = self._connection()
            connection.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as error:
            raise StorageUnavailable(f"sqlite: {error}") from None
        try:
            yield connection
            connection.execute("COMMIT")
        except sqlite3.Error as error:
            connection.execute("ROLLBACK")
            raise StorageUnavailable(f"sqlite: {error}") from None
        except BaseException:
            connection.execute("ROLLBACK")
            raise

    @contextmanager
    def _read(self) -> Iterator[sqlite3.Connection]:
        """A read transaction: needs no write access, so reports work on a read-only file."""
        try:
            connection = self._connection()
            connection.execute("BEGIN")
        except sqlite3.Error as error:
            raise StorageUnavailable(f"sqlite: {error}") from None
        try:
            yield connection
        except sqlite3.Error as error:
            raise StorageUnavailable(f"sqlite: {error}") from None
        finally:
            connection.execute("ROLLBACK")

    # -- schema ------------------------------------------------------------------------------

    def schema_version(self) -> int:
        """PRAGMA user_version, or 1 for an unversioned file from an earlier release."""
        try:
            connection = self._connection()
            version = int(connection.execute("PRAGMA user_version").fetchone()[0])
            if (
                version == 0
                and connection.execute("SELECT 1 FROM sqlite_master WHERE name = 'feedback'").fetchone()
            ):
                return 1
        except sqlite3.Error as error:
            raise StorageUnavailable(f"sqlite: {error}") from None
        return version

    def upgrade(self) -> int:
        """Create or upgrade the schema, once, under a lock file next to the database."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with _file_lock(self.path.with_name(self.path.name + ".lock")):
            current = self.schema_version()
            if current > SCHEMA_VERSION:
                raise SchemaError(too_new(current, SCHEMA_VERSION))
            if current == SCHEMA_VERSION:
                return current
            try:
                self._connection().execute("PRAGMA journal_mode=WAL")
            except sqlite3.Error as error:
                raise StorageUnavailable(f"sqlite: {error}") from None
            for version in range(current + 1, SCHEMA_VERSION + 1):
                with self._db() as db:
                    for statement in _statements(MIGRATIONS[version - 1]):
                        db.execute(statement)
                    db.execute(f"PRAGMA user_version = {version}")
        return SCHEMA_VERSION

    # -- events and shares -------------------------------------------------------------------

    def first_time(self, key: str) -> bool:
        """True the first time a key is seen; an expired key counts as new again."""
        now = self._clock()
        self._maybe_purge(now)
        with self._db() as db:
            cursor = db.execute(
                "INSERT INTO seen (key, created) VALUES (?, ?)"
                " ON CONFLICT (key) DO UPDATE SET created = excluded.created WHERE seen.created < ?",
                (storable(key), now, now - SEEN_SECONDS),
            )
            return cursor.rowcount == 1

    def put_share(self, payload: dict[str, Any]) -> str:
        """Keep an answer for sharing for 30 minutes; returns its id."""
        share_id, now = uuid.uuid4().hex, self._clock()
        self._maybe_purge(now)
        with self._db() as db:
            db.execute(
                "INSERT INTO shares (id, expires, payload) VALUES (?, ?, ?)",
                (share_id, now + SHARE_SECONDS, json.dumps(payload)),
            )
        return share_id

    def take_share(self, share_id: str) -> dict[str, Any] | None:
        """Claim the share once; a second claim, or an expired one, gets None."""
        with self._db() as db:
            row = db.execute(
                "UPDATE shares SET taken = ? WHERE id = ? AND taken IS NULL AND expires >= ?"
                " RETURNING payload",
                (self._clock(), storable(share_id), self._clock()),
            ).fetchone()
        return json.loads(row[0]) if row else None

    def return_share(self, share_id: str) -> None:
        """Undo a claim whose post failed."""
        with self._db() as db:
            db.execute("UPDATE shares SET taken = NULL WHERE id = ?", (storable(share_id),))

    def share_state(self, share_id: str) -> ShareState:
        """ready, taken, or gone."""
        with self._db() as db:
            row = db.execute(
                "SELECT taken FROM shares WHERE id = ? AND expires >= ?", (storable(share_id), self._clock())
            ).fetchone()
        return "gone" if row is None else ("ready" if row[0] is None else "taken")

    def remember_thread(self, channel: str, thread_ts: str, user: str) -> None:
        """Note that a user asked the bot in a thread, so their later messages there may be answered."""
        with self._db() as db:
            db.execute(
                "INSERT INTO thread_askers (channel, thread_ts, user_id, created) VALUES (?, ?, ?, ?)"
                " ON CONFLICT (channel, thread_ts, user_id) DO UPDATE SET created = excluded.created",
                (*thread_key(channel, thread_ts, user), self._clock()),
            )

    def invited(self, channel: str, thread_ts: str, user: str) -> bool:
        """True if this user asked the bot in this thread within THREAD_SECONDS."""
        with self._db() as db:
            row = db.execute(
                "SELECT 1 FROM thread_askers"
                " WHERE channel = ? AND thread_ts = ? AND user_id = ? AND created >= ?",
                (*thread_key(channel, thread_ts, user), self._clock() - THREAD_SECONDS),
            ).fetchone()
        return row is not None

    # -- feedback ----------------------------------------------------------------------------

    def add_feedback(
        self,
        user_id: str,
        positive: bool,
        record: Mapping[str, Any],
        answer_id: str | None = None,
        clicked_at: float | None = None,
    ) -> None:
        """Upsert the user's vote on this answer (bounded values); an older click never overwrites."""
        entry = feedback_entry(user_id, positive, record, answer_id)
        with self._db() as db:
            db.execute(
                "INSERT INTO feedback"
                " (created, user_id, answer_id, positive, question, mode, sources, clicked)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (user_id, answer_id) DO UPDATE SET"
                " positive = excluded.positive, created = excluded.created, clicked = excluded.clicked"
                " WHERE feedback.clicked IS NULL OR excluded.clicked IS NULL"
                " OR excluded.clicked >= feedback.clicked",
                (
                    self._clock(),
                    entry.user_id,
                    entry.answer_id,
                    int(entry.positive),
                    entry.question,
                    entry.mode,
                    entry.sources_json,
                    click_time(clicked_at),
                ),
            )

    def feedback_summary(self, recent: int = 5, since: datetime | None = None) -> FeedbackSummary:
        """Totals, per-mode counts and the latest negative questions."""
        after, before = since_bounds(since, self._clock())
        with self._read() as db:
            counts = db.execute(
                "SELECT mode, positive, COUNT(*) FROM feedback"
                " WHERE created >= ? AND created <= ? GROUP BY mode, positive",
                (after, before),
            ).fetchall()
            negative = db.execute(
                "SELECT question FROM feedback WHERE positive = 0 AND created >= ?"
                " AND created <= ? ORDER BY created DESC, id DESC LIMIT ?",
                (after, before, recent),
            ).fetchall()
        return summarise([(m, bool(p), n) for m, p, n in counts], [q for (q,) in negative])

    def feedback_rows(self, since: datetime | None = None) -> list[FeedbackRow]:
        """Every vote since a time, oldest first; a malformed row is repaired or skipped, named."""
        # Without a start time every row is read, so a malformed one is named rather than hidden.
        where = "" if since is None else " WHERE created >= ? AND created <= ?"
        with self._read() as db:
            rows = db.execute(
                "SELECT id, created, user_id, positive, mode, sources, question FROM feedback"
                + where
                + " ORDER BY created, id",
                since_bounds(since, self._clock()) if since else (),
            ).fetchall()
        read = (read_feedback_row(row[0], tuple(row[1:])) for row in rows)
        return [row for row in read if row is not None]

    # -- per-user limits ---------------------------------------------------------------------

    def try_acquire(self, user: str, per_minute: int, concurrent: int) -> str | None:
        """Count a grant and take a lease if the user is under both limits, atomically."""
        now, lease, user = self._clock(), uuid.uuid4().hex, storable(user)
        with self._db() as db:  # BEGIN IMMEDIATE holds the write lock: counts cannot race
            db.execute(
                "DELETE FROM answer_grants WHERE user_id = ? AND at <= ?", (user, now - WINDOW_SECONDS)
            )
            db.execute("DELETE FROM answer_leases WHERE user_id = ? AND expires <= ?", (user, now))
            grants, active = db.execute(
                "SELECT (SELECT COUNT(*) FROM answer_grants WHERE user_id = ?),"
                " (SELECT COUNT(*) FROM answer_leases WHERE user_id = ?)",
                (user, user),
            ).fetchone()
            if grants >= per_minute or active >= concurrent:
                return None
            db.execute(
                "INSERT INTO user_limits (user_id, touched) VALUES (?, ?)"
                " ON CONFLICT (user_id) DO UPDATE SET touched = excluded.touched",
                (user, now),
            )
            db.execute("INSERT INTO answer_grants (user_id, at) VALUES (?, ?)", (user, now))
            db.execute(
                "INSERT INTO answer_leases (id, user_id, expires) VALUES (?, ?, ?)",
                (lease, user, now + self.lease_seconds),
            )
        return lease

    def release(self, lease: str) -> None:
        """End a lease."""
        with self._db() as db:
            db.execute("DELETE FROM answer_leases WHERE id = ?", (storable(lease),))

    # -- housekeeping ------------------------------------------------------------------------

    def _maybe_purge(self, now: float) -> None:
        """Delete expired rows at most once a minute per process, so no cron job is needed."""
        with self._purge_lock:
            if now < self._next_purge:
                return
            self._next_purge = now + PURGE_SECONDS
        with self._db() as db:
            db.execute("DELETE FROM seen WHERE created < ?", (now - SEEN_SECONDS,))
            db.execute("DELETE FROM shares WHERE expires < ?", (now,))
            db.execute("DELETE FROM answer_grants WHERE at <= ?", (now - WINDOW_SECONDS,))
            db.execute("DELETE FROM answer_leases WHERE expires <= ?", (now,))
            db.execute("DELETE FROM user_limits WHERE touched < ?", (now - IDLE_USER_SECONDS,))
            db.execute("DELETE FROM thread_askers WHERE created < ?", (now - THREAD_SECONDS,))

    def close(self) -> None:
        """Close this thread's connection (others close with their threads)."""
        connection = getattr(self._local, "connection", None)
        if connection is not None:
            connection.close()
            self._local.connection = None


def too_new(found: int, known: int) -> str:
    """The one-line refusal for a schema written by a newer release."""
    return (
        f"the database schema is version {found}, newer than this release understands ({known});"
        " deploy the newer release or point the app at another database"
    )


def thread_key(channel: str, thread_ts: str, user: str) -> tuple[str, str, str]:
    """A thread asker's key, bounded and storable (the ids come from Slack payloads)."""
    return storable(channel[:MAX_ID]), storable(thread_ts[:MAX_ID]), storable(user[:MAX_ID])


def _statements(script: str) -> list[str]:
    """The statements of a migration script (no semicolons inside our statements)."""
    return [part.strip() for part in script.split(";") if part.strip()]


@contextmanager
def _file_lock(path: Path) -> Iterator[None]:
    """An exclusive lock shared by every process on this machine (released on exit or death)."""
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
