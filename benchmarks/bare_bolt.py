"""A bare Bolt-in-Flask app whose only listener acknowledges: the burst benchmark's baseline.

gunicorn runs it with the Procfile's flags (``benchmarks.bare_bolt:create_app()``); it is Bolt's
defaults, as a minimal app would be written, pointed at the Slack double. ``switch_interval``
gives it the project's GIL switch interval too, to show what that setting alone does for it.
"""

import os
import re
import sys

from flask import Flask, Response, jsonify, request
from slack_bolt import Ack, App
from slack_bolt.adapter.flask import SlackRequestHandler
from slack_sdk import WebClient

from bot.settings import load_settings


def create_app(switch_interval: float | None = None) -> Flask:
    """Bolt with one slash-command listener that only calls ack(), hosted in Flask."""
    if switch_interval is not None:
        sys.setswitchinterval(switch_interval)
    settings = load_settings()
    assert settings.slack_bot_token is not None
    assert settings.slack_signing_secret is not None
    client = WebClient(
        token=settings.slack_bot_token.get_secret_value(),
        base_url=(settings.slack_api_url or "https://slack.com/api").rstrip("/") + "/",
    )
    bolt = App(client=client, signing_secret=settings.slack_signing_secret.get_secret_value())

    @bolt.command(re.compile(r"^/"))
    def on_command(ack: Ack) -> None:
        ack(text="Thinking about your question...", response_type="ephemeral")

    handler = SlackRequestHandler(bolt)
    app = Flask("bare_bolt")

    @app.post("/slack/events")
    def slack_events() -> Response:
        return handler.handle(request)

    @app.get("/healthz")
    def healthz() -> Response:
        return jsonify(status="ok", process=os.getpid())

    return app
