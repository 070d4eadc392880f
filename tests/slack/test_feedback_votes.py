"""Feedback buttons over the store: one vote per user per answer, and a notice when it cannot be saved."""

import json
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlencode

import pytest
from flask.testing import FlaskClient
from hypothesis import given
from hypothesis import strategies as st

from bot.advisor import Advisor
from bot.claude.limits import LocalCounter
from bot.settings import settings_from
from bot.slack.answering import voted_answer
from bot.slack.rendering import FEEDBACK_ACTION
from bot.slack.web import create_app
from bot.storage.postgres import PostgresStore
from bot.storage.resilient import ResilientStore
from bot.storage.sqlite import SqliteStore
from tests.doubles.slack_api import SlackDouble
from tests.doubles.slack_requests import block_action, post, slash_command
from tests.postgres_server import PostgresServer, postgres_server


@pytest.fixture(scope="module")
def server() -> Iterator[PostgresServer]:
    """A PostgreSQL of this module's own: one test stops it."""
    with postgres_server() as running:
        yield running


def _app(
    slack_env: dict[str, str], advisor: Advisor, url: str | None = None
) -> tuple[FlaskClient, ResilientStore]:
    """The app with its store built as in production, but retries that do not sleep and a short wait
    for a pooled connection (a stopped database refuses at once; the pool's wait is what is left)."""
    settings = settings_from(slack_env)
    backend = PostgresStore(url, wait_seconds=0.1) if url else SqliteStore(settings.db_path)
    store = ResilientStore(backend, fallback=LocalCounter(), sleep=lambda _: None)
    store.start(must_connect=url is None)
    return create_app(settings, advisor=advisor, store=store).test_client(), store


def _feedback_values(web: FlaskClient, slack_api: SlackDouble) -> dict[str, str]:
    """Ask once; the values of the answer's thumbs up and down."""
    post(web, slash_command("Which framework for an LLM API?", slack_api.response_url()))
    blocks = slack_api.wait_for("response_url/response/cmd")[0].args["blocks"]
    buttons = next(b for b in blocks if b["type"] == "context_actions")["elements"][0]
    return {"up": buttons["positive_button"]["value"], "down": buttons["negative_button"]["value"]}


def _click(value: str, response_url: str, message_ts: str, user: str = "U0USER001") -> tuple[bytes, str]:
    """A click on a feedback button of the message at message_ts, as Slack sends it."""
    body, kind = block_action(FEEDBACK_ACTION, value, response_url)
    payload: dict[str, Any] = json.loads(parse_qs(body.decode())["payload"][0])
    payload["container"]["message_ts"] = message_ts
    payload["user"]["id"] = user
    return urlencode({"payload": json.dumps(payload)}).encode(), kind


def _wait_for_total(store: ResilientStore, total: int) -> None:
    deadline = time.monotonic() + 5
    while store.feedback_summary().total < total and time.monotonic() < deadline:
        time.sleep(0.02)


def test_feedback_votes_second_click_changes_the_vote(
    slack_env: dict[str, str], advisor: Advisor, slack_api: SlackDouble
) -> None:
    web, store = _app(slack_env, advisor)
    values = _feedback_values(web, slack_api)
    post(web, _click(values["up"], slack_api.response_url("fb"), "1700000000.000100"))
    _wait_for_total(store, 1)
    post(web, _click(values["down"], slack_api.response_url("fb"), "1700000000.000100"))
    post(web, _click(values["up"], slack_api.response_url("fb"), "1700000000.000100", user="U0OTHER01"))
    post(
        web, _click(values["up"], slack_api.response_url("fb"), "1700000000.000300")
    )  # same text, another answer
    _wait_for_total(store, 3)
    deadline = time.monotonic() + 5
    while store.feedback_summary().positive != 2 and time.monotonic() < deadline:
        time.sleep(0.02)
    summary = store.feedback_summary()
    assert (summary.total, summary.positive) == (3, 2)  # one vote per user per answer; the first changed


def test_feedback_votes_not_saved_tells_the_user(
    slack_env: dict[str, str],
    advisor: Advisor,
    slack_api: SlackDouble,
    server: PostgresServer,
    caplog: pytest.LogCaptureFixture,
) -> None:
    web, _ = _app(slack_env, advisor, server.new_database())
    values = _feedback_values(web, slack_api)
    server.stop()  # the database goes away after the answer was shown
    post(web, _click(values["down"], slack_api.response_url("fb"), "1700000000.000200"))
    notice = slack_api.wait_for("response_url/response/fb")[0].args
    assert (
        notice["text"]
        == "Sorry, your feedback could not be saved. Please click the button again in a moment."
    )
    assert notice["response_type"] == "ephemeral"
    assert notice["replace_original"] is False
    assert "feedback not saved after retries" in caplog.text
    server.start()


@given(
    st.dictionaries(
        st.sampled_from(["container", "message", "channel", "user"]),
        st.none()
        | st.text(max_size=20)
        | st.integers()
        | st.dictionaries(
            st.sampled_from(["message_ts", "channel_id", "ts", "id"]), st.text(max_size=20) | st.integers()
        ),
    )
)
def test_feedback_votes_voted_answer_of_any_payload_is_text_or_none(body: dict[str, Any]) -> None:
    found = voted_answer(body)
    assert found is None or (isinstance(found, str) and ":" in found)
