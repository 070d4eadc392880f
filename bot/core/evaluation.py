"""Evaluation cases: questions with expected answer properties, and how an advisor scores."""

import json
from collections.abc import Callable, Iterable
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from bot.core.answer import Answer, FrameworkId
from bot.core.question import QuestionError


class Expect(BaseModel):
    """What an answer must show; every key is optional."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    recommendation: FrameworkId | None = None
    in_scope: bool | None = None
    mentions: tuple[str, ...] = ()


class Case(BaseModel):
    """One evaluation case."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    question: str = Field(min_length=1)
    category: str = "general"
    expect: Expect = Expect()


class Failure(BaseModel):
    """A case whose answer missed an expectation."""

    line: int
    question: str
    problems: list[str]
    category: str = "general"


class Report(BaseModel):
    """The outcome of a run over cases."""

    total: int
    failures: list[Failure]
    # Cases per category, so a report can say where the misses are without naming questions.
    totals: dict[str, int] = Field(default_factory=dict)

    @property
    def accuracy(self) -> float:
        """Share of cases that passed (1.0 for no cases)."""
        return 1.0 if self.total == 0 else (self.total - len(self.failures)) / self.total

    def by_category(self) -> dict[str, tuple[int, int]]:
        """Passed and total cases per category, in first-seen order."""
        missed: dict[str, int] = {}
        for failure in self.failures:
            missed[failure.category] = missed.get(failure.category, 0) + 1
        return {c: (n - missed.get(c, 0), n) for c, n in self.totals.items()}

    def summary_lines(self) -> list[str]:
        """One line per category: passed/total and the share."""
        rows = self.by_category()
        width = max((len(c) for c in rows), default=0)
        return [f"  {c:<{width}}  {p:>4}/{n:<4} {p / n:6.1%}" for c, (p, n) in rows.items()]


class CaseFileError(ValueError):
    """A cases file line that is not a valid case; names the file and line."""


def load_cases(path: Path) -> list[tuple[int, Case]]:
    """Cases from a JSON Lines file, with their line numbers; blank lines are skipped."""
    cases: list[tuple[int, Case]] = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if line.strip():
            cases.append((number, _parse_case(path, number, line)))
    return cases


def _parse_case(path: Path, number: int, line: str) -> Case:
    """One line as a Case, or a CaseFileError naming where it went wrong."""
    try:
        return Case.model_validate(json.loads(line))
    except json.JSONDecodeError as error:
        raise CaseFileError(f"{path}:{number}: not valid JSON ({error.msg})") from None
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise CaseFileError(f"{path}:{number}: field '{where}': {first['msg']}") from None


def problems(case: Case, answer: Answer) -> list[str]:
    """Every way the answer misses the case's expectations."""
    expect, found = case.expect, []
    if "recommendation" in expect.model_fields_set and answer.recommendation != expect.recommendation:
        found.append(f"recommendation {answer.recommendation!r}, expected {expect.recommendation!r}")
    if expect.in_scope is not None and answer.in_scope != expect.in_scope:
        found.append(f"in_scope {answer.in_scope}, expected {expect.in_scope}")
    text = answer.text.lower()
    found += [f"does not mention {m!r}" for m in expect.mentions if m.lower() not in text]
    return found


def evaluate(cases: Iterable[tuple[int, Case]], answer: Callable[[str], Answer]) -> Report:
    """Answer every case and collect the misses."""
    failures: list[Failure] = []
    totals: dict[str, int] = {}
    for line, case in cases:
        totals[case.category] = totals.get(case.category, 0) + 1
        try:
            missed = problems(case, answer(case.question))
        except QuestionError as error:
            missed = [f"question rejected: {error}"]
        if missed:
            failures.append(
                Failure(line=line, question=case.question, problems=missed, category=case.category)
            )
    return Report(total=sum(totals.values()), failures=failures, totals=totals)
