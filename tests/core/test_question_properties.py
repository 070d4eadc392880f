"""Properties of reading a typed question, over arbitrary Unicode: it is checked or refused, fast."""

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.core.knowledge import Knowledge
from bot.core.question import QuestionError, read_question
from tests.timebound import within
from tests.untrusted_text import untrusted_text

CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


@settings(
    max_examples=80,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(text=untrusted_text(6000), trim=st.booleans())
def test_question_read_checks_or_refuses_any_text(knowledge: Knowledge, text: str, trim: bool) -> None:
    limit = knowledge.intents.limits.max_question_chars
    note = "trimmed" if trim else None
    try:
        question = within(5, lambda: read_question(text, limit, knowledge.responses.input, note))
    except QuestionError as error:
        refusal = str(error)
    else:
        refusal = ""
    if refusal:  # a refusal is one line the user can read
        assert "\n" not in refusal
        return
    assert 0 < len(question.text) <= limit
    assert question.text == question.text.strip()
    assert not CONTROL.search(question.text)


# Characters that draw nothing: white space and zero-width or other invisible format characters.
INVISIBLE = "\u00ad\u180e\u200b\u200c\u200d\u200e\u200f\u2060\u2061\u2062\u2063\u2064\ufeff"


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(alphabet=st.sampled_from(" \t\n\r\u2028\u2029\u3000" + INVISIBLE), max_size=50))
def test_question_of_nothing_visible_is_empty(knowledge: Knowledge, text: str) -> None:
    messages = knowledge.responses.input
    with pytest.raises(QuestionError) as refused:
        read_question(text, knowledge.intents.limits.max_question_chars, messages)
    assert str(refused.value) == messages.empty
