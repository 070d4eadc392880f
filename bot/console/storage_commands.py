"""The storage commands: ``feedback`` (summary or CSV, optionally ``--since``) and ``db upgrade``."""

import argparse
import re
from datetime import UTC, datetime, timedelta
from typing import TextIO

from bot.console.feedback_report import feedback_text, write_csv
from bot.settings import Settings
from bot.storage.store import SchemaError, StorageUnavailable, Store

_RELATIVE = re.compile(r"^(\d{1,6})([dhm])$")
_UNITS = {"d": "days", "h": "hours", "m": "minutes"}


def since_time(text: str, now: datetime | None = None) -> datetime:
    """A start time from ``2026-11-01``, ``2026-11-01T09:30`` (UTC unless given) or ``7d``/``12h``/``30m``."""
    now = now or datetime.now(UTC)
    match = _RELATIVE.match(text.strip())
    try:
        if match:
            return now - timedelta(**{_UNITS[match[2]]: int(match[1])})
        parsed = datetime.fromisoformat(text.strip())
    except (ValueError, OverflowError):
        raise argparse.ArgumentTypeError(
            "use a date (2026-11-01), a time (2026-11-01T09:30) or 7d, 12h, 30m"
        ) from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def storage_command(args: argparse.Namespace, settings: Settings, out: TextIO, err: TextIO) -> int:
    """Run ``feedback`` or ``db``; database trouble is one line and exit status 1."""
    from bot.advisor_factory import open_backend

    try:
        store = open_backend(settings)
    except StorageUnavailable as error:
        err.write(f"database unavailable: {error}\n")
        return 1
    try:
        if args.command == "db":
            return _db(args.action, store, out)
        if not _check_schema(store):  # a file that cannot be written: read it as it is
            store.close()
            store = open_backend(settings, read_only=True)
            if store.schema_version() == 0:
                raise StorageUnavailable("the database has no schema and cannot be written")
        if args.csv:
            write_csv(store.feedback_rows(args.since), out)
        else:
            out.write(feedback_text(store, args.since) + "\n")
        return 0
    except (SchemaError, StorageUnavailable) as error:
        err.write(f"database problem: {error}\n")
        return 1
    finally:
        store.close()


def _db(action: str, store: Store, out: TextIO) -> int:
    """``db upgrade`` creates or upgrades the schema; ``db status`` prints its version."""
    if action == "upgrade":
        before = store.schema_version()
        after = store.upgrade()
        change = "already up to date" if before == after else f"upgraded from version {before}"
        out.write(f"{store.backend} schema version {after} ({change})\n")
    else:
        out.write(f"{store.backend} schema version {store.schema_version()}\n")
    return 0


def _check_schema(store: Store) -> bool:
    """Reports read an existing schema: create one on first use, refuse a newer one.

    False when the database cannot be written (a read-only copy or file system).
    """
    try:
        store.upgrade()
    except (StorageUnavailable, OSError):
        if store.backend != "sqlite":
            raise
        return False
    return True
