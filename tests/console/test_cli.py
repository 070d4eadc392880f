"""The command line, in process and as a real subprocess."""

import io
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from bot.console.cli import OFFLINE_NOTE, run
from bot.settings import Settings, settings_from
from tests.doubles.constants import PROJECT_ROOT

if TYPE_CHECKING:
    from tests.doubles.anthropic_api import AnthropicDouble


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Offline settings with the history file and the database kept in a temporary folder."""
    # Not the default database in the working directory: parallel test workers share that folder.
    return settings_from(
        {"ADVISOR_HISTORY_FILE": str(tmp_path / "history"), "ADVISOR_DB_PATH": str(tmp_path / "db.sqlite3")}
    )


def _run(argv: list[str], settings: Settings, stdin: str = "") -> tuple[int, str, str]:
    """Run the CLI in process; returns status, stdout and stderr."""
    out, err = io.StringIO(), io.StringIO()
    status = run(argv, settings, out=out, err=err, stdin=io.StringIO(stdin))
    return status, out.getvalue(), err.getvalue()


def test_cli_ask_prints_recommendation_then_sources(settings: Settings) -> None:
    status, out, err = _run(["ask", "Which framework for an admin-heavy web app?"], settings)
    assert status == 0
    assert out.startswith("**Recommendation: Django**")
    assert out.index("Why Django") < out.index("Sources:")
    assert "[choose-django]" in out or "[django-includes]" in out
    assert err == OFFLINE_NOTE + "\n"
    assert "Note:" not in out  # said once on stderr, not again with every answer


def test_cli_offline_flag_skips_the_note(settings: Settings) -> None:
    _, _, err = _run(["ask", "--offline", "help"], settings)
    assert err == ""


def test_cli_ask_json_is_the_answer_contract(settings: Settings) -> None:
    status, out, _ = _run(["ask", "--json", "Flask or FastAPI for LLM calls?"], settings)
    data = json.loads(out)
    assert status == 0
    assert data["recommendation"] == "fastapi"
    assert data["mode"] == "rules"
    assert set(data) == {"text", "recommendation", "in_scope", "mode", "sources", "note"}


def test_cli_ask_stdin_answers_each_line(settings: Settings) -> None:
    lines = "Django or Flask for a blog?\n\nWhat's the weather?\n" + "x" * 5000 + "\nhelp\n"
    status, out, err = _run(["ask", "--json", "--offline", "-"], settings, stdin=lines)
    answers = [json.loads(line) for line in out.splitlines()]
    assert [a["in_scope"] for a in answers] == [True, False, True]
    assert answers[0]["recommendation"] == "django"
    assert status == 1
    assert "line 4: That question is 5,000 characters long" in err


@pytest.mark.parametrize(
    "blank",
    ["", "   ", "\t", "\u2028" * 4000, "\u200b\u200b", "\ufeff \u2060"],
)
def test_cli_ask_stdin_reports_a_blank_line_by_number(settings: Settings, blank: str) -> None:
    status, out, err = _run(["ask", "--json", "--offline", "-"], settings, stdin=f"help\n{blank}\nhelp\n")
    assert [json.loads(line)["in_scope"] for line in out.splitlines()] == [True, True]
    assert err.startswith("line 2: Please type a question")
    assert status == 1


@pytest.mark.parametrize(
    ("question", "message"),
    [
        ("   ", "Please type a question"),
        ("\u200b\u200b", "Please type a question"),
        ("a\x1bb", "control characters"),
        ("q" * 4001, "limit is 4,000"),
    ],
)
def test_cli_bad_question_is_a_message_not_a_traceback(
    settings: Settings, question: str, message: str
) -> None:
    status, out, err = _run(["ask", "--offline", question], settings)
    assert status == 2
    assert out == ""
    assert message in err
    assert "Traceback" not in err


def test_cli_knowledge_check_summarises(settings: Settings) -> None:
    status, out, _ = _run(["knowledge", "check"], settings)
    assert status == 0
    assert out.startswith("knowledge OK: ")
    assert "sections" in out


def test_cli_knowledge_error_is_reported(tmp_path: Path) -> None:
    broken = settings_from({"ADVISOR_KNOWLEDGE_DIR": str(tmp_path)})
    status, _, err = _run(["knowledge", "check"], broken)
    assert status == 1
    assert err.startswith("knowledge error: frameworks.toml")


def test_cli_eval_reports_failures_and_accuracy(settings: Settings, tmp_path: Path) -> None:
    cases = tmp_path / "cases.jsonl"
    cases.write_text(
        json.dumps({"question": "Django or Flask for a blog?", "expect": {"recommendation": "django"}})
        + "\n"
        + json.dumps({"question": "hello", "expect": {"in_scope": False}})
        + "\n"
    )
    status, out, _ = _run(["eval", "--offline", str(cases), "--min", "0.9"], settings)
    assert status == 1
    assert "FAIL line 2: hello" in out
    assert "accuracy: 50.0% (1/2 passed" in out
    status, _, _ = _run(["eval", "--offline", str(cases), "--min", "0.5"], settings)
    assert status == 0


def test_cli_eval_summary_scores_each_file_by_category_without_questions(
    settings: Settings, tmp_path: Path
) -> None:
    first, second = tmp_path / "dev.jsonl", tmp_path / "holdout.jsonl"
    first.write_text(
        json.dumps({"question": "hello", "category": "chat", "expect": {"in_scope": True}}) + "\n"
    )
    second.write_text(
        json.dumps({"question": "hello", "category": "scope", "expect": {"in_scope": False}}) + "\n"
    )
    status, out, _ = _run(["eval", "--offline", "--summary", str(first), str(second)], settings)
    assert status == 1
    assert f"== {first}" in out
    assert f"== {second}" in out
    assert "chat" in out
    assert "scope" in out
    assert "hello" not in out
    assert "accuracy: 0.0% (0/1 passed" in out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["eval", "missing.jsonl"], "No such file or directory"),
    ],
)
def test_cli_file_errors_are_messages(settings: Settings, argv: list[str], message: str) -> None:
    status, _, err = _run(argv, settings)
    assert status == 2
    assert message in err


@pytest.mark.slow
def test_cli_subprocess_python_m_bot_answers_json() -> None:
    env = {k: v for k, v in os.environ.items() if k != "ANTHROPIC_API_KEY"}
    result = _bot(["ask", "--json", "djnago or flsk for a blog?"], env)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["recommendation"] == "django"
    assert result.stderr.strip() == OFFLINE_NOTE


@pytest.mark.slow
def test_cli_subprocess_offline_path_imports_no_heavy_packages() -> None:
    code = (
        "import sys, io; from bot.console.cli import run; from bot.settings import settings_from;"
        "run(['ask', '--offline', 'Django or Flask?'], settings_from({}), out=io.StringIO());"
        "print(sorted(m for m in ('anthropic', 'slack_bolt', 'flask', 'httpx') if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=PROJECT_ROOT,
        timeout=30,
        check=True,
    )
    assert result.stdout.strip() == "[]"


def _bot(argv: list[str], env: dict[str, str]) -> "subprocess.CompletedProcess[str]":
    """Run ``python -m bot`` as its own process, as a user would."""
    command = [sys.executable, "-m", "bot", *argv]
    return subprocess.run(
        command, capture_output=True, text=True, cwd=PROJECT_ROOT, env=env, timeout=60, check=False
    )


def _cli_env(**extra: str) -> dict[str, str]:
    """The current environment without real keys, plus the given variables."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ANTHROPIC_", "ADVISOR_", "SLACK_"))}
    return env | extra


