"""A fuzz run of the Flask app: 10,000 signed random and mutated requests, no 5xx, no hang.

Every kind goes in (slash commands, events, button clicks, shortcuts, junk), most of them
mutated: types swapped deep in the payload, keys dropped, hostile text, flipped bytes. The
answers they queue are held and a sample of them is run afterwards, so the run stays fast;
benchmarks/bench_hostile.py runs many more end to end, against gunicorn as well.
"""

import logging
import time
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from typing import Any

import pytest
from flask import Flask

from bot.advisor import Advisor
from bot.settings import settings_from
from bot.slack.answer_pool import AnswerPool
from bot.slack.web import create_app
from tests.doubles.hostile_requests import KINDS, HostileCase, HostileRequests, wsgi_status
from tests.doubles.slack_api import SlackDouble
from tests.timebound import within

CASES = 2_000  # the default run; the slow run sends FULL_CASES
FULL_CASES = 10_000
SEED = 20261125
SLOWEST_SECONDS = 2.0  # one request taking longer than this counts as a hang
SAMPLE_EVERY = 40  # of the answer jobs the requests queued, run one in this many


class HeldPool(AnswerPool):
    """An answer pool that keeps the jobs instead of running them, so the test can pick."""

    def __init__(self) -> None:
        super().__init__(threads=1)
        self.held: list[tuple[Callable[..., Any], tuple[Any, ...], dict[str, Any]]] = []

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        self.held.append((fn, args, kwargs))
        return Future()


@pytest.fixture
def held() -> Iterator[HeldPool]:
    pool = HeldPool()
    yield pool
    pool.drain()


def _storm(app: Flask, cases: list[HostileCase]) -> tuple[Counter[tuple[str, int]], float]:
    """Send every case; the status counts per kind and the slowest request's seconds."""
    statuses: Counter[tuple[str, int]] = Counter()
    slowest = 0.0
    for case in cases:
        started = time.perf_counter()
        statuses[case.kind, wsgi_status(app, case)] += 1
        slowest = max(slowest, time.perf_counter() - started)
    return statuses, slowest


@pytest.mark.parametrize("count", [CASES, pytest.param(FULL_CASES, marks=pytest.mark.slow)])
def test_fuzz_app_answers_no_5xx_and_never_hangs(
    count: int,
    slack_env: dict[str, str],
    advisor: Advisor,
    slack_api: SlackDouble,
    held: HeldPool,
    caplog: pytest.LogCaptureFixture,
) -> None:
    app = create_app(settings_from(slack_env), advisor=advisor, pool=held)
    cases = list(HostileRequests(SEED, slack_api.response_url(), max_text=200).cases(count))
    caplog.set_level(logging.ERROR)  # the 400s' warnings would cost as much as the requests
    statuses, slowest = within(300, lambda: _storm(app, cases))
    for fn, args, kwargs in held.held[::SAMPLE_EVERY]:
        within(20, lambda: fn(*args, **kwargs))  # noqa: B023 (called at once)
    assert sum(statuses.values()) == count
    assert not [(kind, status) for kind, status in statuses if status >= 500], statuses
    assert slowest < SLOWEST_SECONDS
    assert {kind for kind, status in statuses if status == 200} == set(KINDS) - {"malformed"}
    assert {status for _, status in statuses} >= {200, 400, 401}
    assert len(held.held) > 100
    assert _crashes(caplog.records) == []


def _crashes(records: list[logging.LogRecord]) -> list[str]:
    """Tracebacks, crashed answer jobs and Bolt's or Flask's own errors.

    An answer that failed and was logged with its ids ("answer failed", e.g. for a click whose
    response_url was cut off) is handled, not a crash. The identity look-up has its own thread,
    unrelated to the requests, where earlier tests' apps may still retry their stopped doubles.
    """
    return [
        f"{r.name}: {r.getMessage()}"
        for r in records
        if r.threadName != "auth-test"
        and (
            r.exc_info
            or "crashed" in r.getMessage()
            or r.name.split(".")[0] in ("slack_bolt", "framework_advisor")
        )
    ]
