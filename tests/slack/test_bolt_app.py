"""The Bolt app's acknowledgements: no Slack API call, database write or thread on their path."""

import sqlite3
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.advisor import Advisor
from bot.slack.answer_pool import AnswerPool
from tests.doubles.slack_api import SlackDouble
from tests.doubles.slack_requests import block_action, dm, event, mention, post, slash_command
from tests.procfile_runner import free_port
from tests.slack.conftest import flask_client

Payload = Callable[[str], tuple[bytes, str]]


class HeldGate:
    """Holds every answer job until released, so a test can look at what an ack alone did."""

    def __init__(self) -> None:
        self.released = threading.Event()

    def hold(self, _queued_at: float) -> float:
        return 0.0 if self.released.is_set() else 0.01


def _rows(db: Path, table: str) -> int:
    with sqlite3.connect(db) as connection:
        return int(connection.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0])


@pytest.mark.parametrize(
    "payload",
    [
        lambda url: slash_command("Django or Flask for a blog?", url),
        lambda _url: event(dm("Django or Flask for a blog?")),
        lambda _url: event(mention("Django or Flask for a blog?")),
        lambda url: block_action("share_answer", "no-such-share", url),
        lambda url: block_action("answer_feedback", 'up:{"q":"x","m":"rules","s":[]}', url),
    ],
    ids=["command", "dm", "mention", "share", "feedback"],
)
def test_bolt_app_ack_makes_no_slack_call_and_no_database_write(
    slack_env: dict[str, str], advisor: Advisor, slack_api: SlackDouble, payload: Payload
) -> None:
    gate = HeldGate()
    pool = AnswerPool(threads=2, gate=gate)
    web = flask_client(slack_env, advisor, pool)
    slack_api.wait_for("auth.test")  # learnt once at boot, in the background
    before = len(slack_api.calls)
    response = post(web, payload(slack_api.response_url()))
    assert response.status_code == 200
    assert slack_api.methods()[before:] == []  # nothing reached Slack while the ack was made
    db = Path(slack_env["ADVISOR_DB_PATH"])
    assert (_rows(db, "seen"), _rows(db, "shares"), _rows(db, "feedback")) == (0, 0, 0)
    gate.released.set()
    pool.drain()
    assert len(slack_api.calls) > before or _rows(db, "feedback") == 1  # the job ran once let go


def test_bolt_app_ack_does_not_wait_for_a_hung_slack_api(
    slack_env: dict[str, str], advisor: Advisor, slack_api: SlackDouble, pool: AnswerPool
) -> None:
    slack_api.hold()  # every Web API call hangs until released, auth.test at boot included
    web = flask_client(slack_env, advisor, pool)
    response = post(web, slash_command("Django or Flask for a blog?", slack_api.response_url()))
    assert response.status_code == 200
    assert response.get_json()["text"] == "Thinking about your question..."
    assert slack_api.calls == []  # acknowledged while no Slack call could finish
    slack_api.release()
    pool.drain()
    assert slack_api.named("response_url/response/cmd")  # and answered once Slack replied


def test_bolt_app_acks_when_the_slack_api_refuses_connections(
    slack_env: dict[str, str], advisor: Advisor, slack_api: SlackDouble, pool: AnswerPool
) -> None:
    refused = slack_env | {"SLACK_API_URL": f"http://127.0.0.1:{free_port()}/api"}
    web = flask_client(refused, advisor, pool)
    started = time.monotonic()
    command = post(web, slash_command("Django or Flask for a blog?", slack_api.response_url()))
    message = post(web, event(dm("Django or Flask for a blog?")))
    assert (command.status_code, message.status_code) == (200, 200)
    assert command.get_json()["text"] == "Thinking about your question..."
    assert time.monotonic() - started < 1.0
    pool.drain()
    reply = slack_api.named("response_url/response/cmd")[0].args  # response_url still works
    assert "Recommendation: Django" in str(reply["blocks"])
