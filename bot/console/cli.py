"""The ``framework-advisor`` command line: ask, chat, eval and knowledge check."""

import argparse
import atexit
import contextlib
import logging
import sys
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from bot.advisor import Advisor
from bot.advisor_factory import build_advisor
from bot.claude.prompts import PromptError
from bot.core.answer import Answer, Turn
from bot.core.answer_stream import AnswerStream
from bot.core.evaluation import CaseFileError, evaluate, load_cases
from bot.core.knowledge import KnowledgeError, load_knowledge
from bot.core.question import QuestionError
from bot.settings import Settings, SettingsError, load_settings, require_slack

OFFLINE_NOTE = "Answering offline with the built-in rules (ANTHROPIC_API_KEY is not set)."
if TYPE_CHECKING:
    from bot.storage.sqlite import Store

RESET_NOTE = "[Claude's answer failed part-way; here is the built-in answer instead]"
CHAT_COMMANDS = "Commands: /help (example questions), /sources (of the last answer), /new, /quit"


def _parser() -> argparse.ArgumentParser:
    """The argument parser with every sub-command."""
    parser = argparse.ArgumentParser(
        prog="framework-advisor", description="Helps you choose between Django, Flask and FastAPI."
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    ask = commands.add_parser("ask", help="answer one question (or one per line with -)")
    ask.add_argument("question", help='the question, or "-" to read one per line from stdin')
    _answer_options(ask, json_flag=True)
    chat = commands.add_parser("chat", help="an interactive console with follow-up questions")
    _answer_options(chat, json_flag=False)
    ev = commands.add_parser("eval", help="score the advisor on a JSON Lines file of cases")
    ev.add_argument("cases", type=Path, help="JSON Lines file of cases")
    ev.add_argument("--min", type=float, default=0.95, help="lowest passing accuracy (0-1)")
    _answer_options(ev, json_flag=False)
    knowledge = commands.add_parser("knowledge", help="work with the knowledge files")
    knowledge.add_argument("action", choices=["check"], help="check: validate and summarise")
    serve = commands.add_parser("serve", help="run the Slack app over HTTP locally (Flask)")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=3000, help="port to listen on (default 3000)")
    slack = commands.add_parser("slack", help="run the Slack app")
    slack.add_argument(
        "--socket", action="store_true", required=True, help="over Socket Mode (SLACK_APP_TOKEN)"
    )
    commands.add_parser("feedback", help="summarise the feedback people gave in Slack")
    return parser


def _answer_options(parser: argparse.ArgumentParser, json_flag: bool) -> None:
    """Options shared by the commands that answer questions."""
    parser.add_argument("--offline", action="store_true", help="always use the built-in rules")
    if json_flag:
        parser.add_argument("--json", action="store_true", help="print the Answer as JSON")


def render(answer: Answer, with_text: bool = True) -> str:
    """An answer for a person: the text (recommendation first), its note, then its sources."""
    lines = [answer.text] if with_text else []
    if answer.note:
        lines += ["", f"Note: {answer.note}"]
    if answer.sources:
        lines += ["", "Sources:", *(f"  - {s.title} [{s.id}]" for s in answer.sources)]
    return "\n".join(lines).strip("\n")


def show_stream(stream: AnswerStream, out: TextIO) -> Answer:
    """Print text as it arrives, then the note and sources; returns the final answer."""
    shown = False
    for chunk in stream:
        out.write(chunk)
        out.flush()
        shown = True
    final = stream.answer
    if stream.withdrawn and shown:
        out.write(f"\n\n{RESET_NOTE}\n\n")
        shown = False
    rest = render(final, with_text=not shown)
    out.write(("\n\n" if shown and rest else "\n" if shown else "") + rest + ("\n" if rest else ""))
    out.flush()
    return final


def _emit(advisor: Advisor, question: str, args: argparse.Namespace, out: TextIO) -> None:
    """Answer one question in the chosen format (streamed for people, whole for JSON)."""
    if args.json:
        out.write(advisor.ask(question, offline=args.offline).model_dump_json() + "\n")
        out.flush()
    else:
        show_stream(advisor.stream(question, offline=args.offline), out)


