"""The advisor end to end: Claude (the loopback double, real SDK) first, the rules on any failure."""

import logging
import socket
import threading
import time

import pytest

from bot.advisor import Advisor, ModelOptions
from bot.claude.breaker import CircuitBreaker
from bot.claude.client import ClaudeModel
from bot.claude.model_interface import Finished, ModelError, TextDelta
from bot.claude.prompts import Prompts
from bot.core.answer import Answer, Turn
from bot.core.failure import FailureReason
from bot.core.knowledge import Knowledge
from bot.core.question import QuestionError
from bot.core.rules import RulesAdvisor
from tests.doubles.anthropic_api import AnthropicDouble, Block, Reply, answer, error
from tests.doubles.constants import DEV_CASES, TEST_KEY
from tests.doubles.scripted_model import Gate, Pause, Script, ScriptedModel, failure, reply

# Reasons the advisor itself decides, not a model call.
_NOT_FROM_MODEL = {"no_key", "circuit_open", "user_limited", "timeout"}

CITED = answer(
    "**Recommendation: FastAPI**\n- Async suits LLM calls.",
    "choose-fastapi",
    "faq-ai-apis",
    recommendation="fastapi",
)


def _collect(advisor: Advisor, question: str, history: list[Turn] | None = None) -> tuple[list[str], Answer]:
    stream = advisor.stream(question, history or [])
    return list(stream), stream.answer


def test_advisor_cited_answer_not_streamed(
    model_advisor: Advisor, anthropic_api: AnthropicDouble, knowledge: Knowledge
) -> None:
    anthropic_api.push(CITED)
    result = model_advisor.ask("Which framework for an API that calls an LLM?")
    assert result.mode == "llm"
    assert result.recommendation == "fastapi"
    assert result.text == "**Recommendation: FastAPI**\n- Async suits LLM calls."
    assert [(s.id, s.title) for s in result.sources] == [
        ("choose-fastapi", knowledge.section("choose-fastapi").title),
        ("faq-ai-apis", knowledge.section("faq-ai-apis").title),
    ]
    assert result.note is None
    assert anthropic_api.requests[-1].body.get("stream") is None


def test_advisor_cited_answer_streamed(model_advisor: Advisor, anthropic_api: AnthropicDouble) -> None:
    anthropic_api.push(CITED)
    chunks, final = _collect(model_advisor, "Which framework for an API that calls an LLM?")
    assert all(isinstance(c, str) for c in chunks)
    assert len(chunks) > 2  # it arrived in pieces
    assert "".join(chunks) == final.text  # the metadata line never reaches the reader
    assert final.mode == "llm"
    assert final.recommendation == "fastapi"
    assert [s.id for s in final.sources] == ["choose-fastapi", "faq-ai-apis"]
    assert anthropic_api.requests[-1].body["stream"] is True


def test_advisor_uncited_answer_is_marked(
    model_advisor: Advisor, anthropic_api: AnthropicDouble, knowledge: Knowledge
) -> None:
    anthropic_api.push(answer("Probably Flask.", recommendation="flask"))
    result = model_advisor.ask("Which one for a tiny tool?")
    assert result.mode == "llm"
    assert result.sources == []
    assert result.note == knowledge.responses.notes.uncited


def test_advisor_out_of_scope_from_model(model_advisor: Advisor, anthropic_api: AnthropicDouble) -> None:
    anthropic_api.push(answer("I only help with Django, Flask and FastAPI.", scope="out"))
    result = model_advisor.ask("Write me a poem")
    assert not result.in_scope
    assert result.recommendation is None
    assert result.note is None


def test_advisor_reply_without_meta_uses_headline(
    model_advisor: Advisor, anthropic_api: AnthropicDouble
) -> None:
    anthropic_api.push(
        Reply(blocks=(Block("**Recommendation: Django**\nFor the admin.", ("choose-django",)),))
    )
    result = model_advisor.ask("Admin-heavy app?")
    assert result.recommendation == "django"
    assert result.mode == "llm"


