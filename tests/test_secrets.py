"""Secrets never reach logs, at any level, whatever the surface or failure."""

import io
import logging
from collections.abc import Iterator

import pytest
from flask.testing import FlaskClient

from bot.console.cli import run
from bot.logging_setup import LIBRARY_LOGGERS, configure_logging
from bot.settings import settings_from
from bot.slack.rendering import FEEDBACK_ACTION, SHARE_ACTION
from tests.doubles.anthropic_api import AnthropicDouble, Reply, answer, error
from tests.doubles.constants import SLACK_TOKEN, TEST_KEY
from tests.doubles.slack_api import Fault, SlackDouble
from tests.doubles.slack_requests import SIGNING_SECRET, block_action, dm, event, mention, post, slash_command

LOGGERS = ["", "bot", "anthropic", "httpx2", "httpcore", "slack_sdk", "slack_bolt", "werkzeug", "urllib3"]


@pytest.fixture
def every_log(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    """Capture every logger at DEBUG, the most talkative level."""
    for name in LOGGERS:
        caplog.set_level(logging.DEBUG, logger=name)
    return caplog


def test_secrets_never_logged_by_the_console(
    every_log: pytest.LogCaptureFixture, anthropic_api: AnthropicDouble
) -> None:
    anthropic_api.push(answer("Fine.", "verdict"), error(401, "authentication_error"), Reply(delay=3.0))
    settings = settings_from(
        {
            "ANTHROPIC_API_KEY": TEST_KEY,
            "ANTHROPIC_BASE_URL": anthropic_api.url,
            "ADVISOR_DEADLINE_SECONDS": "0.5",
        }
    )
    for argv in (
        ["ask", "Which framework?"],
        ["ask", "--json", "Which framework?"],
        ["ask", "Which framework?"],
    ):
        run(argv, settings, out=io.StringIO(), err=io.StringIO())
    assert "reason=auth" in every_log.text  # the failures really were logged
    assert "reason=timeout" in every_log.text
    assert any(r.name.startswith("anthropic") and r.levelno == logging.DEBUG for r in every_log.records)
    assert TEST_KEY not in every_log.text


def test_secrets_never_logged_by_the_slack_app(
    every_log: pytest.LogCaptureFixture,
    model_web: FlaskClient,
    slack_api: SlackDouble,
    anthropic_api: AnthropicDouble,
) -> None:
    anthropic_api.push(
        answer("**Recommendation: FastAPI**\nAsync.\n", "choose-fastapi", recommendation="fastapi")
    )
    post(model_web, event(dm("Which framework for an LLM API?")))
    slack_api.wait_for("chat.stopStream")
    anthropic_api.set_default(error(500, "api_error"))
    post(model_web, slash_command("Django or Flask?", slack_api.response_url()))
    blocks = slack_api.wait_for("response_url/response/cmd")[0].args["blocks"]
    share = next(e["value"] for b in blocks if b["type"] == "actions" for e in b["elements"])
    post(model_web, block_action(SHARE_ACTION, share, slack_api.response_url("s")))
    post(
        model_web, block_action(FEEDBACK_ACTION, 'up:{"q":"x","m":"llm","s":[]}', slack_api.response_url("f"))
    )
    slack_api.fail("chat.postMessage", Fault(status=429, retry_after=1), Fault(status=500))
    post(model_web, event(mention("Which framework for an admin app?", ts="1700002000.000001")))
    slack_api.wait_for("chat.postMessage", count=4, timeout=15)
    body, kind = slash_command("forged", slack_api.response_url("x"))
    model_web.post(
        "/slack/events",
        data=body,
        headers={"Content-Type": kind, "X-Slack-Request-Timestamp": "1", "X-Slack-Signature": "v0=1"},
    )
    logged = every_log.text
    assert {r.name.split(".")[0] for r in every_log.records} >= {
        "bot",
        "slack_sdk",
        "slack_bolt",
        "anthropic",
    }
    assert "answer delivered" in logged
    assert "rejected a Slack request" in logged
    assert "reason=server_error" in logged
    for secret in (TEST_KEY, SLACK_TOKEN, SIGNING_SECRET):
        assert secret not in logged


QUESTION = "Which framework for the Zanzibar-7 ledger with an LLM API?"


@pytest.fixture
def app_logging(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    """Logging configured as the app configures it with ADVISOR_LOG_LEVEL=DEBUG; restored after."""
    names = ["", *LIBRARY_LOGGERS]
    saved = {name: logging.getLogger(name).level for name in names}
    configure_logging(settings_from({"ADVISOR_LOG_LEVEL": "DEBUG"}))
    yield caplog
    for name, level in saved.items():
        logging.getLogger(name).setLevel(level)


def test_secrets_question_text_never_logged_at_debug(
    app_logging: pytest.LogCaptureFixture,
    model_web: FlaskClient,
    slack_api: SlackDouble,
    anthropic_api: AnthropicDouble,
) -> None:
    anthropic_api.push(
        answer("**Recommendation: FastAPI**\nAsync.\n", "choose-fastapi", recommendation="fastapi")
    )
    post(model_web, event(dm(QUESTION)))
    slack_api.wait_for("chat.stopStream")
    anthropic_api.set_default(error(500, "api_error"))
    post(model_web, slash_command(QUESTION, slack_api.response_url()))
    slack_api.wait_for("response_url/response/cmd")
    assert anthropic_api.requests  # the question really went to the model
    assert logging.getLogger("bot.slack").isEnabledFor(logging.DEBUG)
    assert "answer delivered" in app_logging.text
    for needle in ("Zanzibar-7", TEST_KEY, SLACK_TOKEN, SIGNING_SECRET):
        assert needle not in app_logging.text
    assert not [
        r
        for r in app_logging.records
        if r.name.split(".")[0] in LIBRARY_LOGGERS and r.levelno < logging.WARNING
    ]