@pytest.mark.slow
@pytest.mark.parametrize("to_file", [False, True])
def test_cli_subprocess_chat_keeps_log_lines_out_of_the_conversation(
    anthropic_api: "AnthropicDouble", tmp_path: Path, to_file: bool
) -> None:
    from tests.doubles.anthropic_api import error

    anthropic_api.set_default(error(500, "api_error"))
    log_file = tmp_path / "chat.log"
    env = _cli_env(ANTHROPIC_API_KEY="sk-test-cli", ANTHROPIC_BASE_URL=anthropic_api.url)
    if to_file:
        env["ADVISOR_LOG_FILE"] = str(log_file)
    command = [sys.executable, "-m", "bot", "chat"]
    result = subprocess.run(
        command,
        input="Which framework for an API?\n",
        capture_output=True,
        text=True,
        cwd=PROJECT_ROOT,
        env=env,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "Answered by the built-in rules" in result.stdout  # the answer's note says what happened
    assert "model failed" not in result.stdout + result.stderr
    assert ("model failed reason=server_error" in log_file.read_text()) if to_file else not log_file.exists()


@pytest.mark.slow
def test_cli_subprocess_with_key_streams_claude_answer(anthropic_api: "AnthropicDouble") -> None:
    from tests.doubles.anthropic_api import answer

    anthropic_api.push(
        answer("**Recommendation: FastAPI**\nIt is async.", "choose-fastapi", recommendation="fastapi")
    )
    anthropic_api.push(answer("**Recommendation: Flask**", "choose-flask", recommendation="flask"))
    env = _cli_env(ANTHROPIC_API_KEY="sk-test-cli", ANTHROPIC_BASE_URL=anthropic_api.url)
    streamed = _bot(["ask", "Which framework for an LLM API?"], env)
    assert streamed.returncode == 0, streamed.stderr
    assert streamed.stdout.startswith("**Recommendation: FastAPI**\nIt is async.")
    assert "[choose-fastapi]" in streamed.stdout
    assert "ANSWER-META" not in streamed.stdout
    assert OFFLINE_NOTE not in streamed.stderr
    as_json = _bot(["ask", "--json", "Which for a tiny tool?"], env)
    data = json.loads(as_json.stdout)
    assert data["mode"] == "llm"
    assert data["recommendation"] == "flask"
    assert anthropic_api.requests[0].body["stream"] is True
    assert "stream" not in anthropic_api.requests[1].body


@pytest.mark.slow
@pytest.mark.parametrize(
    ("env", "message"),
    [
        (
            {"ANTHROPIC_API_KEY": "k", "ANTHROPIC_MODEL": "gpt-4"},
            "ANTHROPIC_MODEL 'gpt-4' is not a model this SDK knows",
        ),
        (
            {"ADVISOR_DEADLINE_SECONDS": "soon", "ADVISOR_MAX_OUTPUT_TOKENS": "9"},
            "ADVISOR_DEADLINE_SECONDS: Input should be a valid number",
        ),
        (
            {"ADVISOR_MAX_OUTPUT_TOKENS": "9"},
            "ADVISOR_MAX_OUTPUT_TOKENS: Input should be greater than or equal to 64",
        ),
        ({"ANTHROPIC_BASE_URL": "ftp://x"}, "ANTHROPIC_BASE_URL: String should match pattern"),
    ],
)
def test_cli_subprocess_bad_settings_fail_fast(env: dict[str, str], message: str) -> None:
    result = _bot(["ask", "hi"], _cli_env(**env))
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("argv", "missing"),
    [
        (["serve"], "missing settings for Slack: SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET"),
        (
            ["slack", "--socket"],
            "missing settings for Slack: SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET, SLACK_APP_TOKEN",
        ),
    ],
)
def test_cli_slack_commands_name_missing_settings(settings: Settings, argv: list[str], missing: str) -> None:
    status, _, err = _run(argv, settings)
    assert status == 2
    assert missing in err


def test_cli_socket_mode_names_only_the_app_token(tmp_path: Path) -> None:
    env = {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s", "ADVISOR_DB_PATH": str(tmp_path / "db")}
    status, _, err = _run(["slack", "--socket"], settings_from(env))
    assert status == 2
    assert err.strip() == "configuration error: missing settings for Slack: SLACK_APP_TOKEN"


def test_cli_feedback_summary(tmp_path: Path) -> None:
    from bot.storage.sqlite import SqliteStore

    settings = settings_from({"ADVISOR_DB_PATH": str(tmp_path / "db.sqlite3")})
    assert _run(["feedback"], settings)[1] == "No feedback yet.\n"
    store = SqliteStore(settings.db_path)
    store.upgrade()
    store.add_feedback("U1", True, {"q": "Django or Flask?", "m": "llm", "s": []})
    store.add_feedback("U2", False, {"q": "Which for ML?", "m": "rules", "s": []})
    status, out, _ = _run(["feedback"], settings)
    assert status == 0
    assert out.splitlines() == [
        "2 ratings, 50% helpful",
        "  llm: 1 helpful, 0 not helpful",
        "  rules: 0 helpful, 1 not helpful",
        "Latest questions rated not helpful:",
        "  - Which for ML?",
    ]
