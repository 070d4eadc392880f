"""Slack retry pacing: back-off after failures, Retry-After after a 429, through the real clients."""

import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.response import HttpResponse

from bot.settings import settings_from
from bot.slack.response_url import make_webhook
from bot.slack.web_api import RetryPacing, make_client
from tests.doubles.clock import Waits
from tests.doubles.constants import SLACK_TOKEN
from tests.doubles.slack_api import Fault, SlackDouble


def _reply(headers: dict[str, str]) -> HttpResponse:
    return HttpResponse(status_code=429, headers=dict(headers.items()))


@pytest.mark.parametrize(
    ("headers", "told"),
    [
        ({"Retry-After": "30"}, 30.0),
        ({"retry-after": "2"}, 2.0),  # header names are case-insensitive
        ({"Retry-After": "0.5"}, 0.5),
        ({"Retry-After": "Wed, 25 Nov 2026 16:00:00 GMT"}, 1.0),  # an HTTP date: unreadable here
        ({"Retry-After": "-5"}, 0.0),
        ({}, 1.0),
    ],
)
def test_web_api_rate_limit_waits_retry_after_plus_jitter(headers: dict[str, str], told: float) -> None:
    waits = [RetryPacing(jitter=0.25).after_rate_limit(_reply(headers)) for _ in range(200)]
    assert all(told <= wait <= told + 0.25 for wait in waits)
    assert len(set(waits)) > 1  # jittered, so clients told the same do not retry in step


def test_web_api_failures_back_off_doubling() -> None:
    pacing = RetryPacing(backoff=0.5, jitter=0.0)
    assert [pacing.after_failure(attempt) for attempt in range(3)] == [0.5, 1.0, 2.0]


def test_web_api_client_retries_5xx_after_the_back_off(slack_api: SlackDouble) -> None:
    waits = Waits()
    env = {"SLACK_BOT_TOKEN": SLACK_TOKEN, "SLACK_API_URL": slack_api.url}
    client = make_client(settings_from(env), RetryPacing(backoff=0.5, jitter=0.0, sleep=waits))
    slack_api.fail("chat.postMessage", *[Fault(status=503)] * 3)
    with pytest.raises(SlackApiError):
        client.chat_postMessage(channel="C1", text="hi")
    assert waits.seconds == [0.5, 1.0]  # two retries, then the 503 is the caller's
    assert len(slack_api.named("chat.postMessage")) == 3


def test_web_api_webhook_retries_429_after_retry_after(slack_api: SlackDouble) -> None:
    waits = Waits()
    webhook = make_webhook(slack_api.response_url(), RetryPacing(jitter=0.0, sleep=waits))
    slack_api.fail(
        "response_url/response/cmd", Fault(status=429, retry_after=12), Fault(status=429, retry_after=1)
    )
    assert webhook.send_dict({"text": "hi"}).status_code == 200
    assert waits.seconds == [12.0, 1.0]
    assert len(slack_api.named("response_url/response/cmd")) == 3
