"""Showing answers in a terminal: Markdown through rich for people, plain text for pipes and files.

rich is imported only when the output is a terminal, so ``ask`` in a script stays fast.
"""

import re
from typing import TYPE_CHECKING, Protocol, TextIO

from bot.core.answer import Answer
from bot.core.answer_stream import AnswerStream

if TYPE_CHECKING:
    from rich.console import Console

RESET_NOTE = "[Claude's answer failed part-way; here is the built-in answer instead]"
THINKING = "thinking..."
# Model text may carry terminal escape sequences (retitling the window, hiding a link's target,
# clearing the screen) or bidi overrides that draw text reversed: only newlines and tabs of it,
# and none of those, ever reach the terminal.
_TERMINAL_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def printable(text: str) -> str:
    """The text without control characters (but newline and tab) or bidi overrides."""
    return _TERMINAL_CONTROL.sub("", text)


class Display(Protocol):
    """Shows one streamed answer and returns it once finished."""

    def show(self, stream: AnswerStream) -> Answer:
        """Show the answer as it arrives; returns the finished answer."""
        ...

    def write(self, text: str) -> None:
        """Show a line of console text (help, messages)."""
        ...


def render(answer: Answer, with_text: bool = True) -> str:
    """An answer as plain text: the text (recommendation first), its note, then its sources."""
    lines = [answer.text] if with_text else []
    lines += _footer_lines(answer)
    return printable("\n".join(lines).strip("\n"))


def _footer_lines(answer: Answer) -> list[str]:
    """The note and the sources, as plain lines."""
    lines = []
    if answer.note:
        lines += ["", f"Note: {answer.note}"]
    if answer.sources:
        lines += ["", "Sources:", *(f"  - {s.title} [{s.id}]" for s in answer.sources)]
    return lines


class PlainDisplay:
    """Plain text, streamed as it arrives: for pipes, files and tests."""

    def __init__(self, out: TextIO) -> None:
        self.out = out

    def show(self, stream: AnswerStream) -> Answer:
        """Print text as it arrives, then the note and sources."""
        shown = False
        for chunk in stream:
            self.out.write(printable(chunk))
            self.out.flush()
            shown = True
        final = stream.answer
        if stream.withdrawn and shown:
            self.out.write(f"\n\n{RESET_NOTE}\n\n")
            shown = False
        rest = render(final, with_text=not shown)
        self.out.write(("\n\n" if shown and rest else "\n" if shown else "") + rest + ("\n" if rest else ""))
        self.out.flush()
        return final

    def write(self, text: str) -> None:
        """Print a line of console text."""
        self.out.write(printable(text) + "\n")


class RichDisplay:
    """Markdown rendered by rich, a spinner until the first words, and a live view as they come."""

    def __init__(self, console: "Console") -> None:
        self.console = console

    def show(self, stream: AnswerStream) -> Answer:
        """Spin until the first chunk, then redraw the Markdown as chunks arrive."""
        from rich.live import Live
        from rich.markdown import Markdown

        chunks = iter(stream)
        with self.console.status(THINKING, spinner="dots"):
            first = next(chunks, "")  # waiting for the first words is the slow part
        text = printable(first)
        with Live(Markdown(text), console=self.console, refresh_per_second=8, transient=False) as live:
            for chunk in chunks:
                text += printable(chunk)
                live.update(Markdown(text))
            final = stream.answer
            if stream.withdrawn or text.strip() != printable(final.text).strip():
                live.update(Markdown(printable(final.text)))
        if stream.withdrawn:
            self.console.print(RESET_NOTE, style="yellow")
        self._footer(final)
        return final

    def _footer(self, answer: Answer) -> None:
        """The note and sources, dimmed under the answer."""
        from rich.markup import escape

        lines = _footer_lines(answer)
        if lines:
            self.console.print(escape(printable("\n".join(lines))), style="dim")

    def write(self, text: str) -> None:
        """Render console text as Markdown."""
        from rich.markdown import Markdown

        self.console.print(Markdown(printable(text)))


def display_for(out: TextIO) -> Display:
    """Rich for a terminal, plain text for anything else."""
    if not out.isatty():
        return PlainDisplay(out)
    from rich.console import Console

    return RichDisplay(Console(file=out))
