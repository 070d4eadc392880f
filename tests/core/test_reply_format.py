"""The reply format: the metadata line and the headline, from the configured wording and names."""

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core.knowledge import Knowledge, load_knowledge
from bot.core.reply_format import ReplyFormat, parse_meta


@pytest.fixture(scope="module")
def reply_format(knowledge: Knowledge) -> ReplyFormat:
    return ReplyFormat(knowledge)


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("ANSWER-META recommendation=fastapi scope=in", ("fastapi", True)),
        ("  ANSWER-META recommendation=none scope=out ", (None, False)),
        ("ANSWER-META recommendation=Django scope=IN", ("django", True)),
        ("ANSWER-META recommendation=rails scope=in", None),
        ("ANSWER-META recommendation=flask scope=maybe", None),
        ("Recommendation: flask", None),
    ],
)
def test_reply_format_parse_meta(line: str, expected: tuple[str | None, bool] | None) -> None:
    meta = parse_meta(line)
    assert (None if meta is None else (meta.recommendation, meta.in_scope)) == expected


@pytest.mark.parametrize(
    ("text", "name", "recommendation", "rest"),
    [
        ("**Recommendation: Django**\n- admin", "Django", "django", "- admin"),
        ("  **recommendation:FASTAPI**  \nwhy", "FASTAPI", "fastapi", "why"),
        ("**Recommendation: Django + FastAPI**\nboth", "Django + FastAPI", "django", "both"),
        ("**Recommendation: Rails**\nno", None, None, "**Recommendation: Rails**\nno"),
        ("Recommendation: Flask\nplain text is no headline", None, None, None),
        ("Intro line\n**Recommendation: Flask**", None, None, None),
    ],
)
def test_reply_format_headline(
    reply_format: ReplyFormat, text: str, name: str | None, recommendation: str | None, rest: str | None
) -> None:
    found, after = reply_format.headline(text)
    assert (found.name if found else None) == name
    assert (found.recommendation if found else None) == recommendation
    assert after == (text if rest is None else rest)


def test_reply_format_recommendation_anywhere_in_the_text(reply_format: ReplyFormat) -> None:
    assert reply_format.recommendation("Sure.\n**Recommendation: Flask**\n- small") == "flask"
    assert reply_format.recommendation("Flask is small.") is None


def test_reply_format_follows_the_wording_file(knowledge_copy: Path) -> None:
    responses = knowledge_copy / "responses.toml"
    text = responses.read_text()
    responses.write_text(
        text.replace('headline = "**Recommendation: {name}**"', 'headline = "**Pick: {name}**"')
    )
    changed = ReplyFormat(load_knowledge(knowledge_copy))
    assert changed.recommendation("**Pick: Flask**") == "flask"
    assert changed.recommendation("**Recommendation: Flask**") is None


@given(st.text(max_size=3000))
@settings(max_examples=300, deadline=None)
def test_reply_format_any_text_parses_or_is_left_alone(knowledge: Knowledge, text: str) -> None:
    found, rest = ReplyFormat(knowledge).headline(text)
    assert found is not None or rest == text
    meta = parse_meta(text)
    assert meta is None or re.match(r"\s*ANSWER-META", text)
