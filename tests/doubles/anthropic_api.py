"""A loopback HTTP server that speaks the Anthropic Messages API (JSON and SSE) and records requests.

Tests and benchmarks point the real SDK at it through ``base_url``. Each request takes the next
scripted ``Reply`` (or the default one); a reply is rendered as JSON or as an SSE stream
depending on whether the request asked to stream, as the real API does.
"""

import json
import socket
import threading
import time
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any

from tests.doubles.loopback import Loopback, QuietHandler

MODEL = "claude-haiku-5-5"


@dataclass(frozen=True)
class Block:
    """One text block of a reply and the knowledge sections it cites."""

    text: str
    cites: tuple[str, ...] = ()


@dataclass(frozen=True)
class Reply:
    """What the double does with one request."""

    blocks: tuple[Block, ...] = (Block("ANSWER-META recommendation=none scope=in\nHello."),)
    status: int = 200
    error_type: str = "api_error"
    headers: tuple[tuple[str, str], ...] = ()
    delay: float = 0.0  # before anything is sent
    chunk_delay: float = 0.0  # between streamed events
    fail_after_chunks: int | None = None  # stream an error event after this many text chunks
    drop: bool = False  # close the connection without answering
    raw_body: str | None = None  # send this body as-is (malformed replies)
    usage: tuple[tuple[str, int], ...] = (("input_tokens", 1200), ("output_tokens", 80))


def answer(text: str, *cites: str, recommendation: str = "none", scope: str = "in") -> Reply:
    """A normal reply: the metadata line, then text citing the given sections."""
    meta = f"ANSWER-META recommendation={recommendation} scope={scope}\n"
    return Reply(blocks=(Block(meta), Block(text, cites)))


def error(status: int, error_type: str, **extra: Any) -> Reply:
    """An HTTP error reply the SDK will map to its error classes (retried quickly)."""
    return Reply(status=status, error_type=error_type, headers=(("retry-after-ms", "5"),), **extra)


@dataclass
class Recorded:
    """One request the double received."""

    path: str
    headers: dict[str, str]
    body: dict[str, Any]


@dataclass
class _Script:
    replies: deque[Reply] = field(default_factory=deque)
    default: Reply = field(default_factory=Reply)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def next(self) -> Reply:
        with self.lock:
            return self.replies.popleft() if self.replies else self.default


class AnthropicDouble:
    """The server; use as a context manager."""

    def __init__(self, default: Reply | None = None) -> None:
        self.requests: list[Recorded] = []
        self.script = _Script(default=default or Reply())
        self._loopback = Loopback(self._handler())

    @property
    def url(self) -> str:
        """Base URL to give the SDK."""
        return f"http://127.0.0.1:{self._loopback.port}"

    def push(self, *replies: Reply) -> None:
        """Queue replies for the next requests, in order."""
        with self.script.lock:
            self.script.replies.extend(replies)

    def set_default(self, reply: Reply) -> None:
        """The reply used when the queue is empty."""
        self.script.default = reply

    def pause(self) -> None:
        """Refuse connections (open ones are cut) until resume()."""
        self._loopback.refuse()

    def resume(self) -> None:
        """Accept connections again on the same port."""
        self._loopback.resume()

    def __enter__(self) -> "AnthropicDouble":
        self._loopback.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._loopback.stop()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        double = self

        class Handler(QuietHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("content-length", "0"))
                body = json.loads(self.rfile.read(length) or b"{}")
                headers = {k.lower(): v for k, v in self.headers.items()}
                double.requests.append(Recorded(self.path, headers, body))
                _respond(self, body, double.script.next())

        return Handler


def _respond(handler: BaseHTTPRequestHandler, request: dict[str, Any], reply: Reply) -> None:
    """Act out one scripted reply."""
    time.sleep(reply.delay)
    if reply.drop:
        handler.close_connection = True
        handler.connection.close()
        return
    if reply.raw_body is not None:
        _send(handler, reply.status, "application/json", reply.raw_body.encode(), reply.headers)
    elif reply.status != 200:
        payload = {"type": "error", "error": {"type": reply.error_type, "message": "scripted failure"}}
        _send(handler, reply.status, "application/json", json.dumps(payload).encode(), reply.headers)
    elif request.get("stream"):
        _stream(handler, request, reply)
    elif reply.fail_after_chunks is not None:
        _cut_short(handler, json.dumps(_message(request, reply)).encode())
    else:
        _send(handler, 200, "application/json", json.dumps(_message(request, reply)).encode(), reply.headers)


