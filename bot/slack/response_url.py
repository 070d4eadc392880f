"""The response_url client: replies to a slash command or a button click, with retries."""

from typing import Any

from slack_sdk.webhook import WebhookClient

from bot.slack.web_api import SLACK_TIMEOUT, RetryPacing, retry_handlers


class ResponseUrlError(Exception):
    """A response_url post failed even after its retries."""


def make_webhook(url: str, pacing: RetryPacing) -> WebhookClient:
    """A client for one response_url, retrying like the Web API client."""
    return WebhookClient(url, timeout=SLACK_TIMEOUT, retry_handlers=retry_handlers(pacing))


class ResponseUrl:
    """Posts messages to one response_url; a post that finally fails raises ResponseUrlError."""

    def __init__(self, client: WebhookClient) -> None:
        self.client = client

    def __call__(self, **message: Any) -> None:
        response = self.client.send_dict(message)
        if response.status_code >= 300:
            raise ResponseUrlError(f"response_url answered HTTP {response.status_code}")
