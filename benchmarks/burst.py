"""Burst mode of the load benchmark: do acknowledgements compete with answers? (issue 12)

Closed loop, no think time: --concurrency senders fire --questions signed slash commands back to
back (each sends its next as soon as the previous one is acknowledged), with the model double
delayed --model-delay seconds. Each round runs a bare Bolt-in-Flask app (one listener that only
acks; benchmarks/bare_bolt.py) and then this project, both started by gunicorn with the
Procfile's flags, on fresh doubles. It prints ack p50/p99 for both, the per-round p99 ratio, the
answers delivered once and the time from the first question to the last answer.
--bare-switch-interval gives the bare app the project's GIL switch interval as well, to show how
much of the difference that one setting makes.

Targets: median per-round ack p99 at most 1.0x the bare Bolt app's and under 100 ms; every
question answered exactly once.
"""

import argparse
import statistics
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import bench_load  # run as part of benchmarks/bench_load.py, whose folder is on sys.path
from bench_load import (
    MemorySampler,
    Question,
    _Arrivals,
    _deliveries,
    _payload,
    percentile,
)

from tests.doubles.anthropic_api import AnthropicDouble, Reply, answer
from tests.doubles.slack_api import SlackDouble
from tests.doubles.slack_requests import SIGNING_SECRET, sign
from tests.procfile_runner import App, running, send

BARE_APP = "benchmarks.bare_bolt:create_app()"
TEXT = "**Recommendation: FastAPI**\n- Async suits slow model calls.\n"


@dataclass
class Run:
    """One app's figures in one round."""

    name: str
    acks: list[float]
    errors: int
    answered_once: int = 0
    answered_twice: int = 0
    last_answer: float = 0.0  # seconds from the first question to the last answer
    burst: float = 0.0  # seconds from the first question to the last acknowledgement
    peak_rss_mb: float = 0.0


def _fire(app: App, slack: SlackDouble, questions: list[Question], concurrency: int) -> None:
    """Senders that each send the next question as soon as their previous one is acknowledged."""
    queue, lock = iter(questions), threading.Lock()

    def sender() -> None:
        while True:
            with lock:
                question = next(queue, None)
            if question is None:
                return
            body, kind = _payload(question, slack)
            question.sent = time.monotonic()
            question.status, _ = send(app, (body, kind), sign(body, SIGNING_SECRET))
            question.ack_seconds = time.monotonic() - question.sent

    threads = [threading.Thread(target=sender) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def run_app(name: str, args: argparse.Namespace, bare: bool) -> Run:
    """Start one app on fresh doubles, fire the burst, wait for the answers, stop."""
    healthy = Reply(
        blocks=answer(TEXT, "choose-fastapi", recommendation="fastapi").blocks, delay=args.model_delay
    )
    questions = [Question(i, "command") for i in range(args.questions)]
    with (
        SlackDouble() as slack,
        AnthropicDouble(default=healthy) as model,
        tempfile.TemporaryDirectory() as folder,
    ):
        env = {
            "SLACK_BOT_TOKEN": "xoxb-burst-test",
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "SLACK_API_URL": slack.url,
            "ADVISOR_DB_PATH": str(Path(folder) / "advisor.sqlite3"),
            "ADVISOR_DEADLINE_SECONDS": "20",
            "ADVISOR_USER_ANSWERS_PER_MINUTE": "1000",
            "ADVISOR_USER_CONCURRENT_ANSWERS": "50",
            "ANTHROPIC_API_KEY": "sk-burst-test",
            "ANTHROPIC_BASE_URL": model.url,
            "WEB_CONCURRENCY": str(args.workers),
        }
        with (
            running(env, app=_bare_app(args) if bare else None) as app,
            MemorySampler(app.process.pid) as memory,
        ):
            _wait_for_workers(app, args.workers)
            slack.on_record = _Arrivals(questions)
            started = time.monotonic()
            _fire(app, slack, questions, args.concurrency)
            acked = time.monotonic() - started
            if not bare:
                for question in questions:
                    question.done.wait(timeout=max(0.0, started + 60 - time.monotonic()))
                time.sleep(1.0)  # anything arriving late (a duplicate) is counted too
            app.stop()
        run = Run(name, [q.ack_seconds for q in questions], sum(q.status != 200 for q in questions))
        run.peak_rss_mb, run.burst = memory.peak_kb / 1024, acked
        if not bare:
            _deliveries(slack, questions)
            run.answered_once = sum(q.answers == 1 for q in questions)
            run.answered_twice = sum(q.answers > 1 for q in questions)
            answered = [q.answered_at for q in questions if q.answered_at is not None]
            run.last_answer = max(answered) - started if answered else float("nan")
    return run


def _wait_for_workers(app: App, workers: int, limit: float = 20.0) -> None:
    """Until every worker has answered /healthz: the burst measures acks, not a worker's boot.

    gunicorn answers as soon as one worker is up; a burst fired then lands on that worker alone
    while the other still loads, which measures start-up (and this project loads more than a
    bare app) instead of acknowledgements on both workers.
    """
    seen: set[object] = set()
    deadline = time.monotonic() + limit
    while len(seen) < workers and time.monotonic() < deadline:
        seen.add(app.health().get("process"))
        time.sleep(0.01)
    if len(seen) < workers:
        raise RuntimeError(f"only {len(seen)} of {workers} workers answered /healthz in {limit:.0f} s")


def _bare_app(args: argparse.Namespace) -> str:
    """The bare app's gunicorn application string, with the switch interval when one is asked for."""
    interval = args.bare_switch_interval
    return BARE_APP if interval is None else BARE_APP.replace("()", f"(switch_interval={interval!r})")


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f}"


def main(args: argparse.Namespace) -> int:
    """Interleave the bare Bolt app and this project for --rounds rounds; print; 1 if a target is missed."""
    bench_load.ASKERS = args.concurrency  # the senders' user ids
    ratios, p99s = [], []
    complete = True
    for round_number in range(1, args.rounds + 1):
        bare = run_app("bare Bolt", args, bare=True)
        ours = run_app("project", args, bare=False)
        bare_p99, our_p99 = percentile(bare.acks, 0.99), percentile(ours.acks, 0.99)
        ratios.append(our_p99 / max(bare_p99, 1e-9))
        p99s.append(our_p99)
        complete = complete and ours.answered_once == args.questions and ours.answered_twice == 0
        print(f"round {round_number}:")
        for run in (bare, ours):
            line = f"  {run.name:9} ack p50 {_ms(percentile(run.acks, 0.5))} ms, p99 {_ms(percentile(run.acks, 0.99))} ms"
            line += (
                f", burst {run.burst:.2f} s, HTTP errors {run.errors}, peak memory {run.peak_rss_mb:.0f} MB"
            )
            if run is ours:
                line += f", answered once {run.answered_once}/{args.questions} (twice: {run.answered_twice})"
                line += f", last answer after {run.last_answer:.1f} s"
            print(line)
        print(f"  p99 ratio project / bare Bolt: {ratios[-1]:.2f}x", flush=True)
    ratio, p99 = statistics.median(ratios), statistics.median(p99s)
    print(f"\nmedian per-round ack p99 ratio: {ratio:.2f}x (rounds: {', '.join(f'{r:.2f}' for r in ratios)})")
    print(f"median per-round project ack p99: {_ms(p99)} ms")
    met = ratio <= 1.0 and p99 < 0.1 and complete
    print("targets met" if met else "TARGET MISSED")
    return 0 if met else 1
