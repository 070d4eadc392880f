"""The App Home tab end to end: signed requests through Flask against the Slack double."""

import json
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient
from hypothesis import given
from hypothesis import strategies as st

from bot.core.knowledge import Knowledge
from bot.slack.agent_view import asked_question
from bot.slack.answer_pool import AnswerPool
from bot.slack.home import HOME_ASK_ACTION, example_for
from bot.storage.sqlite import SqliteStore
from tests.doubles.slack_api import BOT_ID, BOT_USER, SlackDouble
from tests.doubles.slack_requests import USER, dm, event, home_opened, post, view_action, visible


def _published(slack_api: SlackDouble) -> dict[str, Any]:
    args = slack_api.wait_for("views.publish")[0].args
    view = args["view"]
    assert args["user_id"] == USER
    return json.loads(view) if isinstance(view, str) else dict(view)


def test_home_tab_shows_about_examples_and_how_answers_are_made(
    web: FlaskClient, slack_api: SlackDouble, knowledge: Knowledge
) -> None:
    assert post(web, event(home_opened())).status_code == 200
    view = _published(slack_api)
    home = knowledge.responses.slack.home
    shown = visible(view["blocks"])
    assert view["type"] == "home"
    assert home.about in shown
    assert "no Claude key is configured" in shown
    assert f"{len(knowledge.sections)} sections about Django, Flask and FastAPI" in shown
    assert home.feedback_none in shown
    buttons = [b["accessory"] for b in view["blocks"] if "accessory" in b]
    assert [b["action_id"] for b in buttons] == [HOME_ASK_ACTION] * len(
        knowledge.responses.slack.suggested_prompts
    )
    for prompt in knowledge.responses.slack.suggested_prompts:
        assert prompt.message in shown


def test_home_tab_with_a_model_says_claude_answers(model_web: FlaskClient, slack_api: SlackDouble) -> None:
    post(model_web, event(home_opened()))
    shown = visible(_published(slack_api)["blocks"])
    assert "Claude answers, grounded on the advisor's own knowledge base" in shown


def test_home_tab_summarises_feedback_by_answer_mode(
    web: FlaskClient, slack_api: SlackDouble, slack_env: dict[str, str]
) -> None:
    store = SqliteStore(Path(slack_env["ADVISOR_DB_PATH"]))
    for index, (positive, mode) in enumerate(
        [
            (True, "llm"),
            (True, "llm"),
            (False, "llm"),
            (False, "rules"),
            (True, "odd<!here>"),
        ]
    ):
        store.add_feedback(f"U{index}", positive, {"q": "q", "m": mode, "s": []})  # one vote each
    post(web, event(home_opened()))
    shown = visible(_published(slack_api)["blocks"])
    assert "Claude: 2 helpful, 1 not helpful" in shown
    assert "Built-in rules: 0 helpful, 1 not helpful" in shown
    assert "odd" not in shown  # only known modes are shown


def test_home_tab_opening_the_messages_tab_publishes_nothing(
    web: FlaskClient, slack_api: SlackDouble
) -> None:
    post(web, event(home_opened(tab="messages")))
    slack_api.wait_for("assistant.threads.setSuggestedPrompts")
    assert slack_api.named("views.publish") == []


def test_home_button_asks_in_the_messages_tab_and_answers_in_its_thread(
    web: FlaskClient, slack_api: SlackDouble, knowledge: Knowledge
) -> None:
    prompt = knowledge.responses.slack.suggested_prompts[2]
    assert post(web, view_action(HOME_ASK_ACTION, "2")).status_code == 200
    question, answer = slack_api.wait_for("chat.postMessage", count=2)
    assert question.args["channel"] == USER
    assert question.args["text"] == f"You asked from the Home tab: {prompt.message}"
    assert question.reply is not None
    assert answer.args["channel"] == question.reply["channel"] == "D" + USER[1:]
    assert answer.args["thread_ts"] == question.reply["ts"]
    assert "*Recommendation:" in visible(answer.args["blocks"])
    assert slack_api.named("assistant.threads.setStatus")[0].args["thread_ts"] == question.reply["ts"]


