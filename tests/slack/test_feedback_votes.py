"""Feedback buttons over the store: one vote per user per answer, and a notice when it cannot be saved."""

import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
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
from bot.storage.store import StorageUnavailable
from tests.doubles.slack_api import SlackDouble
from tests.doubles.slack_requests import block_action, post, slash_command
from tests.postgres_server import postgres_server


class SqliteOutage(SqliteStore):
    """A real SQLite store that can be taken down: from then on its database calls fail."""

    down = False

    def schema_version(self) -> int:
        self._fail_when_down()
        return super().schema_version()

    def add_feedback(self, *args: Any, **kwargs: Any) -> None:
        self._fail_when_down()
        super().add_feedback(*args, **kwargs)

    def _fail_when_down(self) -> None:
        if self.down:
            raise StorageUnavailable("sqlite: disk I/O error")


@dataclass
class Outage:
    """A store for the app and how to take its database away."""

    backend: SqliteStore | PostgresStore
    take_down: Callable[[], None]


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.slow)])
def outage(request: pytest.FixtureRequest, slack_env: dict[str, str]) -> Iterator[Outage]:
    """SQLite failing in process; in the slow run, a real PostgreSQL server stopped."""
    if request.param == "sqlite":
        sqlite = SqliteOutage(Path(slack_env["ADVISOR_DB_PATH"]))
        yield Outage(sqlite, lambda: setattr(sqlite, "down", True))
        return
    with postgres_server() as server:
        # a stopped server refuses at once; the pool's wait for a connection is what is left
        yield Outage(PostgresStore(server.new_database(), wait_seconds=0.1), server.stop)


def _app(
    slack_env: dict[str, str], advisor: Advisor, backend: SqliteStore | PostgresStore | None = None
) -> tuple[FlaskClient, ResilientStore]:
    """The app with its store built as in production, but retries that do not sleep."""
    settings = settings_from(slack_env)
    backend = backend or SqliteStore(settings.db_path)
    store = ResilientStore(backend, fallback=LocalCounter(), sleep=lambda _: None)
    store.start(must_connect=not isinstance(backend, PostgresStore))
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
    outage: Outage,
    caplog: pytest.LogCaptureFixture,
) -> None:
    web, _ = _app(slack_env, advisor, outage.backend)
    values = _feedback_values(web, slack_api)
    outage.take_down()  # the database goes away after the answer was shown
    post(web, _click(values["down"], slack_api.response_url("fb"), "1700000000.000200"))
    notice = slack_api.wait_for("response_url/response/fb")[0].args
    assert (
        notice["text"]
        == "Sorry, your feedback could not be saved. Please click the button again in a moment."
    )
    assert notice["response_type"] == "ephemeral"
    assert notice["replace_original"] is False
    assert "feedback not saved after retries" in caplog.text


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
