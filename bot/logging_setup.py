"""Logging as every entry point sets it up: our loggers at the chosen level, libraries quieter.

The anthropic SDK, its HTTP clients, slack_sdk, Bolt and urllib3 log whole request bodies at
DEBUG, and with them the people's questions. So they stay at WARNING, however talkative our
own logging is, unless ``ADVISOR_LIBRARY_LOG_LEVEL`` asks for more.
"""

import logging
from collections.abc import Sequence

from bot.settings import Settings

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
LIBRARY_LOGGERS = ("anthropic", "httpx", "httpx2", "httpcore", "slack_sdk", "slack_bolt", "urllib3")


def configure_logging(settings: Settings, handlers: Sequence[logging.Handler] | None = None) -> None:
    """Set up the root logger and the libraries' loggers from the settings."""
    logging.basicConfig(level=settings.log_level, format=LOG_FORMAT, handlers=handlers)
    logging.getLogger().setLevel(settings.log_level)  # basicConfig leaves a configured root alone
    for name in LIBRARY_LOGGERS:
        logging.getLogger(name).setLevel(library_level(settings))


def library_level(settings: Settings) -> int:
    """The libraries' level: their own setting, but never more talkative than ours."""
    ours = logging.getLevelNamesMapping()[settings.log_level]
    return max(ours, logging.getLevelNamesMapping()[settings.library_log_level])
