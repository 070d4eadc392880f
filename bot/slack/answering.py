"""The work behind each Slack surface, run on the answer pool after the acknowledgement.

Everything slow or fallible lives here, never in a listener: the model, every Web API call,
every database read or write. Each job logs ``answer delivered`` or ``answer failed`` with the
question's ids (never its text), and on failure apologises where the question came from.
Storage trouble never costs an answer: de-duplication fails open, a share that cannot be kept
loses its button, and feedback is retried and the user told if it still fails.
"""

import logging
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlparse

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.webhook import WebhookClient

from bot.advisor import Advisor
from bot.core.answer import Answer, Turn
from bot.core.answer_stream import AnswerStream
from bot.core.question import Question, QuestionError
from bot.core.rules.parse import Intent
from bot.slack.agent_view import title_thread
from bot.slack.delivery import Conversation, ThreadDelivery
from bot.slack.history import HISTORY_MESSAGES, Self, thread_turns
from bot.slack.identity import BotIdentity
from bot.slack.rendering import Renderer, parse_feedback, safe_markdown
from bot.slack.response_url import ResponseUrl
from bot.slack.slack_text import is_user_id
from bot.storage.store import Store

log = logging.getLogger("bot.slack")

SHARE_QUESTION_CHARS = 300  # of the question shown above a shared answer
# What a reply in a thread says that is talk between people, not a question ("thanks!", "hi"):
# a follow-up that reads as one of these gets no reply (an explicit mention still gets the greeting).
_SMALL_TALK = frozenset({Intent.GREETING, Intent.HELP})
# Slack's refusals that mean the bot is not in the conversation: the user can fix it by inviting it.
_NOT_A_MEMBER = {"not_in_channel", "channel_not_found"}
# Refusals that clicking again cannot fix: the conversation is archived or posting there is restricted.
_NOT_ALLOWED = {"is_archived", "is_archived_channel_not_allowed", "restricted_action"}
_SlackFailure = (SlackClientError, OSError)


