"""The real Procfile command (gunicorn): a signed slash command over HTTP, and graceful shutdown."""

import json
import time

import pytest

from tests.doubles.anthropic_api import AnthropicDouble, Reply, answer
from tests.doubles.constants import TEST_KEY
from tests.doubles.slack_api import SlackDouble
from tests.doubles.slack_requests import dm, event, sign, slash_command
from tests.procfile_runner import running, send

pytestmark = pytest.mark.slow  # real gunicorn processes; CI runs these with ./dev test -m slow


def test_procfile_gunicorn_answers_signed_slash_command(
    slack_api: SlackDouble, slack_env: dict[str, str]
) -> None:
    with running(slack_env | {"WEB_CONCURRENCY": "2"}) as app:
        assert app.health()["status"] == "ok"
        payload = slash_command("Django or Flask for a blog?", slack_api.response_url())
        status, body = send(app, payload, sign(payload[0]))
        assert status == 200
        assert json.loads(body)["text"] == "Thinking about your question..."
        reply = slack_api.wait_for("response_url/response/cmd", timeout=20)[0].args
        assert reply["blocks"][0]["text"]["text"] == "*Recommendation: Django*"
        code, errors = app.stop()
    assert code == 0, errors[-2000:]
    assert slack_env["SLACK_BOT_TOKEN"] not in errors


def test_procfile_sigterm_finishes_answers_in_progress(
    slack_api: SlackDouble, slack_env: dict[str, str], anthropic_api: AnthropicDouble
) -> None:
    anthropic_api.push(
        Reply(blocks=answer("**Recommendation: FastAPI**\nAsync.\n", "choose-fastapi").blocks, delay=3.0)
    )
    env = slack_env | {
        "ANTHROPIC_API_KEY": TEST_KEY,
        "ANTHROPIC_BASE_URL": anthropic_api.url,
        "WEB_CONCURRENCY": "1",
    }
    with running(env) as app:
        payload = event(dm("Which framework for an LLM API?", ts="1700003000.000001"))
        assert send(app, payload, sign(payload[0]))[0] == 200
        deadline = time.monotonic() + 10
        while not anthropic_api.requests and time.monotonic() < deadline:
            time.sleep(0.05)
        assert anthropic_api.requests, "the model was never asked"
        started = time.monotonic()
        code, errors = app.stop()  # SIGTERM while the model is still thinking
    assert code == 0, errors[-2000:]
    assert time.monotonic() - started < 30  # within gunicorn's graceful timeout
    stop = slack_api.named("chat.stopStream")
    assert len(stop) == 1, slack_api.methods()
    assert slack_api.named("chat.startStream")[0].args["thread_ts"] == "1700003000.000001"
