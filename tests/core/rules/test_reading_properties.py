"""Properties of the question reader on any text: it always parses, quickly, into known values."""

from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.advisor import Advisor
from bot.core.answer import FRAMEWORK_IDS
from bot.core.knowledge import Knowledge
from bot.core.question import QuestionError
from bot.core.rules import Intent, Parse, RulesAdvisor
from bot.core.text_analysis import phrase
from tests.doubles.adversarial_text import WORDS

# Generous per-example bound: the reader runs in well under a millisecond, but the machine is shared.
BOUND = settings(
    max_examples=300,
    deadline=timedelta(milliseconds=250),
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
# Arbitrary Unicode, plus text built from the vocabulary (WORDS) so the interesting paths are reached.
TEXT = st.one_of(st.text(max_size=4000), st.lists(WORDS, max_size=60).map(" ".join))


@BOUND
@given(text=TEXT)
def test_reading_any_text_gives_a_consistent_parse(
    rules: RulesAdvisor, knowledge: Knowledge, text: str
) -> None:
    assert_consistent(rules.read(text), knowledge)


def assert_consistent(parse: Parse, knowledge: Knowledge) -> None:
    """A parse holds only known values, each framework once."""
    assert len({f.id for f in parse.frameworks}) == len(parse.frameworks)
    assert {f.id for f in parse.frameworks} <= set(FRAMEWORK_IDS)
    assert set(parse.expertise) <= set(FRAMEWORK_IDS)
    assert {n.id for n in parse.needs} <= {n.id for n in knowledge.needs}
    assert set(parse.topics) <= {t.id for t in knowledge.topics}
    assert set(parse.requirements) <= set(parse.wanted)
    if parse.ranking is not None:
        assert parse.ranking.criterion in {c.id for c in knowledge.criteria}


@BOUND
@given(text=TEXT)
def test_reading_any_text_answers_within_the_contract(rules: RulesAdvisor, text: str) -> None:
    parse = rules.read(text)
    answer = rules.compose(parse)
    assert answer.text
    assert answer.recommendation in (*FRAMEWORK_IDS, None)
    if parse.intent in (Intent.INJECTION, Intent.OUT_OF_SCOPE):
        assert not answer.in_scope
        assert answer.recommendation is None
    if parse.intent in (Intent.FACT, Intent.COMPARISON):
        assert answer.recommendation is None


@BOUND
@given(text=TEXT)
def test_reading_through_the_advisor_raises_only_question_errors(advisor: Advisor, text: str) -> None:
    try:
        answer = advisor.ask(text, offline=True)
    except QuestionError as error:
        message = str(error)
    else:
        message = answer.text
    assert message


def _plain_patterns(knowledge: Knowledge) -> list[tuple[str, str]]:
    """The first pattern of every fixed need that does not already carry a negation."""
    negations = {w for n in knowledge.intents.ask.negation for w in phrase(n)}
    return [
        (need.id, pattern)
        for need in knowledge.needs
        if not need.relative
        for pattern in need.patterns[:1]
        if not negations & set(phrase(pattern))
    ]


def test_reading_negation_removes_every_need(rules: RulesAdvisor, knowledge: Knowledge) -> None:
    for need_id, pattern in _plain_patterns(knowledge):
        assert need_id in rules.read(f"We need {pattern}.").wanted, pattern
        assert need_id not in rules.read(f"We don't need {pattern}.").wanted, pattern
        assert need_id not in rules.read(f"No {pattern}, thanks.").wanted, pattern


@pytest.mark.parametrize(
    ("question", "roles"),
    [
        ("Django or Flask for a blog?", {"django": "alternative", "flask": "alternative"}),
        ("Does Flask support async?", {"flask": "subject"}),
        ("We're a Flask shop; should we jump to FastAPI?", {"flask": "current", "fastapi": "alternative"}),
        ("We don't need Django's extras, just a quick API", {"django": "rejected"}),
    ],
)
def test_reading_gives_each_framework_its_role(
    rules: RulesAdvisor, question: str, roles: dict[str, str]
) -> None:
    assert {f.id: f.role.value for f in rules.read(question).frameworks} == roles


# Long repetitive text up to the question limit: the shape that made reading blow up.
REPEATED = st.lists(WORDS, min_size=1, max_size=5).map(
    lambda unit: (" ".join(unit) + " ") * (3990 // (len(" ".join(unit)) + 1))
)


@settings(max_examples=20, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=REPEATED)
def test_reading_long_repetitive_text_gives_a_consistent_parse(
    rules: RulesAdvisor, knowledge: Knowledge, text: str
) -> None:
    assert_consistent(rules.read(text), knowledge)


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_reading_quoted_text_states_no_needs(
    rules: RulesAdvisor, knowledge: Knowledge, data: st.DataObject
) -> None:
    # a need's words in quotation marks are mentioned, not stated: they add nothing to the parse
    pattern = data.draw(st.sampled_from([p for need in knowledge.needs for p in need.patterns]))
    marks = data.draw(st.sampled_from(['"{}"', "\u201c{}\u201d", "\u2018{}\u2019", "'{}'"]))
    quoted = rules.read(f"what does {marks.format(pattern)} mean in Django's docs?")
    plain = rules.read("what does that mean in Django's docs?")
    assert quoted.needs == plain.needs
