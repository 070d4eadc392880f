"""The Claude adapter against the loopback Messages API, through the real SDK."""

import socket

import pytest

from bot.claude.client import ClaudeModel, check_model_name, known_models
from bot.claude.model_interface import Cited, Finished, Model, ModelError, ModelRequest, TextDelta
from bot.core.failure import FailureReason
from tests.doubles.anthropic_api import AnthropicDouble, Block, Reply, answer, error
from tests.doubles.constants import TEST_KEY

REQUEST = ModelRequest(
    system=[{"type": "text", "text": "sys"}],
    messages=[{"role": "user", "content": [{"type": "text", "text": "<question>\nhi\n</question>"}]}],
    max_tokens=300,
)


@pytest.mark.parametrize("stream", [False, True])
def test_llm_translates_text_citations_and_usage(
    claude: Model, anthropic_api: AnthropicDouble, stream: bool
) -> None:
    anthropic_api.push(answer("Use FastAPI.", "choose-fastapi", recommendation="fastapi"))
    events = list(claude.respond(REQUEST, stream=stream))
    text = "".join(e.text for e in events if isinstance(e, TextDelta))
    assert text == "ANSWER-META recommendation=fastapi scope=in\nUse FastAPI."
    assert [e.source for e in events if isinstance(e, Cited)] == ["choose-fastapi"]
    finished = events[-1]
    assert isinstance(finished, Finished)
    assert (finished.usage.input_tokens, finished.usage.output_tokens) == (1200, 80)
    sent = anthropic_api.requests[-1]
    assert sent.path == "/v1/messages"
    # this SDK sends the key as a bearer token; older ones used x-api-key
    assert TEST_KEY in (
        sent.headers.get("x-api-key"),
        sent.headers.get("authorization", "").removeprefix("Bearer "),
    )
    assert sent.body["model"] == "claude-haiku-5-5"
    assert sent.body["max_tokens"] == 300
    assert sent.body.get("stream", False) is stream


@pytest.mark.parametrize(
    ("reply", "reason", "attempts"),
    [
        (error(401, "authentication_error"), FailureReason.AUTH, 1),
        (error(403, "permission_error"), FailureReason.AUTH, 1),
        (error(429, "rate_limit_error"), FailureReason.RATE_LIMITED, 2),
        (error(529, "overloaded_error"), FailureReason.OVERLOADED, 2),
        (error(500, "api_error"), FailureReason.SERVER_ERROR, 2),
        (error(503, "api_error"), FailureReason.SERVER_ERROR, 2),
        (error(400, "invalid_request_error"), FailureReason.UNUSABLE, 1),
        (Reply(raw_body="{not json"), FailureReason.UNUSABLE, 1),
    ],
)
@pytest.mark.parametrize("stream", [False, True])
def test_llm_maps_http_failures(
    claude: Model,
    anthropic_api: AnthropicDouble,
    reply: Reply,
    reason: FailureReason,
    attempts: int,
    stream: bool,
) -> None:
    anthropic_api.set_default(reply)
    with pytest.raises(ModelError) as raised:
        list(claude.respond(REQUEST, stream=stream))
    assert raised.value.reason is reason
    assert len(anthropic_api.requests) == attempts  # at most one retry
    assert TEST_KEY not in str(raised.value)


@pytest.mark.parametrize(
    ("error_type", "reason"),
    [("overloaded_error", FailureReason.OVERLOADED), ("api_error", FailureReason.SERVER_ERROR)],
)
def test_llm_error_event_mid_stream(
    claude: Model, anthropic_api: AnthropicDouble, error_type: str, reason: FailureReason
) -> None:
    anthropic_api.push(
        Reply(
            blocks=(Block("ANSWER-META recommendation=none scope=in\nHalf an answer that"),),
            fail_after_chunks=3,
            error_type=error_type,
        )
    )
    seen: list[object] = []
    with pytest.raises(ModelError) as raised:
        seen.extend(claude.respond(REQUEST, stream=True))
    assert raised.value.reason is reason
    assert len(anthropic_api.requests) == 1  # a failed stream is not retried


def test_llm_connection_refused_is_unreachable() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    model = ClaudeModel(
        api_key=TEST_KEY,
        name="claude-haiku-5-5",
        base_url=f"http://127.0.0.1:{port}",
        max_retries=0,
        timeout=2,
    )
    with pytest.raises(ModelError) as raised:
        list(model.respond(REQUEST, stream=False))
    assert raised.value.reason is FailureReason.UNREACHABLE
    model.close()


def test_llm_dropped_connection_is_unreachable(anthropic_api: AnthropicDouble) -> None:
    anthropic_api.set_default(Reply(drop=True))
    # no SDK retry: its back-off before one (about 0.5 s) is the SDK's, not what this test is about
    model = ClaudeModel(
        api_key=TEST_KEY, name="claude-haiku-5-5", base_url=anthropic_api.url, max_retries=0, timeout=2
    )
    with pytest.raises(ModelError) as raised:
        list(model.respond(REQUEST, stream=False))
    assert raised.value.reason is FailureReason.UNREACHABLE
    assert len(anthropic_api.requests) == 1
    model.close()


def test_llm_model_names_are_checked() -> None:
    assert "claude-haiku-5-5" in known_models()
    assert check_model_name("claude-haiku-5-5") == "claude-haiku-5-5"
    with pytest.raises(
        ValueError,
        match=r"ANTHROPIC_MODEL 'gpt-4' is not a model this SDK knows; use one of: .*claude-haiku-5-5",
    ):
        check_model_name("gpt-4")
