"""The advisor: Claude grounded on the knowledge when it can, the rules engine whenever it cannot."""

import logging
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field

from bot.claude.breaker import CircuitBreaker
from bot.claude.deadline import DeadlineExceeded, within_deadline
from bot.claude.limits import UserLimiter
from bot.claude.model_interface import (
    Cited,
    Finished,
    Model,
    ModelError,
    ModelRequest,
    TextDelta,
    Usage,
)
from bot.claude.prompts import Budgets, Prompts, build_request
from bot.claude.reply_reader import ReplyReader
from bot.core.answer import Answer, Turn
from bot.core.answer_stream import AnswerStream, StreamItem, StreamReset
from bot.core.failure import FailureReason
from bot.core.knowledge import Knowledge
from bot.core.question import Question, read_question
from bot.core.reply_format import ReplyFormat
from bot.core.rules import RulesAdvisor

log = logging.getLogger("bot.advisor")

# Sections retrieval may rank when the knowledge no longer fits the budget whole.
RANKED_SECTIONS = 60


@dataclass(frozen=True)
class ModelOptions:
    """How the advisor uses a model."""

    deadline_seconds: float = 20.0
    budgets: Budgets = field(default_factory=Budgets)


class Advisor:
    """Answers questions; every front end goes through this one object."""

    def __init__(
        self,
        knowledge: Knowledge,
        rules: RulesAdvisor | None = None,
        model: Model | None = None,
        prompts: Prompts | None = None,
        breaker: CircuitBreaker | None = None,
        options: ModelOptions | None = None,
        limiter: UserLimiter | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if model is not None and prompts is None:
            raise ValueError("a model needs prompts")
        self.knowledge = knowledge
        self.reply_format = ReplyFormat(knowledge)
        self.rules = rules or RulesAdvisor(knowledge)
        self.model, self.prompts = model, prompts
        self.breaker = breaker or CircuitBreaker()
        self.options = options or ModelOptions()
        self.limiter = limiter
        self._clock = clock

    @property
    def model_configured(self) -> bool:
        """True when answers may come from a model."""
        return self.model is not None

    def read(self, text: str, trim: bool = False) -> Question:
        """The typed text as a checked Question; ``trim`` cuts an over-long one (and says so)."""
        limit = self.knowledge.intents.limits.max_question_chars
        note = self.knowledge.responses.notes.trimmed.format(limit=f"{limit:,}") if trim else None
        return read_question(text, limit, self.knowledge.responses.input, note)

    def ask(
        self,
        question: Question | str,
        history: Sequence[Turn] = (),
        offline: bool = False,
        user: str | None = None,
    ) -> Answer:
        """Answer one question in one piece (the model is called without streaming)."""
        return self._answer(question, history, offline, False, user).answer

    def stream(
        self,
        question: Question | str,
        history: Sequence[Turn] = (),
        offline: bool = False,
        user: str | None = None,
    ) -> AnswerStream:
        """The answer as it arrives: iterate for text, then read ``.answer``.

        A plain string is read (and checked) before this returns, so a QuestionError is raised at
        once. ``user`` subjects model use to the per-user limits.
        """
        return self._answer(question, history, offline, True, user)

    def _answer(
        self, question: Question | str, history: Sequence[Turn], offline: bool, stream: bool, user: str | None
    ) -> AnswerStream:
        """Read the question if need be, then answer it; reading raises before any item."""
        checked = question if isinstance(question, Question) else self.read(question)
        items = self._answered(checked.text, history, offline, stream, user)
        return AnswerStream(items if checked.note is None else _with_note(items, checked.note))

    def _answered(
        self, question: str, history: Sequence[Turn], offline: bool, stream: bool, user: str | None
    ) -> Iterator[StreamItem]:
        """The model's answer, or the rules' answer with a note saying why."""
        if offline:
            yield self.rules.answer(question, history)
            return
        if self.model is None:
            yield self._fallback(question, history, FailureReason.NO_KEY, self._clock())
            return
        if self.limiter is None or user is None:
            yield from self._unless_open(self.model, question, history, stream)
            return
        with self.limiter.lease(user) as granted:
            if not granted:  # not the model's fault: the breaker is left alone
                yield self._fallback(question, history, FailureReason.USER_LIMITED, self._clock())
                return
            yield from self._unless_open(self.model, question, history, stream)

    def _unless_open(
        self, model: Model, question: str, history: Sequence[Turn], stream: bool
    ) -> Iterator[StreamItem]:
        """Ask the model unless the circuit breaker is open."""
        if not self.breaker.allow():
            yield self._fallback(question, history, FailureReason.CIRCUIT_OPEN, self._clock())
            return
        yield from self._guarded(model, question, history, stream)

    def _guarded(
        self, model: Model, question: str, history: Sequence[Turn], stream: bool
    ) -> Iterator[StreamItem]:
        """Run the model call, turning any failure into the rules answer."""
        started, shown, settled = self._clock(), False, False
        try:
            for item in self._from_model(model, question, history, stream, started):
                shown = shown or isinstance(item, str)
                yield item
            settled = True
            self.breaker.record_success()
        except Exception as error:
            settled = True
            reason, detail = _reason(error)
            self.breaker.record_failure(reason.value)
            log.warning("model failed reason=%s detail=%s", reason.value, detail)
            if shown:
                yield StreamReset()
            yield self._fallback(question, history, reason, started)
        finally:
            if not settled:  # the caller stopped listening: free a half-open probe, judge nothing
                self.breaker.release()

    def _from_model(
        self, model: Model, question: str, history: Sequence[Turn], stream: bool, started: float
    ) -> Iterator[StreamItem]:
        """Stream the model's reply through the reader, then yield the final Answer."""
        request = self._request(question, history)
        reader = ReplyReader(self.knowledge, self.reply_format)
        events = within_deadline(
            lambda: model.respond(request, stream), self.options.deadline_seconds, self._clock
        )
        first: float | None = None
        finished: Finished | None = None
        for event in events:
            if isinstance(event, TextDelta):
                for chunk in reader.feed(event.text):
                    first = first or self._clock()
                    if stream:
                        yield chunk
            elif isinstance(event, Cited):
                reader.cite(event.source)
            else:
                finished = event
        tail = reader.close()
        if stream and tail:
            yield tail
        answer = reader.answer(self.knowledge.responses.notes.uncited)
        self._log_answer(finished, started, first, request)
        yield answer

    def _request(self, question: str, history: Sequence[Turn]) -> ModelRequest:
        """The model request for a question (knowledge ranked for it only if it must be cut)."""
        assert self.prompts is not None

        def rank() -> list[str]:
            words = self.rules.analyzer.words(question)
            return [h.section_id for h in self.rules.retriever.search(words, limit=RANKED_SECTIONS)]

        return build_request(self.knowledge, self.prompts, question, history, rank, self.options.budgets)

    def _fallback(
        self, question: str, history: Sequence[Turn], reason: FailureReason, started: float
    ) -> Answer:
        """The rules' answer, with a note saying why the model did not answer."""
        notes = self.knowledge.responses.notes
        answer = self.rules.answer(question, history)
        note = notes.fallback.format(reason=notes.reasons[reason.value])
        elapsed = (self._clock() - started) * 1000
        log.info("answer mode=rules reason=%s latency_ms=%.0f", reason.value, elapsed)
        return answer.model_copy(update={"note": note})

    def _log_answer(
        self, finished: Finished | None, started: float, first: float | None, request: ModelRequest
    ) -> None:
        """Log what the answer cost and how fast it came, never its content or secrets."""
        usage = finished.usage if finished else Usage()
        now = self._clock()
        assert self.prompts is not None
        log.info(
            "answer mode=llm model=%s prompt_version=%s input_tokens=%d output_tokens=%d "
            "cache_read_tokens=%d cache_write_tokens=%d latency_ms=%.0f ttft_ms=%.0f sections=%d",
            finished.model if finished else "?",
            self.prompts.version,
            usage.input_tokens,
            usage.output_tokens,
            usage.cache_read_tokens,
            usage.cache_write_tokens,
            (now - started) * 1000,
            ((first or now) - started) * 1000,
            len(request.section_ids),
        )


def _with_note(items: Iterator[StreamItem], note: str) -> Iterator[StreamItem]:
    """The same items, the final Answer's note prefixed with another note."""
    for item in items:
        if isinstance(item, Answer):
            joined = f"{note} {item.note}" if item.note else note
            item = item.model_copy(update={"note": joined})
        yield item


def _reason(error: Exception) -> tuple[FailureReason, str]:
    """The failure reason and a log detail for anything a model call raised."""
    if isinstance(error, ModelError):
        return error.reason, error.detail
    if isinstance(error, DeadlineExceeded):
        return FailureReason.TIMEOUT, "overall deadline passed"
    return FailureReason.UNUSABLE, type(error).__name__
