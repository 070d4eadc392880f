"""The circuit breaker's states."""

import logging

import pytest

from bot.claude.breaker import CircuitBreaker
from tests.doubles.clock import ManualClock


def test_breaker_opens_after_threshold_then_probes_once() -> None:
    clock = ManualClock()
    breaker = CircuitBreaker(threshold=2, cooldown=10, clock=clock)
    assert breaker.allow()
    breaker.record_failure("timeout")
    assert breaker.snapshot().state == "closed"
    breaker.record_failure("timeout")
    state = breaker.snapshot()
    assert (state.state, state.consecutive_failures, state.last_failure) == ("open", 2, "timeout")
    assert state.retry_in_seconds == 10
    assert not breaker.allow()
    clock.now = 10
    assert breaker.allow()  # the probe
    assert breaker.snapshot().state == "half_open"
    assert not breaker.allow()  # only one probe at a time
    breaker.record_success()
    assert breaker.snapshot().state == "closed"
    assert breaker.allow()


def test_breaker_failed_probe_reopens() -> None:
    clock = ManualClock()
    breaker = CircuitBreaker(threshold=1, cooldown=5, clock=clock)
    breaker.record_failure("overloaded")
    clock.now = 5
    assert breaker.allow()
    breaker.record_failure("overloaded")
    assert breaker.snapshot().state == "open"
    assert not breaker.allow()


def test_breaker_release_frees_probe_without_verdict() -> None:
    clock = ManualClock()
    breaker = CircuitBreaker(threshold=1, cooldown=1, clock=clock)
    breaker.record_failure("x")
    clock.now = 1
    assert breaker.allow()
    breaker.release()
    assert breaker.snapshot().state == "half_open"
    assert breaker.allow()


def test_breaker_success_resets_count() -> None:
    breaker = CircuitBreaker(threshold=2)
    breaker.record_failure("x")
    breaker.record_success()
    breaker.record_failure("x")
    assert breaker.snapshot().state == "closed"


def test_breaker_late_success_does_not_close_an_open_breaker() -> None:
    clock = ManualClock()
    breaker = CircuitBreaker(threshold=1, cooldown=10, clock=clock)
    breaker.record_failure("timeout")
    breaker.record_success()  # a call that started before the breaker opened
    assert breaker.snapshot().state == "open"
    assert not breaker.allow()


def test_breaker_logs_its_transitions(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="bot.claude.breaker")
    clock = ManualClock()
    breaker = CircuitBreaker(threshold=2, cooldown=3, clock=clock)
    breaker.record_failure("overloaded")
    breaker.record_failure("overloaded")
    clock.now = 3
    breaker.allow()
    breaker.record_success()
    assert [r.getMessage().split(":")[0].split(" after")[0] for r in caplog.records] == [
        "circuit breaker opened",
        "circuit breaker half-open",
        "circuit breaker closed",
    ]
