"""The web front end: a Flask app hosting the Bolt app, with a health endpoint."""

import logging
import os
import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from flask import Flask, Response, jsonify, request
from slack_bolt import App
from slack_bolt.adapter.flask import SlackRequestHandler
from slack_sdk import WebClient
from slack_sdk.http_retry import RetryHandler
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)
from slack_sdk.webhook import WebhookClient

from bot.advisor import Advisor
from bot.advisor_factory import build_advisor, build_store
from bot.logging_setup import configure_logging
from bot.settings import Settings, load_settings, require_slack
from bot.slack.agent_view import MessagesTab
from bot.slack.follow_ups import ThreadFollowUps
from bot.slack.home import HomeTab
from bot.slack.listeners import SlackBot
from bot.slack.rendering import Renderer
from bot.slack.request_checks import MAX_BODY_BYTES, payload_problem, signature_problem
from bot.slack.shortcut import AskShortcut
from bot.storage.resilient import ResilientStore
from bot.storage.store import SchemaError, StorageUnavailable, Store

log = logging.getLogger("bot.slack.web")

ACK_THREADS = 16  # Bolt's threads only acknowledge; answers run on the bot's own pool
SLACK_TIMEOUT = 10  # seconds per Web API call


def retry_handlers() -> list[RetryHandler]:
    """Bounded retries: dropped connections, 429 after Retry-After, and 5xx."""
    return [
        ConnectionErrorRetryHandler(max_retry_count=2),
        RateLimitErrorRetryHandler(max_retry_count=3),
        ServerErrorRetryHandler(max_retry_count=2),
    ]


def make_webhook(url: str) -> WebhookClient:
    """A client for one response_url, retrying like the Web API client."""
    return WebhookClient(url, timeout=SLACK_TIMEOUT, retry_handlers=retry_handlers())


def make_client(settings: Settings) -> WebClient:
    """The Web API client: base URL from settings, retrying 429s, 5xx and dropped connections."""
    assert settings.slack_bot_token is not None
    handlers = retry_handlers()
    base_url = (settings.slack_api_url or "https://slack.com/api").rstrip("/") + "/"
    return WebClient(
        token=settings.slack_bot_token.get_secret_value(),
        base_url=base_url,
        timeout=SLACK_TIMEOUT,
        retry_handlers=handlers,
    )


def build_bolt(settings: Settings, advisor: Advisor, store: Store | None = None) -> App:
    """The Bolt app with every listener registered."""
    assert settings.slack_signing_secret is not None
    client = make_client(settings)
    app = App(
        client=client,
        signing_secret=settings.slack_signing_secret.get_secret_value(),
        token_verification_enabled=False,  # no network call at start-up; auth.test runs on first use
        listener_executor=ThreadPoolExecutor(max_workers=ACK_THREADS, thread_name_prefix="slack-ack"),
        # Bolt otherwise copies the root logger's level into its own loggers, so DEBUG for our
        # code would make it log whole payloads; "slack_bolt" takes the libraries' level.
        logger=logging.getLogger("slack_bolt"),
    )
    work = ThreadPoolExecutor(max_workers=settings.listener_threads, thread_name_prefix="answer")
    store = store or build_store(settings)
    renderer = Renderer(advisor.knowledge)
    bot = SlackBot(advisor, store, renderer, client, work, make_webhook)
    home = HomeTab(advisor.knowledge, store, client, work.submit, advisor.model_configured, bot.converse)
    # these come first: their matchers take only their own tab or channel type
    home.register(app)
    MessagesTab(renderer.text, client, work.submit).register(app)
    ThreadFollowUps(store, work.submit, bot.converse, settings.thread_follow_ups).register(app)
    AskShortcut(advisor, renderer, client, work.submit, make_webhook, bot.converse).register(app)
    bot.register(app)
    return app


def health(advisor: Advisor, store: ResilientStore) -> dict[str, Any]:
    """What /healthz reports: knowledge, model, circuit breaker and database; never secrets."""
    knowledge = advisor.knowledge
    database = store.health()
    return {
        "status": database["status"],
        "process": os.getpid(),
        "knowledge": {"loaded": True, "sections": len(knowledge.sections), "needs": len(knowledge.needs)},
        "model": {
            "configured": advisor.model_configured,
            "name": advisor.model.name if advisor.model else None,
        },
        "breaker": advisor.breaker.snapshot().model_dump(),
        "database": database,
    }


def create_app(
    settings: Settings,
    advisor: Advisor | None = None,
    store: ResilientStore | None = None,
    clock: Callable[[], float] = time.time,
) -> Flask:
    """The Flask app: ``POST /slack/events`` for everything Slack sends, ``GET /healthz``."""
    require_slack(settings)
    assert settings.slack_signing_secret is not None
    secret = settings.slack_signing_secret.get_secret_value()
    store = store or build_store(settings)
    advisor = advisor or build_advisor(settings, counter=store)
    handler = SlackRequestHandler(build_bolt(settings, advisor, store))
    app = Flask("framework_advisor")
    app.config["MAX_CONTENT_LENGTH"] = MAX_BODY_BYTES  # werkzeug stops reading past it: 413

    @app.errorhandler(413)
    def too_large(_error: Exception) -> tuple[Response, int]:
        log.info("rejected a Slack request: body over %d bytes", MAX_BODY_BYTES)
        return jsonify(error="request too large"), 413

    @app.post("/slack/events")
    def slack_events() -> Response | tuple[Response, int]:
        body = request.get_data()  # the size cap applies here, before any signature work
        headers = request.headers
        timestamp, signature = headers.get("X-Slack-Request-Timestamp"), headers.get("X-Slack-Signature")
        # Checked here, not only by Bolt: Bolt parses the body before it verifies the signature,
        # and some malformed signature headers make its check raise (a 500 with a traceback).
        problem = signature_problem(body, timestamp, signature, secret, clock())
        if problem is not None:
            log.info("rejected a Slack request: %s", problem)
            return jsonify(error="invalid request"), 401
        problem = payload_problem(body, request.content_type, request.query_string)
        if problem is not None:
            log.warning("refused a malformed Slack request: %s", problem)
            return jsonify(error="malformed request"), 400
        return handler.handle(request)

    @app.get("/healthz")
    def healthz() -> Response:
        return jsonify(health(advisor, store))

    return app


def create_app_from_env() -> Flask:
    """The app as gunicorn starts it (see Procfile): settings from the environment."""
    settings = load_settings()
    configure_logging(settings)
    try:
        return create_app(settings)
    except (SchemaError, StorageUnavailable) as error:
        # One line, and exit code 3 so gunicorn halts ("failed to boot") instead of looping.
        sys.stderr.write(f"framework-advisor: cannot start: {error}\n")
        raise SystemExit(3) from None
