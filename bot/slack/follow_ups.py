"""Follow-ups in channel threads without a fresh @mention.

Once someone has asked the advisor in a channel thread (an @mention, or the message shortcut),
their later replies in that thread that address no one else are answered too: only the people
who asked, never a teammate chatting there. Who asked in which thread is kept in the store, so
this survives restarts and is shared by every worker; threads it was never asked in are never
answered. A follow-up that is not a question for the advisor (out of scope, or not a valid
question) gets no reply: the thread is a conversation between people, not a command line.
``ADVISOR_THREAD_FOLLOW_UPS=false`` turns it off.
"""

import re
from collections.abc import Callable
from functools import partial
from typing import Any

from slack_bolt import App

from bot.slack.delivery import Conversation
from bot.slack.jobs import Submit
from bot.slack.slack_text import plain_text
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
        submit: Submit,
        follow_up: Callable[[Conversation, str], None],
        enabled: bool,
    ) -> None:
        self.store, self.submit, self.follow_up, self.enabled = store, submit, follow_up, enabled

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
        self.submit(partial(self._answer_if_invited, where, plain_text(str(event["text"])), key))

    def _answer_if_invited(self, where: Conversation, text: str, key: str) -> None:
        """Answer only someone who asked the advisor in this thread, and each event once."""
        if self.store.invited(where.channel, where.thread_ts, where.user) and self.store.first_time(key):
            self.follow_up(where, text)


def is_follow_up(event: dict[str, Any], bots: set[str]) -> bool:
    """A person's reply in a channel thread, addressed to no one in particular."""
    return _in_a_thread_reply(event) and _from_a_person(event, bots) and _unaddressed(event.get("text"))


def _in_a_thread_reply(event: dict[str, Any]) -> bool:
    """A reply (not the root) in a channel thread, as people post them."""
    thread_ts, ts = event.get("thread_ts"), event.get("ts")
    return (
        event.get("channel_type") in FOLLOW_UP_CHANNEL_TYPES
        and event.get("subtype") in _PEOPLE_SUBTYPES
        and isinstance(thread_ts, str)
        and isinstance(ts, str)
        and thread_ts != ts
        and bool(event.get("channel"))
    )


def _from_a_person(event: dict[str, Any], bots: set[str]) -> bool:
    """Written by a person, not by this bot or any other."""
    user = event.get("user")
    return not event.get("bot_id") and isinstance(user, str) and bool(user) and user not in bots


def _unaddressed(text: object) -> bool:
    """Some words, mentioning no one (a mention of the bot is app_mention's to answer)."""
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
