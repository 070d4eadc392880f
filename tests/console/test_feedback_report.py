"""The ``feedback`` report: stored text printed without anything a terminal would obey."""

import io
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.console.feedback_report import feedback_text, printable, write_csv
from bot.storage.sqlite import SqliteStore

START = 1_700_000_000.0


@pytest.mark.parametrize(
    ("stored", "shown"),
    [
        ("\x1b[2J\x1b[31mpwned\x1b[0m", "[2J [31mpwned [0m"),
        ("bell\x07 and\r carriage", "bell  and  carriage"),
        ("right\u202eto left", "right to left"),
        ("lone \ud800 surrogate", "lone   surrogate"),
        ("plain question?", "plain question?"),
    ],
)
def test_feedback_report_printable(stored: str, shown: str) -> None:
    assert printable(stored) == shown


def test_feedback_report_strips_control_characters_from_stored_rows(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "db.sqlite3")
    store.upgrade()
    store.add_feedback("U1", False, {"q": "\x1b]0;owned\x07Which one?\x1b[2J", "m": "ll\x1bm", "s": []})
    report = feedback_text(store)
    assert "Which one?" in report
    assert not any(ord(c) < 32 and c != "\n" for c in report)


# -- attack round 2: one malformed stored row never loses the export ------------------------

BAD_ROWS = [
    ("sources not a list", "UPDATE feedback SET sources = '\"text\"'"),
    ("sources not JSON", "UPDATE feedback SET sources = '[oops'"),
    ("sources of objects", "UPDATE feedback SET sources = '[{\"a\": 1}]'"),
    ("question a BLOB", "UPDATE feedback SET question = x'ff00e2'"),
]


@pytest.mark.parametrize(("case", "statement"), BAD_ROWS, ids=[case for case, _ in BAD_ROWS])
def test_feedback_report_csv_shows_a_malformed_row_safely(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, case: str, statement: str
) -> None:
    store = _store_with_votes(tmp_path, statement + " WHERE answer_id = 'a1'")
    out = io.StringIO()
    write_csv(store.feedback_rows(), out)
    lines = out.getvalue().splitlines()
    assert len(lines) == 3  # header and both votes
    assert any("feedback row id=" in message for message in caplog.messages), case


@pytest.mark.parametrize("created", ["'yesterday'", "1e308"])
def test_feedback_report_csv_skips_a_row_without_a_time_and_names_it(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, created: str
) -> None:
    store = _store_with_votes(tmp_path, f"UPDATE feedback SET created = {created} WHERE answer_id = 'a1'")
    out = io.StringIO()
    write_csv(store.feedback_rows(), out)
    assert out.getvalue().splitlines()[1:] == [
        next(line for line in out.getvalue().splitlines() if "Good" in line)
    ]
    assert any("skipped" in message for message in caplog.messages)


@pytest.mark.parametrize("created", ["'2026-01-01'", "1e308"])
def test_feedback_report_since_counts_no_future_or_text_dated_row(tmp_path: Path, created: str) -> None:
    store = _store_with_votes(tmp_path, f"UPDATE feedback SET created = {created} WHERE answer_id = 'a1'")
    since = datetime.fromtimestamp(START - 60, UTC)
    assert store.feedback_summary(since=since).total == 1
    assert [row.question for row in store.feedback_rows(since)] == ["Good?"]


def _store_with_votes(tmp_path: Path, statement: str) -> SqliteStore:
    """Two votes, then one of them damaged by hand (as an old release or an operator might)."""
    store = SqliteStore(tmp_path / "db.sqlite3", clock=lambda: START)
    store.upgrade()
    store.add_feedback("U1", False, {"q": "Bad?", "m": "llm", "s": ["django"]}, answer_id="a1")
    store.add_feedback("U2", True, {"q": "Good?", "m": "llm", "s": []}, answer_id="a2")
    with sqlite3.connect(tmp_path / "db.sqlite3") as raw:
        raw.execute(statement)
    return store
