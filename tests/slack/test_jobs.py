"""De-duplication of double clicks, on a real store."""

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
