"""gunicorn hooks, loaded by the Procfile (``-c python:bot.slack.gunicorn_hooks``).

The database is set up once, in the master, before any worker forks: a fresh SQLite file can no
longer kill a worker at boot, and a schema from a newer release stops start-up with one line
instead of gunicorn's "Worker failed to boot" traceback. An unreachable PostgreSQL does not stop
start-up: the workers start degraded and reconnect by themselves.
"""

import logging
import sys

from bot.advisor_factory import open_backend
from bot.settings import SettingsError, load_settings
from bot.storage.store import SchemaError, StorageUnavailable

log = logging.getLogger("bot.slack.gunicorn")


def on_starting(server: object) -> None:  # noqa: ARG001  (gunicorn passes its arbiter)
    """Create or upgrade the schema before the workers exist."""
    try:
        settings = load_settings()
    except SettingsError:
        return  # each worker reports the settings problem in its own words
    backend = open_backend(settings)
    try:
        backend.upgrade()
    except SchemaError as error:
        _stop(str(error))
    except StorageUnavailable as error:
        if settings.database_url is None:
            _stop(f"ADVISOR_DB_PATH cannot be used: {error}")
        log.warning("database unavailable at start (%s): starting degraded", error)
    finally:
        backend.close()


def _stop(reason: str) -> None:
    """One line on stderr and a non-zero exit, before gunicorn starts any worker."""
    sys.stderr.write(f"framework-advisor: cannot start: {reason}\n")
    raise SystemExit(3)
