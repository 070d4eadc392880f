"""The small interface between the advisor and a language model, and why a call can fail."""

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol

from bot.core.failure import FailureReason


class ModelError(Exception):
    """A model call failed; ``detail`` is for logs and never contains secrets."""

    def __init__(self, reason: FailureReason, detail: str = "") -> None:
        super().__init__(f"{reason.value}: {detail}" if detail else reason.value)
        self.reason, self.detail = reason, detail


@dataclass(frozen=True)
class ModelRequest:
    """Everything sent to the model: system blocks, messages (wire format) and limits."""

    system: list[dict[str, Any]]
    messages: list[dict[str, Any]]
    max_tokens: int
    section_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class TextDelta:
    """A piece of answer text as it arrives."""

    text: str


@dataclass(frozen=True)
class Cited:
    """The model cited a knowledge section (by the id it was sent with)."""

    source: str


@dataclass(frozen=True)
class Usage:
    """Token counts of one call."""

    input_tokens: int = 0
    output_tokens: int = 0
    cache_read_tokens: int = 0
    cache_write_tokens: int = 0


@dataclass(frozen=True)
class Finished:
    """The call ended normally."""

    model: str
    usage: Usage = field(default_factory=Usage)
    stop_reason: str | None = None


ModelEvent = TextDelta | Cited | Finished


class Model(Protocol):
    """Something that answers a request, streamed or in one piece."""

    name: str

    def respond(self, request: ModelRequest, stream: bool) -> Iterator[ModelEvent]:
        """Events of one call; raises ModelError on any failure."""
        ...

    def close(self) -> None:
        """Release connections."""
        ...
