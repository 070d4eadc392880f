"""The Bolt app: built once per process, authorising from the token it holds, answers on a pool.

No Slack API call happens at construction or on any request's way to its acknowledgement:
``auth.test`` runs once per process on a background thread (``bot.slack.identity``).
Listeners run before the response is sent (``process_before_response``) because they only
queue a job; that spares each ack Bolt's hand-off to its own executor, which polls every 10 ms.
"""

import logging
from dataclasses import dataclass
from functools import partial

from flask import Request, Response
from slack_bolt import App
from slack_bolt.adapter.flask import SlackRequestHandler
from slack_sdk import WebClient

from bot.advisor import Advisor
from bot.advisor_factory import build_store
from bot.settings import Settings
from bot.slack.agent_view import MessagesTab
from bot.slack.answer_pool import AckGate, AnswerPool
from bot.slack.answering import Answering
from bot.slack.follow_ups import ThreadFollowUps
from bot.slack.home import HomeTab
from bot.slack.identity import BotIdentity
from bot.slack.listeners import Listeners
from bot.slack.rendering import Renderer
from bot.slack.response_url import make_webhook
from bot.slack.shortcut import AskShortcut
from bot.slack.web_api import RetryPacing, api_base_url, make_client
from bot.storage.store import Store

AUTH_TEST_TIMEOUT = 5  # seconds for one auth.test; the background thread retries


@dataclass
class SlackApp:
    """The Bolt app and what it runs on: the answer pool, its gate and the bot's identity."""

    bolt: App
    pool: AnswerPool
    identity: BotIdentity
    gate: AckGate | None


def build_slack_app(
    settings: Settings,
    advisor: Advisor,
    store: Store | None = None,
    pool: AnswerPool | None = None,
    pacing: RetryPacing | None = None,
) -> SlackApp:
    """The Bolt app with every listener registered; starts learning the bot's identity."""
    assert settings.slack_signing_secret is not None
    assert settings.slack_bot_token is not None
    token = settings.slack_bot_token.get_secret_value()
    pacing = pacing or RetryPacing()
    client = make_client(settings, pacing)
    webhook = partial(make_webhook, pacing=pacing)
    # its own client: one short try per attempt, no retry handlers (the background thread retries)
    auth_client = WebClient(
        token=token, base_url=api_base_url(settings), timeout=AUTH_TEST_TIMEOUT, retry_handlers=[]
    )
    identity = BotIdentity(auth_client, token)
    app = App(
        # Bolt's own client carries no token: ``authorize`` hands each request the token.
        client=WebClient(
            base_url=client.base_url, timeout=client.timeout, retry_handlers=client.retry_handlers
        ),
        signing_secret=settings.slack_signing_secret.get_secret_value(),
        authorize=identity.authorize(),  # no auth.test inside requests (Bolt's default does one lazily)
        process_before_response=True,
        # Bolt otherwise copies the root logger's level into its own loggers, so DEBUG for our
        # code would make it log whole payloads; "slack_bolt" takes the libraries' level.
        logger=logging.getLogger("slack_bolt"),
    )
    gate = None if pool is not None else AckGate()
    pool = pool or AnswerPool(settings.listener_threads, gate)
    renderer = Renderer(advisor.knowledge)
    store = store or build_store(settings)
    answering = Answering(advisor, store, renderer, client, identity, webhook)
    home = HomeTab(
        advisor.knowledge, store, client, pool.submit, advisor.model_configured, answering.converse
    )
    listeners = Listeners(advisor, renderer, answering, pool)
    listeners.register_requests(app)  # the hot path first: each matches only its own payload type
    # before the general message listener: their matchers take only their own tab or channel type
    home.register(app)
    MessagesTab(renderer.text, client, pool.submit).register(app)
    ThreadFollowUps(store, pool.submit, answering.follow_up, settings.thread_follow_ups).register(app)
    AskShortcut(
        advisor, renderer, client, pool.submit, webhook, answering.converse, store, identity
    ).register(app)
    listeners.register_events(app)
    identity.learn_in_background()
    return SlackApp(app, pool, identity, gate)


class GatedHandler(SlackRequestHandler):
    """Bolt's Flask adapter, telling the gate while an acknowledgement is in flight."""

    def __init__(self, slack: SlackApp) -> None:
        super().__init__(slack.bolt)
        self.gate = slack.gate

    def handle(self, req: Request) -> Response:
        if self.gate is None:
            return super().handle(req)
        self.gate.enter()
        try:
            return super().handle(req)
        finally:
            self.gate.leave()
