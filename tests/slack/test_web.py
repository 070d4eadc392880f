"""The Slack app through Flask: signed requests in, Slack Web API double out."""

import time
from typing import Any

import pytest
from flask.testing import FlaskClient

from bot.advisor import Advisor
from bot.slack.rendering import BUTTON_VALUE
from bot.slack.web import signature_problem
from tests.doubles.anthropic_api import AnthropicDouble, error
from tests.doubles.constants import SLACK_TOKEN
from tests.doubles.slack_api import SlackDouble
from tests.doubles.slack_requests import (
    SIGNING_SECRET,
    dm,
    event,
    post,
    sign,
    slash_command,
)


def test_web_healthz_reports_state_without_secrets(web: FlaskClient) -> None:
    response = web.get("/healthz")
    data = response.get_json()
    assert response.status_code == 200
    assert data["knowledge"]["loaded"] is True
    assert data["knowledge"]["sections"] > 40
    assert data["model"] == {"configured": False, "name": None}
    assert data["breaker"]["state"] == "closed"
    assert SLACK_TOKEN not in response.text
    assert SIGNING_SECRET not in response.text


def test_web_healthz_shows_an_open_breaker(
    model_web: FlaskClient, model_advisor: Advisor, anthropic_api: AnthropicDouble
) -> None:
    anthropic_api.set_default(error(500, "api_error"))
    for _ in range(3):
        model_advisor.ask("API?")
    data = model_web.get("/healthz").get_json()
    assert data["model"] == {"configured": True, "name": "claude-haiku-5-5"}
    assert data["breaker"]["state"] == "open"
    assert data["breaker"]["last_failure"] == "server_error"


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"X-Slack-Request-Timestamp": str(int(time.time()))},
        {"X-Slack-Request-Timestamp": str(int(time.time())), "X-Slack-Signature": "v0=" + "0" * 64},
        {"X-Slack-Request-Timestamp": str(int(time.time()) - 301), "X-Slack-Signature": "stale"},
        {"X-Slack-Request-Timestamp": "not-a-number", "X-Slack-Signature": "v0=abc"},
        {"X-Slack-Request-Timestamp": "", "X-Slack-Signature": "v0=abc"},
    ],
)
def test_web_rejects_unsigned_or_stale_requests(
    web: FlaskClient, slack_api: SlackDouble, headers: dict[str, str]
) -> None:
    body, kind = slash_command("Django or Flask?", slack_api.response_url())
    response = web.post("/slack/events", data=body, headers={"Content-Type": kind, **headers})
    assert response.status_code == 401
    time.sleep(0.2)
    assert slack_api.calls == []


def test_web_rejects_a_stale_but_correctly_signed_request(web: FlaskClient, slack_api: SlackDouble) -> None:
    body, kind = slash_command("Django or Flask?", slack_api.response_url())
    old = str(int(time.time()) - 400)
    response = web.post(
        "/slack/events", data=body, headers={"Content-Type": kind, **sign(body, timestamp=old)}
    )
    assert response.status_code == 401


@pytest.mark.parametrize(
    ("timestamp", "problem"),
    [("abc", "timestamp is not a number"), ("100", "stale timestamp"), (None, "missing signature headers")],
)
def test_web_signature_problem(timestamp: str | None, problem: str) -> None:
    assert signature_problem(b"x", timestamp, "v0=1", "s", now=1000.0) == problem


def _feedback_buttons(blocks: list[dict[str, Any]]) -> dict[str, Any]:
    return dict(next(b for b in blocks if b["type"] == "context_actions")["elements"][0])


@pytest.mark.parametrize(
    "question",
    [
        "Какой фреймворк выбрать для API с высокой нагрузкой? " * 70,  # noqa: RUF001
        "高負荷のAPIにはどのフレームワークを選ぶべきですか。" * 150,
        "🚀🐍 " * 1300,
    ],
)
def test_web_answers_a_long_question_in_any_script_with_feedback_buttons(
    web: FlaskClient, slack_api: SlackDouble, question: str
) -> None:
    assert post(web, slash_command(question[:4000], slack_api.response_url())).status_code == 200
    blocks = slack_api.wait_for("response_url/response/cmd", timeout=5)[0].args["blocks"]
    buttons = _feedback_buttons(blocks)
    for button in (buttons["positive_button"], buttons["negative_button"]):
        assert 0 < len(button["value"]) <= BUTTON_VALUE
    post(web, event(dm(question[:4000], ts="1700009000.000001")))
    stop = slack_api.wait_for("chat.postMessage", timeout=5)[0].args
    assert len(_feedback_buttons(stop["blocks"])["negative_button"]["value"]) <= BUTTON_VALUE
