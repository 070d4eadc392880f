"""Claude through the ``anthropic`` SDK: the only module that imports it.

Imported lazily, only when a key is configured: importing the SDK costs about two seconds.
"""

import ssl
from collections.abc import Iterator
from typing import Any, get_args

import anthropic
import httpx2
from anthropic.types import Message, RawMessageStreamEvent, TextBlock
from anthropic.types.model import Model as ModelName

from bot.claude.model_interface import (
    Cited,
    Finished,
    ModelError,
    ModelEvent,
    ModelRequest,
    TextDelta,
    Usage,
)
from bot.core.failure import FailureReason


def known_models() -> list[str]:
    """Model names the installed SDK knows."""
    literal = get_args(ModelName)[0]
    return [str(name) for name in get_args(literal)]


def check_model_name(name: str) -> str:
    """The name if the SDK knows it, else a ValueError listing the choices."""
    names = known_models()
    if name not in names:
        raise ValueError(
            f"ANTHROPIC_MODEL '{name}' is not a model this SDK knows; use one of: {', '.join(names)}"
        )
    return name


class ClaudeModel:
    """Answers requests with Claude; every SDK failure becomes a ModelError."""

    def __init__(
        self,
        api_key: str,
        name: str,
        base_url: str | None,
        max_retries: int,
        timeout: float,
        tls: ssl.SSLContext | None = None,
    ) -> None:
        """``tls`` verifies the API's certificate; by default the SDK loads its CA bundle (30 ms)."""
        self.name = check_model_name(name)
        # Per-phase timeout as a backstop; the advisor enforces the overall deadline.
        self._client = anthropic.Anthropic(
            api_key=api_key,
            base_url=base_url,
            max_retries=max_retries,
            timeout=timeout,
            http_client=anthropic.DefaultHttpxClient(verify=tls, timeout=timeout) if tls else None,
        )

    def respond(self, request: ModelRequest, stream: bool) -> Iterator[ModelEvent]:
        """Events of one call, streamed or from one complete message."""
        try:
            yield from (self._stream(request) if stream else self._complete(request))
        except anthropic.APIError as error:
            raise ModelError(*_classify(error)) from None
        except httpx2.TimeoutException as error:
            raise ModelError(FailureReason.TIMEOUT, type(error).__name__) from None
        except httpx2.HTTPError as error:
            raise ModelError(FailureReason.UNREACHABLE, type(error).__name__) from None
        except (ValueError, TypeError, KeyError) as error:  # undecodable or unexpected reply body
            raise ModelError(FailureReason.UNUSABLE, type(error).__name__) from None

    def close(self) -> None:
        """Close the SDK's connection pool."""
        self._client.close()

    def _arguments(self, request: ModelRequest) -> dict[str, Any]:
        """The keyword arguments of ``messages.create``."""
        return {
            "model": self.name,
            "max_tokens": request.max_tokens,
            "system": request.system,
            "messages": request.messages,
        }

    def _complete(self, request: ModelRequest) -> Iterator[ModelEvent]:
        """One non-streamed call."""
        message: Message = self._client.messages.create(**self._arguments(request))
        for block in message.content:
            if isinstance(block, TextBlock):
                yield TextDelta(block.text)
                yield from _citations(block.citations or [])
        usage = _usage(message.usage.model_dump())
        yield Finished(model=message.model, usage=usage, stop_reason=message.stop_reason)

    def _stream(self, request: ModelRequest) -> Iterator[ModelEvent]:
        """One streamed call, translated event by event."""
        state = _StreamState(model=self.name)
        with self._client.messages.create(**self._arguments(request), stream=True) as events:
            for event in events:
                yield from state.translate(event)
        if not state.stopped:
            raise ModelError(FailureReason.UNUSABLE, "stream ended before message_stop")
        yield Finished(model=state.model, usage=_usage(state.usage), stop_reason=state.stop_reason)


class _StreamState:
    """What a stream has told so far: model, usage and whether it stopped cleanly."""

    def __init__(self, model: str) -> None:
        self.model, self.usage = model, dict[str, Any]()
        self.stop_reason: str | None = None
        self.stopped = False

    def translate(self, event: RawMessageStreamEvent) -> Iterator[ModelEvent]:
        """Model events for one raw stream event."""
        if event.type == "message_start":
            self.model, self.usage = event.message.model, event.message.usage.model_dump()
        elif event.type == "content_block_start" and isinstance(event.content_block, TextBlock):
            if event.content_block.text:
                yield TextDelta(event.content_block.text)
        elif event.type == "content_block_delta":
            delta = event.delta
            if delta.type == "text_delta":
                yield TextDelta(delta.text)
            elif delta.type == "citations_delta":
                yield from _citations([delta.citation])
        elif event.type == "message_delta":
            self.usage["output_tokens"] = event.usage.output_tokens
            self.stop_reason = event.delta.stop_reason
        elif event.type == "message_stop":
            self.stopped = True


def _citations(citations: list[Any]) -> Iterator[Cited]:
    """Citations of knowledge search results (others cannot be mapped to sections)."""
    for citation in citations:
        if getattr(citation, "type", None) == "search_result_location":
            yield Cited(source=citation.source)


def _usage(usage: dict[str, Any]) -> Usage:
    """Token counts from the API's usage object."""
    return Usage(
        input_tokens=usage.get("input_tokens") or 0,
        output_tokens=usage.get("output_tokens") or 0,
        cache_read_tokens=usage.get("cache_read_input_tokens") or 0,
        cache_write_tokens=usage.get("cache_creation_input_tokens") or 0,
    )


_STREAM_ERROR_TYPES = {
    "overloaded_error": FailureReason.OVERLOADED,
    "rate_limit_error": FailureReason.RATE_LIMITED,
    "authentication_error": FailureReason.AUTH,
    "permission_error": FailureReason.AUTH,
}


def _classify(error: anthropic.APIError) -> tuple[FailureReason, str]:
    """The failure reason for an SDK error, and a log detail without secrets."""
    name = type(error).__name__
    if isinstance(error, anthropic.APITimeoutError):  # a subclass of APIConnectionError
        return FailureReason.TIMEOUT, name
    if isinstance(error, anthropic.APIConnectionError):
        return FailureReason.UNREACHABLE, name
    if isinstance(error, anthropic.APIStatusError):
        return _status_reason(error), f"{name} status={error.status_code} request_id={error.request_id}"
    return FailureReason.UNUSABLE, name


def _status_reason(error: anthropic.APIStatusError) -> FailureReason:
    """Reason for an HTTP error status, or for an error event inside a 200 stream."""
    if isinstance(error, anthropic.AuthenticationError | anthropic.PermissionDeniedError):
        return FailureReason.AUTH
    if isinstance(error, anthropic.RateLimitError):
        return FailureReason.RATE_LIMITED
    if isinstance(error, anthropic.OverloadedError):  # check before its parent class
        return FailureReason.OVERLOADED
    if error.status_code >= 500:
        return FailureReason.SERVER_ERROR
    if error.status_code < 400:
        return _STREAM_ERROR_TYPES.get(_error_type(error.body), FailureReason.SERVER_ERROR)
    return FailureReason.UNUSABLE


def _error_type(body: object) -> str:
    """The ``error.type`` of an API error body, or an empty string."""
    inner = body.get("error") if isinstance(body, dict) else None
    return str(inner.get("type", "")) if isinstance(inner, dict) else ""
