"""Follow-ups in channel threads without a fresh mention, end to end through Flask and the double."""

from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient
from hypothesis import given
from hypothesis import strategies as st

from bot.advisor import Advisor
from bot.core.knowledge import Knowledge
from bot.settings import settings_from
from bot.slack.answer_pool import AnswerPool
from bot.slack.follow_ups import is_follow_up
from bot.slack.web import create_app
from bot.storage.sqlite import SqliteStore
from tests.doubles.slack_api import BOT_USER, SlackDouble
from tests.doubles.slack_requests import CHANNEL, USER, event, mention, post
from tests.doubles.web_app import web_client

ROOT = "1700002000.000001"
TEAMMATE = "U0TEAMMATE1"  # in the thread, never asked the advisor


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
        reply("<@U0OTHER01> and an admin panel?", ts="1700002002.000001"),  # addressed to someone else
        reply("<!here> and an admin panel?", ts="1700002003.000001"),
        reply("and an admin panel?", ts="1700002004.000001", bot_id="B0OTHER01"),
        reply("and an admin panel?", ts="1700002005.000001", subtype="message_changed"),
        reply("and an admin panel?", ts=ROOT),  # the thread's root itself, not a reply
        reply("and what about Flask?", ts="1700002006.000001", user=TEAMMATE),  # never asked it
        reply("thanks, makes sense", ts="1700002007.000001", user=TEAMMATE),
        reply("thanks, makes sense", ts="1700002008.000001"),  # the asker, but not a question for it
        reply("and an admin \x07 panel?", ts="1700002009.000001"),  # invalid: no public refusal
        reply("Thanks!", ts="1700002010.000001"),  # small talk: no greeting back in the thread
        reply("thank you!", ts="1700002011.000001"),
        reply("Thanks \U0001f64f", ts="1700002012.000001"),
        reply("hi", ts="1700002013.000001"),
        reply("hello!", ts="1700002014.000001"),
        reply("help", ts="1700002015.000001"),
    ],
)  # each would be answered (a fair question from the asker) but for the one thing that differs
def test_follow_up_never_answers_what_is_not_for_it(
    invited: FlaskClient, slack_api: SlackDouble, pool: AnswerPool, inner: dict[str, Any]
) -> None:
    before = len(slack_api.named("chat.postMessage"))
    post(invited, event(inner))
    pool.drain()
    assert len(slack_api.named("chat.postMessage")) == before
    assert slack_api.named("chat.update") == []


def test_follow_up_small_talk_with_a_mention_still_gets_the_greeting(
    invited: FlaskClient, slack_api: SlackDouble, pool: AnswerPool, knowledge: Knowledge
) -> None:
    post(invited, event(mention("hi", ts="1700002001.000001", thread_ts=ROOT)))
    pool.drain()
    greeting = answers_in(slack_api, ROOT)[1]
    assert knowledge.responses.greeting.text.split("\n")[0][:40] in greeting["text"]


def test_follow_up_out_of_scope_clears_the_thinking_status(
    invited: FlaskClient, slack_api: SlackDouble, pool: AnswerPool
) -> None:
    post(invited, event(reply("thanks, makes sense", ts="1700002001.000001")))
    pool.drain()
    statuses = [c.args["status"] for c in slack_api.named("assistant.threads.setStatus")]
    assert statuses[1:] == [statuses[0], ""]


def test_follow_up_from_a_second_asker_is_answered(invited: FlaskClient, slack_api: SlackDouble) -> None:
    teammate_asks = mention("and we need an admin panel too", ts="1700002001.000001", thread_ts=ROOT)
    post(invited, event(teammate_asks | {"user": TEAMMATE}))
    slack_api.wait_for("chat.postMessage", count=2)  # answered, so the teammate is now an asker
    post(invited, event(reply("does Flask support async?", ts="1700002002.000001", user=TEAMMATE)))
    answers = slack_api.wait_for("chat.postMessage", count=3)
    assert [a.args["thread_ts"] for a in answers] == [ROOT, ROOT, ROOT]


@pytest.mark.usefixtures("invited")
def test_follow_up_is_remembered_across_restarts(
    slack_env: dict[str, str], advisor: Advisor, slack_api: SlackDouble
) -> None:
    restarted_pool = AnswerPool(threads=2)
    restarted = web_client(slack_env, advisor, restarted_pool)  # a new process's app over the same store
    post(restarted, event(reply("and for an admin panel?", ts="1700002001.000001")))
    restarted_pool.drain()
    assert [a.args["thread_ts"] for a in slack_api.named("chat.postMessage")] == [ROOT, ROOT]
    assert SqliteStore(Path(slack_env["ADVISOR_DB_PATH"])).invited(CHANNEL, ROOT, USER)


def test_follow_up_can_be_switched_off(
    slack_env: dict[str, str], advisor: Advisor, slack_api: SlackDouble, pool: AnswerPool
) -> None:
    settings = settings_from(slack_env | {"ADVISOR_THREAD_FOLLOW_UPS": "false"})
    web = create_app(settings, advisor=advisor, pool=pool).test_client()
    post(web, event(mention("We are building an API with heavy traffic", ts=ROOT)))
    slack_api.wait_for("chat.postMessage")
    post(web, event(reply("does Flask support async?", ts="1700002001.000001")))
    pool.drain()
    assert len(slack_api.named("chat.postMessage")) == 1


def test_follow_up_retried_event_is_answered_once(
    invited: FlaskClient, slack_api: SlackDouble, pool: AnswerPool
) -> None:
    payload = event(reply("and an admin panel?", ts="1700002001.000001"), event_id="EvFOLLOW01")
    post(invited, payload)
    post(invited, payload, **{"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"})
    pool.drain()
    assert len(answers_in(slack_api, ROOT)) == 2  # the mention's answer and one follow-up


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
