"""The Answer contract shared by every front end."""

import json

import pytest
from pydantic import ValidationError

from bot.advisor import Advisor
from bot.core.answer import Answer, Source


def test_answer_json_has_exactly_the_contract_fields(advisor: Advisor) -> None:
    data = json.loads(advisor.ask("Which framework for an admin-heavy app?").model_dump_json())
    assert set(data) == {"text", "recommendation", "in_scope", "mode", "sources", "note"}
    assert data["recommendation"] == "django"
    assert data["mode"] == "rules"
    assert all(set(s) == {"id", "title"} for s in data["sources"])


def test_answer_round_trips_through_json() -> None:
    answer = Answer(text="x", recommendation="flask", sources=[Source(id="a", title="A")])
    assert Answer.model_validate_json(answer.model_dump_json()) == answer


@pytest.mark.parametrize(("field", "value"), [("recommendation", "rails"), ("mode", "magic")])
def test_answer_rejects_unknown_values(field: str, value: str) -> None:
    with pytest.raises(ValidationError):
        Answer.model_validate({"text": "x", field: value})
