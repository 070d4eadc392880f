"""Ranking knowledge sections for a question."""

import pytest

from bot.core.rules import RulesAdvisor


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("how do I run fastapi with uvicorn", "fastapi-production"),
        ("interactive swagger ui", "fastapi-docs"),
        ("is fastapi faster than django", "faq-fastapi-faster"),
        ("what is quart", "eco-quart"),
        ("tortoise orm", "eco-tortoise"),
        ("FLASK LIMITATIONS", "flask-limits"),
        ("djnago limitations", "django-limits"),
        ("flsk weaknesses", "flask-limits"),
        ("async support", "criterion-async"),
        ("learning curves", "criterion-learning-curve"),
    ],
)
def test_retrieval_ranks_expected_section_first(rules: RulesAdvisor, question: str, expected: str) -> None:
    hits = rules.retriever.search(rules.analyzer.words(question))
    assert hits[0].section_id == expected


def test_retrieval_is_deterministic_and_sorted(rules: RulesAdvisor) -> None:
    words = rules.analyzer.words("django admin orm")
    first, second = rules.retriever.search(words), rules.retriever.search(words)
    assert first == second
    assert [h.score for h in first] == sorted((h.score for h in first), reverse=True)


def test_retrieval_finds_nothing_for_unknown_words(rules: RulesAdvisor) -> None:
    assert rules.retriever.search(rules.analyzer.words("zebra xylophone")) == []


def test_retrieval_limit_is_respected(rules: RulesAdvisor) -> None:
    assert len(rules.retriever.search(rules.analyzer.words("django flask fastapi"), limit=3)) == 3
