"""The Store contract, run against SQLite and a real PostgreSQL alike."""

import threading
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.storage.store import (
    MAX_ID,
    MAX_MODE,
    MAX_QUESTION,
    MAX_SOURCE_ID,
    MAX_SOURCES,
    SEEN_SECONDS,
    SHARE_SECONDS,
    THREAD_SECONDS,
    WINDOW_SECONDS,
    SchemaError,
    Store,
    storable,
)
from tests.doubles.clock import ManualClock
from tests.doubles.properties import examples
from tests.storage.conftest import BACKENDS, START, OpenStore, count_rows, set_version

pytestmark = pytest.mark.parametrize("database", BACKENDS, indirect=True)


def _race(workers: int, job: Callable[[int], Any]) -> list[Any]:
    """Run job(i) for each worker at the same moment; returns the results in order."""
    barrier = threading.Barrier(workers)

    def run(index: int) -> Any:
        barrier.wait()
        return job(index)

    with ThreadPoolExecutor(workers) as pool:
        return list(pool.map(run, range(workers)))


# -- answered events --------------------------------------------------------------------------


def test_store_first_time_is_shared_between_instances(open_store: OpenStore) -> None:
    one, two = open_store(), open_store()  # two processes, or two hosts
    assert one.first_time("Ev1")
    assert not two.first_time("Ev1")
    assert two.first_time("Ev2")


def test_store_first_time_concurrent_deliveries_answered_once(open_store: OpenStore) -> None:
    stores = [open_store(), open_store()]
    results = _race(16, lambda i: stores[i % 2].first_time("EvRace"))
    assert results.count(True) == 1


def test_store_first_time_expires(store: Store, clock: ManualClock) -> None:
    assert store.first_time("EvOld")
    clock.now += SEEN_SECONDS + 1
    assert store.first_time("EvOld")  # long past Slack's retries: a new delivery


# -- shares ------------------------------------------------------------------------------------


def test_store_share_once_and_expires(store: Store, clock: ManualClock) -> None:
    first = store.put_share({"question": "q"})
    assert store.share_state(first) == "ready"
    assert store.take_share(first) == {"question": "q"}
    assert store.take_share(first) is None
    assert store.share_state(first) == "taken"
    second = store.put_share({"question": "r"})
    clock.now += SHARE_SECONDS + 1
    assert store.take_share(second) is None
    assert store.share_state(second) == "gone"
    assert store.share_state("no-such-share") == "gone"


def test_store_share_made_on_one_taken_on_another(open_store: OpenStore) -> None:
    one, two = open_store(), open_store()
    share = one.put_share({"question": "q", "answer": {"text": "ü 🚀"}})
    assert two.take_share(share) == {"question": "q", "answer": {"text": "ü 🚀"}}


def test_store_share_returned_after_failed_post_can_be_taken_again(store: Store) -> None:
    share = store.put_share({"question": "q"})
    assert store.take_share(share) is not None
    store.return_share(share)
    assert store.share_state(share) == "ready"
    assert store.take_share(share) == {"question": "q"}


def test_store_share_concurrent_clicks_post_once(open_store: OpenStore) -> None:
    stores = [open_store(), open_store()]
    share = stores[0].put_share({"question": "q"})
    taken = _race(12, lambda i: stores[i % 2].take_share(share))
    assert sum(result is not None for result in taken) == 1


# -- feedback ----------------------------------------------------------------------------------


def test_store_feedback_summary(store: Store) -> None:
    store.add_feedback("U1", True, {"q": "a", "m": "llm", "s": ["x"]})
    store.add_feedback("U2", False, {"q": "b", "m": "llm", "s": []})
    store.add_feedback("U3", False, {"q": "c", "m": "rules", "s": []})
    summary = store.feedback_summary()
    assert (summary.total, summary.positive) == (3, 1)
    assert summary.by_mode == {"llm": (1, 1), "rules": (0, 1)}
    assert summary.recent_negative == ["c", "b"]


def test_store_feedback_one_vote_per_user_per_answer(store: Store, clock: ManualClock) -> None:
    record = {"q": "Django or Flask?", "m": "llm", "s": ["choose-django"]}
    store.add_feedback("U1", True, record, answer_id="C1:1.1")
    clock.now += 5
    store.add_feedback("U1", False, record, answer_id="C1:1.1")  # a second click changes the vote
    store.add_feedback("U1", True, record, answer_id="C1:2.2")  # another answer: another vote
    store.add_feedback("U2", True, record, answer_id="C1:1.1")  # another user: another vote
    summary = store.feedback_summary()
    assert (summary.total, summary.positive) == (3, 2)
    assert summary.by_mode == {"llm": (2, 1)}


