"""Delivering one streamed answer into a Slack thread: the streaming state machine.

Text goes out as Slack chat streams (``chat.startStream``/``appendStream``/``stopStream``), in
whole lines so escaping never splits a mention or link, throttled, each append within Slack's
12,000-character limit and each message within the renderer's budget (a long answer continues
in further messages). Where streaming is unavailable a placeholder is edited instead. If a
stream fails part-way, or the advisor resets its stream, the whole answer is posted again as
normal messages, so the thread always ends with exactly one complete answer.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from bot.core.answer import Answer
from bot.core.answer_stream import AnswerStream
from bot.slack.rendering import FALLBACK_CHARS, MESSAGE_MARKDOWN, Renderer, SafeMarkdownStream

log = logging.getLogger("bot.slack.delivery")

STREAM_INTERVAL = 1.0  # seconds between appends to a streaming message
UPDATE_INTERVAL = 1.5  # seconds between chat.update edits (Tier 3: about 50 a minute)
# Escaped text per append, well under appendStream's 12,000-character limit.
STREAM_PIECE = 4000
SlackFailure = (SlackClientError, OSError)  # API errors, stream-state errors, dropped connections


@dataclass(frozen=True)
class Conversation:
    """Where and for whom an answer goes in a thread."""

    channel: str
    thread_ts: str
    user: str
    team: str | None
    message_ts: str
    request_id: str


class ThreadDelivery:
    """Puts one streamed answer into a thread; ``run`` consumes the advisor's stream."""

    def __init__(
        self,
        client: WebClient,
        where: Conversation,
        question: str,
        renderer: Renderer,
        clock: Callable[[], float],
    ) -> None:
        self.client, self.where, self.question = client, where, question
        self.renderer, self.clock = renderer, clock
        self.pending = ""  # text received and not yet sent
        self.streams: list[Any] = []  # chat streams opened, the last one open
        self.in_stream = 0  # escaped characters in the open stream's message
        self.ts: str | None = None  # placeholder being edited when streaming is unavailable
        self.shown = ""  # escaped text in the placeholder
        self.last_send = 0.0
        self.reset = False  # the advisor dropped what it streamed
        self.failed = False  # Slack refused the stream part-way
        self.safe = SafeMarkdownStream()  # whole Markdown blocks, so no link forms across appends

    def run(self, stream: AnswerStream) -> None:
        """Consume the advisor's stream and leave exactly one finished answer in the thread."""
        for chunk in stream:
            self._text(chunk)
        self.reset = stream.withdrawn
        self._finish(stream.answer)

    def _text(self, chunk: str) -> None:
        """Buffer text; send whole lines when the throttle allows."""
        self.pending += chunk
        if self.reset or self.failed:
            return
        cut = self.pending.rfind("\n")
        interval = UPDATE_INTERVAL if self.ts is not None else STREAM_INTERVAL
        due = not (self.streams or self.ts) or self.clock() - self.last_send >= interval
        if cut >= 0 and due:
            self._send(self.pending[: cut + 1])
            self.pending = self.pending[cut + 1 :]

    def _send(self, text: str) -> None:
        """Show more text: append to the stream (in capped pieces) or edit the placeholder."""
        safe = self.safe.feed(text)
        if not safe:
            return
        self.last_send = self.clock()
        try:
            if self.ts is not None:
                self._edit(safe)
                return
            for piece in _pieces(safe):
                self._append(piece)
        except SlackFailure as error:
            log.warning("streaming failed (%s); the whole answer will be posted", _reason(error))
            self.failed = True

    def _append(self, safe: str) -> None:
        """Append to the open stream, continuing in a new message past the message budget."""
        if self.streams and self.in_stream + len(safe) <= MESSAGE_MARKDOWN:
            self.streams[-1].append(markdown_text=safe)
            self.in_stream += len(safe)
            return
        if self.streams:
            self.streams[-1].stop()
        self._open(safe)

    def _open(self, safe: str) -> None:
        """Start a chat stream with its first text; without streaming, post a placeholder."""
        where = self.where
        stream = self.client.chat_stream(
            channel=where.channel,
            thread_ts=where.thread_ts,
            recipient_user_id=where.user,
            recipient_team_id=where.team,
            buffer_size=1,
        )
        try:
            stream.append(markdown_text=safe)
        except SlackApiError as error:
            if self.streams:  # streaming worked before: this is a failure, not a lack of support
                raise
            log.info("streaming unavailable (%s); editing a message instead", _reason(error))
            self._edit(safe)
            return
        self.streams.append(stream)
        self.in_stream = len(safe)

    def _edit(self, safe: str) -> None:
        """Post the placeholder, or edit it with more text (text only, within its limit)."""
        where = self.where
        if self.ts is None:
            posted = self.client.chat_postMessage(channel=where.channel, thread_ts=where.thread_ts, text=safe)
            self.ts, self.shown = posted.get("ts"), safe
        elif len(self.shown) + len(safe) <= FALLBACK_CHARS:  # the final answer shows the rest
            self.shown += safe
            self.client.chat_update(channel=where.channel, ts=self.ts, text=self.shown)

    def _finish(self, answer: Answer) -> None:
        """Close the stream with the footer, or post the whole answer as normal messages."""
        if self.streams and not (self.reset or self.failed):
            try:
                for piece in _pieces(self.safe.feed(self.pending) + self.safe.finish()):
                    self._append(piece)
                self.streams[-1].stop(blocks=self.renderer.footer(answer, self.question))
                return
            except SlackFailure as error:
                log.warning("streaming failed (%s); the whole answer will be posted", _reason(error))
                self.failed = True
        self._replace(answer)

    def _replace(self, answer: Answer) -> None:
        """The whole answer as normal messages: in place of a reset stream or the placeholder."""
        target = self.ts
        if self.streams and self.reset and not self.failed:
            target = self._close_for_replacement()
        elif self.streams:  # a broken stream: its cut text must not stand beside the whole answer
            self._discard_streams()
        messages = self.renderer.answer(answer, self.question)
        where = self.where
        if target is not None and not self.failed:
            first = messages.pop(0)
            self.client.chat_update(channel=where.channel, ts=target, text=first.text, blocks=first.blocks)
        for message in messages:
            self.client.chat_postMessage(
                channel=where.channel, thread_ts=where.thread_ts, text=message.text, blocks=message.blocks
            )

    def _discard_streams(self) -> None:
        """Stop the failed answer's open stream and delete its messages, best effort."""
        try:
            self.streams[-1].stop()  # the earlier ones were stopped as each message filled up
        except SlackFailure as error:
            log.info("could not stop a failed stream (%s)", _reason(error))
        for stream in self.streams:
            try:
                if stream.ts:
                    self.client.chat_delete(channel=self.where.channel, ts=stream.ts)
            except SlackFailure as error:
                log.info("could not delete a failed stream message (%s)", _reason(error))

    def _close_for_replacement(self) -> str | None:
        """Stop the streams of a reset answer; their first message will hold the answer."""
        for stream in self.streams:
            try:
                stream.stop()
            except SlackFailure as error:
                log.info("could not stop a reset stream (%s)", _reason(error))
        for extra in self.streams[1:]:  # text of the dropped answer must not stay standing
            try:
                self.client.chat_delete(channel=self.where.channel, ts=extra.ts)
            except SlackFailure as error:
                log.info("could not delete a reset stream message (%s)", _reason(error))
        ts = self.streams[0].ts
        return str(ts) if ts else None


def _pieces(text: str) -> list[str]:
    """Escaped text in pieces for one append each, cut after a line break or space if there is one."""
    pieces = []
    while len(text) > STREAM_PIECE:
        cut = text.rfind("\n", 0, STREAM_PIECE)
        if cut < STREAM_PIECE // 2:
            cut = text.rfind(" ", 0, STREAM_PIECE)
        if cut < STREAM_PIECE // 2:
            cut = _outside_entity(text, STREAM_PIECE - 1)
        pieces.append(text[: cut + 1])
        text = text[cut + 1 :]
    return [*pieces, text] if text else pieces


def _outside_entity(text: str, cut: int) -> int:
    """Move a hard cut back so it never splits an escape such as ``&amp;``."""
    start = text.rfind("&", max(0, cut - 5), cut + 1)
    return start - 1 if start > 0 and ";" not in text[start : cut + 1] else cut


def _reason(error: Exception) -> str:
    """Slack's error code, or the exception's type: enough for the log, never a token."""
    if isinstance(error, SlackApiError):
        return str(error.response.get("error"))
    return type(error).__name__
