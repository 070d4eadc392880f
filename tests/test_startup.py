"""Start-up with an unusable configuration: one line naming the variable, exit non-zero."""

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.slack.web import create_app_from_env
from tests.doubles.slack_requests import SIGNING_SECRET
from tests.procfile_runner import ROOT, free_port, procfile_command


def _directory(tmp_path: Path) -> Path:
    return tmp_path


def _not_sqlite(tmp_path: Path) -> Path:
    path = tmp_path / "notes.txt"
    path.write_text("these are notes, not a database\n" * 10)
    return path


def _read_only(tmp_path: Path) -> Path:
    if os.geteuid() == 0:  # root writes through file modes; /proc refuses new files to anyone
        return Path("/proc/framework-advisor-test.sqlite3")
    folder = tmp_path / "read-only"
    folder.mkdir(mode=0o555)
    return folder / "advisor.sqlite3"


def _under_a_file(tmp_path: Path) -> Path:
    return _not_sqlite(tmp_path) / "advisor.sqlite3"


@pytest.mark.parametrize(
    ("make_path", "problem"),
    [
        (_directory, "is a directory"),
        (_not_sqlite, "is not an SQLite database"),
        (_read_only, "cannot be written"),
        (_under_a_file, "is under a file where a folder should be"),
    ],
)
def test_startup_unusable_db_path_is_one_line_naming_the_variable(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    make_path: Callable[[Path], Path],
    problem: str,
) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-startup-test")
    monkeypatch.setenv("SLACK_SIGNING_SECRET", SIGNING_SECRET)
    monkeypatch.setenv("ADVISOR_DB_PATH", str(make_path(tmp_path)))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    with pytest.raises(SystemExit) as exit_:
        create_app_from_env()
    assert exit_.value.code == 3
    [line] = capsys.readouterr().err.splitlines()
    assert line.startswith("framework-advisor: cannot start: ADVISOR_DB_PATH (")
    assert problem in line


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({}, "SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET"),
        ({"SLACK_BOT_TOKEN": "xoxb-startup-test"}, "SLACK_SIGNING_SECRET"),
        ({"ADVISOR_LOG_LEVEL": "LOUD"}, "ADVISOR_LOG_LEVEL"),
        (
            {
                "SLACK_BOT_TOKEN": "xoxb-t",
                "SLACK_SIGNING_SECRET": "s",
                "ADVISOR_KNOWLEDGE_DIR": "/nonexistent",
            },
            "ADVISOR_KNOWLEDGE_DIR: frameworks.toml",
        ),
    ],
)
def test_startup_missing_or_invalid_settings_are_one_line(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    env: dict[str, str],
    named: str,
) -> None:
    for variable in ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "ADVISOR_LOG_LEVEL", "ADVISOR_KNOWLEDGE_DIR"):
        monkeypatch.delenv(variable, raising=False)
    for variable, value in env.items():
        monkeypatch.setenv(variable, value)
    monkeypatch.setenv("ADVISOR_DB_PATH", str(tmp_path / "advisor.sqlite3"))
    with pytest.raises(SystemExit) as exit_:
        create_app_from_env()
    assert exit_.value.code == 3
    [line] = capsys.readouterr().err.splitlines()
    assert named in line


@pytest.mark.slow  # a real gunicorn master
def test_startup_gunicorn_stops_with_one_line_and_no_traceback(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ANTHROPIC_", "SLACK_", "ADVISOR_"))}
    env |= {"PORT": str(free_port()), "WEB_CONCURRENCY": "1", "ADVISOR_DB_PATH": str(tmp_path)}
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    done = subprocess.run(
        ["bash", "-c", f"exec {procfile_command()}"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode != 0
    assert "Traceback" not in done.stderr
    ours = [line for line in done.stderr.splitlines() if line.startswith("framework-advisor:")]
    assert ours == [
        "framework-advisor: cannot start: missing settings for Slack: SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET"
    ]
