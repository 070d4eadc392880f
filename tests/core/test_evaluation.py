"""Evaluation cases and scoring."""

import json
from pathlib import Path

import pytest

from bot.advisor import Advisor
from bot.core.answer import Answer
from bot.core.evaluation import Case, CaseFileError, evaluate, load_cases, problems
from tests.doubles.constants import DEV_CASES


@pytest.mark.parametrize(
    ("expect", "found"),
    [
        ({"recommendation": "flask"}, ["recommendation 'django', expected 'flask'"]),
        ({"recommendation": None}, ["recommendation 'django', expected None"]),
        ({"in_scope": False}, ["in_scope True, expected False"]),
        ({"mentions": ["ADMIN", "quart"]}, ["does not mention 'quart'"]),
        ({}, []),
    ],
)
def test_evaluation_problems(expect: dict[str, object], found: list[str]) -> None:
    case = Case.model_validate({"question": "q", "expect": expect})
    answer = Answer(text="Use the admin", recommendation="django")
    assert problems(case, answer) == found


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("{not json", "jsonl:2: not valid JSON"),
        ('{"question": ""}', "jsonl:2: field 'question'"),
        ('{"question": "q", "expect": {"recomendation": "flask"}}', "field 'expect.recomendation'"),
    ],
)
def test_evaluation_bad_case_names_line(tmp_path: Path, line: str, message: str) -> None:
    path = tmp_path / "cases.jsonl"
    path.write_text('{"question": "ok"}\n' + line + "\n")
    with pytest.raises(CaseFileError, match=message):
        load_cases(path)


def test_evaluation_rejected_question_is_a_failure(advisor: Advisor, tmp_path: Path) -> None:
    path = tmp_path / "cases.jsonl"
    path.write_text(json.dumps({"question": "x" * 5000}) + "\n\n")
    report = evaluate(load_cases(path), advisor.ask)
    assert report.total == 1
    assert "question rejected" in report.failures[0].problems[0]


def test_evaluation_project_eval_set_is_large_and_varied() -> None:
    cases = [case for _, case in load_cases(DEV_CASES)]
    assert len(cases) >= 80
    assert sum(c.expect.in_scope is False for c in cases) >= 10
    assert sum("recommendation" in c.expect.model_fields_set for c in cases) >= 40


def test_evaluation_rules_advisor_meets_95_percent(advisor: Advisor) -> None:
    report = evaluate(load_cases(DEV_CASES), advisor.ask)
    failed = "\n".join(f"{f.question}: {f.problems}" for f in report.failures)
    assert report.accuracy >= 0.95, failed


def test_evaluation_reports_accuracy_per_category() -> None:
    cases = [
        (1, Case.model_validate({"question": "a", "category": "fact", "expect": {"in_scope": True}})),
        (2, Case.model_validate({"question": "b", "category": "fact", "expect": {"in_scope": False}})),
        (3, Case.model_validate({"question": "c", "category": "ranking", "expect": {"in_scope": True}})),
    ]
    report = evaluate(cases, lambda q: Answer(text=q))
    assert report.by_category() == {"fact": (1, 2), "ranking": (1, 1)}
    assert report.failures[0].category == "fact"
    assert [line.split() for line in report.summary_lines()] == [
        ["fact", "1/2", "50.0%"],
        ["ranking", "1/1", "100.0%"],
    ]
