"""Properties of everything that renders untrusted text for Slack, over arbitrary Unicode."""

import itertools
import json
import re
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.core.answer import Answer, Source
from bot.core.knowledge import Knowledge
from bot.slack.rendering import (
    BUTTON_VALUE,
    Renderer,
    SafeMarkdownStream,
    escape_mrkdwn,
    feedback_value,
    parse_feedback,
    safe_markdown,
)
from tests.doubles.properties import examples
from tests.markdown_check import link_targets
from tests.timebound import within
from tests.untrusted_text import untrusted_text

SECONDS = 5  # generous: the machine is shared; a hang is what this catches
BROADCAST = re.compile(r"@(channel|here|everyone)\b", re.IGNORECASE)
RAW_MARKUP = re.compile(r"<[!@#]|<[a-z]+:|<[^>]*\|")  # Slack's pings, channel links and <url|label>
PROPERTY = settings(max_examples=examples(60), deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _harmless(shown: str, markdown: bool = True) -> None:
    """Nothing in the text Slack would turn into a ping, a channel link or a hidden link.

    Markdown links exist only where Slack reads Markdown (``markdown`` blocks, streamed text);
    in mrkdwn, links are only ``<url|label>``, which the first checks already rule out.
    """
    assert "<" not in shown
    assert ">" not in shown
    assert not RAW_MARKUP.search(shown)
    assert not BROADCAST.search(shown)
    if markdown:
        assert link_targets(shown) == []


@PROPERTY
@given(untrusted_text())
def test_rendering_escape_mrkdwn_leaves_no_markup(text: str) -> None:
    shown = within(SECONDS, lambda: escape_mrkdwn(text))
    assert "<" not in shown
    assert ">" not in shown
    assert not BROADCAST.search(shown)
    assert re.sub(r"&(amp|lt|gt);", "", shown).count("&") == 0


@PROPERTY
@given(untrusted_text(1000))
def test_rendering_safe_markdown_is_harmless(text: str) -> None:
    _harmless(within(SECONDS, lambda: safe_markdown(text)))


@PROPERTY
@given(untrusted_text(600), st.lists(st.integers(0, 600), max_size=8))
def test_rendering_safe_markdown_stream_is_harmless_in_any_pieces(text: str, cuts: list[int]) -> None:
    points = sorted({0, len(text), *(c for c in cuts if c < len(text))})
    pieces = [text[a:b] for a, b in itertools.pairwise(points)]

    def stream() -> str:
        safe = SafeMarkdownStream()
        return "".join(safe.feed(piece) for piece in pieces) + safe.finish()

    _harmless(within(SECONDS, stream))


def _visible(block: dict[str, Any]) -> list[str]:
    """The texts of a block a person sees."""
    text = block.get("text")
    seen = [text["text"]] if isinstance(text, dict) else [text] if isinstance(text, str) else []
    return seen + [e["text"] for e in block.get("elements", []) if isinstance(e.get("text"), str)]


def _within_slack_limits(block: dict[str, Any]) -> None:
    """One block within Slack's limits."""
    if block["type"] == "section":
        assert len(block["text"]["text"]) <= 3000
    if block["type"] == "context":
        assert all(len(e["text"]) <= 3000 for e in block["elements"])
    for element in block.get("elements", []):
        for button in (element, element.get("positive_button", {}), element.get("negative_button", {})):
            assert len(button.get("value", "")) <= BUTTON_VALUE


@settings(
    max_examples=examples(40),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    text=untrusted_text(3000),
    question=untrusted_text(),
    note=st.none() | untrusted_text(),
    titles=st.lists(untrusted_text(50), max_size=60),
    mode=st.sampled_from(["llm", "rules"]),
)
def test_rendering_answers_stay_within_slack_limits_and_harmless(
    knowledge: Knowledge, text: str, question: str, note: str | None, titles: list[str], mode: str
) -> None:
    ids = list(knowledge.sections)
    sources = [Source(id=ids[i % len(ids)], title=title) for i, title in enumerate(titles)]
    answer = Answer(text=text, mode=mode, note=note, sources=sources)
    messages = within(SECONDS, lambda: Renderer(knowledge).answer(answer, question, share_id="abc123"))
    assert messages
    for message in messages:
        assert len(message.blocks) <= 50
        assert len(message.text) <= 4000
        assert sum(len(b["text"]) for b in message.blocks if b["type"] == "markdown") <= 12_000
        json.dumps(message.blocks)  # Slack gets JSON: every block must serialise
        for block in message.blocks:
            _within_slack_limits(block)
            for shown in _visible(block):
                _harmless(shown, markdown=block["type"] == "markdown")


@PROPERTY
@given(
    question=untrusted_text(5000),
    titles=st.lists(st.text(max_size=5), max_size=80),
    mode=st.sampled_from(["llm", "rules"]),
)
def test_rendering_feedback_values_fit_and_read_back(question: str, titles: list[str], mode: str) -> None:
    ids = [f"s{i}" for i in range(len(titles))]
    answer = Answer(
        text="x", mode=mode, sources=[Source(id=i, title=t) for i, t in zip(ids, titles, strict=True)]
    )
    value = within(SECONDS, lambda: feedback_value(answer, question))
    assert len("down" + value) <= BUTTON_VALUE
    parsed = parse_feedback("down" + value, frozenset(ids))
    if parsed is not None:  # refused only for what no checked question holds: control codes
        assert question.startswith(parsed[1].q)
        assert parsed[1].s == ids[: len(parsed[1].s)]


@PROPERTY
@given(
    st.one_of(
        untrusted_text(3000),
        st.builds(lambda p, t: p + t, st.sampled_from(["up:", "down:"]), untrusted_text(3000)),
    )
)
def test_rendering_parse_feedback_never_raises(value: str) -> None:
    parsed = within(SECONDS, lambda: parse_feedback(value, frozenset({"choose-django"})))
    if parsed is not None:
        record = parsed[1]
        assert len(record.q) <= 1200
        assert set(record.s) <= {"choose-django"}
