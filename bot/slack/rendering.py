"""Slack rendering: one Answer becomes Block Kit messages, with untrusted text made harmless."""

import json
import re
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, field_validator

from bot.core.answer import Answer, Mode
from bot.core.knowledge import Knowledge, SlackText
from bot.core.reply_format import ReplyFormat
from bot.slack.link_spelling import SpelledStream, spell_out_links

# Slack allows 12,000 markdown characters per message in total; stay well inside, in chunks.
MARKDOWN_CHUNK = 3000
MESSAGE_MARKDOWN = 9000
MAX_BLOCKS = 50
CONTEXT_CHARS = 2900
BUTTON_VALUE = 2000
FALLBACK_CHARS = 3900  # chat.postMessage text is best kept under 4,000
FEEDBACK_QUESTION_CHARS = 1200
MAX_FEEDBACK_SOURCES = 60  # more than any answer cites; the button value holds about 50
FEEDBACK_VALUE = BUTTON_VALUE - len("down")  # room for the polarity prefix
FEEDBACK_ACTION = "answer_feedback"
SHARE_ACTION = "share_answer"

_BROADCAST = re.compile(r"@(channel|here|everyone)\b", re.IGNORECASE)


def escape_mrkdwn(text: str) -> str:
    """Escape Slack's control characters so ``<!channel>``, ``<@U1>`` and ``<url|x>`` stay text."""
    escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    # a word joiner after "@" keeps "@here" readable but never a broadcast
    return _BROADCAST.sub("@\u2060\\1", escaped)


def safe_markdown(text: str) -> str:
    """Escaped text whose Markdown links are spelled out, so no link hides its target."""
    return escape_mrkdwn(spell_out_links(text))


class SafeMarkdownStream:
    """``safe_markdown`` for an answer that arrives in pieces: feed each piece, then finish."""

    def __init__(self) -> None:
        self._spelled = SpelledStream()

    def feed(self, text: str) -> str:
        """What became safe to show (whole Markdown blocks only; possibly nothing)."""
        return escape_mrkdwn(self._spelled.feed(text))

    def finish(self) -> str:
        """The rest, once the answer is complete."""
        return escape_mrkdwn(self._spelled.finish())


def split_text(text: str, limit: int = MARKDOWN_CHUNK) -> list[str]:
    """Pieces of at most ``limit`` characters, cut at paragraphs, then lines, then spaces."""
    pieces: list[str] = []
    rest = text.strip()
    while len(rest) > limit:
        cut = _cut_point(rest, limit)
        pieces.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    return [*pieces, rest] if rest else pieces


def _cut_point(text: str, limit: int) -> int:
    """Where to cut a long text: the last paragraph, line or word break before the limit."""
    for separator in ("\n\n", "\n", " "):
        at = text.rfind(separator, 0, limit)
        if at > limit // 2:
            return at
    return limit


@dataclass(frozen=True)
class Rendered:
    """A Slack message: fallback text for notifications and its blocks."""

    text: str
    blocks: list[dict[str, Any]]


class Renderer:
    """Turns answers into Slack messages using the wording in the knowledge base."""

    def __init__(self, knowledge: Knowledge) -> None:
        self.knowledge = knowledge
        self.text: SlackText = knowledge.responses.slack
        self.reply_format = ReplyFormat(knowledge)

    def answer(self, answer: Answer, question: str, share_id: str | None = None) -> list[Rendered]:
        """The messages for an answer: split within Slack's limits, never cut short."""
        headline, body = self._headline(answer)
        chunks = split_text(safe_markdown(body))
        footer = [self.context(answer), self._feedback(answer, question)]
        if share_id:
            footer.append(self._share(share_id))
        head = [_section(headline)] if headline else []
        groups = _group(chunks, MESSAGE_MARKDOWN, MAX_BLOCKS - len(head) - len(footer) - 1)
        messages = []
        for index, group in enumerate(groups or [[]]):
            blocks = ([*head] if index == 0 else []) + [_markdown(c) for c in group]
            if len(groups) > 1:
                part = self.text.continued.format(part=index + 1, parts=len(groups))
                blocks.append(_context(part))
            if index == len(groups or [[]]) - 1:
                blocks += footer
            messages.append(
                Rendered(text=_fallback_text(headline if index == 0 else None, group), blocks=blocks)
            )
        return messages

    def footer(self, answer: Answer, question: str) -> list[dict[str, Any]]:
        """The blocks under a streamed answer: context line and feedback buttons."""
        return [self.context(answer), self._feedback(answer, question)]

    def _headline(self, answer: Answer) -> tuple[str | None, str]:
        """The recommendation line (from the text's own headline if it has one) and the rest."""
        found, rest = self.reply_format.headline(answer.text)
        if found is not None:
            return self.text.recommendation.format(name=escape_mrkdwn(found.name)), rest
        if answer.recommendation:
            name = self.knowledge.frameworks[answer.recommendation].name
            return self.text.recommendation.format(name=name), answer.text
        return None, answer.text

    def context(self, answer: Answer) -> dict[str, Any]:
        """The context line: sources, and which engine answered and why."""
        titles = [escape_mrkdwn(s.title) for s in answer.sources]
        sources = self.text.sources.format(titles=" · ".join(titles)) if titles else self.text.no_sources
        engine = self.text.engine_llm if answer.mode == "llm" else self.text.engine_rules
        parts = [sources, escape_mrkdwn(answer.note) if answer.note else engine]
        line = "  |  ".join(parts)
        if len(line) > CONTEXT_CHARS:  # say how much was left out rather than cutting silently
            kept = self.text.sources.format(titles=" · ".join(titles[:5]) + f" (+{len(titles) - 5} more)")
            line = "  |  ".join([kept, parts[1]])[:CONTEXT_CHARS]
        return _context(line)

    def _feedback(self, answer: Answer, question: str) -> dict[str, Any]:
        """Thumbs up and down carrying what the feedback store needs."""
        value = feedback_value(answer, question)
        button = {"type": "plain_text", "text": ""}
        return {
            "type": "context_actions",
            "elements": [
                {
                    "type": "feedback_buttons",
                    "action_id": FEEDBACK_ACTION,
                    "positive_button": {
                        "text": button | {"text": self.text.feedback_positive},
                        "value": "up" + value,
                    },
                    "negative_button": {
                        "text": button | {"text": self.text.feedback_negative},
                        "value": "down" + value,
                    },
                }
            ],
        }

    def _share(self, share_id: str) -> dict[str, Any]:
        """The button that posts an ephemeral answer to the channel."""
        label = {"type": "plain_text", "text": self.text.share_button}
        button = {"type": "button", "action_id": SHARE_ACTION, "text": label, "value": share_id}
        return {"type": "actions", "elements": [button]}

    def notice(self, text: str) -> Rendered:
        """A short message of our own wording (usage, apology, thinking)."""
        return Rendered(text=text, blocks=[_section(text)])