class Answering:
    """Answers questions, posts shares and stores feedback; each public method is one job."""

    def __init__(
        self,
        advisor: Advisor,
        store: Store,
        renderer: Renderer,
        client: WebClient,
        identity: BotIdentity,
        webhook: Callable[[str], WebhookClient],
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.advisor, self.store, self.renderer = advisor, store, renderer
        self.client, self.identity, self.webhook = client, identity, webhook
        self.text = renderer.text
        self.known_sources = frozenset(advisor.knowledge.sections)
        self.clock = clock

    # -- slash command -----------------------------------------------------------------------

    def command(self, question: Question, command: dict[str, Any]) -> None:
        """Answer a slash command ephemerally through its response_url."""
        ids = _ids(command.get("trigger_id"), command.get("channel_id"), command.get("user_id"))
        url = str(command.get("response_url", ""))
        if not _web_url(url):  # Slack always sends one; without it there is nowhere to answer
            log.warning("command without a usable response_url; not answered %s", ids)
            return
        reply = ResponseUrl(self.webhook(url))

        def apologise() -> None:
            reply(text=self.text.apology, response_type="ephemeral", replace_original=True)

        _guarded(ids, lambda: self._answer_command(question, command, reply), apologise)

    def _answer_command(self, question: Question, command: dict[str, Any], reply: ResponseUrl) -> None:
        """The answer, with a Share button when the share could be kept."""
        user = str(command.get("user_id", ""))
        answer = self.advisor.ask(question, user=user)
        share_id = self._keep_share(question.text, user, answer)
        for index, message in enumerate(self.renderer.answer(answer, question.text, share_id=share_id)):
            reply(
                text=message.text,
                blocks=message.blocks,
                response_type="ephemeral",
                replace_original=index == 0,
            )

    def _keep_share(self, question: str, user: str, answer: Answer) -> str | None:
        """Store the answer for sharing; None (no Share button) if storage fails."""
        payload = {"question": question, "user": user, "answer": answer.model_dump(mode="json")}
        try:
            return self.store.put_share(payload)
        except Exception as error:
            log.warning("could not keep a share (%s); answering without the Share button", _name(error))
            return None

    # -- share button --------------------------------------------------------------------------

    def share(self, body: dict[str, Any]) -> None:
        """Post a shared answer visibly in the channel, credited to the asker."""
        ids = _ids(body.get("trigger_id"), _channel(body), _user(body))
        url = str(body.get("response_url", ""))
        if not _web_url(url):  # a click on a message always has one; without it no one can be told
            log.warning("share without a usable response_url; not posted %s", ids)
            return
        reply = ResponseUrl(self.webhook(url))

        def apologise() -> None:
            reply(text=self.text.apology, response_type="ephemeral", replace_original=False)

        _guarded(ids, lambda: self._share(body, reply), apologise)

    def _share(self, body: dict[str, Any], reply: ResponseUrl) -> None:
        """Claim the share, post it, and hand it back if Slack refuses (telling the user why)."""
        share_id = _action_value(body)
        try:
            share = self.store.take_share(share_id)
            state = "ready" if share is not None else self.store.share_state(share_id)
        except Exception as error:
            log.warning("could not read a share (%s)", _name(error))
            reply(text=self.text.share_unavailable, response_type="ephemeral", replace_original=False)
            return
        if share is None:
            wording = self.text.share_already_shared if state == "taken" else self.text.share_expired
            reply(text=wording, response_type="ephemeral", replace_original=False)
            return
        try:
            self._post_share(share, _channel(body))
        except _SlackFailure as error:
            self._share_refused(share_id, error, reply)
            return
        reply(delete_original=True)

    def _post_share(self, share: dict[str, Any], channel: str) -> None:
        """The answer's messages in the channel, with a credit line above them."""
        answer = Answer.model_validate(share["answer"])
        question = str(share.get("question", ""))
        messages = self.renderer.answer(answer, question)
        asker = str(share.get("user", ""))
        user = f"<@{asker}>" if is_user_id(asker) else ""
        credit = self.text.shared_by.format(
            user=user, question=safe_markdown(question[:SHARE_QUESTION_CHARS])
        )
        messages[0].blocks.insert(0, {"type": "context", "elements": [{"type": "mrkdwn", "text": credit}]})
        for message in messages:
            self.client.chat_postMessage(channel=channel, text=message.text, blocks=message.blocks)

    def _share_refused(self, share_id: str, error: Exception, reply: ResponseUrl) -> None:
        """Keep the share for another try and tell the user why it failed and what to do."""
        reason = _reason(error)
        log.warning("share refused by Slack (%s); the share is kept", reason)
        try:
            self.store.return_share(share_id)
        except Exception as failure:
            log.error("could not keep a refused share (%s)", _name(failure))
        if reason in _NOT_A_MEMBER:
            wording = self.text.share_not_in_channel
        elif reason in _NOT_ALLOWED or reason.startswith("restricted_action"):
            wording = self.text.share_not_allowed.format(reason=safe_markdown(reason))
        else:
            wording = self.text.share_failed.format(reason=safe_markdown(reason))
        reply(text=wording, response_type="ephemeral", replace_original=False)

    # -- feedback buttons ----------------------------------------------------------------------

    def feedback(self, body: dict[str, Any]) -> None:
        """Store a thumbs up or down (the store retries); the user is told if it cannot be saved."""
        parsed = parse_feedback(_action_value(body), self.known_sources)
        if parsed is None:  # crafted, or from another app: never stored as sent
            log.warning("ignored a feedback value that is not a valid one of ours user=%s", _user(body))
            return
        positive, record = parsed
        try:
            self.store.add_feedback(
                _user(body),
                positive,
                record.model_dump(),
                answer_id=voted_answer(body),
                clicked_at=_action_time(body),  # the last click wins, whatever order they are stored in
            )
            return
        except Exception as error:
            log.warning("feedback not saved (%s); telling the user", _name(error))
        url = str(body.get("response_url", ""))
        if not _web_url(url):
            return  # nowhere to say it: the log line above is all there is
        reply = ResponseUrl(self.webhook(url))
        _guarded(
            _ids(body.get("trigger_id"), _channel(body), _user(body)),
            lambda: reply(text=self.text.feedback_failed, response_type="ephemeral", replace_original=False),
            lambda: None,
        )

    # -- conversations -------------------------------------------------------------------------

    def conversation(self, event: dict[str, Any], body: dict[str, Any], text: str, with_status: bool) -> None:
        """Answer a DM or mention in its thread (once, even when Slack retries the event)."""
        where = Conversation(
            channel=event["channel"],
            thread_ts=event.get("thread_ts") or event["ts"],
            user=event["user"],
            team=event.get("team") or body.get("team_id"),
            message_ts=event["ts"],
            request_id=str(body.get("event_id", "")),
        )
        ids = _ids(where.request_id, where.channel, where.user, where.message_ts)
        if not self._first_time(str(body.get("event_id") or event.get("client_msg_id") or event["ts"]), ids):
            return

        def apologise() -> None:
            self.client.chat_postMessage(
                channel=where.channel, thread_ts=where.thread_ts, text=self.text.apology
            )

        has_files = bool(event.get("files")) or event.get("subtype") == "file_share"
        _guarded(ids, lambda: self._converse(where, body, text, with_status, has_files), apologise)

    def converse(self, where: Conversation, text: str) -> None:
        """Answer a question in a thread, as a job (the Home tab's examples, the message shortcut)."""
        ids = _ids(where.request_id, where.channel, where.user, where.message_ts)

        def apologise() -> None:
            self.client.chat_postMessage(
                channel=where.channel, thread_ts=where.thread_ts, text=self.text.apology
            )

        _guarded(ids, lambda: self._converse(where, {}, text, True, False), apologise)

    def follow_up(self, where: Conversation, text: str) -> None:
        """Answer a thread reply that mentions no one, as a job; silent unless it is a fair question."""
        ids = _ids(where.request_id, where.channel, where.user, where.message_ts)

        def apologise() -> None:
            self.client.chat_postMessage(
                channel=where.channel, thread_ts=where.thread_ts, text=self.text.apology
            )

        _guarded(ids, lambda: self._follow_up(where, text), apologise)

    def _follow_up(self, where: Conversation, text: str) -> None:
        """The answer in one piece, posted only when in scope: a "thanks" gets no public refusal."""
        try:
            question = self.advisor.read(text, trim=True)
        except QuestionError:
            return
        if self.advisor.rules.read(question.text).intent in _SMALL_TALK:  # cheap: no model call
            log.info("follow-up left unanswered: small talk, not a question for the advisor")
            return
        self._set_status(where)
        answer = self.advisor.ask(question, self._history(where, {}), user=where.user)
        if not answer.in_scope:
            self._set_status(where, "")  # nothing will be posted to clear "is thinking..."
            log.info("follow-up left unanswered: not a question for the advisor")
            return
        finished = AnswerStream(iter([answer]))
        ThreadDelivery(self.client, where, question.text, self.renderer, self.clock).run(finished)

    def _first_time(self, key: str, ids: str) -> bool:
        """False for a repeat of an event; True (answer anyway) when storage cannot tell."""
        try:
            return self.store.first_time(key)
        except Exception as error:
            log.warning("de-duplication unavailable (%s); answering anyway %s", _name(error), ids)
            return True

    def _converse(
        self, where: Conversation, body: dict[str, Any], text: str, with_status: bool, has_files: bool
    ) -> None:
        """Answer in the thread, streaming the model's text as it arrives."""
        if has_files:
            self.client.chat_postMessage(
                channel=where.channel, thread_ts=where.thread_ts, text=self.text.files_not_read
            )
        try:
            question = self.advisor.read(text, trim=True)
        except QuestionError as error:
            self.client.chat_postMessage(channel=where.channel, thread_ts=where.thread_ts, text=str(error))
            return
        if with_status:
            self._set_status(where)
        if not where.channel.startswith("D"):  # asked in a channel thread: follow-ups there are welcome
            self._remember_thread(where)
        elif where.thread_ts == where.message_ts:  # a new conversation in the Messages tab
            title_thread(self.client, where.channel, where.thread_ts, question.text, self.text.title_more)
        history = self._history(where, body) if where.thread_ts != where.message_ts else []
        stream = self.advisor.stream(question, history, user=where.user)
        ThreadDelivery(self.client, where, question.text, self.renderer, self.clock).run(stream)

    def _remember_thread(self, where: Conversation) -> None:
        """Note the thread for follow-ups; storage trouble only costs those, never this answer."""
        try:
            self.store.remember_thread(where.channel, where.thread_ts, where.user)
        except Exception as error:
            log.warning("could not remember the thread (%s); answering anyway", _name(error))

    def _set_status(self, where: Conversation, status: str | None = None) -> None:
        """Show "is thinking..." ("" clears it); where Slack refuses, it is skipped."""
        shown = self.text.status if status is None else status
        try:
            self.client.assistant_threads_setStatus(
                channel_id=where.channel,
                thread_ts=where.thread_ts,
                status=shown,
                loading_messages=list(self.text.loading_messages) if shown else None,
            )
        except SlackApiError as error:
            log.debug("setStatus unavailable: %s", error.response.get("error"))

    def _history(self, where: Conversation, body: dict[str, Any]) -> list[Turn]:
        """Earlier messages of the thread, read from Slack; none (logged) if Slack refuses."""
        try:
            reply = self.client.conversations_replies(
                channel=where.channel, ts=where.thread_ts, limit=HISTORY_MESSAGES + 1
            )
        except _SlackFailure as error:
            log.warning(
                "thread history unavailable (%s); answering without it %s",
                _reason(error),
                _ids(where.request_id, where.channel, where.user, where.message_ts),
            )
            return []
        if self.identity.known is None:
            self.identity.learn()  # off the ack path: worth one bounded try
        known = self.identity.known
        me = Self(
            app_id=body.get("api_app_id"),
            bot_id=known.bot_id if known else None,
            user_id=known.user_id if known else None,
        )
        asked = self.text.home.asked if where.channel.startswith("D") else None  # the Home tab asks in DMs
        return thread_turns(reply.get("messages") or [], where.message_ts, me, asked)


def _guarded(ids: str, job: Callable[[], None], apologise: Callable[[], None]) -> None:
    """Run a job and log its outcome with the question's ids; on failure, apologise."""
    try:
        job()
    except Exception as error:
        log.error("answer failed %s error=%s", ids, type(error).__name__)
        try:
            apologise()
        except Exception as failure:  # the apology itself failed: only the log is left
            log.error("apology failed %s error=%s", ids, type(failure).__name__)
    else:
        log.info("answer delivered %s", ids)


def voted_answer(body: dict[str, Any]) -> str | None:
    """The answer a vote is about: the message holding the buttons (one vote per user per answer)."""
    container, message = body.get("container"), body.get("message")
    container = container if isinstance(container, dict) else {}
    message = message if isinstance(message, dict) else {}
    message_ts = container.get("message_ts") or message.get("ts")
    channel = container.get("channel_id") or _channel(body)
    return f"{channel}:{message_ts}" if message_ts and channel else None


def _ids(request_id: object, channel: object, user: object, ts: object = None) -> str:
    """The ids that tie a log line to one question (never its text)."""
    found = f"request_id={request_id} channel={channel} user={user}"
    return found + (f" ts={ts}" if ts else "")


def _web_url(url: str) -> bool:
    """True for an http(s) URL with a host (what a response_url must be)."""
    parsed = urlparse(url)
    return parsed.scheme in ("http", "https") and bool(parsed.netloc)


def _action_time(body: dict[str, Any]) -> float | None:
    """When the button was clicked (Slack's action_ts), or None if the payload has no usable one."""
    actions = body.get("actions") or [{}]
    try:
        return float(str(actions[0].get("action_ts"))) if isinstance(actions[0], dict) else None
    except (ValueError, OverflowError):
        return None


def _action_value(body: dict[str, Any]) -> str:
    """The clicked button's value."""
    actions = body.get("actions") or [{}]
    return str(actions[0].get("value", "")) if isinstance(actions[0], dict) else ""


def _channel(body: dict[str, Any]) -> str:
    channel = body.get("channel")
    return str(channel.get("id", "")) if isinstance(channel, dict) else ""


def _user(body: dict[str, Any]) -> str:
    user = body.get("user")
    return str(user.get("id", "")) if isinstance(user, dict) else ""


def _name(error: Exception) -> str:
    return type(error).__name__


def _reason(error: Exception) -> str:
    """Slack's error code, or the exception's type: enough for a log or a user, never a token."""
    if isinstance(error, SlackApiError):
        return str(error.response.get("error"))
    return type(error).__name__