@pytest.fixture
def scripted() -> ScriptedModel:
    """An in-process model that plays what each test scripts."""
    return ScriptedModel()


@pytest.fixture
def scripted_advisor(
    knowledge: Knowledge, rules: RulesAdvisor, scripted: ScriptedModel, prompts: Prompts
) -> Advisor:
    """An advisor over the scripted model, with a deadline short enough to test quickly."""
    breaker = CircuitBreaker(threshold=3, cooldown=60)
    return Advisor(knowledge, rules, scripted, prompts, breaker, ModelOptions(deadline_seconds=0.3))


SLOW = [Gate(threading.Event(), timeout=2.0)]  # never opened: the model has not answered in time

FAILURES = [
    *((failure(reason), reason.value) for reason in FailureReason if reason.value not in _NOT_FROM_MODEL),
    (SLOW, "timeout"),
    ([TextDelta("")], "unusable"),
    ([TextDelta("ANSWER-META recommendation=none scope=in\n   ")], "unusable"),
    ([TextDelta("ANSWER-META recommendation=rails scope=in\nUse Rails")], "unusable"),
    ([TextDelta("ANSWER-META " + "x" * 300)], "unusable"),
    ([TextDelta("ANSWER-META recommendation=django scope=in")], "unusable"),
]


@pytest.mark.parametrize(("script", "reason"), FAILURES)
@pytest.mark.parametrize("stream", [False, True])
def test_advisor_falls_back_to_rules_with_reason(
    scripted_advisor: Advisor,
    scripted: ScriptedModel,
    knowledge: Knowledge,
    script: Script,
    reason: str,
    stream: bool,
) -> None:
    scripted.push(script)
    question = "Which framework for an admin-heavy web app?"
    result = _collect(scripted_advisor, question)[1] if stream else scripted_advisor.ask(question)
    assert result.mode == "rules"
    assert result.recommendation == "django"  # the rules' own answer
    notes = knowledge.responses.notes
    assert result.note == notes.fallback.format(reason=notes.reasons[reason])


def test_advisor_connection_refused_falls_back(
    knowledge: Knowledge, rules: RulesAdvisor, prompts: Prompts
) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{probe.getsockname()[1]}"
    # no SDK retry: its back-off before one (about 0.5 s) is the SDK's, not what this test is about
    model = ClaudeModel(api_key=TEST_KEY, name="claude-haiku-5-5", base_url=url, max_retries=0, timeout=2)
    advisor = Advisor(knowledge, rules, model, prompts)
    result = advisor.ask("Which framework for an LLM API?")
    assert result.mode == "rules"
    assert "could not be reached" in (result.note or "")
    model.close()


def test_advisor_half_streamed_failure_is_replaced(
    scripted_advisor: Advisor, scripted: ScriptedModel
) -> None:
    half = reply("**Recommendation: FastAPI**\nBecause it is async and it", recommendation="fastapi")
    scripted.push([*half[:6], ModelError(FailureReason.OVERLOADED, "mid-stream")])
    stream = scripted_advisor.stream("Which framework for heavy traffic?")
    shown = list(stream)
    final = stream.answer
    assert shown  # part of the answer had been shown...
    assert stream.withdrawn  # ...then it is withdrawn...
    assert final.mode == "rules"  # ...and replaced by a whole answer
    assert final.recommendation == "fastapi"
    assert "overloaded" in (final.note or "")


def test_advisor_deadline_is_total_not_per_read(scripted_advisor: Advisor, scripted: ScriptedModel) -> None:
    # every piece arrives quickly, but the whole reply would take about 1.8 s against a 0.3 s deadline
    pieces = reply("word " * 200)
    scripted.push([step for piece in pieces for step in (Pause(0.02), piece)])
    started = time.monotonic()
    _, final = _collect(scripted_advisor, "Which framework for an API?")
    elapsed = time.monotonic() - started
    assert final.mode == "rules"
    assert "took too long" in (final.note or "")
    assert elapsed < 1.0