def test_store_feedback_last_click_wins_whatever_order_stored(store: Store) -> None:
    record = {"q": "Django or Flask?", "m": "llm", "s": []}
    for click in (1.0, 2.0, 3.0, 4.0, 5.0):
        store.add_feedback("U1", True, record, answer_id="C1:1.1", clicked_at=1_700_000_000 + click)
    store.add_feedback("U1", False, record, answer_id="C1:1.1", clicked_at=1_700_000_006.0)  # the last click
    store.add_feedback("U1", True, record, answer_id="C1:1.1", clicked_at=1_700_000_003.5)  # stored late
    assert store.feedback_summary().positive == 0
    store.add_feedback("U1", True, record, answer_id="C1:1.1", clicked_at=1_700_000_007.0)
    assert store.feedback_summary().positive == 1


def test_store_feedback_without_answer_id_is_keyed_by_content(store: Store) -> None:
    record = {"q": "Which for ML?", "m": "rules", "s": []}
    store.add_feedback("U1", True, record)
    store.add_feedback("U1", False, record)
    store.add_feedback("U1", False, {**record, "q": "Another question"})
    assert store.feedback_summary().by_mode == {"rules": (0, 2)}


def test_store_feedback_from_two_instances_in_one_report(open_store: OpenStore) -> None:
    one, two = open_store(), open_store()
    one.add_feedback("U1", True, {"q": "a", "m": "llm", "s": []})
    two.add_feedback("U2", False, {"q": "b", "m": "rules", "s": []})
    assert open_store().feedback_summary().total == 2


def test_store_feedback_rows_since(store: Store, clock: ManualClock) -> None:
    store.add_feedback("U1", True, {"q": "old", "m": "llm", "s": ["a", "b"]})
    clock.now += 3600
    store.add_feedback("U2", False, {"q": "new", "m": "rules", "s": []})
    since = datetime.fromtimestamp(START + 1800, UTC)
    rows = store.feedback_rows(since)
    assert [(r.question, r.positive, r.mode, r.user_id) for r in rows] == [("new", False, "rules", "U2")]
    assert [r.sources for r in store.feedback_rows()] == [["a", "b"], []]
    assert store.feedback_rows()[0].created == datetime.fromtimestamp(START, UTC)
    assert store.feedback_summary(since=since).total == 1


def test_store_feedback_values_are_bounded(store: Store) -> None:
    crafted = {"q": "x" * 1_000_000, "m": "m" * 5_000, "s": [f"s{i}" * 60 for i in range(10_000)]}
    store.add_feedback("U" * 5_000, True, crafted, answer_id="a" * 5_000)
    (row,) = store.feedback_rows()
    assert len(row.question) == MAX_QUESTION
    assert len(row.mode) == MAX_MODE
    assert len(row.sources) == MAX_SOURCES
    assert max(len(s) for s in row.sources) <= MAX_SOURCE_ID
    assert len(row.user_id) == MAX_ID


@settings(
    max_examples=examples(25), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    user=st.text(max_size=200),
    question=st.text(max_size=300),
    sources=st.lists(st.text(max_size=30), max_size=5),
    key=st.text(max_size=100),
)
def test_store_any_text_is_stored_and_read_back(
    store: Store, user: str, question: str, sources: list[str], key: str
) -> None:
    before = len(store.feedback_rows())
    answer = f"{key}/{uuid.uuid4().hex}"  # a new answer each example: a new row
    store.add_feedback(user, False, {"q": question, "m": "llm", "s": sources}, answer_id=answer)
    rows = store.feedback_rows()
    assert len(rows) == before + 1
    assert any(row.user_id == storable(user[:MAX_ID]) and row.question == storable(question) for row in rows)
    store.first_time(key)
    assert not store.first_time(key)
    share = store.put_share({"question": question})
    assert store.take_share(share) == {"question": question}


# -- per-user limits --------------------------------------------------------------------------


def test_store_limit_per_minute_holds_across_instances(open_store: OpenStore, clock: ManualClock) -> None:
    one, two = open_store(), open_store()
    grants = []
    for index in range(6):
        lease = (one, two)[index % 2].try_acquire("U1", 4, 10)
        grants.append(lease is not None)
        if lease:
            (one, two)[index % 2].release(lease)
    assert grants == [True, True, True, True, False, False]
    assert one.try_acquire("U2", 4, 10) is not None  # another user is unaffected
    clock.now += WINDOW_SECONDS + 0.1
    assert two.try_acquire("U1", 4, 10) is not None  # a sliding window: the minute has passed


