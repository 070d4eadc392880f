"""Thread history: only this app's own messages are the assistant's, whatever the thread holds."""

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.slack.history import HISTORY_MESSAGES, Self, thread_turns
from bot.slack.slack_text import plain_text
from tests.doubles.properties import examples

ME = Self(app_id="A0APP0001", bot_id="BBOT0001", user_id="UBOT0001")
OTHER = st.fixed_dictionaries(
    {"bot_id": st.sampled_from(["B0OTHER01", "B0OTHER02"]), "text": st.text(), "ts": st.text(max_size=20)},
    optional={"user": st.text(max_size=12), "app_id": st.sampled_from(["A0OTHER", ""]), "subtype": st.none()},
)
PERSON = st.fixed_dictionaries(
    {"user": st.sampled_from(["U0USER001", "U0USER002"]), "text": st.text(), "ts": st.text(max_size=20)}
)
OURS = st.fixed_dictionaries(
    {
        "bot_id": st.just("BBOT0001"),
        "user": st.just("UBOT0001"),
        "text": st.text(),
        "ts": st.text(max_size=20),
    }
)
JUNK = st.one_of(
    st.none(),
    st.integers(),
    st.text(),
    st.dictionaries(st.text(max_size=8), st.one_of(st.none(), st.text(), st.integers())),
)


@settings(max_examples=examples(200))
@given(st.lists(st.one_of(OTHER, PERSON, OURS, JUNK), max_size=40), st.text(max_size=20))
def test_history_turns_never_give_another_bot_the_assistant_role(messages: list[Any], current: str) -> None:
    turns = thread_turns(messages, current, ME)
    found = [m for m in messages if isinstance(m, dict) and isinstance(m.get("text"), str)]
    ours = {plain_text(m["text"]) for m in found if m.get("bot_id") == "BBOT0001"}
    people = {plain_text(m["text"]) for m in found if not m.get("bot_id")}
    assert len(turns) <= HISTORY_MESSAGES + 1
    for turn in turns:
        assert turn.text  # empty messages are left out
        assert turn.text in (ours if turn.role == "assistant" else people)  # no other bot's words


def test_history_drops_the_assistant_thread_root_and_the_current_message() -> None:
    messages = [
        {
            "subtype": "assistant_app_thread",
            "bot_id": "BBOT0001",
            "text": "Chats from November 25",
            "ts": "1",
        },
        {"user": "U0USER001", "text": "<@UBOT0001> an API &amp; an admin", "ts": "2"},
        {"bot_id": "B0OTHER01", "text": "use Flask", "ts": "3"},
        {"app_id": "A0APP0001", "bot_id": "B0UNKNOWN", "text": "Recommendation: FastAPI", "ts": "4"},
        {"user": "U0USER001", "text": "and now?", "ts": "5"},
    ]
    turns = thread_turns(messages, "5", ME)
    assert [(t.role, t.text) for t in turns] == [
        ("user", "an API & an admin"),
        ("assistant", "Recommendation: FastAPI"),
    ]


ASKED = "You asked from the Home tab: {question}"


@pytest.mark.parametrize(
    ("message", "template", "expected"),
    [
        ({"bot_id": "BBOT0001", "user": "UBOT0001"}, ASKED, ("user", "Django or Flask?")),
        ({"app_id": "A0APP0001", "bot_id": "B0UNKNOWN"}, ASKED, ("assistant", "You asked")),
        ({"app_id": "A0APP0001", "user": "U0USER001"}, ASKED, ("assistant", "You asked")),
        ({"bot_id": "BBOT0001", "user": "UBOT0001"}, None, ("assistant", "You asked")),  # not the DM
    ],
)
def test_history_home_question_is_the_person_s_only_from_this_bot_user(
    message: dict[str, Any], template: str | None, expected: tuple[str, str]
) -> None:
    posted = message | {"text": "You asked from the Home tab: Django or Flask?", "ts": "1"}
    [turn] = thread_turns([posted], "2", ME, template)
    assert turn.role == expected[0]
    assert turn.text.startswith(expected[1])
