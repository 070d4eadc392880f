"""The Flask app under test, built from an environment and an advisor, answering on a given pool."""

from typing import TYPE_CHECKING

from bot.advisor import Advisor

if TYPE_CHECKING:
    from flask.testing import FlaskClient

    from bot.slack.answer_pool import AnswerPool
    from bot.slack.web_api import RetryPacing
    from bot.storage.resilient import ResilientStore


def web_client(
    env: dict[str, str],
    advisor: Advisor,
    pool: "AnswerPool",
    store: "ResilientStore | None" = None,
    pacing: "RetryPacing | None" = None,
) -> "FlaskClient":
    """A test client of the Flask app; its answers run on ``pool`` (and use ``store``, if given).

    Tests pass a small pool without the production ack gate: the gate holds each answer until
    acknowledgements have been quiet for 50 ms, which only slows a test down. Slack retries are
    paced by ``pacing``; by default they wait no jitter and no time at all.
    """
    from bot.settings import settings_from
    from bot.slack.web import create_app
    from bot.slack.web_api import RetryPacing
    from tests.doubles.clock import Waits

    pacing = pacing or RetryPacing(jitter=0.0, sleep=Waits())
    return create_app(
        settings_from(env), advisor=advisor, store=store, pool=pool, pacing=pacing
    ).test_client()
