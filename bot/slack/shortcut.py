"""The "Ask Framework Advisor" message shortcut: answer the question in any message, in its thread.

The answer goes in the message's thread like a mention's. Where the bot cannot post (a private
channel it is not in, someone else's DM), it answers only the person who asked, through the
shortcut's ``response_url``.
"""

import logging
from collections.abc import Callable
from functools import partial
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.webhook import WebhookClient

from bot.advisor import Advisor
from bot.core.question import Question, QuestionError
from bot.slack.delivery import Conversation
from bot.slack.identity import BotIdentity
from bot.slack.jobs import Submit, first_time
from bot.slack.rendering import Renderer
from bot.slack.slack_text import is_user_id, plain_text
from bot.storage.store import Store

log = logging.getLogger("bot.slack.shortcut")

ASK_SHORTCUT = "ask_framework_advisor"


class AskShortcut:
    """Answers the message a shortcut was used on."""

    def __init__(
        self,
        advisor: Advisor,
        renderer: Renderer,
        client: WebClient,
        submit: Submit,
        webhook: Callable[[str], WebhookClient],
        converse: Callable[[Conversation, str], None],
        store: Store,
        identity: BotIdentity,
    ) -> None:
        self.advisor, self.renderer, self.client, self.submit = advisor, renderer, client, submit
        self.webhook, self.converse = webhook, converse
        self.store, self.identity = store, identity
        self.text = renderer.text.shortcut

    def register(self, app: App) -> None:
        """Listen for the shortcut (its callback id is declared in manifest.yml)."""
        app.shortcut(ASK_SHORTCUT)(self.on_shortcut)

    def on_shortcut(self, ack: Ack, shortcut: dict[str, Any]) -> None:
        """Acknowledge at once; refuse what cannot be asked, else answer on the work pool."""
        ack()
        reply = _Private(self.webhook(str(shortcut.get("response_url", ""))))
        text = question_text(shortcut.get("message") or {})
        if not text:
            self.submit(partial(reply.notice, self.text.no_text))
            return
        try:
            question = self.advisor.read(text, trim=True)
        except QuestionError as error:
            self.submit(partial(reply.notice, str(error)))
            return
        self.submit(partial(self._answer, shortcut, question, reply))

    def _answer(self, shortcut: dict[str, Any], question: Question, reply: "_Private") -> None:
        """In the message's thread if the bot may post there, else privately."""
        where = _conversation(shortcut)
        if self._own(shortcut.get("message") or {}):
            reply.notice(self.text.own_answer)
            return
        if not first_time(self.store, f"shortcut:{where.user}:{where.channel}:{where.message_ts}"):
            reply.notice(self.text.repeated)  # used twice on one message: it was answered once
            return
        try:
            self.client.chat_postMessage(
                channel=where.channel, thread_ts=where.thread_ts, text=self._credit(where)
            )
        except SlackApiError as error:
            log.info(
                "cannot post in %s (%s); answering privately", where.channel, error.response.get("error")
            )
            self._answer_privately(question, where.user, reply)
            return
        self.converse(where, question.text)

    def _own(self, message: dict[str, Any]) -> bool:
        """True for a message this bot posted (one of its answers); unknown identity counts as not."""
        if self.identity.known is None:
            self.identity.learn()  # off the ack path: worth one bounded try
        known = self.identity.known
        if known is None:
            return False
        return message.get("user") == known.user_id or (
            known.bot_id is not None and message.get("bot_id") == known.bot_id
        )

    def _credit(self, where: Conversation) -> str:
        """Who asked, and where the bot is no member, how to let it hear follow-ups."""
        credit = self.text.asked.format(user=f"<@{where.user}>" if is_user_id(where.user) else "")
        return credit if self._member(where) else credit + "\n" + self.text.invite_me

    def _member(self, where: Conversation) -> bool:
        """False in a public channel the bot has not joined (it can post there, but hears nothing)."""
        if not where.channel.startswith("C"):  # elsewhere a bot that is no member cannot post at all
            return True
        try:
            self.client.conversations_replies(channel=where.channel, ts=where.thread_ts, limit=1)
        except SlackApiError as error:
            return bool(error.response.get("error") != "not_in_channel")
        return True

    def _answer_privately(self, question: Question, asker: str, reply: "_Private") -> None:
        """The whole answer, visible only to the asker, with a note saying why."""
        answer = self.advisor.ask(question, user=asker)
        messages = self.renderer.answer(answer, question.text)
        note = {"type": "context", "elements": [{"type": "mrkdwn", "text": self.text.private}]}
        messages[0].blocks.insert(0, note)
        for message in messages:
            reply.send(text=message.text, blocks=message.blocks)


def _conversation(shortcut: dict[str, Any]) -> Conversation:
    """The thread of the message the shortcut was used on, asked by the shortcut's user."""
    message, user = shortcut.get("message") or {}, shortcut.get("user") or {}
    return Conversation(
        channel=str((shortcut.get("channel") or {}).get("id", "")),
        thread_ts=str(message.get("thread_ts") or message.get("ts", "")),
        user=str(user.get("id", "")),
        team=user.get("team_id") or (shortcut.get("team") or {}).get("id"),
        message_ts=str(message.get("ts", "")),
        request_id=str(shortcut.get("trigger_id", "")),
    )


def question_text(message: dict[str, Any]) -> str:
    """The question in a Slack message: its text without mentions, Slack's escaping undone."""
    text = message.get("text")
    if not isinstance(text, str):
        return ""
    return plain_text(text)


class _Private:
    """Ephemeral messages to the asker through the shortcut's response_url."""

    def __init__(self, client: WebhookClient) -> None:
        self.client = client

    def notice(self, text: str) -> None:
        """A one-line message only the asker sees."""
        self.send(text=text)

    def send(self, **message: Any) -> None:
        """Post one ephemeral message; a post that still fails after retries is logged."""
        response = self.client.send_dict({"response_type": "ephemeral", "replace_original": False, **message})
        if response.status_code >= 300:
            log.error("shortcut reply failed status=%s", response.status_code)
