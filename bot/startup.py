"""Start-up checks that turn an unusable configuration into one line naming the variable."""

import sqlite3
from pathlib import Path

from bot.settings import Settings

SQLITE_HEADER = b"SQLite format 3\x00"  # the first 16 bytes of every SQLite database file


class StartupError(Exception):
    """The app cannot start as configured; the message names the variable and the problem."""


def check_db_path(settings: Settings, writable: bool = True) -> None:
    """Raise StartupError if SQLite cannot use ADVISOR_DB_PATH (not used with DATABASE_URL).

    Reading commands pass ``writable=False``: an existing database then needs read access only.
    """
    if settings.database_url is not None:
        return
    problem = db_path_problem(settings.db_path, writable)
    if problem is not None:
        raise StartupError(f"ADVISOR_DB_PATH ({settings.db_path}) {problem}")


def db_path_problem(path: Path, writable: bool = True) -> str | None:
    """What keeps SQLite from keeping its database at this path, or None."""
    if path.is_dir():
        return "is a directory; give the path of a file in it, e.g. framework-advisor.sqlite3"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError):
        return "is under a file where a folder should be"
    except OSError as error:
        return f"is in a folder that cannot be created ({error.strerror or error})"
    if path.exists():
        problem = _existing_file_problem(path)
        if problem is not None or not writable:
            return problem
    return _write_problem(path)


def _existing_file_problem(path: Path) -> str | None:
    """Why an existing file cannot be the database."""
    if not path.is_file():
        return "is not a regular file"
    try:
        with path.open("rb") as file:
            head = file.read(len(SQLITE_HEADER))
    except OSError as error:
        return f"cannot be read ({error.strerror or error})"
    if head and head != SQLITE_HEADER:
        return "is not an SQLite database (another file is in its place)"
    return None


def _write_problem(path: Path) -> str | None:
    """Try a write transaction, as the store will: a read-only file or folder fails here."""
    try:
        connection = sqlite3.connect(path, timeout=5, isolation_level=None)
        try:
            connection.execute("BEGIN IMMEDIATE")
            connection.execute("ROLLBACK")
        finally:
            connection.close()
    except sqlite3.Error as error:
        return f"cannot be written ({error})"
    return None
