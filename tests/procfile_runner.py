"""Starts the app exactly as the Procfile does (gunicorn), for tests and benchmarks."""

import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    """A port nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def procfile_command() -> str:
    """The ``web:`` command of the Procfile."""
    return (ROOT / "Procfile").read_text().split("web:", 1)[1].strip()


@dataclass
class App:
    """A running gunicorn."""

    process: subprocess.Popen[bytes]
    url: str
    log: Path  # gunicorn's and the app's stderr

    def health(self) -> dict[str, object]:
        """GET /healthz."""
        with urllib.request.urlopen(self.url + "/healthz", timeout=2) as response:
            return dict(json.load(response))

    def stop(self, timeout: float = 40) -> tuple[int, str]:
        """SIGTERM (graceful), wait, and return the exit code and stderr."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout=timeout)
        return self.process.returncode, self.log.read_text(errors="replace")


@contextmanager
def running(env: Mapping[str, str], timeout: float = 30, app: str | None = None) -> Iterator[App]:
    """Start gunicorn from the Procfile with this environment; stop it afterwards.

    ``app`` replaces the Procfile's application (same gunicorn flags), for a benchmark baseline.
    """
    command = procfile_command()
    if app is not None:
        command = command.replace("'bot.slack.web:create_app_from_env()'", f"'{app}'")
    with tempfile.TemporaryDirectory() as folder:
        yield from _running(env, timeout, Path(folder) / "stderr.log", command)


def _running(env: Mapping[str, str], timeout: float, log: Path, command: str) -> Iterator[App]:
    """The body of running(): stderr goes to a file so a long run never blocks on a pipe."""
    port = free_port()
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("ANTHROPIC_", "SLACK_", "ADVISOR_"))}
    full = clean | dict(env) | {"PORT": str(port)}
    full["PATH"] = str(Path(sys.executable).parent) + os.pathsep + full.get("PATH", "")
    with log.open("wb") as errors:
        process = subprocess.Popen(
            ["bash", "-c", f"exec {command}"],
            cwd=ROOT,
            env=full,
            stdout=subprocess.DEVNULL,
            stderr=errors,
        )
    app = App(process, f"http://127.0.0.1:{port}", log)
    try:
        _wait_healthy(app, timeout)
        yield app
    finally:
        if process.poll() is None:
            app.stop()


def _wait_healthy(app: App, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if app.process.poll() is not None:
            raise RuntimeError("gunicorn exited early: " + app.log.read_text(errors="replace")[-2000:])
        try:
            app.health()
            return
        except OSError:  # refused, reset or timed out while it starts (URLError is an OSError)
            time.sleep(0.2)
    raise RuntimeError("gunicorn never became healthy")


def send(app: App, payload: tuple[bytes, str], headers: Mapping[str, str]) -> tuple[int, bytes]:
    """POST a Slack request to /slack/events; returns status and body."""
    body, kind = payload
    request = urllib.request.Request(
        app.url + "/slack/events", data=body, headers={"Content-Type": kind, **headers}
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as failure:
        return failure.code, failure.read()
