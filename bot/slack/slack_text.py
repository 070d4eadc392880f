"""Slack's message markup read as plain text: what a person typed, once, at the edge.

Slack escapes ``&``, ``<`` and ``>`` in message text and writes mentions, channels, broadcasts
and links as ``<...>`` tokens. Every surface (DMs, mentions, follow-ups, the shortcut, slash
commands) reads its text through ``plain_text`` before the advisor or a thread title sees it.
"""

import html
import re

# A user id Slack hands us (safe to put back into a mention).
USER_ID = re.compile(r"[UW][A-Z0-9]{2,}")
# A user mention, with or without the display name Slack may add: <@U123> or <@U123|ana>.
MENTION = re.compile(rf"<@{USER_ID.pattern}(?:\|[^<>]*)?>")
# Any other token: <#C123|general>, <!here>, <!subteam^S1|@team>, <https://x|label>, <mailto:a@b>.
_TOKEN = re.compile(r"<([^<>|]*)(?:\|([^<>]*))?>")
# The gap a removed mention leaves ("<@U1> and <@U2> ask"); newlines are kept for multi-line text.
_GAP = re.compile(r"[ \t]{2,}")


def plain_text(text: str) -> str:
    """The words of a Slack message: no mentions, links as their labels, escaping undone."""
    words = html.unescape(_TOKEN.sub(_token_words, MENTION.sub(" ", text)))
    return _GAP.sub(" ", words).strip()


def _token_words(token: re.Match[str]) -> str:
    """What a person sees for a token: its label, else a channel's or broadcast's name, else a link."""
    target, label = token.group(1), token.group(2)
    if label:
        return label
    if target.startswith("!"):  # <!here>, <!channel>: Slack shows @here
        return "@" + target[1:].split("^", 1)[0]
    if target.startswith("#"):  # a channel without its name: only the id is known
        return ""
    return target.removeprefix("mailto:")


def is_user_id(text: str) -> bool:
    """True for a Slack user id (safe to put in a mention)."""
    return USER_ID.fullmatch(text) is not None
