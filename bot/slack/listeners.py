"""Slack listeners: slash command, direct messages, mentions, share and feedback buttons.

Listeners only acknowledge, filter and hand the slow work (the model) to this bot's own thread
pool, so acknowledgements never queue behind answers.
"""

import html
import logging
import re
import time
from collections.abc import Callable, Iterable
from concurrent.futures import Executor
from dataclasses import dataclass
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.webhook import WebhookClient

from bot.advisor import Advisor
from bot.core.answer import Answer, Turn
from bot.core.answer_stream import AnswerStream
from bot.core.question import Question, QuestionError
from bot.slack.agent_view import asked_question, title_thread
from bot.slack.rendering import (
    FEEDBACK_ACTION,
    SHARE_ACTION,
    Renderer,
    SafeMarkdownStream,
    parse_feedback,
    safe_markdown,
)
from bot.storage.store import Store

log = logging.getLogger("bot.slack")

HISTORY_MESSAGES = 20  # earlier thread messages a follow-up reads
STREAM_INTERVAL = 1.0  # seconds between appends to a streaming message
UPDATE_INTERVAL = 1.5  # seconds between chat.update edits (Tier 3: about 50 a minute)
_MENTION = re.compile(r"<@[UW][A-Z0-9]+>")
_USER_ID = re.compile(r"^[UW][A-Z0-9]{2,}$")


@dataclass(frozen=True)
class Conversation:
    """Where and for whom an answer goes in a thread."""

    channel: str
    thread_ts: str
    user: str
    team: str | None
    message_ts: str
    request_id: str


