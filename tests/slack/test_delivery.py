"""Streaming delivery within Slack's limits, and a whole answer even when a stream fails (#8 item 10)."""

import json

import pytest
from flask.testing import FlaskClient

from bot.slack.answer_pool import AnswerPool
from tests.doubles.anthropic_api import AnthropicDouble, answer
from tests.doubles.slack_api import Fault, SlackDouble
from tests.doubles.slack_requests import blocks_text, dm, event, post, streamed, visible

APPEND_LIMIT = 12_000  # chat.appendStream markdown_text, and a markdown message in total


def test_delivery_long_streamed_answer_stays_within_limits_and_continues(
    model_web: FlaskClient, slack_api: SlackDouble, anthropic_api: AnthropicDouble, pool: AnswerPool
) -> None:
    giant = " ".join(f"word{i}" for i in range(5000))  # one 38,000-character paragraph
    body = f"{giant}\n\nThe end of a long answer.\n"
    anthropic_api.push(answer("**Recommendation: Django**\n" + body, "verdict", recommendation="django"))
    post(model_web, event(dm("Tell me everything", ts="1700000900.000001")))
    pool.drain()
    starts = slack_api.named("chat.startStream")
    assert len(starts) >= 4  # 38,000 characters continue in further messages
    calls = sorted(
        [*starts, *slack_api.named("chat.appendStream"), *slack_api.named("chat.stopStream")],
        key=lambda c: c.at,
    )
    per_message: dict[str, int] = {}
    for call in calls:
        text = streamed(call.args)
        assert len(text) <= APPEND_LIMIT  # each append
        assert call.reply is not None
        per_message[str(call.reply["ts"])] = per_message.get(str(call.reply["ts"]), 0) + len(text)
    assert len(per_message) == len(starts)
    assert max(per_message.values()) <= APPEND_LIMIT  # each message
    shown = "".join(streamed(c.args) for c in calls)
    assert shown.split() == ("**Recommendation: Django**\n" + body).split()  # every word, once, in order
    assert "Answered by Claude" in blocks_text(slack_api.named("chat.stopStream")[-1].args["blocks"])


@pytest.mark.parametrize("method", ["chat.appendStream", "chat.stopStream"])
def test_delivery_failed_stream_posts_the_whole_answer_again(
    model_web: FlaskClient,
    slack_api: SlackDouble,
    anthropic_api: AnthropicDouble,
    pool: AnswerPool,
    method: str,
) -> None:
    anthropic_api.push(
        answer(
            "**Recommendation: FastAPI**\n- Async suits LLM calls.\n- It scales.",
            "choose-fastapi",
            recommendation="fastapi",
        )
    )
    slack_api.fail(method, Fault(error="message_not_in_streaming_state"))
    post(model_web, event(dm("Which framework for an LLM API?", ts="1700000901.000001")))
    pool.drain()
    posted = [c.args for c in slack_api.named("chat.postMessage") if c.args.get("blocks")]
    assert len(posted) == 1
    shown = visible(posted[0]["blocks"])
    assert "*Recommendation: FastAPI*" in shown
    assert "It scales." in shown
    assert "Answered by Claude" in blocks_text(posted[0]["blocks"])
    assert posted[0]["thread_ts"] == "1700000901.000001"
    assert "Sorry, something went wrong" not in json.dumps(posted)


@pytest.mark.parametrize(
    "faults",
    [
        [Fault(status=503)] * 3,  # a server error that outlasts the client's retries
        [Fault(error="message_not_in_streaming_state")],
    ],
)
def test_delivery_failed_stream_is_closed_and_removed_before_the_answer_is_posted_again(
    model_web: FlaskClient,
    slack_api: SlackDouble,
    anthropic_api: AnthropicDouble,
    pool: AnswerPool,
    faults: list[Fault],
) -> None:
    anthropic_api.push(
        answer(
            "**Recommendation: FastAPI**\n- Async suits LLM calls.\n- It scales.",
            "choose-fastapi",
            recommendation="fastapi",
        )
    )
    slack_api.fail("chat.appendStream", *faults)
    post(model_web, event(dm("Which framework for an LLM API?", ts="1700000902.000001")))
    pool.drain()
    (start,) = slack_api.named("chat.startStream")
    assert start.reply is not None
    broken = start.reply["ts"]
    stops = [c for c in slack_api.named("chat.stopStream") if c.args["ts"] == broken]
    deletes = [c for c in slack_api.named("chat.delete") if c.args["ts"] == broken]
    assert len(stops) == 1  # the partly streamed message is not left open...
    assert len(deletes) == 1  # ...nor standing beside the whole answer
    (whole,) = [c for c in slack_api.named("chat.postMessage") if c.args.get("blocks")]
    assert stops[0].at < deletes[0].at < whole.at
    assert "It scales." in visible(whole.args["blocks"])
