"""A loopback Slack Web API (and response_url endpoint) that records every call.

The real ``slack_sdk`` client reaches it through ``SLACK_API_URL``. Methods answer like Slack
(``{"ok": true, ...}``); failures can be scripted per method: HTTP 429 with Retry-After, HTTP
5xx, dropped connections, or ``{"ok": false, "error": ...}``.
"""

import itertools
import json
import threading
import time
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qsl, urlparse

from tests.doubles.loopback import Loopback, QuietHandler

BOT_USER, BOT_ID, TEAM = "UBOT0001", "BBOT0001", "T0000001"
HOLD_SECONDS = 10.0  # longest a held call hangs, so a test that forgets release() still ends


@dataclass
class Call:
    """One Web API call (or response_url post) the double received."""

    method: str
    args: dict[str, Any]
    reply: dict[str, Any] | None = None  # what the double answered (None for failures)
    at: float = field(default_factory=time.monotonic)


@dataclass(frozen=True)
class Fault:
    """A scripted failure for one call of a method."""

    status: int = 200
    error: str | None = None  # {"ok": false, "error": ...}
    retry_after: int | None = None
    drop: bool = False


class SlackDouble:
    """The server; use as a context manager."""

    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.threads: dict[tuple[str, str], list[dict[str, Any]]] = {}
        self.not_joined: set[str] = set()  # public channels the bot can post in but is no member of
        self._open = threading.Event()  # cleared while hold() keeps every call hanging
        self._open.set()
        self.socket_url = ""  # apps.connections.open's answer (a SocketModeDouble's url)
        self.on_record: Callable[[Call], None] | None = None  # called for every call recorded
        self._faults: dict[str, deque[Fault]] = defaultdict(deque)
        self._every: tuple[int, Fault] | None = None
        self._served = itertools.count(1)
        self._ts = itertools.count(1)
        self._lock = threading.Lock()
        self._recorded = threading.Condition(self._lock)  # wakes wait_for as soon as a call lands
        self._loopback = Loopback(self._handler())

    @property
    def url(self) -> str:
        """Base URL of the Web API (what SLACK_API_URL is set to)."""
        return f"http://127.0.0.1:{self._loopback.port}/api"

    def response_url(self, name: str = "cmd") -> str:
        """A response_url pointing at this double."""
        return self.url.replace("/api", f"/response/{name}")

    def fail(self, method: str, *faults: Fault) -> None:
        """Make the next calls of a method fail, in order."""
        with self._lock:
            self._faults[method].extend(faults)

    def hold(self) -> None:
        """Make every call hang (unanswered, unrecorded) until release(), or for 10 s at most."""
        self._open.clear()

    def release(self) -> None:
        """Let held calls go on."""
        self._open.set()

    def fail_every(self, n: int, fault: Fault) -> None:
        """Fail every n-th request of any method (under load, to exercise retries)."""
        self._every = (n, fault)

    def named(self, method: str) -> list[Call]:
        """The calls of one method, in order."""
        with self._lock:
            return [c for c in self.calls if c.method == method]

    def wait_for(self, method: str | tuple[str, ...], count: int = 1, timeout: float = 10.0) -> list[Call]:
        """Wait until a method (or any of several) has been called ``count`` times; returns those calls."""
        methods = (method,) if isinstance(method, str) else method
        deadline = time.monotonic() + timeout
        with self._recorded:
            while True:
                found = [c for c in self.calls if c.method in methods]
                remaining = deadline - time.monotonic()
                if len(found) >= count or remaining <= 0:
                    break
                self._recorded.wait(remaining)
        if len(found) < count:
            raise AssertionError(f"{method} called {len(found)} times, expected {count}: {self.methods()}")
        return found

    def methods(self) -> list[str]:
        """Every method called so far, in order."""
        with self._lock:
            return [c.method for c in self.calls]

    def __enter__(self) -> "SlackDouble":
        self._loopback.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._loopback.stop()

    def _next_fault(self, method: str) -> Fault | None:
        with self._lock:
            queue = self._faults.get(method)
            if queue:
                return queue.popleft()
            if self._every and method != "auth.test" and next(self._served) % self._every[0] == 0:
                return self._every[1]
            return None

    def _record(self, method: str, args: dict[str, Any], reply: dict[str, Any] | None = None) -> None:
        call = Call(method, args, reply)
        with self._recorded:
            self.calls.append(call)
            self._recorded.notify_all()
        if self.on_record is not None:
            self.on_record(call)

    def _answer(self, method: str, args: dict[str, Any]) -> dict[str, Any]:
        """Slack's reply for a successful call."""
        ts = f"1700000{next(self._ts):03d}.000100"
        if method == "apps.connections.open":  # Socket Mode: where the WebSocket double listens
            return {"ok": True, "url": self.socket_url}
        if method == "auth.test":
            return {"ok": True, "user_id": BOT_USER, "bot_id": BOT_ID, "team_id": TEAM, "user": "advisor"}
        if method in ("chat.postMessage", "chat.startStream"):
            channel = str(args.get("channel", ""))
            if channel.startswith(("U", "W")):  # a post to a user lands in their DM with the app
                channel = "D" + channel[1:]
            return {"ok": True, "channel": channel, "ts": ts}
        if method in ("chat.update", "chat.appendStream", "chat.stopStream"):
            return {"ok": True, "channel": args.get("channel"), "ts": args.get("ts", ts)}
        if method == "conversations.replies" and args.get("channel") in self.not_joined:
            return {"ok": False, "error": "not_in_channel"}
        if method == "conversations.replies":
            return {
                "ok": True,
                "messages": self.threads.get((args.get("channel", ""), args.get("ts", "")), []),
            }
        return {"ok": True}

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        double = self

        class Handler(QuietHandler):
            def do_GET(self) -> None:
                self._serve(dict(parse_qsl(urlparse(self.path).query)))

            def do_POST(self) -> None:
                length = int(self.headers.get("content-length", "0"))
                raw = self.rfile.read(length).decode() if length else ""
                if "json" in self.headers.get("content-type", ""):
                    args = json.loads(raw or "{}")
                else:
                    args = dict(parse_qsl(raw)) | dict(parse_qsl(urlparse(self.path).query))
                self._serve(args)

            def _serve(self, args: dict[str, Any]) -> None:
                path = urlparse(self.path).path
                method = path.removeprefix("/api/") if path.startswith("/api/") else "response_url" + path
                double._open.wait(timeout=HOLD_SECONDS)
                fault = double._next_fault(method)
                if fault is None:
                    reply = double._answer(method, args)
                    double._record(method, args, reply)
                    self._send(200, reply)
                    return
                double._record(method, args)
                if fault.drop:
                    self.close_connection = True
                    self.connection.close()
                elif fault.status != 200:
                    self._send(fault.status, {"ok": False, "error": "scripted"}, fault.retry_after)
                else:
                    self._send(200, {"ok": False, "error": fault.error})

            def _send(self, status: int, payload: dict[str, Any], retry_after: int | None = None) -> None:
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                if retry_after is not None:
                    self.send_header("retry-after", str(retry_after))
                self.end_headers()
                self.wfile.write(data)

        return Handler
