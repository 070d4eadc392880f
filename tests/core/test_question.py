"""Checking questions before they reach an advisor."""

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.advisor import Advisor
from bot.core.question import Question, QuestionError


@pytest.mark.parametrize(
    ("question", "message"),
    [
        ("", "Please type a question"),
        ("   \n\t ", "Please type a question"),
        ("x" * 4001, "4,001 characters long; the limit is 4,000"),
        ("Django\x1b[31m or Flask?", "control characters"),
        ("Django\x00", "control characters"),
    ],
)
def test_question_rejected_with_clear_message(advisor: Advisor, question: str, message: str) -> None:
    with pytest.raises(QuestionError, match=message.replace("?", r"\?")):
        advisor.ask(question)


@pytest.mark.parametrize(
    ("question", "read"),
    [
        ("  Django or Flask?\n", "Django or Flask?"),
        ("Line one\nline two\twith tab", "Line one\nline two\twith tab"),
        ("x" * 4000, "x" * 4000),
        ("flask \u202e reversed", "flask  reversed"),  # display-only bidi codes are dropped
        ("\u05e9\u05dc\u05d5\u05dd \u2067Django\u2069 \u200f?", "\u05e9\u05dc\u05d5\u05dd Django \u200f?"),
        ("Django \u061c or Flask?", "Django \u061c or Flask?"),  # Arabic letter mark is ordinary text
    ],
)
def test_question_accepted(advisor: Advisor, question: str, read: str) -> None:
    assert advisor.read(question).text == read


def _read(advisor: Advisor, text: str) -> Question | str:
    """The question read with trimming, or the message it was rejected with."""
    try:
        return advisor.read(text, trim=True)
    except QuestionError as error:
        return str(error)


@given(st.text(max_size=6000))
@settings(max_examples=300, deadline=None)
def test_question_read_any_text_is_checked_or_rejected(advisor: Advisor, text: str) -> None:
    question = _read(advisor, text)
    if isinstance(question, str):
        assert question  # rejected with a message safe to show
        return
    limit = advisor.knowledge.intents.limits.max_question_chars
    assert 0 < len(question.text) <= limit
    assert question.text == question.text.strip()
    drawn = re.sub("[\u202a-\u202e\u2066-\u2069]", "", text)  # display-only codes are dropped
    assert (question.note is not None) == (len(drawn.strip()) > limit)
    assert not re.search("[\u202a-\u202e\u2066-\u2069]", question.text)
