"""Follow-ups in channel threads without a fresh mention, end to end through Flask and the double."""

from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient
from hypothesis import given
from hypothesis import strategies as st

from bot.advisor import Advisor
from bot.slack.follow_ups import is_follow_up
from bot.storage.sqlite import SqliteStore
from tests.doubles.slack_api import BOT_USER, SlackDouble
from tests.doubles.slack_requests import CHANNEL, USER, event, mention, post, visible
from tests.doubles.web_app import web_client

ROOT = "1700002000.000001"


def reply(text: str, ts: str, thread_ts: str = ROOT, **extra: Any) -> dict[str, Any]:
    """A person's reply in a channel thread, as message.channels delivers it."""
    message = {"type": "message", "channel": CHANNEL, "channel_type": "channel", "user": USER, "text": text}
    return message | {"ts": ts, "thread_ts": thread_ts, "team": "T0000001"} | extra


def answers_in(slack_api: SlackDouble, thread_ts: str) -> list[dict[str, Any]]:
    return [c.args for c in slack_api.named("chat.postMessage") if c.args.get("thread_ts") == thread_ts]


@pytest.fixture
def invited(web: FlaskClient, slack_api: SlackDouble) -> FlaskClient:
    """The app after someone @mentioned it in the thread at ROOT (and it answered)."""
    post(web, event(mention("We are building an API with heavy traffic", ts=ROOT)))
    slack_api.wait_for("chat.postMessage")
    return web


def test_follow_up_in_an_invited_thread_is_answered_without_a_mention(
    invited: FlaskClient, slack_api: SlackDouble
) -> None:
    post(invited, event(reply("and we need an admin panel too", ts="1700002001.000001")))
    follow_up = slack_api.wait_for("chat.postMessage", count=2)[1].args
    assert follow_up["thread_ts"] == ROOT
    assert slack_api.named("conversations.replies")[0].args["ts"] == ROOT
    statuses = [c.args["thread_ts"] for c in slack_api.named("assistant.threads.setStatus")]
    assert statuses == [ROOT, ROOT]  # "is thinking..." for the mention and for the follow-up


@pytest.mark.parametrize(
    "inner",
    [
        reply(
            "what about Flask?", ts="1700002101.000001", thread_ts="1700002100.000001"
        ),  # never asked there
        reply("<@U0OTHER01> what do you think?", ts="1700002002.000001"),  # addressed to someone else
        reply("<!here> thoughts?", ts="1700002003.000001"),
        reply("a bot talks", ts="1700002004.000001", bot_id="B0OTHER01"),
        reply("edited", ts="1700002005.000001", subtype="message_changed"),
        reply("top level", ts=ROOT),  # the thread's root itself, not a reply
    ],
)
def test_follow_up_never_answers_what_is_not_for_it(
    invited: FlaskClient, slack_api: SlackDouble, inner: dict[str, Any]
) -> None:
    post(invited, event(inner))
    # the barrier: a real follow-up posted afterwards, queued behind the one under test
    post(invited, event(reply("and an admin panel?", ts="1700002099.000001")))
    slack_api.wait_for("chat.postMessage", count=2)
    assert len(answers_in(slack_api, ROOT)) == 2
    assert answers_in(slack_api, "1700002100.000001") == []
    assert len(slack_api.named("chat.postMessage")) == 2


@pytest.mark.usefixtures("invited")
def test_follow_up_is_remembered_across_restarts(
    slack_env: dict[str, str], advisor: Advisor, slack_api: SlackDouble
) -> None:
    restarted = web_client(slack_env, advisor)  # a new process's app over the same store
    post(restarted, event(reply("and for an admin panel?", ts="1700002001.000001")))
    assert slack_api.wait_for("chat.postMessage", count=2)[1].args["thread_ts"] == ROOT
    assert SqliteStore(Path(slack_env["ADVISOR_DB_PATH"])).invited(CHANNEL, ROOT)


def test_follow_up_can_be_switched_off(
    slack_env: dict[str, str], advisor: Advisor, slack_api: SlackDouble
) -> None:
    web = web_client(slack_env | {"ADVISOR_THREAD_FOLLOW_UPS": "false"}, advisor)
    post(web, event(mention("We are building an API with heavy traffic", ts=ROOT)))
    slack_api.wait_for("chat.postMessage")
    post(web, event(reply("does Flask support async?", ts="1700002001.000001")))
    post(web, event(mention("and we need an admin panel too", ts="1700002002.000001", thread_ts=ROOT)))
    second = slack_api.wait_for("chat.postMessage", count=2)[1].args
    assert "admin" in visible(second["blocks"])  # the mention (the barrier), not the reply
    assert len(slack_api.named("chat.postMessage")) == 2


def test_follow_up_retried_event_is_answered_once(invited: FlaskClient, slack_api: SlackDouble) -> None:
    payload = event(reply("and an admin panel?", ts="1700002001.000001"), event_id="EvFOLLOW01")
    post(invited, payload)
    post(invited, payload, **{"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"})
    post(invited, event(reply("and async?", ts="1700002002.000001")))  # barrier
    slack_api.wait_for("chat.postMessage", count=3)
    assert len(answers_in(slack_api, ROOT)) == 3


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({}, True),
        ({"channel_type": "group"}, True),
        ({"channel_type": "mpim"}, True),
        ({"subtype": "thread_broadcast"}, True),
        ({"channel_type": "im"}, False),
        ({"user": BOT_USER}, False),
        ({"text": f"<@{BOT_USER}> again"}, False),  # app_mention answers it
        ({"text": "ask <!subteam^S123> instead"}, False),
        ({"text": "   "}, False),
        ({"thread_ts": None}, False),
    ],
)
def test_follow_up_is_follow_up(changes: dict[str, Any], expected: bool) -> None:
    message = {
        k: v for k, v in (reply("and async?", ts="1700002001.000001") | changes).items() if v is not None
    }
    assert is_follow_up(message, {BOT_USER}) is expected


@given(
    st.dictionaries(
        st.sampled_from(["channel_type", "user", "text", "ts", "thread_ts", "subtype", "bot_id", "channel"]),
        st.one_of(st.none(), st.text(max_size=20), st.integers()),
    )
)
def test_follow_up_is_follow_up_never_raises(message: dict[str, Any]) -> None:
    assert is_follow_up(message, {BOT_USER}) in (True, False)
