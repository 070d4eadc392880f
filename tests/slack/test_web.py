"""The Slack app through Flask: signed requests in, Slack Web API double out."""

import io
import json
import logging
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from flask.testing import FlaskClient

from bot.advisor import Advisor
from bot.slack.answer_pool import AnswerPool
from bot.slack.rendering import BUTTON_VALUE, FEEDBACK_ACTION
from bot.slack.request_checks import MAX_BODY_BYTES, signature_problem
from bot.storage.sqlite import SqliteStore
from tests.doubles.anthropic_api import AnthropicDouble, answer, error
from tests.doubles.constants import SLACK_TOKEN
from tests.doubles.slack_api import SlackDouble
from tests.doubles.slack_requests import (
    SIGNING_SECRET,
    block_action,
    dm,
    event,
    post,
    sign,
    slash_command,
    streamed,
)
from tests.markdown_check import link_targets


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
    web: FlaskClient, slack_api: SlackDouble, pool: AnswerPool, headers: dict[str, str]
) -> None:
    body, kind = slash_command("Django or Flask?", slack_api.response_url())
    response = web.post("/slack/events", data=body, headers={"Content-Type": kind, **headers})
    assert response.status_code == 401
    pool.drain()
    assert [m for m in slack_api.methods() if m != "auth.test"] == []  # auth.test: at boot


def test_web_rejects_a_stale_but_correctly_signed_request(web: FlaskClient, slack_api: SlackDouble) -> None:
    body, kind = slash_command("Django or Flask?", slack_api.response_url())
    old = str(int(time.time()) - 400)
    response = web.post(
        "/slack/events", data=body, headers={"Content-Type": kind, **sign(body, timestamp=old)}
    )
    assert response.status_code == 401


@pytest.mark.parametrize(
    ("timestamp", "signature", "problem"),
    [
        ("abc", "v0=1", "timestamp is not a number"),
        ("²", "v0=1", "timestamp is not a number"),
        ("9" * 5000, "v0=1", "timestamp is not a number"),
        ("-100", "v0=1", "timestamp is not a number"),
        ("100", "v0=1", "stale timestamp"),
        (None, "v0=1", "missing signature headers"),
        ("1000", "v0=" + "é" * 64, "signature is malformed"),
        ("1000", "v0=" + "0" * 64 + "\n", "signature is malformed"),
        ("1000", "v0=" + "0" * 64, "signature does not match"),
    ],
)
def test_web_signature_problem(timestamp: str | None, signature: str, problem: str) -> None:
    assert signature_problem(b"x", timestamp, signature, "s", now=1000.0) == problem


@pytest.mark.parametrize(
    "headers",
    [
        {"X-Slack-Request-Timestamp": "²", "X-Slack-Signature": "v0=abc"},
        {"X-Slack-Request-Timestamp": "9" * 5000, "X-Slack-Signature": "v0=abc"},
        {"X-Slack-Request-Timestamp": "now", "X-Slack-Signature": "v0=" + "é" * 64},
        {"X-Slack-Signature": "v0=" + "é" * 64},
    ],
)
def test_web_answers_malformed_signature_headers_with_401_and_no_traceback(
    web: FlaskClient, caplog: pytest.LogCaptureFixture, headers: dict[str, str]
) -> None:
    caplog.set_level(logging.DEBUG)
    headers = {"X-Slack-Request-Timestamp": str(int(time.time()))} | headers
    response = web.post("/slack/events", data=b"token=x", headers=headers)
    assert response.status_code == 401
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]


def _click(**changes: Any) -> bytes:
    """A feedback click payload with some fields changed."""
    payload = {
        "type": "block_actions",
        "user": {"id": "U0USER001"},
        "channel": {"id": "C0CHAN001"},
        "response_url": "http://127.0.0.1:9/response",
        "actions": [{"action_id": "answer_feedback", "value": "up:{}"}],
    } | changes
    return urlencode({"payload": json.dumps(payload)}).encode()


FORM, JSON = "application/x-www-form-urlencoded", "application/json"


