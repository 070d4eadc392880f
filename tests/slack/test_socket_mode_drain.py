"""Socket Mode, as ``framework-advisor slack --socket`` runs it: SIGTERM finishes answers in progress."""

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.doubles.anthropic_api import AnthropicDouble, Reply, answer
from tests.doubles.constants import TEST_KEY
from tests.doubles.slack_api import SlackDouble
from tests.doubles.slack_requests import SIGNING_SECRET, dm, event
from tests.doubles.socket_mode import SocketModeDouble

pytestmark = pytest.mark.slow  # a real process sent SIGTERM

ROOT = Path(__file__).resolve().parents[2]


def _wait(condition: Callable[[], bool], timeout: float = 20.0) -> None:
    """Poll until something has happened (never to show that nothing did)."""
    deadline = time.monotonic() + timeout
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert condition(), "timed out"


def test_socket_mode_sigterm_delivers_the_answer_in_progress(
    slack_api: SlackDouble, anthropic_api: AnthropicDouble, tmp_path: Path
) -> None:
    anthropic_api.push(
        Reply(blocks=answer("**Recommendation: FastAPI**\nAsync.\n", "choose-fastapi").blocks, delay=3.0)
    )
    with SocketModeDouble() as socket_mode:
        slack_api.socket_url = socket_mode.url
        body = json.loads(event(dm("Which framework for an LLM API?", ts="1700005000.000001"))[0])
        socket_mode.send({"envelope_id": "env-1", "type": "events_api", "payload": body})
        clean = {
            k: v for k, v in os.environ.items() if not k.startswith(("ANTHROPIC_", "SLACK_", "ADVISOR_"))
        }
        env = clean | {
            "SLACK_BOT_TOKEN": "xoxb-socket-drain",
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "SLACK_APP_TOKEN": "xapp-socket-drain",
            "SLACK_API_URL": slack_api.url,
            "ANTHROPIC_API_KEY": TEST_KEY,
            "ANTHROPIC_BASE_URL": anthropic_api.url,
            "ADVISOR_DB_PATH": str(tmp_path / "advisor.sqlite3"),
        }
        log = tmp_path / "stderr.log"
        with log.open("wb") as stderr:
            process = subprocess.Popen(
                [sys.executable, "-m", "bot", "slack", "--socket"],
                cwd=ROOT,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=stderr,
            )
        try:
            _wait(lambda: bool(anthropic_api.requests))  # the model is thinking
            assert socket_mode.acked == ["env-1"]
            process.send_signal(signal.SIGTERM)
            code = process.wait(timeout=30)
        finally:
            if process.poll() is None:
                process.kill()
        errors = log.read_text(errors="replace")
    assert code == 0, errors[-2000:]
    assert len(slack_api.named("chat.stopStream")) == 1, slack_api.methods()
    assert slack_api.named("chat.startStream")[0].args["thread_ts"] == "1700005000.000001"
