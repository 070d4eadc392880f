"""De-duplication of double clicks, on a real store."""

import threading
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.slack.jobs import first_click
from bot.storage.sqlite import SqliteStore


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> SqliteStore:
    backend = SqliteStore(Path(tmp_path_factory.mktemp("jobs")) / "advisor.sqlite3")
    backend.upgrade()
    return backend


@given(clicked_at=st.text(max_size=40), key=st.text(max_size=80))
def test_jobs_first_click_of_any_click_time_never_raises(
    store: SqliteStore, clicked_at: str, key: str
) -> None:
    assert first_click(store, key, clicked_at) in (True, False)


@given(at=st.floats(min_value=0, max_value=4e9))
def test_jobs_first_click_then_the_same_click_is_a_repeat(store: SqliteStore, at: float) -> None:
    key = f"click:{at!r}"
    assert first_click(store, key, repr(at)) is True
    assert first_click(store, key, repr(at + 1.0)) is False


class LockstepStore(SqliteStore):
    """A real store where two threads each make their first claim before either goes on."""

    def __init__(self, path: Path) -> None:
        super().__init__(path)
        self._both_claimed = threading.Barrier(2, timeout=5)
        self._claims = threading.local()

    def first_time(self, key: str) -> bool:
        new = super().first_time(key)
        claims = getattr(self._claims, "count", 0)
        self._claims.count = claims + 1
        if claims == 0:
            self._both_claimed.wait()
        return new


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("1700000005.200000", "1700000004.900000"),  # either side of a time slot's edge
        ("1700000004.900000", "1700000005.200000"),
        ("1700000000.100000", "1700000000.400000"),  # in one slot
    ],
)
def test_jobs_double_click_run_at_once_asks_once(tmp_path: Path, first: str, second: str) -> None:
    store = LockstepStore(tmp_path / "advisor.sqlite3")
    store.upgrade()
    asks: list[bool] = []
    clicks = [
        threading.Thread(target=lambda at=at: asks.append(first_click(store, "k", at)))
        for at in (first, second)
    ]
    for click in clicks:
        click.start()
    for click in clicks:
        click.join()
    assert sorted(asks) == [False, True]  # one click asks, never both and never neither