def test_advisor_request_carries_prompt_knowledge_and_limits(
    model_advisor: Advisor, anthropic_api: AnthropicDouble, prompts: Prompts, knowledge: Knowledge
) -> None:
    anthropic_api.push(CITED)
    model_advisor.ask("Django or Flask for a blog?")
    body = anthropic_api.requests[-1].body
    assert body["model"] == "claude-haiku-5-5"
    assert body["max_tokens"] == 1024
    assert body["system"] == [{"type": "text", "text": prompts.system}]
    content = body["messages"][0]["content"]
    results = [b for b in content if b["type"] == "search_result"]
    assert [r["source"] for r in results] == list(knowledge.sections)
    assert results[-1]["cache_control"] == {"type": "ephemeral"}
    assert content[-1] == {"type": "text", "text": "<question>\nDjango or Flask for a blog?\n</question>"}
    assert "Django or Flask for a blog?" not in str(body["system"])


def test_advisor_follow_up_sends_history_and_same_prefix(
    model_advisor: Advisor, anthropic_api: AnthropicDouble
) -> None:
    anthropic_api.push(CITED, CITED)
    first = model_advisor.ask("An API with heavy traffic?")
    history = [Turn(role="user", text="An API with heavy traffic?"), Turn(role="assistant", text=first.text)]
    model_advisor.ask("And if we need an admin?", history)
    one, two = (r.body for r in anthropic_api.requests[-2:])
    assert [m["role"] for m in two["messages"]] == ["user", "assistant", "user"]
    assert two["messages"][1]["content"][0]["text"] == first.text
    prefix = [b for b in one["messages"][0]["content"] if b["type"] != "text" or "question" not in b["text"]]
    assert [
        b for b in two["messages"][0]["content"] if b["type"] != "text" or "question" not in b["text"]
    ] == prefix


def _injections() -> list[str]:
    from bot.core.evaluation import load_cases

    return [
        c.question
        for _, c in load_cases(DEV_CASES)
        if c.expect.in_scope is False
        and not c.question.startswith(("What's", "Write", "Should", "Which", "Tell", "Is "))
    ]


@pytest.mark.parametrize("question", _injections())
def test_advisor_injection_reaches_model_only_as_delimited_data(
    model_advisor: Advisor, anthropic_api: AnthropicDouble, question: str
) -> None:
    anthropic_api.push(answer("I can only help with Python web frameworks.", scope="out"))
    model_advisor.ask(question)
    body = anthropic_api.requests[-1].body
    texts = [b["text"] for m in body["messages"] for b in m["content"] if b["type"] == "text"]
    holding = [t for t in texts if question in t]
    assert holding == [f"<question>\n{question}\n</question>"]
    assert question not in str(body["system"])


def test_advisor_breaker_opens_and_skips_the_model(
    scripted_advisor: Advisor, scripted: ScriptedModel
) -> None:
    scripted.default = failure(FailureReason.SERVER_ERROR)
    for _ in range(3):
        assert scripted_advisor.ask("Which framework for an API?").mode == "rules"
    sent = len(scripted.requests)
    result = scripted_advisor.ask("Which framework for an API?")
    assert len(scripted.requests) == sent  # the model was skipped
    assert "paused" in (result.note or "")
    state = scripted_advisor.breaker.snapshot()
    assert state.state == "open"
    assert state.last_failure == "server_error"


def test_advisor_breaker_probe_closes_it_again(
    knowledge: Knowledge, rules: RulesAdvisor, scripted: ScriptedModel, prompts: Prompts
) -> None:
    now = [0.0]
    breaker = CircuitBreaker(threshold=1, cooldown=10, clock=lambda: now[0])
    advisor = Advisor(knowledge, rules, scripted, prompts, breaker, ModelOptions(deadline_seconds=2))
    scripted.push(failure(FailureReason.SERVER_ERROR))
    assert advisor.ask("API?").mode == "rules"
    assert breaker.snapshot().state == "open"
    now[0] = 11
    assert advisor.ask("API?").mode == "llm"
    assert breaker.snapshot().state == "closed"


