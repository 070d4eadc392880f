"""Showing answers: plain text for pipes, Markdown through rich for terminals."""

import io
import re
import unicodedata

from hypothesis import given
from hypothesis import strategies as st
from rich.console import Console

from bot.console.terminal import RESET_NOTE, THINKING, PlainDisplay, RichDisplay, display_for, printable
from bot.core.answer import Answer, Source
from bot.core.answer_stream import AnswerStream, StreamItem, StreamReset

FINAL = Answer(
    text="**Recommendation: Django**\n- An admin out of the box.",
    note="Answered by the built-in rules because no Claude API key is configured.",
    sources=[Source(id="django-strengths", title="Where Django shines")],
)


def test_terminal_plain_display_replaces_a_failed_partial_answer() -> None:
    out = io.StringIO()
    final = Answer(text="Whole rules answer.", note="Answered by the built-in rules because x.")
    items: list[StreamItem] = ["Half ", "an", StreamReset(), final]
    PlainDisplay(out).show(AnswerStream(iter(items)))
    printed = out.getvalue()
    assert printed.index("Half an") < printed.index(RESET_NOTE) < printed.index("Whole rules answer.")
    assert "Note: Answered by the built-in rules because x." in printed


def _rich(items: list[StreamItem]) -> tuple[Answer, str]:
    """Show a stream on a rich console that believes it is a terminal; returns what it drew."""
    out = io.StringIO()
    console = Console(file=out, force_terminal=True, width=80, color_system=None)
    answer = RichDisplay(console).show(AnswerStream(iter(items)))
    return answer, out.getvalue()


def test_terminal_rich_display_renders_markdown_not_markup() -> None:
    answer, drawn = _rich(["**Recommendation: ", "Django**\n- An admin", " out of the box.", FINAL])
    assert answer == FINAL
    assert "Recommendation: Django" in drawn
    # the final frame shows rendered Markdown (partial frames may show an unclosed "**")
    assert drawn.rindex("**") < drawn.rindex("Recommendation: Django")
    assert "Note: Answered by the built-in rules" in drawn
    assert "Where Django shines [django-strengths]" in drawn


def test_terminal_rich_display_spins_while_waiting() -> None:
    _, drawn = _rich([FINAL])
    assert drawn.index(THINKING) < drawn.index("Recommendation: Django")


def test_terminal_rich_display_replaces_withdrawn_text() -> None:
    _, drawn = _rich(["Half an answer", StreamReset(), FINAL])
    assert RESET_NOTE in drawn
    assert drawn.rindex("Recommendation: Django") > drawn.index("Half an answer")


def test_terminal_display_for_pipes_is_plain() -> None:
    assert isinstance(display_for(io.StringIO()), PlainDisplay)


HOSTILE = "\u202eUse \u2066\x1b]0;pwned\x07Django\x1b[2J now\r\x9b31m. \x1b]8;;https://evil.example\x1b\\docs\x1b]8;;\x1b\\"


def test_terminal_model_text_never_reaches_the_terminal_as_escapes() -> None:
    final = Answer(text=HOSTILE, note="note \x1b[31m", sources=[Source(id="s", title="t\x07")])
    out = io.StringIO()
    PlainDisplay(out).show(AnswerStream(iter([HOSTILE, final])))
    plain = out.getvalue()
    assert "pwned" in plain  # the words stay, the codes go
    assert not [c for c in plain if unicodedata.category(c) == "Cc" and c != "\n"]
    assert not re.search("[\u202a-\u202e\u2066-\u2069]", plain)  # no text drawn reversed
    _, drawn = _rich([HOSTILE, final])
    assert "pwned" in drawn
    # rich moves its own cursor with CSI sequences; nothing else may reach the terminal
    assert re.findall("\x1b(.)", drawn) == ["["] * drawn.count("\x1b")
    assert "\x07" not in drawn
    assert "\x9b" not in drawn


@given(st.text())
def test_terminal_printable_keeps_only_newline_and_tab_controls(text: str) -> None:
    cleaned = printable(text)
    assert {c for c in cleaned if unicodedata.category(c) == "Cc"} <= {"\n", "\t"}
    assert not re.search("[\u202a-\u202e\u2066-\u2069]", cleaned)
