"""The agent messaging experience end to end: the Messages tab, DM threads, titles, mention status."""

import json
from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient
from hypothesis import given
from hypothesis import strategies as st

from bot.core.knowledge import Knowledge
from bot.slack.agent_view import TITLE_CHARS, thread_title
from bot.slack.answer_pool import AnswerPool
from tests.doubles.anthropic_api import AnthropicDouble
from tests.doubles.slack_api import BOT_ID, BOT_USER, Fault, SlackDouble
from tests.doubles.slack_requests import CHANNEL, DM, USER, dm, event, home_opened, mention, post, visible


def test_agent_view_messages_tab_opened_sets_prompts_at_the_top(
    web: FlaskClient, slack_api: SlackDouble, knowledge: Knowledge
) -> None:
    post(web, event(home_opened(tab="messages")))
    call = slack_api.wait_for("assistant.threads.setSuggestedPrompts")[0].args
    prompts = call["prompts"] if isinstance(call["prompts"], list) else json.loads(call["prompts"])
    assert call["channel_id"] == DM
    assert "thread_ts" not in call  # with one, Slack silently drops them under agent_view
    assert [p["title"] for p in prompts] == [p.title for p in knowledge.responses.slack.suggested_prompts]


def test_agent_view_top_level_dm_is_a_thread_root_with_a_title(
    web: FlaskClient, slack_api: SlackDouble
) -> None:
    question = "Which framework for a REST API that calls an LLM and must handle heavy traffic at launch?"
    post(web, event(dm(question, ts="1700003000.000001")))
    answer = slack_api.wait_for("chat.postMessage")[0].args
    title = slack_api.named("assistant.threads.setTitle")[0].args
    assert answer["channel"] == DM
    assert answer["thread_ts"] == "1700003000.000001"
    assert title["channel_id"] == DM
    assert title["thread_ts"] == "1700003000.000001"
    assert title["title"] == "Which framework for a REST API that calls an LLM and must…"
    assert slack_api.named("conversations.replies") == []  # a new thread has no history


@pytest.mark.parametrize(
    "send",
    [
        lambda text: dm(text, ts="1700003000.000001"),
        lambda text: mention(f"<@{BOT_USER}> {text}", ts="1700003000.000001"),
    ],
    ids=["dm", "mention"],
)
def test_agent_view_question_reaches_the_advisor_as_typed(
    model_web: FlaskClient,
    slack_api: SlackDouble,
    anthropic_api: AnthropicDouble,
    pool: AnswerPool,
    send: Callable[[str], dict[str, Any]],
) -> None:
    slack = "Django &amp; Flask &lt;3 <@U0ANA0001|ana> per <https://example.com/a?b&amp;c|the docs>?"
    post(model_web, event(send(slack)))
    pool.drain()
    asked = json.dumps(anthropic_api.requests[-1].body["messages"], ensure_ascii=False)
    assert "Django & Flask <3 per the docs?" in asked
    for markup in ("&amp;", "&lt;", "<@", "<https"):
        assert markup not in asked
    titles = [c.args["title"] for c in slack_api.named("assistant.threads.setTitle")]
    assert titles in ([], ["Django & Flask <3 per the docs?"])  # DMs have titles, channels none


def test_agent_view_reply_in_a_dm_thread_continues_it(web: FlaskClient, slack_api: SlackDouble) -> None:
    slack_api.threads[(DM, "1700003000.000001")] = [
        {"user": USER, "text": "We are building an API with heavy traffic", "ts": "1700003000.000001"},
        {"bot_id": BOT_ID, "user": BOT_USER, "text": "Recommendation: FastAPI", "ts": "1700003001.000001"},
        {"user": USER, "text": "and we need an admin panel too", "ts": "1700003002.000001"},
    ]
    post(
        web,
        event(dm("and we need an admin panel too", ts="1700003002.000001", thread_ts="1700003000.000001")),
    )
    answer = slack_api.wait_for("chat.postMessage")[0].args
    assert answer["thread_ts"] == "1700003000.000001"
    assert "Django + FastAPI" in visible(answer["blocks"])
    assert slack_api.named("assistant.threads.setTitle") == []  # the thread was named when it started


def test_agent_view_title_refused_still_answers(web: FlaskClient, slack_api: SlackDouble) -> None:
    slack_api.fail("assistant.threads.setTitle", Fault(error="not_allowed"))
    post(web, event(dm("Django or Flask for a blog?", ts="1700003100.000001")))
    assert "*Recommendation: Django*" in visible(slack_api.wait_for("chat.postMessage")[0].args["blocks"])


def test_agent_view_mention_shows_thinking_in_the_channel_thread(
    web: FlaskClient, slack_api: SlackDouble
) -> None:
    post(web, event(mention("Django or Flask for a blog?", ts="1700003200.000001")))
    slack_api.wait_for("chat.postMessage")
    status = slack_api.named("assistant.threads.setStatus")[0].args
    assert status["channel_id"] == CHANNEL
    assert status["thread_ts"] == "1700003200.000001"
    assert status["status"] == "is thinking..."
    assert slack_api.named("assistant.threads.setTitle") == []  # channel threads have no title


@given(st.text(max_size=500))
def test_agent_view_thread_title_is_one_short_line(question: str) -> None:
    title = thread_title(question, "…")
    assert len(title) <= TITLE_CHARS + 1
    assert "\n" not in title
    assert title == title.strip()
    assert bool(title) == bool(question.strip())


def test_agent_view_thread_title_keeps_short_questions_whole() -> None:
    assert thread_title("  Django or\nFlask?  ", "…") == "Django or Flask?"
    assert thread_title("x" * 100, "…") == "x" * TITLE_CHARS + "…"
