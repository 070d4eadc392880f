"""Turning answers into Slack blocks, and making untrusted text harmless."""

import pytest

from bot.core.knowledge import Knowledge
from bot.slack.link_spelling import SpelledStream
from bot.slack.rendering import (
    Renderer,
    escape_mrkdwn,
    safe_markdown,
)
from tests.markdown_check import link_targets


@pytest.fixture
def renderer(knowledge: Knowledge) -> Renderer:
    return Renderer(knowledge)


@pytest.mark.parametrize(
    ("raw", "safe"),
    [
        ("a & b", "a &amp; b"),
        ("<!channel>", "&lt;!channel&gt;"),
        ("<@U123|bob>", "&lt;@U123|bob&gt;"),
        ("<https://evil.example|click>", "&lt;https://evil.example|click&gt;"),
        ("@here now", "@\u2060here now"),
        ("email@hereford.example", "email@hereford.example"),
        ("&lt; already", "&amp;lt; already"),
    ],
)
def test_rendering_escape_mrkdwn(raw: str, safe: str) -> None:
    assert escape_mrkdwn(raw) == safe


@pytest.mark.parametrize(
    ("raw", "safe"),
    [
        ("see [docs](https://evil.example)", "see docs (https://evil.example)"),
        ("![x](https://evil.example/i.png)", "x (https://evil.example/i.png)"),
        ("[](https://evil.example)", "https://evil.example"),
        ("**bold** and `code`", "**bold** and `code`"),
        ("[a [b] c](https://evil.example)", "a [b] c (https://evil.example)"),
        ('[t](https://evil.example "x")', "t (https://evil.example)"),
        ("[t]( https://evil.example)", "t (https://evil.example)"),
        (
            "see [x][1]\n\n[1]: https://evil.example",
            "see x (https://evil.example)\n\n[1]\u2060: https://evil.example",
        ),
        (
            "see [x]\n\n[x]: https://evil.example",
            "see x (https://evil.example)\n\n[x]\u2060: https://evil.example",
        ),
        ("[a] (https://evil.example) [b]\n[c]", "[a]\u2060 (https://evil.example) [b]\u2060\n[c]"),
        ("[two\nlines](https://evil.example)", "two\nlines (https://evil.example)"),
        ("<https://plain.example>", "https://plain.example"),
        ("[https://good.example](https://evil.example)", "https://good.example (https://evil.example)"),
        ("[![i](https://a.example)](https://b.example)", "i (https://a.example) (https://b.example)"),
        ("- [x](https://evil.example)\n- y", "- x (https://evil.example)\n- y"),
        ("| a |\n|---|\n| [x](https://evil.example) |", "| a |\n| --- |\n| x (https://evil.example) |"),
        ("\\[x\\](https://e.example)", "\\[x\\]\u2060(https://e.example)"),
        ("```\n[x](https://e.example)\n```", "```\n[x]\u2060(https://e.example)\n```"),
    ],
)
def test_rendering_safe_markdown_spells_out_links(raw: str, safe: str) -> None:
    assert safe_markdown(raw) == safe


@pytest.mark.parametrize(
    ("pieces", "shown"),
    [
        (
            ["see [x", "](https://evil.example) now\n\nnext\n"],
            "see x (https://evil.example) now\n\nnext\n",
        ),
        (
            ["see [x\n", "y](https://evil.example) now\n"],
            "see [x\ny]\u2060(https://evil.example) now\n",
        ),
        (
            ["```\n[x](https://e.example)\n", "```\n\nafter [y](https://f.example)\n\nend"],
            "```\n[x]\u2060(https://e.example)\n```\n\nafter y (https://f.example)\n\nend",
        ),
        (
            ["- a\n", "- [b](https://b.example)\n", "\nz"],
            "- a\n- b (https://b.example)\n\nz",
        ),
        (["**Head**\n", "- one\n- two"], "**Head**\n- one\n- two"),
    ],
)
def test_rendering_spelled_stream_never_releases_a_link(pieces: list[str], shown: str) -> None:
    stream = SpelledStream()
    released = [stream.feed(piece) for piece in pieces] + [stream.finish()]
    assert "".join(released) == shown
    assert not link_targets(shown)
