"""The "Ask Framework Advisor" message shortcut end to end, signed, through Flask."""

import pytest
from flask.testing import FlaskClient
from hypothesis import given
from hypothesis import strategies as st

from bot.core.knowledge import Knowledge
from bot.slack.answer_pool import AnswerPool
from bot.slack.shortcut import question_text
from tests.doubles.slack_api import BOT_ID, BOT_USER, Fault, SlackDouble
from tests.doubles.slack_requests import CHANNEL, USER, message_shortcut, post, visible


def test_shortcut_answers_in_the_message_s_thread(web: FlaskClient, slack_api: SlackDouble) -> None:
    payload = message_shortcut("Should we use Django for our admin-heavy web app?", slack_api.response_url())
    response = post(web, payload)
    assert response.status_code == 200
    credit, answer = slack_api.wait_for("chat.postMessage", count=2)
    assert credit.args["channel"] == answer.args["channel"] == CHANNEL
    assert credit.args["thread_ts"] == answer.args["thread_ts"] == "1700001000.000001"
    assert credit.args["text"] == f"<@{USER}> asked me about this message:"
    assert "*Recommendation: Django*" in visible(answer.args["blocks"])
    assert slack_api.named("assistant.threads.setStatus")[0].args["thread_ts"] == "1700001000.000001"
    probe = slack_api.named("conversations.replies")  # the membership check; no history to read
    assert [int(c.args["limit"]) for c in probe] == [1]
    assert slack_api.named("response_url/response/cmd") == []


def test_shortcut_in_a_channel_it_has_not_joined_answers_and_asks_to_be_invited(
    web: FlaskClient, slack_api: SlackDouble, knowledge: Knowledge
) -> None:
    slack_api.not_joined.add(CHANNEL)
    post(web, message_shortcut("Should we use Django for our admin-heavy web app?", slack_api.response_url()))
    credit, answer = slack_api.wait_for("chat.postMessage", count=2)
    invite = knowledge.responses.slack.shortcut.invite_me
    assert credit.args["text"] == f"<@{USER}> asked me about this message:\n{invite}"
    assert answer.args["thread_ts"] == "1700001000.000001"
    assert "*Recommendation: Django*" in visible(answer.args["blocks"])


def test_shortcut_on_a_reply_answers_in_its_thread_and_reads_it(
    web: FlaskClient, slack_api: SlackDouble
) -> None:
    slack_api.threads[(CHANNEL, "1700001000.000001")] = [
        {
            "user": "U0TEAMMATE",
            "text": "We are building an API with heavy traffic",
            "ts": "1700001000.000001",
        },
        {"user": "U0TEAMMATE", "text": "and it needs an admin panel", "ts": "1700001001.000001"},
    ]
    payload = message_shortcut(
        "and it needs an admin panel",
        slack_api.response_url(),
        ts="1700001001.000001",
        thread_ts="1700001000.000001",
    )
    post(web, payload)
    answer = slack_api.wait_for("chat.postMessage", count=2)[1].args
    assert answer["thread_ts"] == "1700001000.000001"
    assert slack_api.named("conversations.replies")[0].args["ts"] == "1700001000.000001"
    assert "Django + FastAPI" in visible(answer["blocks"])


@pytest.mark.parametrize("error", ["channel_not_found", "not_in_channel", "is_archived"])
def test_shortcut_where_the_bot_cannot_post_answers_privately(
    web: FlaskClient, slack_api: SlackDouble, error: str
) -> None:
    slack_api.fail("chat.postMessage", Fault(error=error))
    post(web, message_shortcut("Django or Flask for a blog?", slack_api.response_url(), channel="G0PRIVATE1"))
    reply = slack_api.wait_for("response_url/response/cmd")[0].args
    assert reply["response_type"] == "ephemeral"
    assert (
        reply["blocks"][0]["elements"][0]["text"]
        == "I can't post in this conversation, so only you can see this answer."
    )
    assert "*Recommendation: Django*" in visible(reply["blocks"])
    assert len(slack_api.named("chat.postMessage")) == 1  # only the refused attempt
    assert slack_api.named("chat.startStream") == []


def test_shortcut_used_twice_on_a_message_answers_once(
    web: FlaskClient, slack_api: SlackDouble, pool: AnswerPool, knowledge: Knowledge
) -> None:
    for name in ("first", "second"):  # a double click, or a second try: two trigger ids, one message
        post(web, message_shortcut("Django or Flask for a blog?", slack_api.response_url(name)))
    pool.drain()
    credit, answer = slack_api.named("chat.postMessage")  # one credit, one answer
    assert credit.args["text"] == f"<@{USER}> asked me about this message:"
    assert answer.args["thread_ts"] == "1700001000.000001"
    notices = slack_api.named("response_url/response/first") + slack_api.named("response_url/response/second")
    assert [n.args["text"] for n in notices] == [knowledge.responses.slack.shortcut.repeated]


@pytest.mark.parametrize("author", [{"user": BOT_USER, "bot_id": BOT_ID}, {"bot_id": BOT_ID}])
def test_shortcut_on_its_own_answer_explains_privately(
    web: FlaskClient, slack_api: SlackDouble, pool: AnswerPool, knowledge: Knowledge, author: dict[str, str]
) -> None:
    payload = message_shortcut(
        "*Recommendation: Django*\nPick Django.", slack_api.response_url(), author=author
    )
    post(web, payload)
    pool.drain()
    assert slack_api.named("chat.postMessage") == []
    assert slack_api.named("chat.startStream") == []
    reply = slack_api.named("response_url/response/cmd")[0].args
    assert reply["response_type"] == "ephemeral"
    assert reply["text"] == knowledge.responses.slack.shortcut.own_answer


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (None, "That message has no text for me to answer."),
        ("   ", "That message has no text for me to answer."),
        ("a\x1b[31m question", "control characters"),
    ],
)
def test_shortcut_on_a_message_it_cannot_ask_says_why_privately(
    web: FlaskClient, slack_api: SlackDouble, text: str | None, expected: str
) -> None:
    post(web, message_shortcut(text, slack_api.response_url()))
    reply = slack_api.wait_for("response_url/response/cmd")[0].args
    assert reply["response_type"] == "ephemeral"
    assert expected in reply["text"]
    assert slack_api.named("chat.postMessage") == []


def test_shortcut_on_a_message_with_pings_never_pings(web: FlaskClient, slack_api: SlackDouble) -> None:
    post(
        web,
        message_shortcut(
            f"<!channel> <@{BOT_USER}> Django or Flask for a blog? <!here>", slack_api.response_url()
        ),
    )
    answer = slack_api.wait_for("chat.postMessage", count=2)[1].args
    shown = visible(answer["blocks"]) + answer["text"]
    assert "<!channel>" not in shown
    assert "<!here>" not in shown


@given(st.text(max_size=300))
def test_shortcut_question_text_removes_mentions_and_never_raises(text: str) -> None:
    found = question_text({"text": text})
    assert found == found.strip()
    assert question_text({"text": f"<@{BOT_USER}> {text}"}) == found  # the mention adds nothing


def test_shortcut_question_text_of_anything_but_text_is_empty() -> None:
    assert question_text({"text": 42}) == ""
    assert question_text({}) == ""
    assert question_text({"text": "&lt;b&gt; &amp; <@U123ABC|bob> hi"}) == "<b> & hi"
