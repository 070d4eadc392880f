"""Slack markup read as plain text, and the thread titles made from it."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.slack.agent_view import TITLE_CHARS, thread_title
from bot.slack.slack_text import is_user_id, plain_text


@pytest.mark.parametrize(
    ("slack", "plain"),
    [
        ("Django &amp; Flask &lt;3 &gt; all", "Django & Flask <3 > all"),
        ("<@U0BOT0001> Django or Flask?", "Django or Flask?"),
        ("<@U0BOT0001|advisor> Django or Flask?", "Django or Flask?"),
        ("see <https://example.com/a?b=1&amp;c=2|the docs> first", "see the docs first"),
        ("see <https://example.com/a> first", "see https://example.com/a first"),
        ("write to <mailto:a@example.com|Ana>", "write to Ana"),
        ("<!here> Django?", "@here Django?"),
        ("ask <!subteam^S0TEAM01|@backend>", "ask @backend"),
        ("in <#C0CHAN001|general> please", "in general please"),
        ("in <#C0CHAN001> please", "in please"),
        ("a &amp;lt; b", "a &lt; b"),  # the person typed "&lt;" themselves: kept as typed
    ],
)
def test_slack_text_plain_text(slack: str, plain: str) -> None:
    assert plain_text(slack) == plain


@pytest.mark.parametrize(
    ("text", "expected"), [("U0BOT0001", True), ("W0ABC", True), ("u0bot", False), ("U0<!here>", False)]
)
def test_slack_text_is_user_id(text: str, expected: bool) -> None:
    assert is_user_id(text) is expected


def _escaped(words: str) -> str:
    """Text as Slack sends it: &, < and > escaped."""
    return words.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


# What a person types (kept free of the strings the property looks for), and Slack's tokens.
TYPED = st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=40).filter(
    lambda t: "&amp;" not in t and "&lt;" not in t and "&gt;" not in t and "<@" not in t
)
TOKENS = st.sampled_from(
    [
        "<@U0BOT0001>",
        "<@U0ANA0001|ana>",
        "<https://example.com/a?b=1&amp;c=2|the &amp; docs>",
        "<https://example.com/x&amp;y>",
        "<!here>",
        "<#C0CHAN001|general>",
    ]
)
MESSAGES = st.lists(st.one_of(TYPED.map(_escaped), TOKENS), max_size=12).map(" ".join)


@given(MESSAGES)
def test_slack_text_titles_never_show_slack_markup_and_stay_short(message: str) -> None:
    title = thread_title(plain_text(message), "…")
    for markup in ("&amp;", "&lt;", "&gt;", "<@", "<http", "<!", "<#"):
        assert markup not in title
    assert len(title) <= TITLE_CHARS + 1  # the cut adds one "…"


@given(st.text(max_size=300))
def test_slack_text_plain_text_never_raises_and_is_stripped(text: str) -> None:
    found = plain_text(text)
    assert found == found.strip()
    assert plain_text(_escaped(found)) == found  # typed text reads back as typed