@pytest.mark.parametrize(
    ("body", "kind"),
    [
        (b"{not json", JSON),
        (b"[1, 2]", JSON),
        (b"null", JSON),
        (b'"a string"', JSON),
        (b"42", JSON),
        (b"payload=not-json", FORM),
        (b"payload=%5B%5D", FORM),
        (b"\xff\xfe", FORM),
        (_click(actions=[]), FORM),
        (_click(user="U0USER001"), FORM),
        (_click(team=5), FORM),
        (_click(actions=[{"value": "up:{}"}]), FORM),
        (json.dumps({"type": "event_callback", "event": "message"}).encode(), JSON),
        (json.dumps({"type": "event_callback", "event": {"type": "message", "user": "U1"}}).encode(), JSON),
        (
            json.dumps({"type": "event_callback", "authorizations": "x", "event": {"type": "x"}}).encode(),
            JSON,
        ),
        (b"command=framework&text=hi", FORM),
        (b"command=%2Fframework&text=hi&user_id=U1", FORM),
        (b"command=%2Fframework&text=hi&response_url=http%3A%2F%2F127.0.0.1%3Ax%2Fr", FORM),
        (_click(event=None), FORM),
        (_click(response_url="not a url"), FORM),
        (_click(type="message_action", actions=None), FORM),
        (
            json.dumps(
                {"type": "event_callback", "authorizations": [{"team": 5}], "event": {"type": "x"}}
            ).encode(),
            JSON,
        ),
        (
            json.dumps(
                {
                    "type": "event_callback",
                    "event": {"type": "app_mention", "channel": "C1", "ts": "1", "user": {"id": "U1"}},
                }
            ).encode(),
            JSON,
        ),
        (
            b'{"type": "event_callback", "event": {"type": "message", "channel": "D1", "ts": "1", "text": "\\ud800"}}',
            JSON,
        ),
        (b"[" * 100_000, JSON),
    ],
)
def test_web_answers_signed_malformed_bodies_with_400_and_one_log_line(
    web: FlaskClient, slack_api: SlackDouble, caplog: pytest.LogCaptureFixture, body: bytes, kind: str
) -> None:
    response = web.post("/slack/events", data=body, headers={"Content-Type": kind, **sign(body)})
    assert response.status_code == 400
    assert [r.getMessage()[:35] for r in caplog.records] == ["refused a malformed Slack request: "]
    assert [m for m in slack_api.methods() if m != "auth.test"] == []  # auth.test: once, at boot


def test_web_refuses_oversized_bodies_before_checking_the_signature(
    web: FlaskClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    body = b"text=" + b"x" * MAX_BODY_BYTES
    response = web.post("/slack/events", data=body, headers={"Content-Type": FORM})
    assert response.status_code == 413
    assert "body over" in caplog.text
    assert "signature" not in caplog.text


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


DISGUISED = (
    "**Recommendation: FastAPI**\n"
    'Read [the [official] docs](https://evil.example/1) and [this](https://evil.example/2 "Docs").\n'
    "Also [that]( https://evil.example/3) or [the\nguide](https://evil.example/4) or [ref][1].\n\n"
    "[1]: https://evil.example/5\n"
)


def test_web_streamed_answers_spell_out_every_disguised_link(
    model_web: FlaskClient, slack_api: SlackDouble, anthropic_api: AnthropicDouble
) -> None:
    anthropic_api.push(answer(DISGUISED, "choose-fastapi", recommendation="fastapi"))
    post(model_web, event(dm("Which framework for an LLM API?", ts="1700009100.000001")))
    stop = slack_api.wait_for("chat.stopStream")[0].args
    calls = [
        slack_api.named("chat.startStream")[0].args,
        *(c.args for c in slack_api.named("chat.appendStream")),
        stop,
    ]
    shown = "".join(streamed(args) for args in calls)
    assert link_targets(shown) == []
    for n in range(1, 6):
        assert f"https://evil.example/{n}" in shown


def test_web_crafted_feedback_is_never_stored(
    web: FlaskClient, slack_api: SlackDouble, slack_env: dict[str, str], caplog: pytest.LogCaptureFixture
) -> None:
    crafted = 'up:{"q":"\\u001b[2Jpwned","m":"' + "m" * 5000 + '","s":[]}'
    response = post(web, block_action(FEEDBACK_ACTION, crafted, slack_api.response_url("fb")))
    assert response.status_code == 200
    deadline = time.monotonic() + 5
    while "ignored a feedback value" not in caplog.text and time.monotonic() < deadline:
        time.sleep(0.01)
    assert "ignored a feedback value" in caplog.text
    assert SqliteStore(Path(slack_env["ADVISOR_DB_PATH"])).feedback_summary().total == 0


@pytest.mark.parametrize("size", [MAX_BODY_BYTES + 1, 2_000_000])
def test_web_refuses_oversized_chunked_bodies_before_checking_the_signature(
    web: FlaskClient, caplog: pytest.LogCaptureFixture, size: int
) -> None:
    caplog.set_level(logging.INFO)
    body = b"text=" + b"x" * size
    response = web.post(
        "/slack/events",
        input_stream=io.BytesIO(body),
        headers={"Content-Type": FORM, "Transfer-Encoding": "chunked", **sign(body)},
        environ_overrides={"wsgi.input_terminated": True},  # as gunicorn says of chunked bodies
    )
    assert response.status_code == 413
    assert "body over" in caplog.text
    assert "signature" not in caplog.text


def test_web_reads_a_chunked_body_under_the_cap_whole(web: FlaskClient) -> None:
    body = b"text=" + b"x" * (MAX_BODY_BYTES - 100)
    response = web.post(
        "/slack/events",
        input_stream=io.BytesIO(body),
        headers={"Content-Type": FORM, "Transfer-Encoding": "chunked", **sign(body)},
        environ_overrides={"wsgi.input_terminated": True},
    )
    assert response.status_code != 401  # signed over the whole body, so the whole body was read
