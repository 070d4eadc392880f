"""A threaded HTTP server on 127.0.0.1 for the doubles: quiet, stoppable, able to refuse."""

import contextlib
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

# How often the serving loop checks for stop(): shutdown() waits for that check, once per test
# for each double, so a short interval saves ~20 ms a test for a few hundred idle wake-ups a second.
POLL_SECONDS = 0.002


class QuietServer(ThreadingHTTPServer):
    """Daemon threads, and no traceback when a client goes away mid-reply (that is expected)."""

    daemon_threads = True
    request_queue_size = 256  # http.server's default backlog of 5 drops bursts of connections

    def handle_error(self, *_args: Any) -> None:
        return


class QuietHandler(BaseHTTPRequestHandler):
    """HTTP/1.1 keep-alive, like the real services, and no access log in test output."""

    protocol_version = "HTTP/1.1"
    # Replies leave in several small writes (headers, body, SSE events); with Nagle's algorithm on,
    # each write after the first waits for the client's delayed ACK (up to 40 ms on Linux).
    disable_nagle_algorithm = True

    def log_message(self, *_args: Any) -> None:
        return


class Loopback:
    """Serves a handler class on a free loopback port; can stop listening and resume."""

    def __init__(self, handler: type[BaseHTTPRequestHandler]) -> None:
        self._handler = handler
        self._connections: set[socket.socket] = set()
        self._lock = threading.Lock()
        self._server = QuietServer(("127.0.0.1", 0), self._tracked(handler))
        self._thread = threading.Thread(target=self._server.serve_forever, args=(POLL_SECONDS,), daemon=True)

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def refuse(self) -> None:
        """Stop listening and cut open keep-alive connections: new connections are refused."""
        self.stop()
        with self._lock:
            for connection in list(self._connections):
                with contextlib.suppress(OSError):  # already closed by the client
                    connection.shutdown(socket.SHUT_RDWR)

    def resume(self) -> None:
        """Listen again on the same port."""
        self._server = QuietServer(("127.0.0.1", self.port), self._tracked(self._handler))
        self._thread = threading.Thread(target=self._server.serve_forever, args=(POLL_SECONDS,), daemon=True)
        self._thread.start()

    def _tracked(self, handler: type[BaseHTTPRequestHandler]) -> type[BaseHTTPRequestHandler]:
        """The handler class, remembering open connections so refuse() can cut them."""
        loopback = self

        class Tracked(handler):  # type: ignore[valid-type, misc]
            def setup(self) -> None:
                super().setup()
                with loopback._lock:
                    loopback._connections.add(self.connection)

            def finish(self) -> None:
                with loopback._lock:
                    loopback._connections.discard(self.connection)
                super().finish()

        return Tracked
