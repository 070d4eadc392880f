"""Turning answers into Slack blocks, and making untrusted text harmless."""

import json
from typing import Any

import pytest
from markdown_it import MarkdownIt

from bot.core.answer import Answer, Source
from bot.core.knowledge import Knowledge
from bot.slack.link_spelling import SpelledStream
from bot.slack.rendering import (
    BUTTON_VALUE,
    Renderer,
    escape_mrkdwn,
    feedback_value,
    parse_feedback,
    safe_markdown,
    split_text,
)
from tests.markdown_check import link_targets
from tests.timebound import within


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


@pytest.mark.parametrize(
    ("text", "limit", "pieces"),
    [
        ("short", 10, ["short"]),
        ("aaaa\n\nbbbb\n\ncccc", 10, ["aaaa\n\nbbbb", "cccc"]),
        ("word " * 6, 12, ["word word", "word word", "word word"]),
        ("x" * 25, 10, ["x" * 10, "x" * 10, "x" * 5]),
        ("", 10, []),
    ],
)
def test_rendering_split_text(text: str, limit: int, pieces: list[str]) -> None:
    assert split_text(text, limit) == pieces


def test_rendering_answer_blocks(renderer: Renderer) -> None:
    answer = Answer(
        text="**Recommendation: Django + FastAPI**\nBoth.",
        recommendation="django",
        mode="llm",
        sources=[Source(id="faq-together", title="Together?")],
    )
    [message] = renderer.answer(answer, "q", share_id="s1")
    kinds = [b["type"] for b in message.blocks]
    assert kinds == ["section", "markdown", "context", "context_actions", "actions"]
    assert message.blocks[0]["text"]["text"] == "*Recommendation: Django + FastAPI*"
    assert message.blocks[1]["text"] == "Both."
    assert message.blocks[2]["elements"][0]["text"] == "Sources: Together?  |  Answered by Claude"
    assert message.text.startswith("Recommendation: Django + FastAPI")


@pytest.mark.parametrize(
    ("answer", "context"),
    [
        (
            Answer(text="x", mode="llm", note="Claude did not cite."),
            "No knowledge section cited  |  Claude did not cite.",
        ),
        (
            Answer(text="x", mode="rules", note="Answered by the built-in rules because <b>."),
            "No knowledge section cited  |  Answered by the built-in rules because &lt;b&gt;.",
        ),
        (Answer(text="x", mode="rules"), "No knowledge section cited  |  Answered by the built-in rules"),
    ],
)
def test_rendering_context_line_names_engine_and_why(
    renderer: Renderer, answer: Answer, context: str
) -> None:
    assert renderer.context(answer)["elements"][0]["text"] == context


def test_rendering_answer_without_headline_uses_recommendation(renderer: Renderer) -> None:
    [message] = renderer.answer(Answer(text="Pick it.", recommendation="flask"), "q")
    assert message.blocks[0]["text"]["text"] == "*Recommendation: Flask*"


KNOWN = frozenset(f"section-{i:03d}" for i in range(200))


def test_rendering_feedback_value_round_trips_and_fits() -> None:
    sources = [Source(id=f"section-{i:03d}", title="t") for i in range(200)]
    answer = Answer(text="x", mode="llm", sources=sources)
    value = feedback_value(answer, "q" * 5000)
    assert len("down" + value) <= BUTTON_VALUE
    parsed = parse_feedback("down" + value, KNOWN)
    assert parsed is not None
    positive, record = parsed
    assert positive is False
    assert record.m == "llm"
    assert len(record.q) == 1200
    assert record.s[0] == "section-000"


def _value(q: object = "q", m: object = "llm", s: object = ("section-001",)) -> str:
    return "up:" + json.dumps({"q": q, "m": m, "s": list(s) if isinstance(s, tuple) else s})


@pytest.mark.parametrize(
    "value",
    [
        "sideways:{}",
        "up:not json",
        "up:[1]",
        "",
        _value(q="x" * 1_000_000),
        _value(q="x" * 1201),
        _value(m="m" * 5000),
        _value(m="chatgpt"),
        _value(s=[f"section-{i % 200:03d}" for i in range(10_000)]),
        _value(s=["section-001", "section-001"]),
        _value(s=["no-such-section"]),
        _value(s="section-001"),
        _value(q="\x1b[2J\x1b[31mpwned"),
        _value(q=5),
        "up:" + json.dumps({"q": "q", "m": "llm", "s": [], "extra": 1}),
    ],
)
def test_rendering_parse_feedback_rejects_foreign_or_crafted_values(value: str) -> None:
    assert parse_feedback(value, KNOWN) is None


def test_rendering_blocks_are_valid_json(renderer: Renderer) -> None:
    messages = renderer.answer(Answer(text="a " * 10_000, recommendation="django"), "q", share_id="x")
    assert len(messages) >= 2
    assert all(json.loads(json.dumps(m.blocks)) == m.blocks for m in messages)


@pytest.mark.parametrize(
    "letter",
    ["д", "漢", "😀", "\u00e9", "\x01", '"', "\\", "\U0010fffd"],
)
def test_rendering_feedback_value_fits_any_script_at_the_question_limit(letter: str) -> None:
    answer = Answer(text="x", mode="rules", sources=[Source(id="choose-django", title="t")])
    value = within(2, lambda: feedback_value(answer, letter * 4000))
    assert len("down" + value) <= BUTTON_VALUE
    parsed = parse_feedback("down" + value, frozenset({"choose-django"}))
    if letter == "\x01":  # a control character is never a question's: refused on the way back
        assert parsed is None
        return
    assert parsed is not None
    assert parsed[1].q
    assert set(parsed[1].q) <= {letter}


class CountingParser(MarkdownIt):
    """The CommonMark parser SpelledStream uses, counting the characters it is given."""

    def __init__(self) -> None:
        super().__init__("commonmark", {"html": False})
        self.enable(["table", "strikethrough"])
        self.parsed = 0

    def parse(self, src: str, env: Any = None) -> Any:
        self.parsed += len(src)
        return super().parse(src, env)


@pytest.mark.parametrize(
    ("head", "line"),
    [
        ("", "- item\n"),
        ("", "1. item\n"),
        ("", "* item [x](https://x.example)\n"),
        ("", "> quote\n"),
        ("| a | b |\n| --- | --- |\n", "| a | b |\n"),
        ("```\n", "code\n"),
        ("- top\n", "  - nested\n"),
    ],
)
def test_rendering_spelled_stream_parses_linear_work_per_line(head: str, line: str) -> None:
    parser = CountingParser()
    stream = SpelledStream(parser)
    text = [head, *[line] * 300]
    shown = "".join(stream.feed(piece) for piece in text) + stream.finish()
    total = sum(map(len, text))
    assert parser.parsed <= 6 * total  # re-parsing the held block per line was about 150 times
    assert not link_targets(shown)


@pytest.mark.parametrize("line", ["- item\n", "1. item\n", "> para\n>\n"])
def test_rendering_spelled_stream_releases_finished_list_items(line: str) -> None:
    stream = SpelledStream()
    released = [stream.feed(line) for _ in range(20)]
    assert "".join(released) == line * 19  # every item but the one still being written
