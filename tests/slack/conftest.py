"""Slack fixtures: the Flask app on an answer pool the test drains (finish, then assert)."""

from collections.abc import Iterator

import pytest
from flask.testing import FlaskClient

from bot.advisor import Advisor
from bot.settings import settings_from
from bot.slack.answer_pool import AnswerPool
from bot.slack.web import create_app
from bot.storage.resilient import ResilientStore


@pytest.fixture
def pool() -> Iterator[AnswerPool]:
    """The answer pool; ``pool.drain()`` waits for every answer job queued so far."""
    answers = AnswerPool(threads=4)
    yield answers
    answers.drain()


def flask_client(
    env: dict[str, str], advisor: Advisor, pool: AnswerPool, store: ResilientStore | None = None
) -> FlaskClient:
    """A test client of the Flask app, its answers on the given pool (and store, if given)."""
    return create_app(settings_from(env), advisor=advisor, store=store, pool=pool).test_client()


@pytest.fixture
def web(slack_env: dict[str, str], advisor: Advisor, pool: AnswerPool) -> FlaskClient:
    """The Flask app with the rules-only advisor."""
    return flask_client(slack_env, advisor, pool)


@pytest.fixture
def model_web(slack_env: dict[str, str], model_advisor: Advisor, pool: AnswerPool) -> FlaskClient:
    """The Flask app with Claude (the Anthropic double) in front of the rules."""
    return flask_client(slack_env, model_advisor, pool)
