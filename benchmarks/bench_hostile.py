"""Hostile input: a long fuzz run in process, then a scripted attack on the app as the Procfile runs it.

Part 1 sends --cases signed random and mutated requests (commands, events, button clicks,
shortcuts, junk; full-size hostile text) straight into the Flask app with its real answer pool
answering on a loopback Slack double, and counts statuses, 5xx, hung requests (over 2 s) and
errors logged. Part 2 starts gunicorn exactly as the Procfile does, with loopback Slack and
Anthropic doubles (the model echoes pings and disguised links back), sends --http-cases hostile
requests from 8 senders over HTTP, waits for the answers, and reports how many cases it sent,
how many hung (no reply within 10 s), how many got a 5xx, and how many answers were lost
(a question the app accepted that never got an answer) or doubled (answered twice). It also
reports the same acknowledgement figures for a baseline run of ordinary questions.

Targets (issue 8): zero 5xx, zero hung, zero lost, zero doubled.
"""

import argparse
import logging
import re
import sys
import tempfile
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.advisor import Advisor  # noqa: E402
from bot.core.knowledge import load_knowledge  # noqa: E402
from bot.core.question import QuestionError  # noqa: E402
from bot.settings import settings_from  # noqa: E402
from bot.slack.answer_pool import AnswerPool  # noqa: E402
from bot.slack.web import create_app  # noqa: E402
from tests.doubles.anthropic_api import AnthropicDouble, answer  # noqa: E402
from tests.doubles.constants import SLACK_TOKEN, TEST_KEY  # noqa: E402
from tests.doubles.hostile_requests import HostileCase, HostileRequests, wsgi_status  # noqa: E402
from tests.doubles.slack_api import SlackDouble  # noqa: E402
from tests.doubles.slack_requests import SIGNING_SECRET  # noqa: E402
from tests.procfile_runner import App, running, send  # noqa: E402

HANG_SECONDS = 2.0  # in process: one request slower than this counts as hung
HTTP_TIMEOUT = 10.0  # over HTTP: no reply within this counts as hung
ECHO = "**Recommendation: FastAPI**\nSure! <!channel> [click](https://evil.example) [a [b]](https://evil.example/2)\n"
OUTCOME = re.compile(r"answer (delivered|failed) request_id=(\S*) channel=\S* user=\S*(?: ts=(\S+))?")


class _Errors(logging.Handler):
    """Counts error records, and apart from them crashes: tracebacks, crashed jobs, Bolt failures."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.found: Counter[str] = Counter()
        self.crashes: Counter[str] = Counter()

    def emit(self, record: logging.LogRecord) -> None:
        if record.threadName == "auth-test" or not (record.levelno >= logging.ERROR or record.exc_info):
            return  # the identity look-up has its own thread, unrelated to the requests
        line = f"{record.name}: {record.getMessage()[:90]}"
        crashed = (
            record.exc_info
            or "crashed" in line
            or record.name.split(".")[0] in ("slack_bolt", "framework_advisor")
        )
        (self.crashes if crashed else self.found)[line] += 1


def in_process(cases: int, seed: int) -> bool:
    """Part 1: the long fuzz run in process; True when nothing failed."""
    errors = _Errors()
    logging.getLogger().addHandler(errors)
    logging.getLogger().setLevel(logging.ERROR)
    knowledge = load_knowledge(ROOT / "knowledge")
    with SlackDouble() as slack, tempfile.TemporaryDirectory() as folder:
        env = {
            "SLACK_BOT_TOKEN": SLACK_TOKEN,
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "SLACK_API_URL": slack.url,
            "ADVISOR_DB_PATH": str(Path(folder) / "advisor.sqlite3"),
        }
        pool = AnswerPool(threads=8)
        app = create_app(settings_from(env), advisor=Advisor(knowledge), pool=pool)
        statuses: Counter[int] = Counter()
        hung, slowest, started = 0, 0.0, time.monotonic()
        for case in HostileRequests(seed, slack.response_url()).cases(cases):
            sent = time.perf_counter()
            statuses[wsgi_status(app, case)] += 1
            took = time.perf_counter() - sent
            slowest, hung = max(slowest, took), hung + (took > HANG_SECONDS)
        requests_done = time.monotonic() - started
        pool.drain()
        answered = time.monotonic() - started
    logging.getLogger().removeHandler(errors)
    server_errors = sum(n for status, n in statuses.items() if status >= 500)
    print(f"\nPart 1, in process: {cases:,} hostile requests (seed {seed}), answers run on the pool")
    print(f"  statuses: {dict(sorted(statuses.items()))}")
    print(f"  5xx: {server_errors}   hung (> {HANG_SECONDS:g} s): {hung}   slowest: {slowest * 1000:.0f} ms")
    print(
        f"  requests took {requests_done:.1f} s ({requests_done / cases * 1000:.2f} ms each), answers done at {answered:.1f} s"
    )
    print(f"  crashes (tracebacks, crashed answer jobs, Bolt failures): {sum(errors.crashes.values())}")
    for line, count in errors.crashes.most_common(5):
        print(f"    {count} x {line}")
    print(
        f"  handled failures logged (answers to unreachable or junk response URLs): {sum(errors.found.values())}"
    )
    for line, count in errors.found.most_common(3):
        print(f"    {count} x {line}")
    return server_errors == 0 and hung == 0 and not errors.crashes


def _answerable(advisor: Advisor, case: HostileCase) -> bool:
    """Whether the app should answer this case's question (not help, not refused as typed)."""
    if case.question is None or case.question.strip().lower() in ("", "help"):
        return False
    try:
        advisor.read(case.question, trim=True)
    except QuestionError:
        return False
    return True