def test_store_limit_concurrent_leases_and_release(open_store: OpenStore) -> None:
    one, two = open_store(), open_store()
    first = one.try_acquire("U1", 100, 2)
    second = two.try_acquire("U1", 100, 2)
    assert first
    assert second
    assert one.try_acquire("U1", 100, 2) is None
    two.release(first)  # any instance can end a lease
    assert two.try_acquire("U1", 100, 2) is not None


def test_store_limit_refused_lease_does_not_count(store: Store) -> None:
    held = store.try_acquire("U1", 2, 1)
    assert held is not None
    assert store.try_acquire("U1", 2, 1) is None  # over the concurrency cap: not counted
    store.release(held)
    assert store.try_acquire("U1", 2, 1) is not None  # the second of two per minute


def test_store_limit_lease_of_a_dead_process_expires(store: Store, clock: ManualClock) -> None:
    assert store.try_acquire("U1", 100, 1) is not None  # its process dies: never released
    assert store.try_acquire("U1", 100, 1) is None
    clock.now += 121  # the lease's lifetime (lease_seconds) has passed
    assert store.try_acquire("U1", 100, 1) is not None


def test_store_limit_concurrent_requests_never_exceed_limits(open_store: OpenStore) -> None:
    stores = [open_store(), open_store()]
    leases = _race(16, lambda i: stores[i % 2].try_acquire("U1", 5, 3))
    assert sum(lease is not None for lease in leases) == 3
    for lease in filter(None, leases):
        stores[0].release(lease)
    more = _race(16, lambda i: stores[i % 2].try_acquire("U1", 5, 3))
    assert sum(lease is not None for lease in more) == 2  # five a minute in all


# -- schema and housekeeping ------------------------------------------------------------------


def test_store_upgrade_is_idempotent(store: Store) -> None:
    version = store.schema_version()
    assert version >= 1
    assert store.upgrade() == version
    assert store.schema_version() == version


def test_store_newer_schema_is_refused(store: Store, database: str, open_store: OpenStore) -> None:
    set_version(database, store.schema_version() + 1)
    with pytest.raises(SchemaError, match="newer than this release"):
        open_store()


def test_store_expired_rows_are_purged_without_a_cron_job(
    store: Store, database: str, clock: ManualClock
) -> None:
    store.first_time("EvOld")
    store.put_share({"question": "q"})
    lease = store.try_acquire("U1", 10, 10)
    assert lease is not None
    clock.now += SEEN_SECONDS + 1
    store.first_time("EvNew")  # any write past the purge interval clears what expired
    assert count_rows(database, "seen") == 1
    assert count_rows(database, "shares") == 0
    assert count_rows(database, "answer_grants") == 0
    assert count_rows(database, "answer_leases") == 0


# -- threads the bot was asked in -------------------------------------------------------------


def test_store_invited_thread_is_shared_and_expires(open_store: OpenStore, clock: ManualClock) -> None:
    one, two = open_store(), open_store()
    assert not two.invited("C1", "1.1", "U1")
    one.remember_thread("C1", "1.1", "U1")
    assert two.invited("C1", "1.1", "U1")
    assert not two.invited("C2", "1.1", "U1")
    assert not two.invited("C1", "2.2", "U1")
    clock.now += THREAD_SECONDS - 1
    one.remember_thread("C1", "1.1", "U1")  # asked again: the clock restarts
    clock.now += THREAD_SECONDS - 1
    assert two.invited("C1", "1.1", "U1")
    clock.now += 2
    assert not two.invited("C1", "1.1", "U1")


def test_store_invited_thread_is_open_only_to_those_who_asked(open_store: OpenStore) -> None:
    one, two = open_store(), open_store()
    one.remember_thread("C1", "1.1", "U1")
    assert not two.invited("C1", "1.1", "U2")  # a teammate chatting in the thread asked nothing
    two.remember_thread("C1", "1.1", "U2")
    assert one.invited("C1", "1.1", "U1")
    assert one.invited("C1", "1.1", "U2")


@pytest.mark.parametrize("crafted", ["\ud800", "a\x00b", "\udfff\x00", "x" * 10_000])
def test_store_crafted_ids_are_answered_not_raised(store: Store, crafted: str) -> None:
    assert store.take_share(crafted) is None  # a crafted Share button value
    assert store.share_state(crafted) == "gone"
    store.return_share(crafted)
    assert store.first_time(crafted)
    assert not store.first_time(crafted)
    lease = store.try_acquire(crafted, 5, 5)
    assert lease is not None
    store.release(lease)
    store.release(crafted)
