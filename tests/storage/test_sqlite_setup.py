"""SQLite set-up: no boot race on a fresh file, and files from earlier releases upgraded in place."""

import multiprocessing
import sqlite3
from multiprocessing.synchronize import Barrier
from pathlib import Path

import pytest

from bot.storage.sqlite import MIGRATIONS, SCHEMA_VERSION, SqliteStore

WORKERS = 8
ROUNDS = 150  # the old set-up lost a worker in 3 of 4 runs of 40 rounds: 150 catch it reliably


def _boot(path: str, barrier: Barrier, results: "multiprocessing.Queue[str]") -> None:
    """What each gunicorn worker does at start: set the store up, then use it."""
    barrier.wait()
    try:
        store = SqliteStore(Path(path))
        store.upgrade()
        store.first_time(f"Ev{multiprocessing.current_process().pid}")
        results.put("ok")
    except Exception as error:
        results.put(repr(error))


@pytest.mark.slow
def test_sqlite_fresh_file_never_kills_a_worker_at_boot(tmp_path: Path) -> None:
    context = multiprocessing.get_context("fork")
    failures = []
    for index in range(ROUNDS):
        barrier, results = context.Barrier(WORKERS), context.Queue()
        path = str(tmp_path / f"fresh-{index}.sqlite3")
        workers = [context.Process(target=_boot, args=(path, barrier, results)) for _ in range(WORKERS)]
        for worker in workers:
            worker.start()
        outcomes = [results.get(timeout=30) for _ in workers]
        for worker in workers:
            worker.join(timeout=30)
        failures += [outcome for outcome in outcomes if outcome != "ok"]
    assert failures == []


def test_sqlite_upgrade_sets_wal_once(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "db.sqlite3")
    store.upgrade()
    with sqlite3.connect(tmp_path / "db.sqlite3") as connection:
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert connection.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION


def test_sqlite_file_from_an_earlier_release_is_upgraded_keeping_feedback(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    with sqlite3.connect(path) as old:  # exactly what earlier releases created, with no version
        old.executescript(MIGRATIONS[0])
        old.execute(
            "INSERT INTO feedback (created, user_id, positive, question, mode, sources)"
            " VALUES (1.0, 'U1', 0, 'kept?', 'rules', '[]')"
        )
        old.execute("INSERT INTO shares (id, expires, payload) VALUES ('s1', 9e12, '{\"question\": \"q\"}')")
    store = SqliteStore(path)
    assert store.schema_version() == 1
    assert store.upgrade() == SCHEMA_VERSION
    assert store.feedback_summary().recent_negative == ["kept?"]
    store.add_feedback("U1", True, {"q": "new", "m": "llm", "s": []})
    assert store.feedback_summary().total == 2
    assert store.take_share("s1") == {"question": "q"}
