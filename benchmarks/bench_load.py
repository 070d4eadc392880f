"""Load, faults and recovery: the app as the Procfile runs it, against loopback doubles.

One command starts a loopback Slack Web API double and a loopback Anthropic double (answers
delayed by --model-delay), starts gunicorn exactly as the Procfile does, sends signed slash
commands and DM events from --concurrency askers until --questions have been sent, waits for
every answer, and stops everything it started. Everything stays on 127.0.0.1. Each asker is a
person: it asks, waits for its answer, reads it for --think seconds, and asks again.

It prints acknowledgement latency (p50/p99/max), answers delivered versus questions sent (and
any answered twice), HTTP errors, answer latency (p50/p99), peak memory of the app's processes,
and the same figures for a baseline run (the app with the model switched off) as ratios.

--model-fault makes the model double fail for the middle third of the questions (429, 529, 500,
timeout, an error mid-stream, or refused connections); the run then also reports the circuit
breaker opening and closing again. --slack-fault makes every 7th Slack call fail (429 with
Retry-After, 500, or a dropped connection) and reports what the app logged for each question.

Targets (issue 5) on 2 cores, model delayed 5 s, 50 askers, 500 questions: acknowledgement p99
under 100 ms, every question answered exactly once, zero 5xx.
"""

import argparse
import re
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.doubles.anthropic_api import AnthropicDouble, Block, Reply, answer, error  # noqa: E402
from tests.doubles.slack_api import Call, Fault, SlackDouble  # noqa: E402
from tests.doubles.slack_requests import SIGNING_SECRET, dm, event, sign, slash_command  # noqa: E402
from tests.procfile_runner import App, running, send  # noqa: E402

QUESTIONS = [
    "Which framework for a REST API that calls an LLM under heavy traffic?",
    "Django or Flask for a small internal tool?",
    "We need an admin panel and a high-concurrency API. What setup?",
    "Does Flask support async?",
    "Which framework is easiest to learn?",
]
TEXT = (
    "**Recommendation: FastAPI**\n- Async suits slow model calls.\n- It handles heavy concurrent traffic.\n"
)
MODEL_FAULTS = {
    "429": error(429, "rate_limit_error"),
    "529": error(529, "overloaded_error"),
    "500": error(500, "api_error"),
    "timeout": Reply(delay=15.0),  # the load run's deadline is 10 s
    "midstream": Reply(
        blocks=(Block("ANSWER-META recommendation=fastapi scope=in\n" + TEXT),), fail_after_chunks=4
    ),
}
SLACK_FAULTS = {"429": Fault(status=429, retry_after=1), "500": Fault(status=500), "drop": Fault(drop=True)}
RULES_NOTE = "Answered by the built-in rules because"


@dataclass
class Question:
    """One question sent, and what became of it."""

    index: int
    kind: str  # "command" or "dm"
    sent: float = 0.0
    ack_seconds: float = 0.0
    status: int = 0
    answers: int = 0
    answered_at: float | None = None
    labelled_rules: bool = False
    done: threading.Event = field(default_factory=threading.Event)


@dataclass
class Figures:
    """What one run measured."""

    name: str
    questions: list[Question]
    peak_rss_mb: float
    seconds: float
    breaker_states: Counter[str] = field(default_factory=Counter)
    breaker_closed_at_end: bool = True
    log: str = ""
    mode: str = "healthy"  # or "model" / "slack": which fault, if any, the run injected

    def acks(self) -> list[float]:
        return [q.ack_seconds for q in self.questions]

    def latencies(self) -> list[float]:
        return [q.answered_at - q.sent for q in self.questions if q.answered_at is not None]


def percentile(samples: list[float], share: float) -> float:
    """The sample at a share of the sorted list (0 for none)."""
    if not samples:
        return 0.0
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


class MemorySampler:
    """Peak resident memory of a process and its children, sampled from /proc."""

    def __init__(self, pid: int) -> None:
        self.pid, self.peak_kb = pid, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> "MemorySampler":
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.wait(0.2):
            self.peak_kb = max(self.peak_kb, sum(_rss_kb(p) for p in [self.pid, *_children(self.pid)]))


