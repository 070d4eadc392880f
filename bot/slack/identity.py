"""Who this bot is in Slack, learnt once per process in the background, never on an ack's path.

Bolt would call ``auth.test`` inside the first request of each process (and several times at
once under a burst); a hung or refused Web API then costs that acknowledgement seconds or a 500.
Here the app authorises every request from the token it already has, and ``auth.test`` runs on
a background thread at start-up, retried with back-off until it answers.
"""

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass

from slack_bolt.authorization import AuthorizeResult
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

log = logging.getLogger("bot.slack.identity")

FIRST_RETRY = 1.0  # seconds before the first retry of a failed auth.test
LONGEST_RETRY = 60.0  # back-off is capped here; it keeps trying until Slack answers


@dataclass(frozen=True)
class Identity:
    """The bot's user id and bot id in its workspace."""

    user_id: str
    bot_id: str | None


class BotIdentity:
    """The bot's identity once known (None until then), and Bolt's authorize function."""

    def __init__(self, client: WebClient, token: str, wait: Callable[[float], bool] | None = None) -> None:
        self._client, self._token = client, token
        self._known: Identity | None = None
        self._lock = threading.Lock()
        self._stopped = threading.Event()
        self._wait = wait or self._stopped.wait  # returns True when asked to stop

    @property
    def known(self) -> Identity | None:
        """The identity, or None while auth.test has not answered yet."""
        return self._known

    def learn(self) -> bool:
        """One bounded auth.test (one at a time); True once the identity is known."""
        with self._lock:
            if self._known is not None:
                return True
            try:
                reply = self._client.auth_test()
            except (SlackApiError, OSError) as error:
                log.warning("auth.test failed (%s); will retry", _reason(error))
                return False
            user_id = reply.get("user_id")
            if not isinstance(user_id, str):
                log.warning("auth.test gave no user id; will retry")
                return False
            bot_id = reply.get("bot_id")
            self._known = Identity(user_id, bot_id if isinstance(bot_id, str) else None)
            return True

    def learn_in_background(self) -> threading.Thread:
        """Start learning the identity on a daemon thread; retries with capped back-off."""
        thread = threading.Thread(target=self._keep_trying, name="auth-test", daemon=True)
        thread.start()
        return thread

    def stop(self) -> None:
        """Stop retrying (at shutdown)."""
        self._stopped.set()

    def _keep_trying(self) -> None:
        delay = FIRST_RETRY
        while not self.learn():
            if self._wait(delay):
                return
            delay = min(delay * 2, LONGEST_RETRY)

    def authorize(self) -> Callable[..., AuthorizeResult]:
        """Bolt's authorize function: the token we hold and whatever identity is known; no network."""

        # Bolt passes arguments by the names the function declares, so a plain function it is.
        def authorize(enterprise_id: str | None, team_id: str | None) -> AuthorizeResult:
            return self._result(enterprise_id, team_id)

        return authorize

    def _result(self, enterprise_id: str | None, team_id: str | None) -> AuthorizeResult:
        """The authorisation for one request."""
        known = self._known
        return AuthorizeResult(
            enterprise_id=enterprise_id,
            team_id=team_id,
            bot_token=self._token,
            bot_user_id=known.user_id if known else None,
            bot_id=known.bot_id if known else None,
        )


def _reason(error: Exception) -> str:
    """A short reason for the log (Slack's error code or the exception's type), never a token."""
    if isinstance(error, SlackApiError):
        return str(error.response.get("error"))
    return type(error).__name__
