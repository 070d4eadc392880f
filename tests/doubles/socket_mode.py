"""A loopback Socket Mode server: the WebSocket end of ``apps.connections.open``, speaking RFC 6455.

It completes the handshake, sends each queued envelope once (to the first connection that is
open), answers pings, and records the envelope ids the client acknowledges.
"""

import base64
import hashlib
import json
import queue
import socket
import struct
import threading
from typing import Any

_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


class SocketModeDouble:
    """The server; use as a context manager. ``url`` is what apps.connections.open returns."""

    def __init__(self) -> None:
        self.acked: list[str] = []
        self._envelopes: queue.SimpleQueue[dict[str, Any]] = queue.SimpleQueue()
        self._server = socket.create_server(("127.0.0.1", 0))
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self._server.getsockname()[1]}/link"

    def send(self, envelope: dict[str, Any]) -> None:
        """Queue an envelope for the connected client."""
        self._envelopes.put(envelope)

    def __enter__(self) -> "SocketModeDouble":
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._server.close()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                connection, _ = self._server.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(connection,), daemon=True).start()

    def _serve(self, connection: socket.socket) -> None:
        with connection:
            try:
                self._handshake(connection)
                connection.settimeout(0.05)
                while not self._stop.is_set():
                    self._push(connection)
                    self._read(connection)
            except OSError:
                return

    def _handshake(self, connection: socket.socket) -> None:
        request = b""
        while b"\r\n\r\n" not in request:
            request += connection.recv(4096)
        headers = dict(line.split(": ", 1) for line in request.decode().split("\r\n")[1:] if ": " in line)
        key = {k.lower(): v for k, v in headers.items()}["sec-websocket-key"].strip()
        accept = base64.b64encode(hashlib.sha1((key + _GUID).encode()).digest()).decode()
        connection.sendall(
            (
                "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                f"Sec-WebSocket-Accept: {accept}\r\n\r\n"
            ).encode()
        )
        _send_frame(connection, 0x1, json.dumps({"type": "hello"}).encode())

    def _push(self, connection: socket.socket) -> None:
        while not self._envelopes.empty():
            _send_frame(connection, 0x1, json.dumps(self._envelopes.get()).encode())

    def _read(self, connection: socket.socket) -> None:
        try:
            head = connection.recv(2)
        except TimeoutError:
            return
        if len(head) < 2:
            raise OSError("closed")
        connection.settimeout(None)
        opcode, length = head[0] & 0x0F, head[1] & 0x7F
        if length == 126:
            length = struct.unpack(">H", _exactly(connection, 2))[0]
        elif length == 127:
            length = struct.unpack(">Q", _exactly(connection, 8))[0]
        mask = _exactly(connection, 4) if head[1] & 0x80 else b"\0\0\0\0"
        data = bytes(b ^ mask[i % 4] for i, b in enumerate(_exactly(connection, length)))
        connection.settimeout(0.05)
        if opcode == 0x9:
            _send_frame(connection, 0xA, data)
        elif opcode == 0x8:
            raise OSError("closed by the client")
        elif opcode == 0x1:
            envelope_id = json.loads(data).get("envelope_id")
            if envelope_id:
                self.acked.append(str(envelope_id))


def _exactly(connection: socket.socket, size: int) -> bytes:
    data = b""
    while len(data) < size:
        chunk = connection.recv(size - len(data))
        if not chunk:
            raise OSError("closed")
        data += chunk
    return data


def _send_frame(connection: socket.socket, opcode: int, payload: bytes) -> None:
    size = len(payload)
    if size < 126:
        header = struct.pack(">BB", 0x80 | opcode, size)
    elif size < 65536:
        header = struct.pack(">BBH", 0x80 | opcode, 126, size)
    else:
        header = struct.pack(">BBQ", 0x80 | opcode, 127, size)
    connection.sendall(header + payload)
