"""Stored feedback values are bounded whatever a crafted button value carried."""

import json
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from bot.storage.store import (
    MAX_ID,
    MAX_MODE,
    MAX_QUESTION,
    MAX_SOURCE_ID,
    MAX_SOURCES,
    feedback_entry,
    read_feedback_row,
)

_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=50),
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=5), inner, max_size=5),
    max_leaves=20,
)


@given(
    user=st.text(max_size=300),
    record=st.dictionaries(st.sampled_from(["q", "m", "s", "x"]), _JSON | st.text(max_size=6000)),
    answer=st.none() | st.text(max_size=300),
)
def test_feedback_entry_is_bounded_and_storable(
    user: str, record: dict[str, Any], answer: str | None
) -> None:
    entry = feedback_entry(user, True, record, answer)
    assert len(entry.question) <= MAX_QUESTION
    assert len(entry.mode) <= MAX_MODE
    assert len(entry.sources) <= MAX_SOURCES
    assert all(len(source) <= MAX_SOURCE_ID for source in entry.sources)
    assert len(entry.user_id) <= MAX_ID
    assert 0 < len(entry.answer_id) <= MAX_ID or answer == ""
    for text in (entry.question, entry.mode, entry.user_id, entry.answer_id, *entry.sources):
        assert "\x00" not in text
        text.encode("utf-8")  # no lone surrogates: both databases can hold it


def test_feedback_entry_same_content_same_answer() -> None:
    record = {"q": "Django or Flask?", "m": "llm", "s": ["choose-django"]}
    assert feedback_entry("U1", True, record).answer_id == feedback_entry("U2", False, dict(record)).answer_id
    assert (
        feedback_entry("U1", True, record).answer_id
        != feedback_entry("U1", True, {**record, "m": "rules"}).answer_id
    )


STORED_VALUE = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(),
    st.binary(),
    st.lists(st.text()).map(json.dumps),
    st.lists(st.dictionaries(st.text(), st.integers())).map(json.dumps),
)


@given(stored=st.tuples(*[STORED_VALUE] * 6))
def test_feedback_entry_any_stored_row_reads_or_is_skipped(stored: tuple[object, ...]) -> None:
    row = read_feedback_row(7, stored)  # never raises
    if row is not None:
        assert all(isinstance(source, str) for source in row.sources)
        for text in (row.question, row.mode, row.user_id, *row.sources):
            text.encode("utf-8")  # encodable (no lone surrogates) whatever was stored