def _children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def _rss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def _payload(question: Question, slack: SlackDouble) -> tuple[bytes, str]:
    """A signed-to-be slash command or DM event for one question, from one of the askers."""
    text = QUESTIONS[question.index % len(QUESTIONS)]
    user = f"U{question.index % ASKERS:07d}"
    if question.kind == "command":
        body, kind = slash_command(text, slack.response_url(f"q{question.index}"))
        return body.replace(b"U0USER001", user.encode()), kind
    return event(dm(text, ts=_ts(question.index), user=user))


def _ts(index: int) -> str:
    return f"1700100000.{index:06d}"


def _ask(app: App, slack: SlackDouble, question: Question) -> None:
    """Send one question and time its acknowledgement."""
    body, kind = _payload(question, slack)
    question.sent = time.monotonic()
    question.status, _ = send(app, (body, kind), sign(body, SIGNING_SECRET))
    question.ack_seconds = time.monotonic() - question.sent


def _deliveries(slack: SlackDouble, questions: list[Question]) -> None:
    """Match what reached the Slack double to the questions (answers, time, rules label)."""
    by_ts = {_ts(q.index): q for q in questions if q.kind == "dm"}
    by_url = {f"response_url/response/q{q.index}": q for q in questions if q.kind == "command"}
    stream_threads: dict[str, Question] = {}
    for call in list(slack.calls):
        args = call.args
        if call.reply is None:
            continue  # refused by the double (a scripted fault): the app retried or gave up
        question = by_url.get(call.method) if args.get("replace_original") is True else None
        thread_question = by_ts.get(str(args.get("thread_ts", "")))
        if call.method == "chat.startStream" and thread_question and call.reply:
            stream_threads[call.reply["ts"]] = thread_question
            thread_question.answers += 1
            continue
        if (
            call.method == "chat.postMessage"
            and thread_question
            and not args.get("blocks")
            and not _apology(args)
        ):
            stream_threads[call.reply["ts"]] = thread_question  # a placeholder edited as text arrives
            thread_question.answers += 1
            continue
        if call.method == "chat.postMessage" and thread_question and args.get("blocks"):
            question = thread_question
        if call.method in ("chat.stopStream", "chat.update") and str(args.get("ts")) in stream_threads:
            finished = stream_threads[str(args["ts"])]
            finished.answered_at = call.at
            finished.labelled_rules = finished.labelled_rules or RULES_NOTE in str(args.get("blocks", ""))
            continue
        if question is not None:
            question.answers += 1
            question.answered_at = call.at
            question.labelled_rules = RULES_NOTE in str(args.get("blocks", ""))


def _apology(args: dict[str, Any]) -> bool:
    """True for the app's apology after a failed answer (not an answer of its own)."""
    return str(args.get("text", "")).startswith("Sorry, something went wrong")


def _watch_breaker(app: App, until: threading.Event, states: Counter[str]) -> None:
    """Poll /healthz and count the breaker states each worker reports."""
    while not until.wait(0.25):
        try:
            states[str(app.health()["breaker"]["state"])] += 1  # type: ignore[index]
        except OSError:
            continue


def _breaker_closed(app: App) -> bool:
    """True when every worker answering /healthz reports a closed breaker."""
    seen = {}
    for _ in range(20):
        health = app.health()
        seen[health["process"]] = health["breaker"]["state"]  # type: ignore[index]
    return all(state == "closed" for state in seen.values())


def _recover(app: App, limit: float = 30.0) -> bool:
    """After the run, keep a trickle of questions going until every worker's breaker is closed.

    A breaker only closes when a probe reaches the healthy model, so a worker that saw no
    traffic after the fault ended would otherwise stay open; these extra questions are not
    counted in the figures.
    """
    deadline, n = time.monotonic() + limit, 0
    while time.monotonic() < deadline:
        if _breaker_closed(app):
            return True
        n += 1
        probe = event(dm("Which framework for an API?", ts=f"1700200000.{n:06d}", user="U0PROBE01"))
        send(app, probe, sign(probe[0], SIGNING_SECRET))
        time.sleep(0.5)
    return _breaker_closed(app)