def _offline_note(settings: Settings, args: argparse.Namespace, err: TextIO) -> None:
    """Say once why answers come from the rules, unless the user asked for that."""
    if not args.offline and not settings.model_configured:
        err.write(OFFLINE_NOTE + "\n")


def cmd_ask(advisor: Advisor, args: argparse.Namespace, out: TextIO, err: TextIO, stdin: TextIO) -> int:
    """Answer the question given, or each line of standard input for ``-``."""
    if args.question != "-":
        _emit(advisor, args.question, args, out)
        return 0
    status = 0
    for number, line in enumerate(stdin, start=1):
        if not line.strip():
            continue
        try:
            _emit(advisor, line, args, out)
        except QuestionError as error:
            err.write(f"line {number}: {error}\n")
            status = 1
    return status


def cmd_eval(advisor: Advisor, args: argparse.Namespace, out: TextIO) -> int:
    """Run evaluation cases; non-zero exit when accuracy is under ``--min``."""
    report = evaluate(load_cases(args.cases), lambda q: advisor.ask(q, offline=args.offline))
    for failure in report.failures:
        out.write(f"FAIL line {failure.line}: {failure.question}\n")
        out.writelines(f"    {problem}\n" for problem in failure.problems)
    passed = report.total - len(report.failures)
    summary = f"{passed}/{report.total} passed, minimum {args.min:.0%}"
    out.write(f"accuracy: {report.accuracy:.1%} ({summary})\n")
    return 0 if report.accuracy >= args.min else 1


class Chat:
    """The interactive console: keeps the conversation so follow-ups see earlier turns."""

    def __init__(
        self, advisor: Advisor, out: TextIO, read: Callable[[str], str], offline: bool = False
    ) -> None:
        self.advisor, self.out, self.read, self.offline = advisor, out, read, offline
        self.history: list[Turn] = []
        self.last: Answer | None = None

    def run(self) -> int:
        """Read questions until /quit or end of input."""
        self.out.write(f"Framework Advisor. Ask about Django, Flask or FastAPI. {CHAT_COMMANDS}\n")
        while True:
            try:
                line = self.read("you> ")
            except (EOFError, KeyboardInterrupt):
                self.out.write("\n")
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
            return True
        if line.strip():
            self._ask(line)
        return True

    def _command(self, command: str) -> None:
        """Run a slash command of the console."""
        if command == "/help":
            self.out.write(self.advisor.knowledge.responses.help.text + f"\n\n{CHAT_COMMANDS}\n")
        elif command == "/sources":
            self.out.write(_sources_text(self.last) + "\n")
        elif command == "/new":
            self.history, self.last = [], None
            self.out.write("Started a new conversation.\n")
        else:
            self.out.write(f"Unknown command {command!r}. {CHAT_COMMANDS}\n")

    def _ask(self, question: str) -> None:
        """Answer and remember the exchange."""
        try:
            items = self.advisor.stream(question, self.history, offline=self.offline)
        except QuestionError as error:
            self.out.write(f"{error}\n")
            return
        self.out.write("\n")
        answer = show_stream(items, self.out)
        self.out.write("\n")
        self.last = answer
        self.history += [
            Turn(role="user", text=question.strip()),
            Turn(role="assistant", text=answer.text),
        ]


def _sources_text(answer: Answer | None) -> str:
    """The sources of an answer, one per line."""
    if answer is None:
        return "No answer yet."
    if not answer.sources:
        return "The last answer did not draw on any knowledge section."
    return "\n".join(f"- {s.title} [{s.id}]" for s in answer.sources)


def _line_reader(history_file: Path | None) -> Callable[[str], str]:
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