@pytest.mark.parametrize(
    ("first", "second", "asked"),
    [
        ("1700000000.100000", "1700000000.400000", 1),  # a double click asks once
        ("1700000004.900000", "1700000005.200000", 1),  # ... also across a time slot's edge
        ("1700000005.200000", "1700000004.900000", 1),  # ... and run by the pool out of order
        ("1700000000.100000", "1700000060.100000", 2),  # a minute later it is a new question
    ],
)
def test_home_button_double_click_asks_once(
    web: FlaskClient, slack_api: SlackDouble, pool: AnswerPool, first: str, second: str, asked: int
) -> None:
    for clicked in (first, second):
        assert post(web, view_action(HOME_ASK_ACTION, "2", action_ts=clicked)).status_code == 200
    pool.drain()
    questions = [c for c in slack_api.named("chat.postMessage") if c.args["channel"] == USER]
    assert len(questions) == asked
    assert len(slack_api.named("chat.postMessage")) == 2 * asked  # each question, and its answer


def test_home_button_without_a_click_time_still_asks(
    web: FlaskClient, slack_api: SlackDouble, pool: AnswerPool
) -> None:
    for _ in range(2):  # no usable action_ts: nothing to tell a double click by, so never lose one
        post(web, view_action(HOME_ASK_ACTION, "2", action_ts="nan"))
    pool.drain()
    assert len(slack_api.named("chat.postMessage")) == 4


@pytest.mark.parametrize("value", ["99", "<!channel>", "-1", "0x1", "", "\uff11"])
def test_home_button_with_a_forged_value_asks_nothing(
    web: FlaskClient, slack_api: SlackDouble, pool: AnswerPool, value: str
) -> None:
    assert post(web, view_action(HOME_ASK_ACTION, value)).status_code == 200
    pool.drain()
    assert slack_api.named("chat.postMessage") == []


@given(st.text(max_size=50))
def test_home_example_for_any_value_is_none_or_a_known_prompt(knowledge: Knowledge, value: str) -> None:
    prompts = knowledge.responses.slack.suggested_prompts
    found = example_for(value, prompts)
    assert found is None or found in prompts
    if value.isascii() and value.isdigit() and int(value) < len(prompts) and len(value) <= 3:
        assert found == prompts[int(value)]


@pytest.mark.parametrize("user", [None, ""])
def test_home_tab_opened_without_a_user_publishes_nothing(
    web: FlaskClient, slack_api: SlackDouble, pool: AnswerPool, user: object
) -> None:
    opened = {"type": "app_home_opened", "tab": "home", "event_ts": "1700000800.000001", "user": user}
    assert post(web, event({k: v for k, v in opened.items() if v is not None})).status_code == 200
    pool.drain()
    assert slack_api.named("views.publish") == []


@pytest.mark.parametrize("tab", ["about", "settings", None])
def test_home_tab_opening_another_tab_is_acknowledged_and_does_nothing(
    web: FlaskClient, slack_api: SlackDouble, pool: AnswerPool, tab: str | None
) -> None:
    opened = {k: v for k, v in home_opened(tab="").items() if k != "tab"} | ({"tab": tab} if tab else {})
    assert post(web, event(opened)).status_code == 200  # not 404: Slack would retry it
    pool.drain()
    assert [c.method for c in slack_api.calls if c.method != "auth.test"] == []


def test_home_button_follow_up_counts_the_question_as_the_person_s(
    web: FlaskClient, slack_api: SlackDouble
) -> None:
    post(web, view_action(HOME_ASK_ACTION, "0"))  # "Which framework for a REST API that calls an LLM..."
    question, _ = slack_api.wait_for("chat.postMessage", count=2)
    assert question.reply is not None
    channel, root = question.reply["channel"], question.reply["ts"]
    slack_api.threads[(channel, root)] = [
        {"bot_id": BOT_ID, "user": BOT_USER, "text": question.args["text"], "ts": root},
        {"bot_id": BOT_ID, "user": BOT_USER, "text": "Recommendation: FastAPI", "ts": "1700004001.000001"},
        {"user": USER, "text": "and we need an admin panel too", "ts": "1700004002.000001"},
    ]
    post(
        web,
        event(dm("and we need an admin panel too", ts="1700004002.000001", thread_ts=root, channel=channel)),
    )
    follow_up = slack_api.wait_for("chat.postMessage", count=3)[2].args
    assert follow_up["thread_ts"] == root
    assert "Django + FastAPI" in visible(follow_up["blocks"])  # the LLM-API need came from the question


@given(st.text(max_size=200))
def test_home_asked_question_reads_back_what_was_asked(question: str) -> None:
    template = "You asked from the Home tab: {question}"
    found = asked_question(template, template.format(question=question))
    assert found == (question.strip() or None)
    if not question.startswith("You asked from the Home tab: "):
        assert asked_question(template, question) is None  # anything else is not a Home tab question
