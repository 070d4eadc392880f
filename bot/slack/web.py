"""The web front end: a Flask app hosting the Bolt app, with a health endpoint."""

import logging
import os
import sys
import time
from collections.abc import Callable
from typing import Any, NoReturn

from flask import Flask, Response, abort, jsonify, request

from bot.advisor import Advisor
from bot.advisor_factory import build_advisor, build_store
from bot.core.knowledge import KnowledgeError
from bot.logging_setup import configure_logging
from bot.settings import Settings, SettingsError, load_settings, require_slack
from bot.slack.answer_pool import AnswerPool
from bot.slack.bolt_app import GatedHandler, build_slack_app
from bot.slack.request_checks import MAX_BODY_BYTES, payload_problem, signature_problem
from bot.slack.web_api import RetryPacing
from bot.startup import StartupError, check_db_path
from bot.storage.resilient import ResilientStore
from bot.storage.store import SchemaError, StorageUnavailable

log = logging.getLogger("bot.slack.web")

# How long a thread may hold the GIL before a waiting one asks for it (CPython's default: 5 ms).
# Acknowledgements run inline on gunicorn's threads and release the GIL at every socket read and
# write; under a burst each of those waits up to a whole interval for a thread still busy with
# its own request (the convoy effect), which put 25-40 ms between an ack's first and last byte.
# An ack needs about 0.5 ms of CPU, so handing the GIL over at that pace keeps them moving.
SWITCH_INTERVAL = 0.0005


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
    pool: AnswerPool | None = None,
    pacing: RetryPacing | None = None,
) -> Flask:
    """The Flask app: ``POST /slack/events`` for everything Slack sends, ``GET /healthz``."""
    require_slack(settings)
    assert settings.slack_signing_secret is not None
    secret = settings.slack_signing_secret.get_secret_value()
    store = store or build_store(settings)
    advisor = advisor or build_advisor(settings, counter=store)
    handler = GatedHandler(build_slack_app(settings, advisor, store, pool, pacing))
    app = Flask("framework_advisor")
    app.config["MAX_CONTENT_LENGTH"] = MAX_BODY_BYTES  # werkzeug stops reading past it: 413

    @app.errorhandler(413)
    def too_large(_error: Exception) -> tuple[Response, int]:
        log.info("rejected a Slack request: body over %d bytes", MAX_BODY_BYTES)
        return jsonify(error="request too large"), 413

    @app.post("/slack/events")
    def slack_events() -> Response | tuple[Response, int]:
        body = request.get_data()  # the size cap applies here, before any signature work
        if request.content_length is None and len(body) >= MAX_BODY_BYTES and request.stream.read(1):
            abort(413)  # a chunked body werkzeug cut at the cap (reading on raises 413 itself, too)
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
    """The app as gunicorn starts it (see Procfile): settings from the environment.

    A configuration it cannot start with prints one line naming the variable and exits with
    code 3, which makes gunicorn stop ("failed to boot") instead of restarting workers forever.
    """
    try:
        settings = load_settings()
        configure_logging(settings)
        require_slack(settings)
        check_db_path(settings)
        app = create_app(settings)
        sys.setswitchinterval(SWITCH_INTERVAL)  # for the whole worker process: see SWITCH_INTERVAL
        return app
    except KnowledgeError as error:  # the files are found through this variable
        _cannot_start(f"ADVISOR_KNOWLEDGE_DIR: {one_line(error)}")
    except (SettingsError, StartupError, SchemaError, StorageUnavailable) as error:
        _cannot_start(one_line(error))


def _cannot_start(problem: str) -> NoReturn:
    """Say why in one line and exit with code 3."""
    sys.stderr.write(f"framework-advisor: cannot start: {problem}\n")
    raise SystemExit(3) from None


def one_line(error: Exception) -> str:
    """An error's message on one line (settings errors list one variable per line)."""
    first, *rest = [line.strip() for line in str(error).splitlines() if line.strip()] or [""]
    return " ".join([first, "; ".join(rest)]) if rest else first
