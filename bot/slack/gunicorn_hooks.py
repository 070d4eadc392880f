"""gunicorn hooks, loaded by the Procfile (``-c python:bot.slack.gunicorn_hooks``).

Start-up is checked and the database set up once, in the master, before any worker forks: a
fresh SQLite file can no longer kill a worker at boot, and a setting or schema the app cannot
start with stops gunicorn with one line, never its "Worker failed to boot" traceback. An
unreachable PostgreSQL does not stop start-up: the workers start degraded and reconnect.
"""

import logging
import sys

from bot.advisor_factory import open_backend
from bot.settings import Settings, SettingsError, load_settings, require_slack
from bot.slack.web import one_line
from bot.startup import StartupError, check_db_path
from bot.storage.store import SchemaError, StorageUnavailable

log = logging.getLogger("bot.slack.gunicorn")


def on_starting(server: object) -> None:  # noqa: ARG001  (gunicorn passes its arbiter)
    """Check the configuration and create or upgrade the schema before the workers exist."""
    try:
        settings = load_settings()
        require_slack(settings)
        check_db_path(settings)
        _upgrade(settings)
    except (SettingsError, StartupError, SchemaError) as error:
        sys.stderr.write(f"framework-advisor: cannot start: {one_line(error)}\n")
        raise SystemExit(3) from None


def _upgrade(settings: Settings) -> None:
    """The schema, once; a database that is away is the workers' to wait for (degraded)."""
    backend = open_backend(settings)
    try:
        backend.upgrade()
    except StorageUnavailable as error:
        if settings.database_url is None:
            raise StartupError(f"ADVISOR_DB_PATH ({settings.db_path}) cannot be used: {error}") from None
        log.warning("database unavailable at start (%s): starting degraded", error)
    finally:
        backend.close()
