"""Two app instances (two gunicorn masters, exactly the Procfile command) sharing one PostgreSQL."""

import json
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack
from typing import Any

import pytest

from bot.slack.rendering import FEEDBACK_ACTION, SHARE_ACTION
from tests.doubles.anthropic_api import AnthropicDouble
from tests.doubles.constants import TEST_KEY
from tests.doubles.slack_api import SlackDouble
from tests.doubles.slack_requests import CHANNEL, block_action, dm, event, sign, slash_command
from tests.postgres_server import PostgresServer
from tests.procfile_runner import ROOT, App, running, send

pytestmark = pytest.mark.slow


@pytest.fixture
def database_url(postgres: PostgresServer) -> str:
    """A fresh database, its schema made by the Procfile's release command."""
    url = postgres.new_database()
    release = (ROOT / "Procfile").read_text().split("release:", 1)[1].split("\n", 1)[0].split()
    tool = str(ROOT / ".venv" / "bin" / release[0]) if (ROOT / ".venv").exists() else release[0]
    done = subprocess.run(
        [tool, *release[1:]], env={"DATABASE_URL": url}, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    return url


@pytest.fixture
def instances(
    slack_env: dict[str, str], database_url: str, anthropic_api: AnthropicDouble
) -> Iterator[tuple[App, App]]:
    """Two instances on two ports, two workers each, one database."""
    env = slack_env | {
        "DATABASE_URL": database_url,
        "WEB_CONCURRENCY": "2",
        "ANTHROPIC_API_KEY": TEST_KEY,
        "ANTHROPIC_BASE_URL": anthropic_api.url,
        "ADVISOR_USER_ANSWERS_PER_MINUTE": "3",
        "ADVISOR_USER_CONCURRENT_ANSWERS": "10",
    }
    with ExitStack() as stack:
        one, two = stack.enter_context(running(env)), stack.enter_context(running(env))
        yield one, two


def _deliver(app: App, payload: tuple[bytes, str], **headers: str) -> int:
    return send(app, payload, sign(payload[0]) | headers)[0]


def _answers_in(slack_api: SlackDouble, thread_ts: str) -> int:
    """Answers that finished in a thread: a closed stream or a posted message."""
    finished = slack_api.named("chat.stopStream") + slack_api.named("chat.postMessage")
    opened = {
        (c.reply or {}).get("ts")
        for c in slack_api.named("chat.startStream")
        if c.args.get("thread_ts") == thread_ts
    }
    return sum(1 for c in finished if c.args.get("thread_ts") == thread_ts or c.args.get("ts") in opened)


def _wait_settled(slack_api: SlackDouble, seconds: float = 3.0) -> None:
    """Wait until the doubles have been quiet for a while (every answer is in)."""
    last, quiet_since = len(slack_api.methods()), time.monotonic()
    deadline = time.monotonic() + 30
    while time.monotonic() - quiet_since < seconds and time.monotonic() < deadline:
        time.sleep(0.1)
        now = len(slack_api.methods())
        if now != last:
            last, quiet_since = now, time.monotonic()


def test_multi_instance_same_event_to_both_is_answered_once(
    instances: tuple[App, App], slack_api: SlackDouble
) -> None:
    one, two = instances
    assert one.health()["database"] == {"backend": "postgres", "status": "ok"}
    sequential = event(dm("Django or Flask for a blog?", ts="1700009000.000001"), event_id="EvSeq1")
    assert _deliver(one, sequential) == 200
    assert (
        _deliver(two, sequential, **{"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}) == 200
    )
    concurrent = event(dm("Which framework for an LLM API?", ts="1700009000.000002"), event_id="EvCon1")
    barrier, statuses = threading.Barrier(6), []

    def deliver(app: App) -> None:
        barrier.wait()
        statuses.append(_deliver(app, concurrent))

    threads = [threading.Thread(target=deliver, args=((one, two)[i % 2],)) for i in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    _wait_settled(slack_api)
    assert statuses == [200] * 6
    assert _answers_in(slack_api, "1700009000.000001") == 1
    assert _answers_in(slack_api, "1700009000.000002") == 1


def test_multi_instance_per_minute_limit_holds_across_both(
    instances: tuple[App, App], slack_api: SlackDouble, anthropic_api: AnthropicDouble
) -> None:
    for index in range(6):  # the same person, alternating instances; 3 model answers a minute
        payload = event(dm(f"Question {index}: Django or Flask?", ts=f"1700009100.00000{index}"))
        assert _deliver(instances[index % 2], payload) == 200
    _wait_settled(slack_api)
    assert sum(_answers_in(slack_api, f"1700009100.00000{i}") for i in range(6)) == 6
    assert len(anthropic_api.requests) == 3


def _buttons(blocks: list[dict[str, Any]]) -> dict[str, str]:
    """Action id (and feedback polarity) -> button value, from an answer's blocks."""
    found: dict[str, str] = {}
    for block in blocks:
        for element in block.get("elements", []):
            if element.get("action_id") == SHARE_ACTION:
                found["share"] = element["value"]
            if "positive_button" in element:
                found["up"] = element["positive_button"]["value"]
                found["down"] = element["negative_button"]["value"]
    return found


def test_multi_instance_share_made_on_one_is_posted_from_the_other(
    instances: tuple[App, App], slack_api: SlackDouble
) -> None:
    one, two = instances
    assert _deliver(one, slash_command("Django or Flask for a blog?", slack_api.response_url("a"))) == 200
    buttons = _buttons(slack_api.wait_for("response_url/response/a", timeout=20)[0].args["blocks"])
    assert _deliver(two, block_action(SHARE_ACTION, buttons["share"], slack_api.response_url("s"))) == 200
    posted = slack_api.wait_for("chat.postMessage", timeout=20)[0].args
    assert posted["channel"] == CHANNEL
    assert slack_api.wait_for("response_url/response/s", timeout=20)[0].args["delete_original"] is True


def test_multi_instance_feedback_from_both_in_one_report(
    instances: tuple[App, App], slack_api: SlackDouble, database_url: str
) -> None:
    one, two = instances
    for name, app, question in (("a", one, "Which framework for an admin?"), ("b", two, "Flask or FastAPI?")):
        assert _deliver(app, slash_command(question, slack_api.response_url(name))) == 200
    values = [
        _buttons(slack_api.wait_for(f"response_url/response/{n}", timeout=20)[0].args["blocks"]) for n in "ab"
    ]
    _deliver(one, block_action(FEEDBACK_ACTION, values[0]["up"], slack_api.response_url("fa")))
    _deliver(two, block_action(FEEDBACK_ACTION, values[1]["down"], slack_api.response_url("fb")))
    report = ""
    deadline = time.monotonic() + 20
    while not report.startswith("2 ratings") and time.monotonic() < deadline:
        done = subprocess.run(
            [sys.executable, "-m", "bot", "feedback"],
            cwd=ROOT,
            env={"DATABASE_URL": database_url},
            capture_output=True,
            text=True,
            timeout=60,
        )
        report = done.stdout
        time.sleep(0.2)
    assert report.startswith("2 ratings, 50% helpful"), report


def test_multi_instance_database_restart_mid_run_loses_no_answer(
    instances: tuple[App, App], slack_api: SlackDouble, postgres: PostgresServer
) -> None:
    statuses = []
    for index in range(10):
        if index == 5:
            postgres.restart()  # every pooled connection in all four workers is cut
        payload = event(dm(f"Flask or FastAPI, take {index}?", ts=f"1700009200.00000{index}"))
        statuses.append(_deliver(instances[index % 2], payload))
    _wait_settled(slack_api)
    assert statuses == [200] * 10
    assert [_answers_in(slack_api, f"1700009200.00000{i}") for i in range(10)] == [1] * 10
    for app in instances:  # a worker that saw the restart probes again on /healthz
        assert json.dumps(app.health()).count("degraded") == 0
