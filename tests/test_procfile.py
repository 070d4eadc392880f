"""The real Procfile command (gunicorn) answering a signed slash command over HTTP."""

import json
import os
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

from bot.config import PROJECT_ROOT
from tests.doubles.slack_api import SlackDouble
from tests.doubles.slack_requests import sign, slash_command


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_healthy(url: str, process: subprocess.Popen[bytes], timeout: float = 30) -> dict[str, object]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, "gunicorn exited early"
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                return dict(json.load(response))
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.2)
    raise AssertionError("gunicorn never became healthy")


def test_procfile_gunicorn_answers_signed_slash_command(
    slack_api: SlackDouble, slack_env: dict[str, str]
) -> None:
    command = (PROJECT_ROOT / "Procfile").read_text().split("web:", 1)[1].strip()
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ANTHROPIC_", "SLACK_", "ADVISOR_"))}
    env |= slack_env | {"PORT": str(port), "WEB_CONCURRENCY": "2"}
    bin_dir = str(Path(os.sys.executable).parent)
    env["PATH"] = bin_dir + os.pathsep + env.get("PATH", "")
    process = subprocess.Popen(
        ["bash", "-c", f"exec {command}"],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        health = _wait_healthy(f"http://127.0.0.1:{port}/healthz", process)
        assert health["status"] == "ok"
        body, kind = slash_command("Django or Flask for a blog?", slack_api.response_url())
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/slack/events", data=body, headers={"Content-Type": kind, **sign(body)}
        )
        with urllib.request.urlopen(request, timeout=5) as response:
            assert response.status == 200
            assert json.load(response)["text"] == "Thinking about your question..."
        reply = slack_api.wait_for("response_url/response/cmd", timeout=20)[0].args
        assert reply["blocks"][0]["text"]["text"] == "*Recommendation: Django*"
    finally:
        process.terminate()
        _, errors = process.communicate(timeout=30)
    assert process.returncode == 0, errors.decode()[-2000:]
    assert slack_env["SLACK_BOT_TOKEN"] not in errors.decode()
