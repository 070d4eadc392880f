"""The reader's work grows linearly with the question: repetitive text cannot make it blow up.

Work is counted, not timed: every Python and C function call made while a question is answered
(generators count once per item they yield). Doubling a repetitive question may at most roughly
double the count; a step that compares every pair of matches would quadruple it.
"""

import re
import sys
from collections.abc import Callable
from types import FrameType
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.core.answer import Turn
from bot.core.rules import RulesAdvisor
from bot.core.rules.reading import _CLAUSE, _QUOTED, _SENTENCE
from tests.doubles.adversarial_text import REPEATED_UNITS, WORDS

# Doubling the text may cost this much more: linear work plus a fixed part that does not double.
GROWTH = 2.3
# Repetitions of the unit in the smaller of the two texts; large enough that a pairwise step shows.
REPEATS = 60


def calls(work: Callable[[], object]) -> int:
    """The number of function calls made while doing some work."""
    count = 0

    def profile(_frame: FrameType, event: str, _arg: Any) -> None:
        nonlocal count
        if event in ("call", "c_call"):
            count += 1

    sys.setprofile(profile)
    try:
        work()
    finally:
        sys.setprofile(None)
    return count


@pytest.mark.parametrize("unit", REPEATED_UNITS)
def test_reading_cost_grows_linearly_with_repetition(rules: RulesAdvisor, unit: str) -> None:
    small = calls(lambda: rules.answer(unit * REPEATS))
    large = calls(lambda: rules.answer(unit * REPEATS * 2))
    assert large <= GROWTH * small, f"{unit!r}: {small} calls, then {large} for twice the text"


@pytest.mark.parametrize("unit", ["no admin ", "not django flask "])
def test_reading_cost_with_history_grows_linearly(rules: RulesAdvisor, unit: str) -> None:
    def follow_up(repeats: int) -> object:
        return rules.answer("and which one?", [Turn(role="user", text=unit * repeats)] * 5)

    small = calls(lambda: follow_up(REPEATS))
    large = calls(lambda: follow_up(REPEATS * 2))
    assert large <= GROWTH * small, f"{unit!r}: {small} calls, then {large} for twice the history"


# Any few vocabulary words, repeated: a modest number of examples, each answered several times.
@settings(max_examples=25, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(unit=st.lists(WORDS, min_size=1, max_size=5).map(" ".join))
def test_reading_cost_of_any_repeated_phrase_grows_linearly(rules: RulesAdvisor, unit: str) -> None:
    repeats = max(1, 1200 // (len(unit) + 1))
    small = calls(lambda: rules.answer(f"{unit} " * repeats))
    large = calls(lambda: rules.answer(f"{unit} " * repeats * 2))
    assert large <= GROWTH * small, f"{unit!r}: {small} calls, then {large} for twice the text"


@pytest.mark.parametrize("pattern", [_SENTENCE, _CLAUSE])
def test_reading_cost_end_punctuation_is_tried_from_its_first_mark_only(pattern: re.Pattern[str]) -> None:
    # a match may start only where a run starts, so "....x" is passed over in one attempt
    text = "." * 5 + " x"
    assert [pattern.match(text, i) is not None for i in range(5)] == [True, False, False, False, False]


def test_reading_cost_unclosed_quotation_marks_are_passed_over_once() -> None:
    # a quotation holds no opening mark of its kind: each unclosed mark fails at the next one
    text = "\u2018\u2018\u2018x\u2019 and \u201c\u201c\u201cy\u201d"
    assert [m.group() for m in _QUOTED.finditer(text)] == ["\u2018x\u2019", "\u201cy\u201d"]


def test_reading_cost_of_earlier_turns_is_paid_once(rules: RulesAdvisor) -> None:
    # a thread's follow-ups re-read the same earlier turns: their parses are kept
    history = [Turn(role="user", text=f"turn {n}: we need an admin, not async " * 40) for n in range(5)]
    rules.answer("so which one?", history)
    again = calls(lambda: rules.answer("so which one should we pick?", history))
    alone = calls(lambda: rules.answer("so which one should we pick?"))
    assert again <= 2 * alone, f"{again} calls with the history read before, {alone} without history"


def test_reading_cost_of_a_follow_up_is_at_most_two_readings(rules: RulesAdvisor) -> None:
    # five long earlier turns, each new to the reader: only one question's length of them is read
    long = "no admin, we need async and a REST API for our platform " * 70
    history = [Turn(role="user", text=f"{n} {long}") for n in range(5)]
    alone = calls(lambda: rules.answer(f"x {long}"))
    follow_up = calls(lambda: rules.answer("so which one should we pick?", history))
    assert follow_up <= 1.5 * alone, f"{follow_up} calls after five long turns, {alone} for one"
