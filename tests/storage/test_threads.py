"""Threads the bot was asked in: remembered in the store, per channel, for 90 days."""

from pathlib import Path

from bot.storage.sqlite import THREAD_SECONDS, Store
from tests.doubles.clock import ManualClock


def test_threads_remembered_per_channel_and_thread(tmp_path: Path) -> None:
    store = Store(tmp_path / "db.sqlite3")
    store.remember_thread("C1", "1.000001")
    assert store.invited("C1", "1.000001")
    assert not store.invited("C2", "1.000001")
    assert not store.invited("C1", "2.000001")
    assert Store(tmp_path / "db.sqlite3").invited("C1", "1.000001")  # another process sees it


def test_threads_are_forgotten_after_their_time(tmp_path: Path) -> None:
    clock = ManualClock(1_000_000.0)
    store = Store(tmp_path / "db.sqlite3", clock=clock)
    store.remember_thread("C1", "1.000001")
    clock.now += THREAD_SECONDS - 1
    assert store.invited("C1", "1.000001")
    store.remember_thread("C1", "1.000001")  # asked again: the clock restarts
    clock.now += THREAD_SECONDS - 1
    assert store.invited("C1", "1.000001")
    clock.now += 2
    assert not store.invited("C1", "1.000001")
