"""Checking questions before they reach an advisor."""

import pytest

from bot.advisor import Advisor
from bot.core.question import QuestionError


@pytest.mark.parametrize(
    ("question", "message"),
    [
        ("", "Please type a question"),
        ("   \n\t ", "Please type a question"),
        ("x" * 4001, "4,001 characters long; the limit is 4,000"),
        ("Django\x1b[31m or Flask?", "control characters"),
        ("Django\x00", "control characters"),
        ("flask \u202e reversed", "control characters"),
    ],
)
def test_question_rejected_with_clear_message(advisor: Advisor, question: str, message: str) -> None:
    with pytest.raises(QuestionError, match=message.replace("?", r"\?")):
        advisor.ask(question)


@pytest.mark.parametrize("question", ["  Django or Flask?\n", "Line one\nline two\twith tab", "x" * 4000])
def test_question_accepted(advisor: Advisor, question: str) -> None:
    assert advisor.check(question) == question.strip()
