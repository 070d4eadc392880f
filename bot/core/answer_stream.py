"""One answer as it is made: iterate for its text, then read the finished ``Answer``."""

from collections.abc import Iterator

from bot.core.answer import Answer


class StreamReset:
    """Marks that text streamed so far is void: the final Answer replaces it."""

    def __eq__(self, other: object) -> bool:
        return isinstance(other, StreamReset)

    def __hash__(self) -> int:
        return hash(StreamReset)


StreamItem = str | StreamReset | Answer


class AnswerStream:
    """Text chunks as they arrive, then ``answer``; ``withdrawn`` says the chunks were void.

    Producers yield ``str`` chunks, perhaps a ``StreamReset``, and last the ``Answer``; readers only
    iterate for text and then read ``answer`` (reading it first consumes the text unseen).
    """

    def __init__(self, items: Iterator[StreamItem]) -> None:
        self._items = items
        self._answer: Answer | None = None
        self.withdrawn = False

    def __iter__(self) -> Iterator[str]:
        for item in self._items:
            if isinstance(item, Answer):
                self._answer = item
            elif isinstance(item, StreamReset):
                self.withdrawn = True
            elif not self.withdrawn:  # nothing after a reset belongs to the replacement
                yield item

    @property
    def answer(self) -> Answer:
        """The finished answer, waiting for the rest of the stream if need be."""
        if self._answer is None:
            for _ in self:
                pass
        if self._answer is None:
            raise RuntimeError("the answer stream ended without an answer")
        return self._answer

    @property
    def text(self) -> str:
        """The finished answer's text."""
        return self.answer.text

    def close(self) -> None:
        """Stop listening early, releasing whatever the producer holds."""
        close = getattr(self._items, "close", None)
        if close is not None:
            close()
