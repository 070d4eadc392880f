"""The SQLite store: de-duplication across processes, feedback and shares."""

from pathlib import Path

from bot.storage.sqlite import SHARE_SECONDS, Store
from tests.doubles.clock import ManualClock


def test_store_first_time_is_shared_between_instances(tmp_path: Path) -> None:
    one, two = Store(tmp_path / "db.sqlite3"), Store(tmp_path / "db.sqlite3")  # like two gunicorn workers
    assert one.first_time("Ev1")
    assert not two.first_time("Ev1")
    assert two.first_time("Ev2")


def test_store_feedback_summary(tmp_path: Path) -> None:
    store = Store(tmp_path / "db.sqlite3")
    store.add_feedback("U1", True, {"q": "a", "m": "llm", "s": ["x"]})
    store.add_feedback("U2", False, {"q": "b", "m": "llm", "s": []})
    store.add_feedback("U3", False, {"q": "c", "m": "rules", "s": []})
    summary = store.feedback_summary()
    assert summary.total == 3
    assert summary.positive == 1
    assert summary.by_mode == {"llm": (1, 1), "rules": (0, 1)}
    assert summary.recent_negative == ["c", "b"]


def test_store_share_once_and_expires(tmp_path: Path) -> None:
    clock = ManualClock(1_000_000.0)
    store = Store(tmp_path / "db.sqlite3", clock=clock)
    first = store.put_share({"question": "q"})
    assert store.take_share(first) == {"question": "q"}
    assert store.take_share(first) is None
    second = store.put_share({"question": "r"})
    clock.now += SHARE_SECONDS + 1
    assert store.take_share(second) is None
