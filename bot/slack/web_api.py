"""The Slack Web API client: base URL from settings, bounded time-outs and retries."""

from slack_sdk import WebClient
from slack_sdk.http_retry import RetryHandler
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)

from bot.settings import Settings

SLACK_TIMEOUT = 10  # seconds per Web API call


def retry_handlers() -> list[RetryHandler]:
    """Bounded retries: dropped connections, 429 after Retry-After, and 5xx."""
    return [
        ConnectionErrorRetryHandler(max_retry_count=2),
        RateLimitErrorRetryHandler(max_retry_count=3),
        ServerErrorRetryHandler(max_retry_count=2),
    ]


def api_base_url(settings: Settings) -> str:
    """The Web API's base URL, ending in a slash as slack_sdk expects."""
    return (settings.slack_api_url or "https://slack.com/api").rstrip("/") + "/"


def make_client(settings: Settings) -> WebClient:
    """The Web API client: retrying 429s, 5xx and dropped connections."""
    assert settings.slack_bot_token is not None
    return WebClient(
        token=settings.slack_bot_token.get_secret_value(),
        base_url=api_base_url(settings),
        timeout=SLACK_TIMEOUT,
        retry_handlers=retry_handlers(),
    )