class SlackBot:
    """Registers the advisor's listeners on a Bolt app."""

    def __init__(
        self,
        advisor: Advisor,
        store: Store,
        renderer: Renderer,
        client: WebClient,
        work: Executor,
        webhook: Callable[[str], WebhookClient],
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.advisor, self.store, self.renderer = advisor, store, renderer
        self.client, self.work, self.webhook = client, work, webhook
        self.text = renderer.text
        self.known_sources = frozenset(advisor.knowledge.sections)
        self.clock = clock
        self._bot_user: str | None = None

    def register(self, app: App) -> None:
        """Attach every listener (any slash command name set in the manifest is accepted)."""
        app.command(re.compile(r"^/"))(self.on_command)
        app.action(SHARE_ACTION)(self.on_share)
        app.action(FEEDBACK_ACTION)(self.on_feedback)
        app.event("message")(self.on_message)
        app.event("app_mention")(self.on_mention)

    # -- slash command ---------------------------------------------------------------------

    def on_command(self, ack: Ack, command: dict[str, Any]) -> None:
        """Acknowledge at once; usage for empty or help, else think and answer via response_url."""
        text = (command.get("text") or "").strip()
        if not text or text.lower() == "help":
            ack(text=self.text.usage, blocks=self._usage_blocks(), response_type="ephemeral")
            return
        try:
            question = self.advisor.read(text, trim=True)
        except QuestionError as error:
            ack(text=str(error), response_type="ephemeral")
            return
        ack(text=self.text.thinking, response_type="ephemeral")
        ids = _ids(command.get("trigger_id"), command.get("channel_id"), command.get("user_id"))
        reply = _Reply(self.webhook(str(command.get("response_url", ""))))
        self.work.submit(self._guard, ids, self._answer_command, question, command, reply)

    def _usage_blocks(self) -> list[dict[str, Any]]:
        """Usage line and the example questions."""
        help_text = self.advisor.knowledge.responses.help.text
        return [*self.renderer.notice(self.text.usage).blocks, {"type": "markdown", "text": help_text}]

    def _answer_command(self, question: Question, command: dict[str, Any], respond: "_Reply") -> None:
        """Answer a slash command ephemerally, with a button to share it in the channel."""
        answer = self.advisor.ask(question, user=str(command.get("user_id", "")))
        share_id = self.store.put_share(
            {
                "question": question.text,
                "user": command.get("user_id", ""),
                "answer": answer.model_dump(mode="json"),
            }
        )
        for index, message in enumerate(self.renderer.answer(answer, question.text, share_id=share_id)):
            respond(
                text=message.text,
                blocks=message.blocks,
                response_type="ephemeral",
                replace_original=index == 0,
            )

    def on_share(self, ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        """Post a shared answer visibly in the channel, attributed to the asker."""
        ack()
        respond = _Reply(self.webhook(str(body.get("response_url", ""))))
        share = self.store.take_share(str(body["actions"][0].get("value", "")))
        if share is None:
            respond(text=self.text.share_expired, response_type="ephemeral", replace_original=False)
            return
        answer = Answer.model_validate(share["answer"])
        messages = self.renderer.answer(answer, share["question"])
        asker = share.get("user", "")
        user = f"<@{asker}>" if _USER_ID.match(asker) else ""
        credit = self.text.shared_by.format(user=user, question=safe_markdown(share["question"][:300]))
        messages[0].blocks.insert(0, {"type": "context", "elements": [{"type": "mrkdwn", "text": credit}]})
        channel = body["channel"]["id"]
        for message in messages:
            client.chat_postMessage(channel=channel, text=message.text, blocks=message.blocks)
        respond(delete_original=True)

    def on_feedback(self, ack: Ack, body: dict[str, Any]) -> None:
        """Store a thumbs up or down with the question, answer mode and sources."""
        ack()
        user = str(body.get("user", {}).get("id", ""))
        parsed = parse_feedback(str(body["actions"][0].get("value", "")), self.known_sources)
        if parsed is None:  # crafted, or from another app: never stored as sent
            log.warning("ignored a feedback value that is not a valid one of ours user=%s", user)
            return
        positive, record = parsed
        self.store.add_feedback(user, positive, record.model_dump())

    # -- conversations ---------------------------------------------------------------------

    def on_message(self, event: dict[str, Any], body: dict[str, Any], context: dict[str, Any]) -> None:
        """A direct message: answer it in a thread under the question."""
        if event.get("channel_type") != "im" or not self._from_a_person(event, body, context):
            return
        self._start(event, body, event.get("text", ""), with_status=True)

    def on_mention(self, event: dict[str, Any], body: dict[str, Any], context: dict[str, Any]) -> None:
        """An @mention in a channel: answer in its thread (mentions in the thread continue it)."""
        if not self._from_a_person(event, body, context):
            return
        self._start(event, body, _MENTION.sub(" ", event.get("text", "")), with_status=True)

    def _from_a_person(self, event: dict[str, Any], body: dict[str, Any], context: dict[str, Any]) -> bool:
        """False for bots (this one included), edits, deletions, joins and repeats of an event."""
        if event.get("bot_id") or event.get("subtype") or not event.get("user"):
            return False
        if event.get("user") == context.get("bot_user_id"):
            return False
        return self.store.first_time(
            str(body.get("event_id") or event.get("client_msg_id") or event.get("ts"))
        )

    def _start(self, event: dict[str, Any], body: dict[str, Any], text: str, with_status: bool) -> None:
        """Hand the answer to the work pool."""
        where = Conversation(
            channel=event["channel"],
            thread_ts=event.get("thread_ts") or event["ts"],
            user=event["user"],
            team=event.get("team") or body.get("team_id"),
            message_ts=event["ts"],
            request_id=str(body.get("event_id", "")),
        )
        ids = _ids(where.request_id, where.channel, where.user, where.message_ts)
        self.work.submit(self._guard, ids, self._converse, where, text, with_status)

    def converse(self, where: Conversation, text: str) -> None:
        """Answer a question in a thread from the work pool (for surfaces such as the Home tab)."""
        ids = _ids(where.request_id, where.channel, where.user, where.message_ts)
        self.work.submit(self._guard, ids, self._converse, where, text, True)

    def _converse(self, where: Conversation, text: str, with_status: bool) -> None:
        """Answer in the thread, streaming the model's text as it arrives."""
        client = self.client
        try:
            question = self.advisor.read(text, trim=True)
        except QuestionError as error:
            client.chat_postMessage(channel=where.channel, thread_ts=where.thread_ts, text=str(error))
            return
        if with_status:
            self._set_status(client, where)
        if not where.channel.startswith("D"):  # asked in a channel thread: follow-ups there are welcome
            self.store.remember_thread(where.channel, where.thread_ts)
        elif where.thread_ts == where.message_ts:  # a new conversation in the Messages tab
            title_thread(client, where.channel, where.thread_ts, question.text)
        history = self._history(client, where) if where.thread_ts != where.message_ts else []
        answer = self.advisor.stream(question, history, user=where.user)
        _Delivery(self, client, where, question.text).run(answer)

    def _set_status(self, client: WebClient, where: Conversation) -> None:
        """Show "is thinking..." in the thread (DMs and, with chat:write, channels); skipped if refused."""
        try:
            client.assistant_threads_setStatus(
                channel_id=where.channel,
                thread_ts=where.thread_ts,
                status=self.text.status,
                loading_messages=list(self.text.loading_messages),
            )
        except SlackApiError as error:
            log.debug("setStatus unavailable: %s", error.response.get("error"))

    def _history(self, client: WebClient, where: Conversation) -> list[Turn]:
        """Earlier messages of the thread as turns, read from Slack (the app keeps no copy)."""
        reply = client.conversations_replies(
            channel=where.channel, ts=where.thread_ts, limit=HISTORY_MESSAGES + 1
        )
        bot_user = self._bot_user_id(client)
        turns = []
        messages: list[dict[str, Any]] = reply.get("messages") or []
        for message in messages[-(HISTORY_MESSAGES + 1) :]:
            if message.get("ts") == where.message_ts or not message.get("text"):
                continue
            role = "assistant" if message.get("bot_id") or message.get("user") == bot_user else "user"
            text = html.unescape(_MENTION.sub(" ", message["text"])).strip()
            asked = asked_question(self.text.home.asked, text) if role == "assistant" else None
            if asked:  # a Home tab question the bot posted on the person's behalf: their turn
                role, text = "user", asked
            if text:
                turns.append(Turn(role=role, text=text))
        return turns

    def _bot_user_id(self, client: WebClient) -> str | None:
        """This bot's user id (looked up once)."""
        if self._bot_user is None:
            self._bot_user = client.auth_test().get("user_id")
        return self._bot_user

    # -- failures ----------------------------------------------------------------------------

    def _guard(self, ids: str, job: Callable[..., None], *args: Any) -> None:
        """Run a job and log its outcome with the question's ids; on failure, apologise."""
        try:
            job(*args)
        except Exception as error:
            log.error("answer failed %s error=%s", ids, type(error).__name__)
            self._apologise(args)
        else:
            log.info("answer delivered %s", ids)

    def _apologise(self, args: Iterable[Any]) -> None:
        """A short apology where the question came from; never a stack trace."""
        try:
            for arg in args:
                if isinstance(arg, Conversation):
                    self.client.chat_postMessage(
                        channel=arg.channel, thread_ts=arg.thread_ts, text=self.text.apology
                    )
                    return
                if isinstance(arg, _Reply):
                    arg(text=self.text.apology, response_type="ephemeral", replace_original=True)
                    return
        except Exception as error:  # the apology itself failed: only the log is left
            log.error("apology failed error=%s", type(error).__name__)


class ResponseUrlError(Exception):
    """A response_url post failed even after its retries."""


class _Reply:
    """Posts to a response_url with retries; a post that finally fails raises."""

    def __init__(self, client: WebhookClient) -> None:
        self.client = client

    def __call__(self, **message: Any) -> None:
        response = self.client.send_dict(message)
        if response.status_code >= 300:
            raise ResponseUrlError(f"response_url answered HTTP {response.status_code}")


def _ids(request_id: object, channel: object, user: object, ts: object = None) -> str:
    """The ids that tie a log line to one question (never its text)."""
    found = f"request_id={request_id} channel={channel} user={user}"
    return found + (f" ts={ts}" if ts else "")


class _Delivery:
    """Puts one streamed answer into a thread: chat streaming, or throttled edits without it."""

    def __init__(self, bot: SlackBot, client: WebClient, where: Conversation, question: str) -> None:
        self.bot, self.client, self.where, self.question = bot, client, where, question
        self.pending = ""
        self.stream: Any = None
        self.ts: str | None = None  # message being edited when streaming is unavailable
        self.shown = ""
        self.last_send = 0.0
        self.reset = False
        self.safe = SafeMarkdownStream()

    def run(self, stream: AnswerStream) -> None:
        """Consume the advisor's stream and leave exactly one finished answer in the thread."""
        for chunk in stream:
            self._text(chunk)
        self.reset = stream.withdrawn
        self._finish(stream.answer)

    def _text(self, chunk: str) -> None:
        """Send whole lines (so escaping never splits a mention or link), throttled."""
        self.pending += chunk
        cut = self.pending.rfind("\n")
        interval = UPDATE_INTERVAL if self.ts is not None else STREAM_INTERVAL
        due = not self.shown or self.bot.clock() - self.last_send >= interval
        if cut >= 0 and due and not self.reset:
            self._send(self.pending[: cut + 1])
            self.pending = self.pending[cut + 1 :]

    def _send(self, text: str) -> None:
        """Append to the streaming message, or edit the placeholder when streaming is unavailable."""
        safe = self.safe.feed(text)  # whole Markdown blocks, so no link forms across appends
        if not safe:
            return
        self.last_send = self.bot.clock()
        if self.stream is not None:
            self.stream.append(markdown_text=safe)
        elif self.ts is not None:
            self.client.chat_update(channel=self.where.channel, ts=self.ts, text=self.shown + safe)
        else:
            self._open(safe)
        self.shown += safe

    def _open(self, safe: str) -> None:
        """Start a chat stream; fall back to a message that is edited as text arrives."""
        where = self.where
        try:
            self.stream = self.client.chat_stream(
                channel=where.channel,
                thread_ts=where.thread_ts,
                recipient_user_id=where.user,
                recipient_team_id=where.team,
                buffer_size=1,
            )
            self.stream.append(markdown_text=safe)
        except SlackApiError as error:
            log.info("streaming unavailable (%s); editing a message instead", error.response.get("error"))
            self.stream = None
            posted = self.client.chat_postMessage(channel=where.channel, thread_ts=where.thread_ts, text=safe)
            self.ts = posted.get("ts")

    def _finish(self, answer: Answer) -> None:
        """Close the stream with the footer, or replace what was shown with the whole answer."""
        renderer, where = self.bot.renderer, self.where
        if self.stream is not None and not self.reset:
            tail = self.safe.feed(self.pending) + self.safe.finish()
            if tail:
                self.stream.append(markdown_text=tail)
            self.stream.stop(blocks=renderer.footer(answer, self.question))
            return
        if self.stream is not None:
            self.stream.stop()
            self.ts = self.stream.ts
        messages = renderer.answer(answer, self.question)
        first, rest = messages[0], messages[1:]
        if self.ts is not None:
            self.client.chat_update(channel=where.channel, ts=self.ts, text=first.text, blocks=first.blocks)
        else:
            self.client.chat_postMessage(
                channel=where.channel, thread_ts=where.thread_ts, text=first.text, blocks=first.blocks
            )
        for message in rest:
            self.client.chat_postMessage(
                channel=where.channel, thread_ts=where.thread_ts, text=message.text, blocks=message.blocks
            )
