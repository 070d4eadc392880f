"""The ``feedback`` report: stored text printed without anything a terminal would obey."""

from pathlib import Path

import pytest

from bot.console.feedback_report import feedback_text, printable
from bot.storage.sqlite import SqliteStore


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