def _send(app: App, case: HostileCase) -> int | None:
    """POST a case over HTTP; its status, or None when no reply came in time (hung)."""
    try:
        status, _ = send(app, (case.body, case.content_type), case.headers)
    except OSError:  # timed out or reset: the client heard nothing
        return None
    return status


def over_http(cases: int, seed: int, wait: float) -> bool:
    """Part 2: the scripted attack on gunicorn started from the Procfile; True when nothing failed."""
    knowledge = load_knowledge(ROOT / "knowledge")
    advisor = Advisor(knowledge)
    with SlackDouble() as slack, AnthropicDouble() as model, tempfile.TemporaryDirectory() as folder:
        model.set_default(answer(ECHO, "choose-fastapi", recommendation="fastapi"))
        env = {
            "SLACK_BOT_TOKEN": SLACK_TOKEN,
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "SLACK_API_URL": slack.url,
            "ADVISOR_DB_PATH": str(Path(folder) / "advisor.sqlite3"),
            "ANTHROPIC_API_KEY": TEST_KEY,
            "ANTHROPIC_BASE_URL": model.url,
            "ADVISOR_LOG_LEVEL": "INFO",
            "ADVISOR_USER_ANSWERS_PER_MINUTE": "10000",
            "ADVISOR_USER_CONCURRENT_ANSWERS": "100",
        }
        batch = list(
            HostileRequests(seed, slack.response_url(), max_text=6000).cases(cases, mutate_share=0.3)
        )
        with running(env) as app:
            started = time.monotonic()
            with ThreadPoolExecutor(max_workers=8) as senders:
                replies = list(senders.map(lambda c: _send(app, c), batch))
            sent_for = time.monotonic() - started
            statuses = Counter(replies)
            # accepted: acknowledged (200) with a question the advisor takes; the rest were refused
            expected = {
                c.answer_key: c.kind
                for c, status in zip(batch, replies, strict=True)
                if c.answer_key and status == 200 and _answerable(advisor, c)
            }
            outcomes = _wait_outcomes(app, expected, wait)
            code, log = app.stop()
    return _report_http(batch, statuses, expected, outcomes, sent_for, code, log)


def _outcomes(log: str) -> Counter[str]:
    """How many answers the app finished (delivered or failed) per question key."""
    found: Counter[str] = Counter()
    for _, request_id, ts in OUTCOME.findall(log):
        found[ts or request_id.removeprefix("trigger-")] += 1
    return found


def _wait_outcomes(app: App, expected: dict[str, str], wait: float) -> Counter[str]:
    """Wait until every expected question has an outcome in the app's log, or ``wait`` seconds."""
    deadline = time.monotonic() + wait
    while True:
        outcomes = _outcomes(app.log.read_text(errors="replace"))
        if all(outcomes[key] for key in expected) or time.monotonic() > deadline:
            return outcomes
        time.sleep(0.5)


def _report_http(
    batch: list[HostileCase],
    statuses: Counter[int | None],
    expected: dict[str, str],
    outcomes: Counter[str],
    sent_for: float,
    code: int,
    log: str,
) -> bool:
    """Print part 2's figures; True when no target was missed."""
    hung = statuses[None]
    server_errors = sum(n for status, n in statuses.items() if status is not None and status >= 500)
    lost = [key for key in expected if outcomes[key] == 0]
    doubled = [key for key in expected if outcomes[key] > 1]
    failed = len(re.findall(r"answer failed", log))
    tracebacks = log.count("Traceback")
    kinds = Counter(case.kind for case in batch)
    print(
        f"\nPart 2, over HTTP to gunicorn as the Procfile starts it: {len(batch):,} hostile cases, 8 senders"
    )
    print(f"  by kind: {dict(kinds)}")
    print(f"  statuses: {dict(sorted((str(k), v) for k, v in statuses.items()))}   sent in {sent_for:.1f} s")
    print(f"  hung (no reply in {HTTP_TIMEOUT:g} s): {hung}   5xx: {server_errors}")
    print(f"  questions the app accepted: {len(expected)}   answered: {len(expected) - len(lost)}")
    print(f"  lost: {len(lost)}   doubled: {len(doubled)}   answers that failed (apology sent): {failed}")
    questions = {case.answer_key: case for case in batch if case.answer_key}
    for key in lost[:10]:
        case = questions[key]
        print(f"    lost {case.kind} {key}: {case.question[:80] if case.question else ''!r}")
    print(f"  tracebacks in the app's log: {tracebacks}   gunicorn exit code: {code}")
    return not (hung or server_errors or lost or doubled or tracebacks or code)


def main() -> int:
    """Run both parts; exit 1 if a target is missed."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=50_000, help="in-process requests (part 1)")
    parser.add_argument("--http-cases", type=int, default=3_000, help="requests over HTTP (part 2)")
    parser.add_argument("--seed", type=int, default=8)
    parser.add_argument("--wait", type=float, default=120.0, help="seconds to wait for answers (part 2)")
    args = parser.parse_args()
    first = in_process(args.cases, args.seed) if args.cases else True
    second = over_http(args.http_cases, args.seed + 1, args.wait)
    met = first and second
    print("\ntargets met" if met else "\nTARGET MISSED")
    return 0 if met else 1


if __name__ == "__main__":
    raise SystemExit(main())