def run(
    argv: Sequence[str],
    settings: Settings,
    out: TextIO = sys.stdout,
    err: TextIO = sys.stderr,
    stdin: TextIO = sys.stdin,
) -> int:
    """Run one command; returns the exit status."""
    args = _parser().parse_args(argv)
    if args.command in ("serve", "slack", "feedback"):
        return _slack_command(args, settings, out, err)
    try:
        knowledge = load_knowledge(settings.knowledge_dir)
        if args.command == "knowledge":
            out.write(f"knowledge OK: {knowledge.summary()}\n")
            return 0
        advisor = build_advisor(settings, knowledge, offline=args.offline)
    except KnowledgeError as error:
        err.write(f"knowledge error: {error}\n")
        return 1
    except (PromptError, ValueError) as error:
        err.write(f"configuration error: {error}\n")
        return 2
    _offline_note(settings, args, err)
    # said once above, so answers need not each repeat that no key is set
    args.offline = args.offline or not settings.model_configured
    try:
        return _dispatch(advisor, args, settings, (out, err, stdin))
    finally:
        if advisor.model is not None:
            advisor.model.close()


def _slack_command(args: argparse.Namespace, settings: Settings, out: TextIO, err: TextIO) -> int:
    """Serve the Slack app (HTTP or Socket Mode), or summarise feedback."""
    from bot.storage.sqlite import Store

    if args.command == "feedback":
        out.write(_feedback_text(Store(settings.db_path)) + "\n")
        return 0
    from bot.slack.web import build_bolt, create_app

    try:
        require_slack(settings, socket_mode=args.command == "slack")
        if args.command == "serve":
            create_app(settings).run(host=args.host, port=args.port, threaded=True)
            return 0
        from slack_bolt.adapter.socket_mode import SocketModeHandler

        assert settings.slack_app_token is not None
        bolt = build_bolt(settings, build_advisor(settings))
        handler = SocketModeHandler(bolt, settings.slack_app_token.get_secret_value())
        handler.start()  # type: ignore[no-untyped-call]  # untyped in slack_bolt
        return 0
    except (SettingsError, KnowledgeError, PromptError, ValueError) as error:
        err.write(f"configuration error: {error}\n")
        return 2


def _feedback_text(store: "Store") -> str:
    """Feedback totals per answer mode and the latest questions people disliked."""
    summary = store.feedback_summary()
    if summary.total == 0:
        return "No feedback yet."
    lines = [f"{summary.total} ratings, {summary.positive / summary.total:.0%} helpful"]
    lines += [
        f"  {mode}: {up} helpful, {down} not helpful" for mode, (up, down) in sorted(summary.by_mode.items())
    ]
    if summary.recent_negative:
        lines += ["Latest questions rated not helpful:", *(f"  - {q[:200]}" for q in summary.recent_negative)]
    return "\n".join(lines)


def _dispatch(
    advisor: Advisor,
    args: argparse.Namespace,
    settings: Settings,
    streams: tuple[TextIO, TextIO, TextIO],
) -> int:
    """Run the answering commands, turning user errors into messages."""
    out, err, stdin = streams
    try:
        if args.command == "ask":
            return cmd_ask(advisor, args, out, err, stdin)
        if args.command == "eval":
            return cmd_eval(advisor, args, out)
        return Chat(advisor, out, _line_reader(settings.history_file), offline=args.offline).run()
    except (QuestionError, CaseFileError) as error:
        err.write(f"{error}\n")
        return 2
    except OSError as error:
        err.write(f"error: {error.strerror or error}: {error.filename or ''}\n")
        return 2


def main(argv: Iterable[str] | None = None) -> int:
    """Entry point of the console script."""
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        settings = load_settings()
    except SettingsError as error:
        sys.stderr.write(f"framework-advisor: {error}\n")
        return 2
    logging.basicConfig(level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        return run(args, settings)
    except KeyboardInterrupt:
        return 130
    except Exception as error:  # a bug: say so plainly instead of showing a traceback
        sys.stderr.write(f"framework-advisor: unexpected error ({type(error).__name__}). Please report it.\n")
        return 70
