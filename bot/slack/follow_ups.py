"""Follow-ups in channel threads without a fresh @mention.

Once someone has asked the advisor in a channel thread (an @mention, or the message shortcut),
later replies in that thread that address no one else are answered too. Which threads the
advisor was asked in is kept in the store, so this survives restarts and is shared by every
worker; threads it was never asked in are never answered. ``ADVISOR_THREAD_FOLLOW_UPS=false``
turns it off.
"""

import re
from collections.abc import Callable
from functools import partial
from typing import Any

from slack_bolt import App

from bot.slack.delivery import Conversation
from bot.storage.store import Store

# The channel types whose thread replies can be follow-ups (DMs are conversations already).
FOLLOW_UP_CHANNEL_TYPES = ("channel", "group", "mpim")
# A reply that mentions anyone (the bot: app_mention answers it; someone else: it is for them),
# a user group or a broadcast is not addressed to the advisor alone.
_ADDRESSED = re.compile(r"<@[UW][A-Z0-9]+|<!subteam\^|<!(?:here|channel|everyone)")
_PEOPLE_SUBTYPES = (None, "thread_broadcast", "file_share")


class ThreadFollowUps:
    """Answers replies in threads the advisor was asked in."""

    def __init__(
        self,
        store: Store,
        submit: Callable[[Callable[[], None]], object],
        converse: Callable[[Conversation, str], None],
        enabled: bool,
    ) -> None:
        self.store, self.submit, self.converse, self.enabled = store, submit, converse, enabled

    def register(self, app: App) -> None:
        """Take channel messages (before the DM listener, which ignores them anyway)."""
        app.event("message", matchers=[_in_a_channel])(self.on_message)

    def on_message(self, event: dict[str, Any], body: dict[str, Any], context: dict[str, Any]) -> None:
        """Cheap checks at once; the store is asked on the answer pool."""
        if not self.enabled or not is_follow_up(event, _bot_users(body, context)):
            return
        where = Conversation(
            channel=str(event["channel"]),
            thread_ts=str(event["thread_ts"]),
            user=str(event["user"]),
            team=event.get("team") or body.get("team_id"),
            message_ts=str(event["ts"]),
            request_id=str(body.get("event_id", "")),
        )
        key = str(body.get("event_id") or event.get("client_msg_id") or event["ts"])
        self.submit(partial(self._answer_if_invited, where, str(event.get("text", "")), key))

    def _answer_if_invited(self, where: Conversation, text: str, key: str) -> None:
        """Answer only in a thread the advisor was asked in, and each event once."""
        if self.store.invited(where.channel, where.thread_ts) and self.store.first_time(key):
            self.converse(where, text)


def is_follow_up(event: dict[str, Any], bots: set[str]) -> bool:
    """A person's reply in a channel thread, addressed to no one in particular."""
    if (
        event.get("channel_type") not in FOLLOW_UP_CHANNEL_TYPES
        or event.get("subtype") not in _PEOPLE_SUBTYPES
    ):
        return False
    user, text, thread_ts = event.get("user"), event.get("text"), event.get("thread_ts")
    if event.get("bot_id") or not isinstance(user, str) or not user or user in bots:
        return False
    ts = event.get("ts")
    if (
        not isinstance(thread_ts, str)
        or not isinstance(ts, str)
        or thread_ts == ts
        or not event.get("channel")
    ):
        return False
    return isinstance(text, str) and bool(text.strip()) and not _ADDRESSED.search(text)


def _bot_users(body: dict[str, Any], context: dict[str, Any]) -> set[str]:
    """This bot's user ids, from the request itself (no API call)."""
    found = {
        str(a.get("user_id"))
        for a in body.get("authorizations") or []
        if isinstance(a, dict) and a.get("is_bot")
    }
    return found | ({context["bot_user_id"]} if context.get("bot_user_id") else set())


def _in_a_channel(event: dict[str, Any]) -> bool:
    return event.get("channel_type") in FOLLOW_UP_CHANNEL_TYPES
