"""The answer stream: text first, then the answer; withdrawn text is flagged, not mixed in."""

from collections.abc import Iterator

import pytest

from bot.core.answer import Answer
from bot.core.answer_stream import AnswerStream, StreamItem, StreamReset

FINAL = Answer(text="Whole answer.")


@pytest.mark.parametrize(
    ("items", "chunks", "withdrawn"),
    [
        (["a", "b", FINAL], ["a", "b"], False),
        ([FINAL], [], False),
        (["half", StreamReset(), FINAL], ["half"], True),
        (["half", StreamReset(), "late", FINAL], ["half"], True),
    ],
)
def test_answer_stream_yields_text_then_answer(
    items: list[StreamItem], chunks: list[str], withdrawn: bool
) -> None:
    stream = AnswerStream(iter(items))
    assert list(stream) == chunks
    assert stream.withdrawn is withdrawn
    assert stream.answer == FINAL


def test_answer_stream_answer_first_drains_the_text() -> None:
    stream = AnswerStream(iter(["a", StreamReset(), FINAL]))
    assert stream.answer == FINAL
    assert stream.withdrawn
    assert list(stream) == []


def test_answer_stream_without_answer_is_an_error() -> None:
    with pytest.raises(RuntimeError, match="without an answer"):
        _ = AnswerStream(iter(["a"])).answer


def test_answer_stream_close_closes_the_producer() -> None:
    closed = []

    def produce() -> Iterator[StreamItem]:
        try:
            yield "a"
            yield FINAL
        finally:
            closed.append(True)

    stream = AnswerStream(produce())
    next(iter(stream))
    stream.close()
    assert closed == [True]
