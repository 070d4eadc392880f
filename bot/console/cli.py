"""The ``framework-advisor`` command line: its arguments and commands (ask, chat, eval, knowledge, Slack)."""

import argparse
import logging
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TextIO

from bot.advisor import Advisor
from bot.advisor_factory import build_advisor
from bot.claude.prompts import PromptError
from bot.console.chat import Chat, line_reader
from bot.console.storage_commands import since_time
from bot.console.terminal import display_for
from bot.core.evaluation import CaseFileError, evaluate, load_cases
from bot.core.knowledge import KnowledgeError, load_knowledge
from bot.core.question import QuestionError
from bot.logging_setup import configure_logging
from bot.settings import Settings, SettingsError, load_settings, require_slack
from bot.startup import StartupError, check_db_path

OFFLINE_NOTE = "Answering offline with the built-in rules (ANTHROPIC_API_KEY is not set)."
# The project's evaluation sets, scored by a bare ``eval`` run from a checkout.
EVAL_SETS = [
    Path("tests/eval/dev.jsonl"),
    Path("tests/eval/holdout.jsonl"),
    Path("tests/eval/holdout-fresh.jsonl"),
    Path("tests/eval/holdout-fresh-2.jsonl"),
]


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
    ev = commands.add_parser("eval", help="score the advisor on JSON Lines files of cases")
    ev.add_argument(
        "cases",
        type=Path,
        nargs="*",
        default=EVAL_SETS,
        help="JSON Lines files (default: dev and both holdouts)",
    )
    ev.add_argument("--min", type=float, default=0.95, help="lowest passing accuracy (0-1)")
    ev.add_argument("--summary", action="store_true", help="per-category totals only, no questions")
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
    feedback = commands.add_parser("feedback", help="summarise the feedback people gave in Slack")
    feedback.add_argument(
        "--since", type=since_time, metavar="WHEN", help="only votes since WHEN: 2026-11-01, 7d or 12h"
    )
    feedback.add_argument("--csv", action="store_true", help="print every vote as CSV instead")
    db = commands.add_parser("db", help="manage the database (DATABASE_URL, else ADVISOR_DB_PATH)")
    db.add_argument("action", choices=["upgrade", "status"], help="upgrade: create or upgrade the schema")
    return parser


def _answer_options(parser: argparse.ArgumentParser, json_flag: bool) -> None:
    """Options shared by the commands that answer questions."""
    parser.add_argument("--offline", action="store_true", help="always use the built-in rules")
    if json_flag:
        parser.add_argument("--json", action="store_true", help="print the Answer as JSON")


def _emit(advisor: Advisor, question: str, args: argparse.Namespace, out: TextIO) -> None:
    """Answer one question in the chosen format (streamed for people, whole for JSON)."""
    if args.json:
        out.write(advisor.ask(question, offline=args.offline).model_dump_json() + "\n")
        out.flush()
    else:
        display_for(out).show(advisor.stream(question, offline=args.offline))


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
    # a blank line is an empty question: reported with its number like any other rejected line
    for number, line in enumerate(stdin, start=1):
        try:
            _emit(advisor, line, args, out)
        except QuestionError as error:
            err.write(f"line {number}: {error}\n")
            status = 1
    return status


def cmd_eval(advisor: Advisor, args: argparse.Namespace, out: TextIO) -> int:
    """Run each file of evaluation cases; non-zero exit when any is under ``--min``."""
    status = 0
    for path in args.cases:
        report = evaluate(load_cases(path), lambda q: advisor.ask(q, offline=args.offline))
        if len(args.cases) > 1:
            out.write(f"== {path}\n")
        for failure in [] if args.summary else report.failures:
            out.write(f"FAIL line {failure.line}: {failure.question}\n")
            out.writelines(f"    {problem}\n" for problem in failure.problems)
        out.writelines(f"{line}\n" for line in report.summary_lines())
        passed = report.total - len(report.failures)
        summary = f"{passed}/{report.total} passed, minimum {args.min:.0%}"
        out.write(f"accuracy: {report.accuracy:.1%} ({summary})\n")
        status = status if report.accuracy >= args.min else 1
    return status


def run(
    argv: Sequence[str],
    settings: Settings,
    out: TextIO = sys.stdout,
    err: TextIO = sys.stderr,
    stdin: TextIO = sys.stdin,
) -> int:
    """Run one command; returns the exit status."""
    args = _parser().parse_args(argv)
    if args.command in ("feedback", "db", "serve", "slack"):
        try:
            check_db_path(settings, writable=args.command != "feedback")  # reports only read
        except StartupError as error:
            err.write(f"configuration error: {error}\n")
            return 2
    if args.command in ("feedback", "db"):
        from bot.console.storage_commands import storage_command

        return storage_command(args, settings, out, err)
    if args.command in ("serve", "slack"):
        return _slack_command(args, settings, err)
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


def _slack_command(args: argparse.Namespace, settings: Settings, err: TextIO) -> int:
    """Serve the Slack app (HTTP or Socket Mode)."""
    from bot.advisor_factory import build_store
    from bot.slack.web import create_app

    try:
        require_slack(settings, socket_mode=args.command == "slack")
        if args.command == "serve":
            create_app(settings).run(host=args.host, port=args.port, threaded=True)
            return 0
        from slack_bolt.adapter.socket_mode import SocketModeHandler

        from bot.slack.bolt_app import build_slack_app
        from bot.slack.socket_mode import serve

        assert settings.slack_app_token is not None
        store = build_store(settings)
        slack = build_slack_app(settings, build_advisor(settings, counter=store), store)
        serve(slack, SocketModeHandler(slack.bolt, settings.slack_app_token.get_secret_value()))
        return 0
    except (SettingsError, KnowledgeError, PromptError, ValueError) as error:
        err.write(f"configuration error: {error}\n")
        return 2


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
        return Chat(advisor, display_for(out), line_reader(settings.history_file), offline=args.offline).run()
    except (QuestionError, CaseFileError) as error:
        err.write(f"{error}\n")
        return 2
    except OSError as error:
        err.write(f"error: {error.strerror or error}: {error.filename or ''}\n")
        return 2


def _chat_log_handlers(settings: Settings) -> list[logging.Handler]:
    """Where the chat's logs go: never the conversation (each answer's note says what went wrong)."""
    if settings.log_file is None:
        return [logging.NullHandler()]
    return [logging.FileHandler(settings.log_file, encoding="utf-8", delay=True)]


def main(argv: Iterable[str] | None = None) -> int:
    """Entry point of the console script."""
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        settings = load_settings()
    except SettingsError as error:
        sys.stderr.write(f"framework-advisor: {error}\n")
        return 2
    handlers = _chat_log_handlers(settings) if args[:1] == ["chat"] else None
    configure_logging(settings, handlers)
    try:
        return run(args, settings)
    except KeyboardInterrupt:
        return 130
    except Exception as error:  # a bug: say so plainly instead of showing a traceback
        sys.stderr.write(f"framework-advisor: unexpected error ({type(error).__name__}). Please report it.\n")
        return 70
