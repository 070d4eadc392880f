"""Properties of reading a typed question, over arbitrary Unicode: it is checked or refused, fast."""

import re

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