def _cut_short(handler: BaseHTTPRequestHandler, data: bytes) -> None:
    """A non-streamed reply that breaks off half way (the connection drops mid-body)."""
    handler.send_response(200)
    handler.send_header("content-type", "application/json")
    handler.send_header("content-length", str(len(data)))
    handler.end_headers()
    handler.wfile.write(data[: len(data) // 2])
    handler.wfile.flush()
    handler.close_connection = True
    handler.connection.shutdown(socket.SHUT_RDWR)


def _send(
    handler: BaseHTTPRequestHandler, status: int, kind: str, data: bytes, headers: tuple[tuple[str, str], ...]
) -> None:
    handler.send_response(status)
    handler.send_header("content-type", kind)
    handler.send_header("content-length", str(len(data)))
    handler.send_header("request-id", "req_double")
    for name, value in headers:
        handler.send_header(name, value)
    handler.end_headers()
    handler.wfile.write(data)


def _citation(request: dict[str, Any], source: str) -> dict[str, Any]:
    """A search_result_location citation pointing at a section the request sent."""
    results = [
        block
        for message in request.get("messages", [])
        if isinstance(message.get("content"), list)
        for block in message["content"]
        if block.get("type") == "search_result"
    ]
    index = next((i for i, b in enumerate(results) if b["source"] == source), 0)
    title = results[index]["title"] if results else source
    cited = results[index]["content"][0]["text"][:80] if results else ""
    return {
        "type": "search_result_location",
        "source": source,
        "title": title,
        "cited_text": cited,
        "search_result_index": index,
        "start_block_index": 0,
        "end_block_index": 1,
    }


def _usage(reply: Reply) -> dict[str, int]:
    base = {
        "input_tokens": 0,
        "output_tokens": 0,
        "cache_read_input_tokens": 0,
        "cache_creation_input_tokens": 0,
    }
    return base | dict(reply.usage)


def _message(request: dict[str, Any], reply: Reply) -> dict[str, Any]:
    """A complete (non-streamed) message."""
    content = [
        {"type": "text", "text": b.text, "citations": [_citation(request, s) for s in b.cites] or None}
        for b in reply.blocks
    ]
    return {
        "id": "msg_double",
        "type": "message",
        "role": "assistant",
        "model": request.get("model", MODEL),
        "content": content,
        "stop_reason": "end_turn",
        "stop_sequence": None,
        "usage": _usage(reply),
    }


def _events(request: dict[str, Any], reply: Reply) -> Iterator[tuple[str, dict[str, Any]]]:
    """The SSE events of a streamed reply, text cut into small chunks."""
    start = _message(request, reply) | {"content": [], "stop_reason": None}
    start["usage"] = _usage(reply) | {"output_tokens": 1}
    yield "message_start", {"type": "message_start", "message": start}
    chunks = 0
    for index, block in enumerate(reply.blocks):
        yield (
            "content_block_start",
            {
                "type": "content_block_start",
                "index": index,
                "content_block": {"type": "text", "text": "", "citations": [] if block.cites else None},
            },
        )
        for piece in [block.text[i : i + 12] for i in range(0, len(block.text), 12)]:
            if reply.fail_after_chunks is not None and chunks >= reply.fail_after_chunks:
                yield "error", {"type": "error", "error": {"type": reply.error_type, "message": "mid-stream"}}
                return
            chunks += 1
            delta: dict[str, Any] = {"type": "text_delta", "text": piece}
            yield "content_block_delta", {"type": "content_block_delta", "index": index, "delta": delta}
        for source in block.cites:
            delta = {"type": "citations_delta", "citation": _citation(request, source)}
            yield "content_block_delta", {"type": "content_block_delta", "index": index, "delta": delta}
        yield "content_block_stop", {"type": "content_block_stop", "index": index}
    usage: dict[str, Any] = {"output_tokens": dict(reply.usage).get("output_tokens", 0)}
    end: dict[str, Any] = {"stop_reason": "end_turn", "stop_sequence": None}
    yield "message_delta", {"type": "message_delta", "delta": end, "usage": usage}
    yield "message_stop", {"type": "message_stop"}


def _stream(handler: BaseHTTPRequestHandler, request: dict[str, Any], reply: Reply) -> None:
    """Send a reply as server-sent events over a chunked response."""
    handler.send_response(200)
    handler.send_header("content-type", "text/event-stream")
    handler.send_header("transfer-encoding", "chunked")
    handler.send_header("request-id", "req_double")
    handler.end_headers()
    try:
        for name, data in _events(request, reply):
            payload = f"event: {name}\ndata: {json.dumps(data)}\n\n".encode()
            handler.wfile.write(f"{len(payload):x}\r\n".encode() + payload + b"\r\n")
            handler.wfile.flush()
            time.sleep(reply.chunk_delay)
        handler.wfile.write(b"0\r\n\r\n")
    except (BrokenPipeError, ConnectionResetError):
        return  # the client gave up (deadline); nothing to do
