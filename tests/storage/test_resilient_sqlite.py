"""Degraded, never down: the app's store over an SQLite file that is deleted while the app runs."""

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.claude.limits import LocalCounter
from bot.storage.resilient import ResilientStore
from bot.storage.sqlite import SqliteStore
from tests.doubles.clock import ManualClock

RECORD = {"q": "Django or Flask?", "m": "rules", "s": []}


@pytest.fixture
def monotonic() -> ManualClock:
    """The resilient store's own clock (probe intervals), moved by hand."""
    return ManualClock(100.0)


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    """Where the SQLite file lives."""
    return tmp_path / "advisor.sqlite3"


@pytest.fixture
def resilient(db_path: Path, monotonic: ManualClock) -> Iterator[ResilientStore]:
    """The store as the app builds it, over a fresh SQLite file."""
    store = ResilientStore(
        SqliteStore(db_path), fallback=LocalCounter(), clock=monotonic, sleep=lambda _: None
    )
    store.start(must_connect=True)
    yield store
    store.close()


def delete_database(path: Path) -> None:
    """Remove the file and its WAL companions, as an operator's rm would."""
    for suffix in ("", "-wal", "-shm", "-journal"):
        path.with_name(path.name + suffix).unlink(missing_ok=True)


def in_another_thread(resilient: ResilientStore, key: str) -> bool:
    """first_time from a thread of its own (each thread has its own connection)."""
    results: list[bool] = []
    worker = threading.Thread(target=lambda: results.append(resilient.first_time(key)))
    worker.start()
    worker.join()
    return results[0]


def test_resilient_sqlite_deleted_file_reports_degraded_then_recreates_schema(
    resilient: ResilientStore, db_path: Path, monotonic: ManualClock
) -> None:
    assert resilient.first_time("EvBefore")
    delete_database(db_path)
    assert in_another_thread(resilient, "EvGone")  # fails open: the schema is gone
    assert resilient.health()["status"] == "degraded"
    monotonic.now += 1.5  # the next probe is due
    assert resilient.health() == {"backend": "sqlite", "status": "ok"}
    assert in_another_thread(resilient, "EvAfter")
    assert not in_another_thread(resilient, "EvAfter")  # de-duplication works again, every thread
    assert not resilient.first_time("EvAfter")
    resilient.add_feedback("U1", False, RECORD, answer_id="a1")
    assert resilient.feedback_summary().total == 1