def run_scenario(
    name: str, args: argparse.Namespace, model_on: bool, model_fault: str | None, slack_fault: str | None
) -> Figures:
    """Start the doubles and gunicorn, send every question, wait for the answers, stop."""
    healthy = answer(TEXT, "choose-fastapi", recommendation="fastapi")
    healthy = Reply(blocks=healthy.blocks, delay=args.model_delay, chunk_delay=0.02)
    questions = [Question(i, "command" if i % 2 == 0 else "dm") for i in range(args.questions)]
    with (
        SlackDouble() as slack,
        AnthropicDouble(default=healthy) as model,
        tempfile.TemporaryDirectory() as folder,
    ):
        if slack_fault:
            slack.fail_every(7, SLACK_FAULTS[slack_fault])
        env = {
            "SLACK_BOT_TOKEN": "xoxb-load-test",
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "SLACK_API_URL": slack.url,
            "ADVISOR_DB_PATH": str(Path(folder) / "advisor.sqlite3"),
            "ADVISOR_LOG_LEVEL": "INFO",
            "ADVISOR_DEADLINE_SECONDS": "10",
            "ADVISOR_BREAKER_COOLDOWN_SECONDS": "2",
            "ADVISOR_USER_ANSWERS_PER_MINUTE": "1000",
            "ADVISOR_USER_CONCURRENT_ANSWERS": "50",
            "WEB_CONCURRENCY": str(args.workers),
        }
        if model_on:
            env |= {"ANTHROPIC_API_KEY": "sk-load-test", "ANTHROPIC_BASE_URL": model.url}
        with running(env) as app, MemorySampler(app.process.pid) as memory:
            states: Counter[str] = Counter()
            done = threading.Event()
            watcher = threading.Thread(target=_watch_breaker, args=(app, done, states), daemon=True)
            watcher.start()
            started = time.monotonic()
            _send_all(app, slack, model, questions, args.concurrency, model_fault, args.think)
            _wait_answers(slack, questions, timeout=30)
            closed = _recover(app) if model_on else True
            done.set()
            seconds = time.monotonic() - started
            code, log = app.stop()
        _deliveries(slack, questions)
    if code != 0:
        print(f"{name}: gunicorn exited with {code}")
    mode = "model" if model_fault else "slack" if slack_fault else "healthy"
    return Figures(name, questions, memory.peak_kb / 1024, seconds, states, closed, log, mode)


class _Arrivals:
    """Tells each asker when its answer has reached the Slack double."""

    def __init__(self, questions: list[Question]) -> None:
        self.by_url = {f"response_url/response/q{q.index}": q for q in questions if q.kind == "command"}
        self.by_ts = {_ts(q.index): q for q in questions if q.kind == "dm"}
        self.streams: dict[str, Question] = {}
        self.lock = threading.Lock()

    def __call__(self, call: Call) -> None:
        args = call.args
        with self.lock:
            started = call.method == "chat.startStream" or (
                call.method == "chat.postMessage" and not args.get("blocks")
            )
            if started and call.reply:  # a stream, or a placeholder edited as text arrives
                question = self.by_ts.get(str(args.get("thread_ts")))
                if question:
                    self.streams[call.reply["ts"]] = question
                return
            if call.method in ("chat.stopStream", "chat.update") and args.get("blocks"):
                question = self.streams.get(str(args.get("ts")))
            elif call.method == "chat.postMessage" and args.get("blocks") and call.reply:
                question = self.by_ts.get(str(args.get("thread_ts")))
            else:
                question = self.by_url.get(call.method) if call.reply else None
        if question is not None:
            question.done.set()


