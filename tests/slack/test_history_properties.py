"""Properties of reading a thread's history: any messages give turns, only ours speak as the advisor."""

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.slack.history import Self, thread_turns
from tests.doubles.properties import examples
from tests.timebound import within
from tests.untrusted_text import untrusted_text

ME = Self(app_id="A0APP0001", bot_id="BBOT0001", user_id="UBOT0001")
IDS = st.sampled_from(["A0APP0001", "BBOT0001", "UBOT0001", "U0USER001", "BOTHER01", "A0OTHER01", ""])
MESSAGE = st.fixed_dictionaries(
    {},
    optional={
        "text": st.none() | untrusted_text(500) | st.integers(),
        "user": st.none() | IDS,
        "bot_id": st.none() | IDS,
        "app_id": st.none() | IDS,
        "subtype": st.none() | st.sampled_from(["bot_message", "assistant_app_thread", "thread_broadcast"]),
        "ts": st.sampled_from(["1.1", "1.2", "1.3"]),
    },
)


@settings(max_examples=examples(80), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(messages=st.lists(MESSAGE | st.none() | st.text(max_size=5), max_size=30))
def test_history_thread_turns_from_any_messages(messages: list[Any]) -> None:
    turns = within(5, lambda: thread_turns(messages, "1.3", ME))
    ours = [m for m in messages if isinstance(m, dict) and ME.wrote(m)]
    assistant = [t for t in turns if t.role == "assistant"]
    assert len(assistant) <= len(ours)
    assert all(t.text for t in turns)
