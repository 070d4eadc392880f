"""Checks a typed question before any advisor sees it."""

import re

from bot.core.knowledge import InputText

# Tabs and newlines are ordinary in multi-line questions; other control codes are not.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


class QuestionError(ValueError):
    """A question that cannot be answered as typed; the message is safe to show."""


def clean_question(text: str, limit: int, messages: InputText) -> str:
    """The question stripped of outer whitespace, or a QuestionError saying what is wrong."""
    stripped = text.strip()
    if not stripped:
        raise QuestionError(messages.empty)
    if _CONTROL.search(stripped):
        raise QuestionError(messages.control)
    if len(stripped) > limit:
        raise QuestionError(messages.too_long.format(length=f"{len(stripped):,}", limit=f"{limit:,}"))
    return stripped
