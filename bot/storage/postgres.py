"""PostgreSQL store (``DATABASE_URL``): shared state for any number of processes and hosts.

Every method is one transaction of atomic statements: upserts (``INSERT ... ON CONFLICT``) for
events, votes and shares, and a per-user row lock that serialises the limit check and its grant.
psycopg and psycopg_pool are imported here only, so SQLite deployments never load them.
"""

import json
import logging
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime
from typing import Any

import psycopg
from psycopg_pool import ConnectionPool, PoolTimeout

from bot.storage.sqlite import thread_key, too_new
from bot.storage.store import (
    IDLE_USER_SECONDS,
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

log = logging.getLogger("bot.storage")

WAIT_SECONDS = 1.0  # longest wait for a pooled connection before the caller degrades
CONNECT_SECONDS = 2  # TCP connect timeout per attempt
STATEMENT_MS = 5_000  # no statement may hold a thread longer than this
SCHEMA_LOCK = 0x_F0A_D715  # pg_advisory_xact_lock key: one upgrader at a time

MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE feedback (
        id BIGSERIAL PRIMARY KEY, created DOUBLE PRECISION NOT NULL, user_id TEXT NOT NULL,
        answer_id TEXT NOT NULL, positive BOOLEAN NOT NULL, question TEXT NOT NULL,
        mode TEXT NOT NULL, sources TEXT NOT NULL, UNIQUE (user_id, answer_id)
    );
    CREATE INDEX feedback_created ON feedback (created);
    CREATE TABLE shares (
        id TEXT PRIMARY KEY, expires DOUBLE PRECISION NOT NULL, taken DOUBLE PRECISION, payload TEXT NOT NULL
    );
    CREATE TABLE seen (key TEXT PRIMARY KEY, created DOUBLE PRECISION NOT NULL);
    CREATE INDEX seen_created ON seen (created);
    CREATE TABLE user_limits (user_id TEXT PRIMARY KEY, touched DOUBLE PRECISION NOT NULL);
    CREATE TABLE answer_grants (
        id BIGSERIAL PRIMARY KEY, user_id TEXT NOT NULL, at DOUBLE PRECISION NOT NULL
    );
    CREATE INDEX answer_grants_user ON answer_grants (user_id, at);
    CREATE TABLE answer_leases (
        id TEXT PRIMARY KEY, user_id TEXT NOT NULL, expires DOUBLE PRECISION NOT NULL
    );
    CREATE INDEX answer_leases_user ON answer_leases (user_id);
    CREATE TABLE threads (
        channel TEXT NOT NULL, thread_ts TEXT NOT NULL, created DOUBLE PRECISION NOT NULL,
        PRIMARY KEY (channel, thread_ts)
    );
    """,
    # Follow-ups are answered for the people who asked in a thread, not for anyone chatting there.
    """
    CREATE TABLE thread_askers (
        channel TEXT NOT NULL, thread_ts TEXT NOT NULL, user_id TEXT NOT NULL,
        created DOUBLE PRECISION NOT NULL, PRIMARY KEY (channel, thread_ts, user_id)
    );
    DROP TABLE threads;
    """,
    # The last click wins: a vote keeps the time of the click it came from (Slack's action_ts).
    """
    ALTER TABLE feedback ADD COLUMN clicked DOUBLE PRECISION;
    """,
)
SCHEMA_VERSION = len(MIGRATIONS)


def _pool(url: str, size: int, wait: float) -> ConnectionPool:
    """A pool that connects in the background, so an unreachable database never blocks start-up."""
    pool = ConnectionPool(
        url,
        min_size=1,
        max_size=size,
        open=False,
        timeout=wait,
        check=ConnectionPool.check_connection,  # a connection broken by a restart is replaced
        kwargs={
            "connect_timeout": CONNECT_SECONDS,
            "application_name": "framework-advisor",
            "options": f"-c statement_timeout={STATEMENT_MS}",
        },
        reconnect_timeout=30.0,
        name="advisor",
    )
    pool.open(wait=False)
    return pool


class PostgresStore:
    """The Store contract over a PostgreSQL database, through a connection pool."""

    backend = "postgres"

    def __init__(
        self,
        url: str,
        pool_size: int = 4,
        clock: Callable[[], float] = time.time,
        lease_seconds: float = 300.0,
        wait_seconds: float = WAIT_SECONDS,
    ) -> None:
        self._url, self._size, self._clock, self.lease_seconds = url, pool_size, clock, lease_seconds
        self.wait_seconds = wait_seconds
        self._pool = _pool(url, pool_size, wait_seconds)
        self._swap = threading.Lock()
        self._purge_lock = threading.Lock()
        self._next_purge = 0.0

    @contextmanager
    def _db(self) -> Iterator[psycopg.Connection[Any]]:
        """One transaction on a pooled connection; failures become StorageUnavailable."""
        try:
            with self._pool.connection(timeout=self.wait_seconds) as connection:
                yield connection  # the pool commits on success and rolls back on error
        except (psycopg.Error, PoolTimeout) as error:
            raise StorageUnavailable(f"postgres: {type(error).__name__}") from None

    def reconnect(self) -> None:
        """Probe the database directly; if it answers, start a fresh pool (no backoff to wait out)."""
        try:
            psycopg.connect(self._url, connect_timeout=CONNECT_SECONDS).close()
        except psycopg.Error as error:
            raise StorageUnavailable(f"postgres: {type(error).__name__}") from None
        with self._swap:
            old, self._pool = self._pool, _pool(self._url, self._size, self.wait_seconds)
        threading.Thread(target=old.close, kwargs={"timeout": 1.0}, daemon=True).start()

    # -- schema ------------------------------------------------------------------------------

    def schema_version(self) -> int:
        """The version recorded in advisor_schema, 0 for an empty database."""
        with self._db() as db:
            return _version(db)

    def upgrade(self) -> int:
        """Create or upgrade the schema in one transaction, one upgrader at a time."""
        with self._db() as db:
            db.execute("SELECT pg_advisory_xact_lock(%s)", (SCHEMA_LOCK,))
            current = _version(db)
            if current > SCHEMA_VERSION:
                raise SchemaError(too_new(current, SCHEMA_VERSION))
            if current == 0:
                db.execute("CREATE TABLE IF NOT EXISTS advisor_schema (version INTEGER NOT NULL)")
                db.execute("INSERT INTO advisor_schema (version) VALUES (0)")
            for version in range(current + 1, SCHEMA_VERSION + 1):
                for statement in _statements(MIGRATIONS[version - 1]):
                    db.execute(statement.encode())
                db.execute("UPDATE advisor_schema SET version = %s", (version,))
        return SCHEMA_VERSION

    # -- events and shares -------------------------------------------------------------------

    def first_time(self, key: str) -> bool:
        """True the first time a key is seen; an expired key counts as new again."""
        now = self._clock()
        self._maybe_purge(now)
        with self._db() as db:
            cursor = db.execute(
                "INSERT INTO seen (key, created) VALUES (%s, %s)"
                " ON CONFLICT (key) DO UPDATE SET created = EXCLUDED.created WHERE seen.created < %s",
                (storable(key), now, now - SEEN_SECONDS),
            )
            return cursor.rowcount == 1

    def put_share(self, payload: dict[str, Any]) -> str:
        """Keep an answer for sharing for 30 minutes; returns its id."""
        share_id, now = uuid.uuid4().hex, self._clock()
        self._maybe_purge(now)
        with self._db() as db:
            db.execute(
                "INSERT INTO shares (id, expires, payload) VALUES (%s, %s, %s)",
                (share_id, now + SHARE_SECONDS, json.dumps(payload)),
            )
        return share_id

    def take_share(self, share_id: str) -> dict[str, Any] | None:
        """Claim the share once; a second claim, or an expired one, gets None."""
        now = self._clock()
        with self._db() as db:
            row = db.execute(
                "UPDATE shares SET taken = %s WHERE id = %s AND taken IS NULL AND expires >= %s"
                " RETURNING payload",
                (now, storable(share_id), now),
            ).fetchone()
        return json.loads(row[0]) if row else None

    def return_share(self, share_id: str) -> None:
        """Undo a claim whose post failed."""
        with self._db() as db:
            db.execute("UPDATE shares SET taken = NULL WHERE id = %s", (storable(share_id),))

    def share_state(self, share_id: str) -> ShareState:
        """ready, taken, or gone."""
        with self._db() as db:
            row = db.execute(
                "SELECT taken FROM shares WHERE id = %s AND expires >= %s",
                (storable(share_id), self._clock()),
            ).fetchone()
        return "gone" if row is None else ("ready" if row[0] is None else "taken")

    def remember_thread(self, channel: str, thread_ts: str, user: str) -> None:
        """Note that a user asked the bot in a thread, so their later messages there may be answered."""
        with self._db() as db:
            db.execute(
                "INSERT INTO thread_askers (channel, thread_ts, user_id, created) VALUES (%s, %s, %s, %s)"
                " ON CONFLICT (channel, thread_ts, user_id) DO UPDATE SET created = EXCLUDED.created",
                (*thread_key(channel, thread_ts, user), self._clock()),
            )

    def invited(self, channel: str, thread_ts: str, user: str) -> bool:
        """True if this user asked the bot in this thread within THREAD_SECONDS."""
        with self._db() as db:
            row = db.execute(
                "SELECT 1 FROM thread_askers"
                " WHERE channel = %s AND thread_ts = %s AND user_id = %s AND created >= %s",
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
                " VALUES (%s, %s, %s, %s, %s, %s, %s, %s)"
                " ON CONFLICT (user_id, answer_id) DO UPDATE SET"
                " positive = EXCLUDED.positive, created = EXCLUDED.created, clicked = EXCLUDED.clicked"
                " WHERE feedback.clicked IS NULL OR EXCLUDED.clicked IS NULL"
                " OR EXCLUDED.clicked >= feedback.clicked",
                (
                    self._clock(),
                    entry.user_id,
                    entry.answer_id,
                    entry.positive,
                    entry.question,
                    entry.mode,
                    entry.sources_json,
                    click_time(clicked_at),
                ),
            )

    def feedback_summary(self, recent: int = 5, since: datetime | None = None) -> FeedbackSummary:
        """Totals, per-mode counts and the latest negative questions."""
        after, before = since_bounds(since, self._clock())
        with self._db() as db:
            counts = db.execute(
                "SELECT mode, positive, COUNT(*) FROM feedback"
                " WHERE created >= %s AND created <= %s GROUP BY mode, positive",
                (after, before),
            ).fetchall()
            negative = db.execute(
                "SELECT question FROM feedback WHERE NOT positive AND created >= %s"
                " AND created <= %s ORDER BY created DESC, id DESC LIMIT %s",
                (after, before, recent),
            ).fetchall()
        return summarise([(m, bool(p), int(n)) for m, p, n in counts], [q for (q,) in negative])

    def feedback_rows(self, since: datetime | None = None) -> list[FeedbackRow]:
        """Every vote since a time, oldest first; a malformed row is repaired or skipped, named."""
        # Without a start time every row is read, so a malformed one is named rather than hidden.
        where = "" if since is None else " WHERE created >= %s AND created <= %s"
        with self._db() as db:
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
        with self._db() as db:
            # The upsert locks this user's row until commit, so two processes (or hosts) checking
            # the same user's counts queue here: the count and the grant below cannot race.
            db.execute(
                "INSERT INTO user_limits (user_id, touched) VALUES (%s, %s)"
                " ON CONFLICT (user_id) DO UPDATE SET touched = EXCLUDED.touched",
                (user, now),
            )
            db.execute(
                "DELETE FROM answer_grants WHERE user_id = %s AND at <= %s", (user, now - WINDOW_SECONDS)
            )
            db.execute("DELETE FROM answer_leases WHERE user_id = %s AND expires <= %s", (user, now))
            row = db.execute(
                "SELECT (SELECT COUNT(*) FROM answer_grants WHERE user_id = %s),"
                " (SELECT COUNT(*) FROM answer_leases WHERE user_id = %s)",
                (user, user),
            ).fetchone()
            assert row is not None
            if row[0] >= per_minute or row[1] >= concurrent:
                return None
            db.execute("INSERT INTO answer_grants (user_id, at) VALUES (%s, %s)", (user, now))
            db.execute(
                "INSERT INTO answer_leases (id, user_id, expires) VALUES (%s, %s, %s)",
                (lease, user, now + self.lease_seconds),
            )
        return lease

    def release(self, lease: str) -> None:
        """End a lease."""
        with self._db() as db:
            db.execute("DELETE FROM answer_leases WHERE id = %s", (storable(lease),))

    # -- housekeeping ------------------------------------------------------------------------

    def _maybe_purge(self, now: float) -> None:
        """Delete expired rows at most once a minute per process, so no cron job is needed."""
        with self._purge_lock:
            if now < self._next_purge:
                return
            self._next_purge = now + PURGE_SECONDS
        with self._db() as db:
            db.execute("DELETE FROM seen WHERE created < %s", (now - SEEN_SECONDS,))
            db.execute("DELETE FROM shares WHERE expires < %s", (now,))
            db.execute("DELETE FROM answer_grants WHERE at <= %s", (now - WINDOW_SECONDS,))
            db.execute("DELETE FROM answer_leases WHERE expires <= %s", (now,))
            db.execute("DELETE FROM user_limits WHERE touched < %s", (now - IDLE_USER_SECONDS,))
            db.execute("DELETE FROM thread_askers WHERE created < %s", (now - THREAD_SECONDS,))

    def close(self) -> None:
        """Close the pool."""
        self._pool.close(timeout=2.0)


def _version(db: psycopg.Connection[Any]) -> int:
    """The schema version, 0 when the database has none yet."""
    exists = db.execute("SELECT to_regclass('advisor_schema') IS NOT NULL").fetchone()
    if not exists or not exists[0]:
        return 0
    row = db.execute("SELECT version FROM advisor_schema").fetchone()
    return int(row[0]) if row else 0


def _statements(script: str) -> list[str]:
    """The statements of a migration script (no semicolons inside our statements)."""
    return [part.strip() for part in script.split(";") if part.strip()]