def feedback_value(answer: Answer, question: str) -> str:
    """A compact record of the answer for feedback buttons, always within a button's limit.

    The JSON is ASCII (a non-ASCII letter becomes an escape of up to 12 characters), so it fits
    however Slack counts characters. The question keeps the longest prefix that fits, found by
    bisection; then sources are added in order while they fit.
    """
    low, high = 0, min(len(question), FEEDBACK_QUESTION_CHARS)
    while low < high:
        middle = (low + high + 1) // 2
        if len(_feedback_json(question[:middle], answer.mode, [])) <= FEEDBACK_VALUE:
            low = middle
        else:
            high = middle - 1
    room = FEEDBACK_VALUE - len(_feedback_json(question[:low], answer.mode, []))
    sources: list[str] = []
    for source in answer.sources:
        room -= len(json.dumps(source.id)) + 1  # the id and its comma
        if room < 0:
            break
        sources.append(source.id)
    return _feedback_json(question[:low], answer.mode, sources)


def _feedback_json(question: str, mode: str, sources: list[str]) -> str:
    """The value after its "up"/"down" prefix."""
    return ":" + json.dumps({"q": question, "m": mode, "s": sources}, separators=(",", ":"))


class Feedback(BaseModel):
    """A feedback button's record, as sent back by Slack: checked, because anyone can craft one."""

    model_config = ConfigDict(frozen=True, extra="forbid", strict=True)

    q: str = Field(max_length=FEEDBACK_QUESTION_CHARS, pattern=r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$")
    m: Mode
    s: list[str] = Field(max_length=MAX_FEEDBACK_SOURCES)

    @field_validator("s")
    @classmethod
    def _known(cls, sources: list[str], info: ValidationInfo) -> list[str]:
        """Only ids of sections this knowledge has, each once."""
        known = (info.context or {}).get("sources", frozenset())
        if len(set(sources)) != len(sources) or not known.issuperset(sources):
            raise ValueError("sources must be distinct known section ids")
        return sources


def parse_feedback(value: str, known_sources: frozenset[str]) -> tuple[bool, Feedback] | None:
    """(positive, record) from a feedback button value, or None if it is not a valid one of ours."""
    polarity, _, payload = value.partition(":")
    if polarity not in ("up", "down") or len(value) > BUTTON_VALUE:
        return None
    try:
        record = Feedback.model_validate_json(payload, context={"sources": known_sources})
    except ValidationError:
        return None
    return polarity == "up", record


def _fallback_text(headline: str | None, chunks: list[str]) -> str:
    """The message's ``text``: what notifications, screen readers and thread history see."""
    parts = ([headline.replace("*", "")] if headline else []) + chunks
    return "\n\n".join(parts)[:FALLBACK_CHARS]


def _group(chunks: list[str], budget: int, max_blocks: int) -> list[list[str]]:
    """Chunks grouped into messages within a character and block budget."""
    groups: list[list[str]] = []
    used = 0
    for chunk in chunks:
        if not groups or used + len(chunk) > budget or len(groups[-1]) >= max_blocks:
            groups.append([])
            used = 0
        groups[-1].append(chunk)
        used += len(chunk)
    return groups


def _section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def _markdown(text: str) -> dict[str, Any]:
    return {"type": "markdown", "text": text}


def _context(text: str) -> dict[str, Any]:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": text}]}
