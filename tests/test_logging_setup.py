"""Logging set-up: libraries stay at WARNING under DEBUG unless asked for separately."""

import logging
from collections.abc import Iterator

import pytest

from bot.logging_setup import LIBRARY_LOGGERS, configure_logging, library_level
from bot.settings import settings_from


@pytest.fixture
def restored_levels() -> Iterator[None]:
    """Put every logger this test touches back as it was."""
    names = ["", *LIBRARY_LOGGERS]
    saved = {name: logging.getLogger(name).level for name in names}
    yield
    for name, level in saved.items():
        logging.getLogger(name).setLevel(level)


@pytest.mark.parametrize(
    ("ours", "libraries", "expected"),
    [
        ("DEBUG", None, logging.WARNING),
        ("INFO", None, logging.WARNING),
        ("ERROR", None, logging.ERROR),
        ("DEBUG", "debug", logging.DEBUG),
        ("WARNING", "DEBUG", logging.WARNING),
    ],
)
def test_logging_setup_library_level(ours: str, libraries: str | None, expected: int) -> None:
    env = {"ADVISOR_LOG_LEVEL": ours} | ({"ADVISOR_LIBRARY_LOG_LEVEL": libraries} if libraries else {})
    assert library_level(settings_from(env)) == expected


@pytest.mark.usefixtures("restored_levels")
def test_logging_setup_keeps_libraries_quiet_under_debug() -> None:
    configure_logging(settings_from({"ADVISOR_LOG_LEVEL": "DEBUG"}))
    assert logging.getLogger("bot.slack").isEnabledFor(logging.DEBUG)
    for name in LIBRARY_LOGGERS:
        assert not logging.getLogger(f"{name}._client").isEnabledFor(logging.INFO), name
