"""A question as the advisor takes it: read and checked once, with a note if it was trimmed."""

import re

from pydantic import BaseModel, ConfigDict

from bot.core.knowledge import InputText

# Tabs and newlines are ordinary in multi-line questions; other control codes are not.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# Bidirectional embeddings, overrides and isolates only change how text is drawn (and can disguise
# it); Hebrew and Arabic keyboards insert them, so they are dropped rather than refused.
_BIDI_FORMATTING = re.compile(r"[\u202a-\u202e\u2066-\u2069]")
# Zero-width and other invisible format characters: kept inside a question (emoji sequences and
# Persian spelling use them), but a question of nothing else is as empty as a blank one.
_INVISIBLE = re.compile(r"[\u00ad\u180e\u200b-\u200f\u2060-\u2064\ufeff]")


class QuestionError(ValueError):
    """A question that cannot be answered as typed; the message is safe to show."""


class Question(BaseModel):
    """A checked question; ``note`` tells the asker what was done to it (e.g. trimmed)."""

    model_config = ConfigDict(frozen=True)

    text: str
    note: str | None = None


def read_question(text: str, limit: int, messages: InputText, trimmed_note: str | None = None) -> Question:
    """Check a typed question; with ``trimmed_note``, an over-long one is cut to the limit instead."""
    stripped = _BIDI_FORMATTING.sub("", text).strip()
    if trimmed_note is not None and len(stripped) > limit:
        return Question(text=clean_question(stripped[:limit], limit, messages), note=trimmed_note)
    return Question(text=clean_question(stripped, limit, messages))


def clean_question(text: str, limit: int, messages: InputText) -> str:
    """The question stripped of outer whitespace, or a QuestionError saying what is wrong."""
    stripped = _BIDI_FORMATTING.sub("", text).strip()
    if not _INVISIBLE.sub("", stripped).strip():
        raise QuestionError(messages.empty)
    if _CONTROL.search(stripped):
        raise QuestionError(messages.control)
    if len(stripped) > limit:
        raise QuestionError(messages.too_long.format(length=f"{len(stripped):,}", limit=f"{limit:,}"))
    return stripped
