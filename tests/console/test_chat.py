"""The chat console: follow-ups, commands, Ctrl-C, over scripted input."""

import io
from collections.abc import Callable
from typing import TYPE_CHECKING

import pytest

from bot.advisor import Advisor
from bot.console.chat import STOPPED, Chat
from bot.console.terminal import PlainDisplay
from bot.core.answer import Answer
from bot.core.answer_stream import AnswerStream
from tests.doubles.scripted_model import ScriptedModel, reply

if TYPE_CHECKING:
    from bot.claude.prompts import Prompts
    from bot.core.knowledge import Knowledge
    from bot.core.rules import RulesAdvisor
    from tests.doubles.anthropic_api import AnthropicDouble


def _chat(advisor: Advisor, lines: list[str]) -> str:
    """Run the console over scripted input and return what it printed."""
    feed, out = iter(lines), io.StringIO()

    def read(_prompt: str) -> str:
        try:
            return next(feed)
        except StopIteration:
            raise EOFError from None

    assert Chat(advisor, PlainDisplay(out), read).run() == 0
    return out.getvalue()


def test_chat_follow_up_sees_earlier_turns(advisor: Advisor) -> None:
    printed = _chat(advisor, ["We need an API with heavy traffic", "And an admin panel too?", "/sources"])
    assert "**Recommendation: FastAPI**" in printed
    assert "Django + FastAPI" in printed
    assert "[django-plus-fastapi]" in printed


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        (["/help"], "Try asking"),
        (["/sources"], "No answer yet."),
        (["/bogus"], "Unknown command '/bogus'"),
        (["", "   "], "Commands:"),
        (["\x1b[A"], "control characters"),
        (["help", "/new", "/sources"], "No answer yet."),
        (["/quit", "help"], "Commands:"),
    ],
)
def test_chat_commands(advisor: Advisor, lines: list[str], expected: str) -> None:
    printed = _chat(advisor, lines)
    assert expected in printed
    if lines[0] == "/quit":
        assert "Try asking" not in printed


def test_chat_prints_note_and_sources(knowledge: "Knowledge", rules: "RulesAdvisor") -> None:
    from bot.advisor import Advisor

    printed = _chat(Advisor(knowledge, rules), ["Django or Flask for a blog?"])
    assert "**Recommendation: Django**" in printed
    assert "Note: Answered by the built-in rules because no Claude API key is configured." in printed
    assert "Sources:\n  - Where Django shines [django-strengths]" in printed


def test_chat_streams_claude_with_follow_up_history(
    model_advisor: Advisor, anthropic_api: "AnthropicDouble"
) -> None:
    from tests.doubles.anthropic_api import answer

    anthropic_api.push(
        answer("**Recommendation: FastAPI**\nAsync.", "choose-fastapi", recommendation="fastapi")
    )
    anthropic_api.push(
        answer("**Recommendation: Django + FastAPI**\nBoth.", "faq-together", recommendation="django")
    )
    printed = _chat(model_advisor, ["An API with heavy traffic?", "And an admin?"])
    assert (
        "**Recommendation: FastAPI**\nAsync.\n\nSources:\n  - When FastAPI is the right call [choose-fastapi]"
        in printed
    )
    assert "**Recommendation: Django + FastAPI**" in printed
    first, second = (r.body for r in anthropic_api.requests)
    assert first["stream"] is True
    assert [m["role"] for m in second["messages"]] == ["user", "assistant", "user"]


class _InterruptedDisplay(PlainDisplay):
    """Shows answers, except that Ctrl-C arrives during the ones it is told to stop."""

    def __init__(self, out: io.StringIO, stop: set[int]) -> None:
        super().__init__(out)
        self.stop, self.shown = stop, 0
        self.stopped: list[AnswerStream] = []

    def show(self, stream: AnswerStream) -> Answer:
        self.shown += 1
        if self.shown in self.stop:
            next(iter(stream), None)  # some text has arrived...
            self.stopped.append(stream)
            raise KeyboardInterrupt  # ...when the person presses Ctrl-C
        return super().show(stream)


def _reader(lines: list[str | type[BaseException]]) -> Callable[[str], str]:
    """Reads scripted lines; an exception class in the script is raised at that prompt."""
    feed = iter(lines)

    def read(_prompt: str) -> str:
        item = next(feed, EOFError)
        if isinstance(item, str):
            return item
        raise item

    return read


def test_chat_ctrl_c_stops_only_the_answer(
    knowledge: "Knowledge", rules: "RulesAdvisor", prompts: "Prompts"
) -> None:
    advisor = Advisor(knowledge, rules, ScriptedModel(reply("**Recommendation: FastAPI**\nAsync.")), prompts)
    out = io.StringIO()
    display = _InterruptedDisplay(out, stop={1})
    chat = Chat(advisor, display, _reader(["Django or Flask for a blog?", "An API with heavy traffic?"]))
    assert chat.run() == 0
    printed = out.getvalue()
    assert STOPPED in printed
    (stopped,) = display.stopped
    assert list(stopped) == []  # the stopped answer was closed: nothing more comes from it
    with pytest.raises(RuntimeError):
        _ = stopped.answer
    assert "**Recommendation: FastAPI**" in printed.split(STOPPED)[1]  # the next question is answered
    assert [t.text for t in chat.history] == ["An API with heavy traffic?", chat.history[1].text]


def test_chat_ctrl_c_at_the_prompt_leaves(advisor: Advisor) -> None:
    out = io.StringIO()
    chat = Chat(advisor, PlainDisplay(out), _reader([KeyboardInterrupt, "Django or Flask?"]))
    assert chat.run() == 0
    assert "Recommendation" not in out.getvalue()