def _send_all(
    app: App,
    slack: SlackDouble,
    model: AnthropicDouble,
    questions: list[Question],
    concurrency: int,
    fault: str | None,
    think: float,
) -> None:
    """Askers each ask, wait for their answer, then ask the next; a model fault covers the middle third."""
    slack.on_record = _Arrivals(questions)
    third, lock = len(questions) // 3, threading.Lock()
    queue = iter(questions)
    phase = {"on": False, "off": False}

    def asker() -> None:
        while True:
            with lock:
                question = next(queue, None)
                if question is None:
                    return
                if fault and question.index >= third and not phase["on"]:
                    phase["on"] = True
                    _fault_on(model, fault)
                if fault and question.index >= 2 * third and not phase["off"]:
                    phase["off"] = True
                    _fault_off(model, fault)
                    time.sleep(3)  # let the breaker's cool-down pass so probes find the model well
            _ask(app, slack, question)
            question.done.wait(timeout=ANSWER_WAIT)
            time.sleep(think)  # a person reads the answer before asking again

    threads = [threading.Thread(target=asker) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
        time.sleep(0.01)  # askers arrive over half a second, not in one instant
    for thread in threads:
        thread.join()


ANSWER_WAIT = 30.0  # an asker gives up waiting after this long (the question then counts as lost)


def _fault_on(model: AnthropicDouble, fault: str) -> None:
    if fault == "refuse":
        model.pause()
    else:
        model.set_default(MODEL_FAULTS[fault])


def _fault_off(model: AnthropicDouble, fault: str) -> None:
    if fault == "refuse":
        model.resume()
    model.set_default(
        Reply(blocks=answer(TEXT, "choose-fastapi", recommendation="fastapi").blocks, delay=1.0)
    )


def _wait_answers(slack: SlackDouble, questions: list[Question], timeout: float) -> None:
    """Wait until every question has a final answer (or the timeout)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for question in questions:
            question.answers, question.answered_at = 0, None
        _deliveries(slack, questions)
        if all(q.answered_at is not None for q in questions):
            break
        time.sleep(0.5)
    time.sleep(1.0)  # anything arriving late (a duplicate) is counted too
    for question in questions:
        question.answers, question.answered_at = 0, None


def report(figures: Figures, baseline: Figures | None) -> bool:
    """Print one run's figures (with ratios to the baseline); True when the targets hold."""
    qs = figures.questions
    acks, latencies = figures.acks(), figures.latencies()
    answered = sum(q.answers >= 1 for q in qs)
    twice = sum(q.answers > 1 for q in qs)
    http_errors = sum(q.status != 200 for q in qs)
    five_xx = sum(q.status >= 500 for q in qs)
    rules = sum(q.labelled_rules for q in qs)
    print(f"\n== {figures.name}: {len(qs)} questions in {figures.seconds:.1f} s")
    print(
        f"acknowledgement: p50 {percentile(acks, 0.5) * 1000:.1f} ms, p99 {percentile(acks, 0.99) * 1000:.1f} ms, max {max(acks) * 1000:.1f} ms"
    )
    print(
        f"answers delivered: {answered}/{len(qs)} (answered more than once: {twice}); labelled as rules fallback: {rules}"
    )
    print(f"HTTP errors: {http_errors} (5xx: {five_xx})")
    print(f"answer latency: p50 {percentile(latencies, 0.5):.2f} s, p99 {percentile(latencies, 0.99):.2f} s")
    print(f"peak memory of the app's processes: {figures.peak_rss_mb:.0f} MB")
    if figures.breaker_states:
        print(
            f"circuit breaker seen (health polls): {dict(figures.breaker_states)}; all closed at the end: {figures.breaker_closed_at_end}"
        )
    opened = figures.log.count("circuit breaker opened")
    reclosed = figures.log.count("circuit breaker closed")
    print(f"circuit breaker (app log): opened {opened} times, closed again {reclosed} times")
    retries = figures.log.count("Retrying request to /v1/messages")
    print(f"model calls retried by the SDK (app log): {retries}")
    delivered_log = len(re.findall(r"answer delivered ", figures.log))
    failed_log = re.findall(r"answer failed (request_id=\S+ channel=\S+ user=\S+(?: ts=\S+)?)", figures.log)
    print(
        f"app log: {delivered_log} 'answer delivered', {len(failed_log)} 'answer failed' (each with the question's ids)"
    )
    if baseline:
        b_acks, b_lat = baseline.acks(), baseline.latencies()
        print(
            f"vs {baseline.name}: ack p99 x{percentile(acks, 0.99) / max(percentile(b_acks, 0.99), 1e-9):.2f}, "
            f"answer p50 x{percentile(latencies, 0.5) / max(percentile(b_lat, 0.5), 1e-9):.1f}, "
            f"memory x{figures.peak_rss_mb / max(baseline.peak_rss_mb, 1e-9):.2f}"
        )
    lost = max(len(qs) - answered - len(failed_log), 0)
    print(f"lost (neither delivered nor logged as failed): {lost}")
    if figures.mode == "model":  # a model fault: all answered, fallbacks labelled, breaker cycles
        return (
            answered == len(qs)
            and twice == 0
            and five_xx == 0
            and rules > 0
            and opened > 0
            and figures.breaker_closed_at_end
        )
    if figures.mode == "slack":  # a Slack fault: nothing silently lost, nothing answered twice
        return lost == 0 and twice == 0 and five_xx == 0
    return percentile(acks, 0.99) < 0.1 and answered == len(qs) and twice == 0 and five_xx == 0


ASKERS = 50


def main() -> int:
    """Run the baseline and the measured scenario; exit 1 if a target is missed."""
    global ASKERS
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--questions", type=int, help="default 500 (300 with --burst)")
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--model-delay", type=float, help="seconds; default 5 (3 with --burst)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--think", type=float, default=1.0, help="seconds an asker waits after an answer")
    parser.add_argument("--model-fault", choices=[*MODEL_FAULTS, "refuse"])
    parser.add_argument("--slack-fault", choices=list(SLACK_FAULTS))
    parser.add_argument("--no-baseline", action="store_true", help="skip the model-off baseline run")
    parser.add_argument(
        "--burst", action="store_true", help="closed loop, no think time, against a bare Bolt app (issue 12)"
    )
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds of the burst mode")
    parser.add_argument(
        "--bare-switch-interval",
        type=float,
        help="burst mode: give the bare Bolt app this GIL switch interval (default: Python's)",
    )
    parser.add_argument(
        "--store",
        choices=["sqlite", "postgres"],
        default="sqlite",
        help="postgres: the scale-out run (issue 13)",
    )
    parser.add_argument("--instances", type=int, default=2, help="app instances sharing PostgreSQL")
    parser.add_argument("--db-outage", type=float, default=0.0, help="seconds PostgreSQL is stopped mid-run")
    args = parser.parse_args()
    ASKERS = args.concurrency
    args.questions = args.questions or (300 if args.burst else 500)
    args.model_delay = args.model_delay if args.model_delay is not None else (3.0 if args.burst else 5.0)
    if args.burst:
        import burst  # this script's folder is on sys.path

        return burst.main(args)
    if args.store == "postgres":
        import scale_out  # this script's folder is on sys.path

        return scale_out.main(args)
    baseline = (
        None if args.no_baseline else run_scenario("baseline: model switched off", args, False, None, None)
    )
    name = f"model delayed {args.model_delay:g} s" + (
        f", model fault {args.model_fault}" if args.model_fault else ""
    )
    name += f", Slack fault {args.slack_fault}" if args.slack_fault else ""
    measured = run_scenario(name, args, True, args.model_fault, args.slack_fault)
    if baseline:
        report(baseline, None)
    met = report(measured, baseline)
    print("\ntargets met" if met else "\nTARGET MISSED")
    return 0 if met else 1


if __name__ == "__main__":
    raise SystemExit(main())
