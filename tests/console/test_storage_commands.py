"""The storage commands: feedback (summary, --since, --csv) and db upgrade/status, on both backends."""

import argparse
import csv
import io
import os
import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.console.cli import run
from bot.console.storage_commands import since_time
from bot.settings import Settings, settings_from
from bot.storage.postgres import PostgresStore
from bot.storage.sqlite import SqliteStore
from bot.storage.store import Store
from tests.postgres_server import PostgresServer, postgres_server

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def server() -> Iterator[PostgresServer]:
    with postgres_server() as running:
        yield running


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.slow)])
def configured(request: pytest.FixtureRequest, tmp_path: Path) -> Settings:
    """Settings for one backend: ADVISOR_DB_PATH, or DATABASE_URL to a fresh database."""
    if request.param == "sqlite":
        return settings_from({"ADVISOR_DB_PATH": str(tmp_path / "db.sqlite3")})
    url = request.getfixturevalue("server").new_database()
    return settings_from({"DATABASE_URL": url, "ADVISOR_DB_PATH": str(tmp_path / "unused.sqlite3")})


def _store(settings: Settings, clock: float) -> Store:
    """A store on the configured data with a fixed clock."""
    store: Store
    if settings.database_url is not None:
        store = PostgresStore(settings.database_url.get_secret_value(), clock=lambda: clock)
    else:
        store = SqliteStore(settings.db_path, clock=lambda: clock)
    store.upgrade()
    return store


def _run(argv: list[str], settings: Settings) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    status = run(argv, settings, out=out, err=err, stdin=io.StringIO(""))
    return status, out.getvalue(), err.getvalue()


def test_storage_commands_db_upgrade_then_status(configured: Settings) -> None:
    status, out, _ = _run(["db", "upgrade"], configured)
    assert status == 0
    assert "upgraded from version 0" in out
    assert _run(["db", "upgrade"], configured)[1].endswith("(already up to date)\n")
    assert _run(["db", "status"], configured)[1].startswith(
        ("sqlite schema version", "postgres schema version")
    )


def test_storage_commands_feedback_reads_the_configured_store_since(configured: Settings) -> None:
    old, new = _store(configured, (NOW - timedelta(days=10)).timestamp()), _store(configured, NOW.timestamp())
    old.add_feedback("U1", True, {"q": "Old question", "m": "llm", "s": []})
    new.add_feedback("U2", False, {"q": "New question", "m": "rules", "s": []})
    assert _run(["feedback"], configured)[1].startswith("2 ratings, 50% helpful")
    status, out, _ = _run(["feedback", "--since", "2026-11-20"], configured)
    assert status == 0
    assert out.splitlines() == [
        "1 ratings since 2026-11-20 00:00 UTC, 0% helpful",
        "  rules: 0 helpful, 1 not helpful",
        "Latest questions rated not helpful:",
        "  - New question",
    ]


def test_storage_commands_feedback_csv_is_safe_for_spreadsheets_and_terminals(configured: Settings) -> None:
    store = _store(configured, NOW.timestamp())
    store.add_feedback("U1", True, {"q": '=HYPERLINK("x")\x1b[2J, or "Flask"?', "m": "llm", "s": ["a", "b"]})
    status, out, _ = _run(["feedback", "--csv"], configured)
    assert status == 0
    rows = list(csv.reader(io.StringIO(out)))
    assert rows[0] == ["created", "user", "vote", "mode", "sources", "question"]
    assert rows[1][:5] == ["2026-11-25T12:00:00+00:00", "U1", "up", "llm", "a b"]
    assert rows[1][5].startswith("'=HYPERLINK")  # a spreadsheet shows it, never runs it
    assert "\x1b" not in out


