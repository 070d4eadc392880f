"""The Slack Web API client: base URL from settings, bounded time-outs and retries."""

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from slack_sdk import WebClient
from slack_sdk.http_retry import RetryHandler
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState

from bot.settings import Settings

SLACK_TIMEOUT = 10  # seconds per Web API call


@dataclass(frozen=True)
class RetryPacing:
    """How long the Slack clients wait before a retry; the defaults are slack_sdk's own."""

    backoff: float = 0.5  # the first wait after a 5xx or a dropped connection, doubling each retry
    jitter: float = 1.0  # at most this much random time on top of every wait, so clients spread out
    sleep: Callable[[float], None] = field(default=time.sleep, compare=False)

    def after_failure(self, attempt: int) -> float:
        """Seconds before retry ``attempt`` (0 for the first) of a 5xx or a dropped connection."""
        return self.backoff * 2.0**attempt + random.uniform(0, self.jitter)

    def after_rate_limit(self, response: HttpResponse) -> float:
        """Seconds before retrying a 429: its Retry-After (1 s when absent or unreadable), plus jitter."""
        values = next((v for k, v in response.headers.items() if k.lower() == "retry-after"), [])
        try:
            told = max(0.0, float(values[0]))
        except (IndexError, ValueError):
            told = 1.0
        return told + random.uniform(0, self.jitter)


class _Paced(RetryHandler):
    """A slack_sdk retry handler that waits as the pacing says (slack_sdk's handlers call time.sleep)."""

    def __init__(self, max_retry_count: int, pacing: RetryPacing) -> None:
        super().__init__(max_retry_count=max_retry_count)
        self.pacing = pacing

    def wait(self, state: RetryState, response: HttpResponse | None) -> float:  # noqa: ARG002
        """Seconds before the next attempt."""
        return self.pacing.after_failure(state.current_attempt)

    def prepare_for_next_attempt(
        self,
        *,
        state: RetryState,
        request: HttpRequest,  # noqa: ARG002 (slack_sdk's signature)
        response: HttpResponse | None = None,
        error: Exception | None = None,  # noqa: ARG002
    ) -> None:
        state.next_attempt_requested = True
        self.pacing.sleep(self.wait(state, response))
        state.increment_current_attempt()


class _ConnectionRetries(_Paced, ConnectionErrorRetryHandler):
    """Dropped connections, retried after a back-off."""


class _ServerErrorRetries(_Paced, ServerErrorRetryHandler):
    """5xx replies, retried after a back-off."""


class _RateLimitRetries(_Paced, RateLimitErrorRetryHandler):
    """429 replies, retried after their Retry-After."""

    def wait(self, state: RetryState, response: HttpResponse | None) -> float:
        """Retry-After and jitter (only a reply can be rate limited: _can_retry checks)."""
        return self.pacing.after_rate_limit(response) if response else super().wait(state, response)


def retry_handlers(pacing: RetryPacing) -> list[RetryHandler]:
    """Bounded retries: dropped connections, 429 after Retry-After, and 5xx."""
    return [
        _ConnectionRetries(2, pacing),
        _RateLimitRetries(3, pacing),
        _ServerErrorRetries(2, pacing),
    ]


def api_base_url(settings: Settings) -> str:
    """The Web API's base URL, ending in a slash as slack_sdk expects."""
    return (settings.slack_api_url or "https://slack.com/api").rstrip("/") + "/"


def make_client(settings: Settings, pacing: RetryPacing) -> WebClient:
    """The Web API client: retrying 429s, 5xx and dropped connections."""
    assert settings.slack_bot_token is not None
    return WebClient(
        token=settings.slack_bot_token.get_secret_value(),
        base_url=api_base_url(settings),
        timeout=SLACK_TIMEOUT,
        retry_handlers=retry_handlers(pacing),
    )
