"""/healthz reports the database; a schema from a newer release stops start-up with one line."""

import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.advisor import Advisor
from bot.claude.limits import LocalCounter
from bot.settings import settings_from
from bot.slack.web import create_app
from bot.storage.postgres import PostgresStore
from bot.storage.resilient import ResilientStore
from bot.storage.sqlite import SCHEMA_VERSION, SqliteStore
from tests.postgres_server import PostgresServer, postgres_server
from tests.procfile_runner import ROOT, procfile_command

pytestmark = pytest.mark.slow  # real PostgreSQL and gunicorn processes


@pytest.fixture(scope="module")
def server() -> Iterator[PostgresServer]:
    with postgres_server() as running:
        yield running


def test_health_reports_sqlite_ok(slack_env: dict[str, str], advisor: Advisor) -> None:
    web = create_app(settings_from(slack_env), advisor=advisor).test_client()
    report = web.get("/healthz").get_json()
    assert report["status"] == "ok"
    assert report["database"] == {"backend": "sqlite", "status": "ok"}


def test_health_reports_postgres_degraded_while_it_is_down(
    slack_env: dict[str, str], advisor: Advisor, server: PostgresServer
) -> None:
    url = server.new_database()
    store = ResilientStore(PostgresStore(url), fallback=LocalCounter())
    store.start(must_connect=False)
    web = create_app(settings_from(slack_env), advisor=advisor, store=store).test_client()
    assert web.get("/healthz").get_json()["database"]["status"] == "ok"
    server.stop()
    try:
        store.first_time("Ev1")  # the first call that finds it gone
        response = web.get("/healthz")
        report = response.get_json()
        assert response.status_code == 200  # the app still answers: never a restart loop
        assert report["status"] == "degraded"
        assert report["database"]["status"] == "degraded"
        assert "postgres" not in str(report["database"].get("last_error", "")).replace("postgres: ", "")
        assert url not in response.get_data(as_text=True)
    finally:
        server.start()


@pytest.mark.slow
def test_health_newer_schema_stops_gunicorn_with_one_line(slack_env: dict[str, str]) -> None:
    db = Path(slack_env["ADVISOR_DB_PATH"])
    SqliteStore(db).upgrade()
    with sqlite3.connect(db) as connection:
        connection.execute("PRAGMA user_version = 99")
    command = procfile_command().replace("${PORT:-3000}", "127.0.0.1:0").replace("0.0.0.0:", "")
    result = subprocess.run(
        ["bash", "-c", f"exec {command}"],
        cwd=ROOT,
        env={**slack_env, "PATH": str(Path(sys.executable).parent) + ":/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0  # gunicorn halts instead of restarting workers forever
    ours = [line for line in result.stderr.splitlines() if line.startswith("framework-advisor:")]
    assert ours
    assert set(ours) == {
        "framework-advisor: cannot start: the database schema is version 99, newer than this release"
        f" understands ({SCHEMA_VERSION}); deploy the newer release or point the app at another database"
    }
    assert "Traceback" not in result.stderr
