"""Degraded, never down: the app's store against a real PostgreSQL that goes away and returns."""

import logging
from collections.abc import Iterator

import pytest

from bot.claude.limits import LocalCounter
from bot.storage.postgres import PostgresStore
from bot.storage.resilient import ResilientStore
from bot.storage.store import FeedbackNotSaved, StorageUnavailable
from tests.doubles.clock import ManualClock
from tests.postgres_server import PostgresServer, postgres_server

pytestmark = pytest.mark.slow  # a real PostgreSQL stopped and restarted

RECORD = {"q": "Django or Flask?", "m": "llm", "s": []}


@pytest.fixture(scope="module")
def outage_server() -> Iterator[PostgresServer]:
    """A server of its own, so stopping it never disturbs other tests."""
    with postgres_server() as server:
        yield server


@pytest.fixture
def running(outage_server: PostgresServer) -> Iterator[PostgresServer]:
    """The server, started again after a test that stopped it."""
    yield outage_server
    outage_server.start()


@pytest.fixture
def monotonic() -> ManualClock:
    """The resilient store's own clock (probe intervals), moved by hand."""
    return ManualClock(100.0)


@pytest.fixture
def resilient(running: PostgresServer, monotonic: ManualClock) -> Iterator[ResilientStore]:
    """The store as the app builds it, over a fresh database."""
    backend = PostgresStore(running.new_database())
    store = ResilientStore(backend, fallback=LocalCounter(), clock=monotonic, sleep=lambda _: None)
    store.start(must_connect=False)
    yield store
    store.close()


def test_resilient_healthy_store_reports_ok(resilient: ResilientStore) -> None:
    assert resilient.health() == {"backend": "postgres", "status": "ok"}
    assert resilient.first_time("Ev1")
    assert not resilient.first_time("Ev1")


def test_resilient_database_down_dedup_fails_open_and_logs(
    resilient: ResilientStore, running: PostgresServer, caplog: pytest.LogCaptureFixture
) -> None:
    assert resilient.first_time("Ev1")
    running.stop()
    assert resilient.first_time("Ev1")  # a repeat, but answering twice beats never answering
    assert "de-duplication unavailable, answering event anyway key=Ev1" in caplog.text
    health = resilient.health()
    assert health["status"] == "degraded"
    assert health["last_error"].startswith("postgres: ")


def test_resilient_database_down_feedback_retried_then_reported(
    resilient: ResilientStore, running: PostgresServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.ERROR)
    running.stop()
    with pytest.raises(FeedbackNotSaved):
        resilient.add_feedback("U1", True, RECORD, answer_id="C1:1.1")
    assert "feedback not saved after retries user=U1" in caplog.text


def test_resilient_database_down_limits_fall_back_to_this_process(
    resilient: ResilientStore, running: PostgresServer
) -> None:
    running.stop()
    first = resilient.try_acquire("U1", 10, 1)
    assert first is not None  # never a refusal because the database is away
    assert resilient.try_acquire("U1", 10, 1) is None  # the local count still caps it
    resilient.release(first)
    assert resilient.try_acquire("U1", 10, 1) is not None


def test_resilient_database_down_share_raises_for_the_caller(
    resilient: ResilientStore, running: PostgresServer
) -> None:
    running.stop()
    with pytest.raises(StorageUnavailable):
        resilient.put_share({"question": "q"})


def test_resilient_reconnects_by_itself_when_the_database_returns(
    resilient: ResilientStore, running: PostgresServer, monotonic: ManualClock
) -> None:
    resilient.add_feedback("U1", True, RECORD, answer_id="before")
    running.stop()
    assert resilient.first_time("EvDown")
    running.start()
    monotonic.now += 1.5  # the next probe is due
    assert resilient.first_time("EvDown")  # the probe reconnected; the outage's event never got stored
    assert resilient.health() == {"backend": "postgres", "status": "ok"}
    resilient.add_feedback("U2", False, RECORD, answer_id="after")
    assert resilient.feedback_summary().total == 2


def test_resilient_restart_mid_run_loses_nothing(resilient: ResilientStore, running: PostgresServer) -> None:
    resilient.add_feedback("U1", True, RECORD, answer_id="a1")
    running.restart()  # every pooled connection is cut
    resilient.add_feedback("U2", True, RECORD, answer_id="a2")  # retried onto a fresh connection
    assert resilient.feedback_summary().total == 2


def test_resilient_unreachable_at_start_degrades_then_creates_schema(
    running: PostgresServer, monotonic: ManualClock
) -> None:
    url = running.new_database()
    running.stop()
    store = ResilientStore(PostgresStore(url), fallback=LocalCounter(), clock=monotonic)
    store.start(must_connect=False)  # no exception: the app starts and answers
    assert store.health()["status"] == "degraded"
    assert store.first_time("Ev1")
    running.start()
    monotonic.now += 1.5
    store.first_time("Ev2")  # the probe reconnects and creates the schema it could not at start
    assert store.health()["status"] == "ok"
    assert store.schema_version() >= 1
    store.close()


def test_resilient_health_check_itself_reconnects(
    resilient: ResilientStore, running: PostgresServer, monotonic: ManualClock
) -> None:
    running.stop()
    resilient.first_time("Ev1")
    assert resilient.health()["status"] == "degraded"
    running.start()
    monotonic.now += 1.5  # no traffic at all: /healthz alone finds the database back
    assert resilient.health() == {"backend": "postgres", "status": "ok"}
