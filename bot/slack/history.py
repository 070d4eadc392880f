"""A thread's earlier messages as conversation turns: only this app's own words are the assistant's."""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from bot.core.answer import Role, Turn
from bot.slack.agent_view import asked_question
from bot.slack.slack_text import plain_text

HISTORY_MESSAGES = 20  # earlier thread messages a follow-up reads
# The root Slack puts at the top of an assistant thread ("Chats from <date>") is no one's words.
_THREAD_ROOT = "assistant_app_thread"


@dataclass(frozen=True)
class Self:
    """What marks a message as this app's own: its app id, bot id or bot user (any may be unknown)."""

    app_id: str | None
    bot_id: str | None
    user_id: str | None

    def wrote(self, message: dict[str, Any]) -> bool:
        """True when this app posted the message."""
        pairs = ((message.get("app_id"), self.app_id), (message.get("bot_id"), self.bot_id))
        if any(mine and theirs == mine for theirs, mine in pairs):
            return True
        return bool(self.user_id) and message.get("user") == self.user_id


def thread_turns(
    messages: Sequence[Any], current_ts: str, me: Self, asked_template: str | None = None
) -> list[Turn]:
    """Earlier messages as turns, oldest first: ours as the assistant, people's as the user.

    Other bots' messages are left out, so no other integration speaks as the advisor, and so is
    the assistant thread's root message. A question the app posted for someone from the Home tab
    (``asked_template``: pass it only for the app's DM, where the Home tab asks) is that person's
    turn, and only when this bot's own user posted it.
    """
    turns = []
    for message in list(messages)[-(HISTORY_MESSAGES + 1) :]:
        if isinstance(message, dict) and message.get("ts") != current_ts:
            turn = _turn(message, me, asked_template)
            if turn is not None:
                turns.append(turn)
    return turns


def _turn(message: dict[str, Any], me: Self, asked_template: str | None) -> Turn | None:
    """One message as a turn, or None for what is no one's words or another bot's."""
    if message.get("subtype") == _THREAD_ROOT or not isinstance(message.get("text"), str):
        return None
    if me.wrote(message):
        role: Role = "assistant"
    elif message.get("bot_id") or message.get("subtype") == "bot_message":
        return None
    else:
        role = "user"
    text = plain_text(message["text"])
    if asked_template and role == "assistant" and me.user_id and message.get("user") == me.user_id:
        asked = asked_question(asked_template, text)
        role, text = ("user", asked) if asked else (role, text)
    return Turn(role=role, text=text) if text else None