def test_storage_commands_newer_schema_is_one_line(configured: Settings) -> None:
    store = _store(configured, NOW.timestamp())
    if isinstance(store, SqliteStore):
        import sqlite3

        with sqlite3.connect(configured.db_path) as connection:
            connection.execute("PRAGMA user_version = 99")
    else:
        import psycopg

        assert configured.database_url is not None
        with psycopg.connect(configured.database_url.get_secret_value()) as connection:
            connection.execute("UPDATE advisor_schema SET version = 99")
    status, _, err = _run(["feedback"], configured)
    assert status == 1
    assert err.count("\n") == 1
    assert "schema is version 99, newer than this release" in err


def test_storage_commands_unreachable_postgres_is_one_line_without_the_password(tmp_path: Path) -> None:
    settings = settings_from({"DATABASE_URL": f"postgresql://advisor:hunter2@/db?host={tmp_path}"})
    status, _, err = _run(["feedback"], settings)
    assert status == 1
    assert err.startswith("database problem: postgres: ")
    assert err.count("\n") == 1
    assert "hunter2" not in err


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("7d", NOW - timedelta(days=7)),
        ("12h", NOW - timedelta(hours=12)),
        ("30m", NOW - timedelta(minutes=30)),
        ("2026-11-01", datetime(2026, 11, 1, tzinfo=UTC)),
        ("2026-11-01T09:30", datetime(2026, 11, 1, 9, 30, tzinfo=UTC)),
        ("2026-11-01T09:30+02:00", datetime(2026, 11, 1, 7, 30, tzinfo=UTC)),
    ],
)
def test_storage_commands_since_accepts(text: str, expected: datetime) -> None:
    assert since_time(text, now=NOW) == expected


@pytest.mark.parametrize("text", ["999999d", "yesterday", "", "2026-13-01", "7 d"])
def test_storage_commands_since_refuses(text: str) -> None:
    with pytest.raises(argparse.ArgumentTypeError):
        since_time(text, now=NOW)


@given(st.one_of(st.text(max_size=200), st.from_regex(r"\A\d{1,7}[dhm]\Z")))
def test_storage_commands_since_any_text_is_a_time_or_a_usage_error(text: str) -> None:
    try:
        parsed = since_time(text, now=NOW)
    except argparse.ArgumentTypeError as error:
        message = str(error)
        parsed = None
    assert parsed is None or parsed.tzinfo is not None
    assert parsed is not None or "7d" in message


@pytest.fixture
def read_only_database(tmp_path: Path) -> Iterator[Path]:
    """A database with one vote, in a folder and file nobody can write (root too: immutable)."""
    folder = tmp_path / "ro"
    folder.mkdir()
    path = folder / "db.sqlite3"
    store = SqliteStore(path)
    store.upgrade()
    store.add_feedback("U1", True, {"q": "Django or Flask?", "m": "rules", "s": []}, answer_id="a1")
    store.close()
    locked = _lock(folder, path)
    try:
        yield path
    finally:
        _unlock(folder, path, locked)


@pytest.mark.parametrize("extra", [[], ["--csv"], ["--since", "7d"]])
def test_storage_commands_feedback_reads_a_read_only_database(
    read_only_database: Path, extra: list[str]
) -> None:
    out, err = io.StringIO(), io.StringIO()
    settings = settings_from({"ADVISOR_DB_PATH": str(read_only_database)})
    assert run(["feedback", *extra], settings, out=out, err=err) == 0, err.getvalue()
    assert "Django or Flask?" in out.getvalue() or "1 ratings" in out.getvalue()


def _lock(folder: Path, path: Path) -> bool:
    """Make the file and folder unwritable; True if chattr was used (running as root)."""
    if os.geteuid() != 0:
        path.chmod(0o444)
        folder.chmod(0o555)
        return False
    if subprocess.run(["chattr", "+i", str(path), str(folder)], check=False).returncode != 0:
        pytest.skip("running as root without chattr: cannot make a file read-only")
    return True


def _unlock(folder: Path, path: Path, chattr: bool) -> None:
    """Undo _lock, so tmp_path can be cleaned up."""
    if chattr:
        subprocess.run(["chattr", "-i", str(path), str(folder)], check=True)
    else:
        folder.chmod(0o755)
        path.chmod(0o644)
