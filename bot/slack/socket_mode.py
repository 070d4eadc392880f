"""Serving the Slack app over Socket Mode until SIGTERM or Ctrl-C, then finishing answers in progress."""

import logging
import signal
import threading
from types import FrameType

from slack_bolt.adapter.socket_mode.base_handler import BaseSocketModeHandler

from bot.slack.bolt_app import SlackApp

log = logging.getLogger("bot.slack.socket_mode")


def serve(slack: SlackApp, handler: BaseSocketModeHandler, stop: threading.Event | None = None) -> None:
    """Connect, wait for SIGTERM/SIGINT (or ``stop``), disconnect, then drain the answer pool.

    Like gunicorn's graceful shutdown: no new questions arrive once the socket is closed, and
    every question already acknowledged still gets its answer before the process exits.
    """
    stop = stop or threading.Event()

    def on_signal(signum: int, _frame: FrameType | None) -> None:
        log.info("signal %s: finishing answers in progress", signum)
        stop.set()

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        handler.connect()  # type: ignore[no-untyped-call]  # untyped in slack_bolt
        stop.wait()
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)
        handler.close()  # type: ignore[no-untyped-call]
        slack.identity.stop()
        slack.pool.drain()