def test_advisor_without_model_or_offline(
    knowledge: Knowledge, rules: RulesAdvisor, model_advisor: Advisor, anthropic_api: AnthropicDouble
) -> None:
    no_key = Advisor(knowledge, rules).ask("Which framework for an API?")
    assert no_key.mode == "rules"
    assert "no Claude API key" in (no_key.note or "")
    offline = model_advisor.ask("Which framework for an API?", offline=True)
    assert offline.note is None
    assert anthropic_api.requests == []


def test_advisor_logs_usage_and_never_the_key(
    model_advisor: Advisor, anthropic_api: AnthropicDouble, prompts: Prompts, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    anthropic_api.push(
        Reply(
            blocks=CITED.blocks,
            usage=(("input_tokens", 40), ("output_tokens", 9), ("cache_read_input_tokens", 5000)),
        )
    )
    anthropic_api.push(error(401, "authentication_error"))
    model_advisor.ask("Which framework for an LLM API?")
    model_advisor.ask("Which framework for an LLM API?")
    logged = caplog.text
    assert f"prompt_version={prompts.version}" in logged
    assert "model=claude-haiku-5-5" in logged
    assert "input_tokens=40 output_tokens=9 cache_read_tokens=5000 cache_write_tokens=0" in logged
    assert "ttft_ms=" in logged
    assert "reason=auth" in logged
    assert TEST_KEY not in logged


@pytest.fixture
def limited_advisor(
    knowledge: Knowledge, rules: RulesAdvisor, scripted: ScriptedModel, prompts: Prompts
) -> Advisor:
    """A model advisor allowing each user two model answers a minute, one at a time."""
    from bot.claude.limits import UserLimiter

    return Advisor(
        knowledge,
        rules,
        scripted,
        prompts,
        options=ModelOptions(deadline_seconds=5),
        limiter=UserLimiter(2, 1),
    )


def test_advisor_user_over_rate_gets_rules_with_note(limited_advisor: Advisor) -> None:
    modes = [limited_advisor.ask("Which framework for an LLM API?", user="U1").mode for _ in range(3)]
    assert modes == ["llm", "llm", "rules"]
    third = limited_advisor.ask("Which framework for an LLM API?", user="U1")
    assert "asked Claude a lot" in (third.note or "")
    assert limited_advisor.breaker.snapshot().consecutive_failures == 0  # not the model's fault
    assert limited_advisor.ask("Which framework for an LLM API?", user="U2").mode == "llm"


def test_advisor_one_user_cannot_starve_others(limited_advisor: Advisor, scripted: ScriptedModel) -> None:
    held = threading.Event()
    head = TextDelta("ANSWER-META recommendation=fastapi scope=in\n**Recommendation:")
    scripted.push([head, Gate(held), TextDelta(" FastAPI**"), Finished(model=scripted.name)])
    slow = limited_advisor.stream("Which framework for an LLM API?", user="U1")
    slow_text = iter(slow)
    assert next(slow_text)  # U1's answer is in flight and holds U1's only slot
    assert limited_advisor.ask("Which framework?", user="U1").mode == "rules"
    assert limited_advisor.ask("Which framework for an LLM API?", user="U2").mode == "llm"
    held.set()
    assert slow.answer.mode == "llm"


def test_advisor_trims_long_questions_with_a_note(advisor: Advisor) -> None:
    question = "Which framework for an admin-heavy web app? " + "x" * 5000
    answer = advisor.ask(advisor.read(question, trim=True), offline=True)
    assert answer.recommendation == "django"
    assert answer.note == "Your question was longer than 4,000 characters, so only its first 4,000 were used."
    with pytest.raises(QuestionError):
        advisor.ask(question)  # without trim, still a clear error


def test_advisor_trim_note_joins_the_engine_note(knowledge: Knowledge, rules: RulesAdvisor) -> None:
    advisor = Advisor(knowledge, rules)
    answer = advisor.ask(advisor.read("Which framework for an API? " + "y" * 5000, trim=True))
    assert answer.note is not None
    assert answer.note.startswith("Your question was longer than 4,000 characters")
    assert answer.note.endswith("because no Claude API key is configured.")
