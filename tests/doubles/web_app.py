"""The Flask app under test, built from an environment and an advisor."""

from typing import TYPE_CHECKING

from bot.advisor import Advisor

if TYPE_CHECKING:
    from flask.testing import FlaskClient


def web_client(env: dict[str, str], advisor: Advisor) -> "FlaskClient":
    """A test client of the Flask app built from the given environment and advisor."""
    from bot.settings import settings_from
    from bot.slack.web import create_app

    return create_app(settings_from(env), advisor=advisor).test_client()
