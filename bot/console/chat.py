"""The interactive chat: a conversation whose follow-ups see earlier turns, with line editing."""

import atexit
import contextlib
from collections.abc import Callable
from pathlib import Path

from bot.advisor import Advisor
from bot.console.terminal import Display
from bot.core.answer import Answer, Turn
from bot.core.question import QuestionError

CHAT_COMMANDS = "Commands: /help (example questions), /sources (of the last answer), /new, /quit"
STOPPED = "(answer stopped; ask again, or press Ctrl-C at the prompt to leave)"


class Chat:
    """The interactive console: keeps the conversation so follow-ups see earlier turns."""

    def __init__(
        self, advisor: Advisor, display: Display, read: Callable[[str], str], offline: bool = False
    ) -> None:
        self.advisor, self.display, self.read, self.offline = advisor, display, read, offline
        self.history: list[Turn] = []
        self.last: Answer | None = None

    def run(self) -> int:
        """Read questions until /quit, end of input, or Ctrl-C at the prompt."""
        self.display.write(f"Framework Advisor. Ask about Django, Flask or FastAPI. {CHAT_COMMANDS}")
        while True:
            try:
                line = self.read("you> ")
            except (EOFError, KeyboardInterrupt):
                self.display.write("")
                return 0
            if not self.handle(line):
                return 0

    def handle(self, line: str) -> bool:
        """Handle one line; False means stop."""
        command = line.strip().lower()
        if command in ("/quit", "/exit", "/q"):
            return False
        if command.startswith("/"):
            self._command(command)
        elif line.strip():
            self._ask(line)
        return True

    def _command(self, command: str) -> None:
        """Run a slash command of the console."""
        if command == "/help":
            self.display.write(self.advisor.knowledge.responses.help.text + f"\n\n{CHAT_COMMANDS}")
        elif command == "/sources":
            self.display.write(sources_text(self.last))
        elif command == "/new":
            self.history, self.last = [], None
            self.display.write("Started a new conversation.")
        else:
            self.display.write(f"Unknown command {command!r}. {CHAT_COMMANDS}")

    def _ask(self, text: str) -> None:
        """Answer and remember the exchange; Ctrl-C stops only this answer."""
        try:
            question = self.advisor.read(text)
        except QuestionError as error:
            self.display.write(str(error))
            return
        stream = self.advisor.stream(question, self.history, offline=self.offline)
        try:
            answer = self.display.show(stream)
        except KeyboardInterrupt:
            stream.close()  # frees the model call; the conversation keeps its earlier turns
            self.display.write(f"\n{STOPPED}")
            return
        self.last = answer
        self.history += [Turn(role="user", text=question.text), Turn(role="assistant", text=answer.text)]


def sources_text(answer: Answer | None) -> str:
    """The sources of an answer, one per line."""
    if answer is None:
        return "No answer yet."
    if not answer.sources:
        return "The last answer did not draw on any knowledge section."
    return "\n".join(f"- {s.title} [{s.id}]" for s in answer.sources)


def line_reader(history_file: Path | None) -> Callable[[str], str]:
    """``input`` with line editing and a persistent history where readline exists."""
    try:
        import readline  # only the interactive console needs it
    except ImportError:
        return input
    if history_file is not None:
        with contextlib.suppress(OSError):
            readline.read_history_file(history_file)
        atexit.register(_save_history, readline.write_history_file, history_file)
    return input


def _save_history(write: Callable[[Path], None], history_file: Path) -> None:
    """Save console history, ignoring an unwritable location."""
    with contextlib.suppress(OSError):
        write(history_file)
