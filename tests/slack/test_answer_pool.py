"""The answer pool: threads started at boot, drained at shutdown, held back while acks are in flight."""

import threading

from bot.slack.answer_pool import AckGate, AnswerPool
from tests.doubles.clock import ManualClock


def test_answer_pool_starts_every_thread_at_boot() -> None:
    before = {t.name for t in threading.enumerate()}
    pool = AnswerPool(threads=6, name="boot-test")
    started = {t.name for t in threading.enumerate()} - before
    pool.drain()
    assert len([name for name in started if name.startswith("boot-test_")]) == 6


def test_answer_pool_drain_finishes_every_queued_job() -> None:
    pool = AnswerPool(threads=2)
    done: list[int] = []
    lock = threading.Lock()

    def job(n: int) -> None:
        with lock:
            done.append(n)

    futures = [pool.submit(job, n) for n in range(50)]
    pool.drain()
    assert sorted(done) == list(range(50))
    assert all(f.done() for f in futures)


def test_answer_pool_job_failure_is_kept_on_its_future() -> None:
    pool = AnswerPool(threads=1)

    def broken() -> None:
        raise ValueError("boom")

    future = pool.submit(broken)
    pool.drain()
    assert isinstance(future.exception(), ValueError)


def test_ack_gate_holds_jobs_while_acks_are_in_flight_and_for_a_quiet_moment() -> None:
    clock = ManualClock(100.0)
    gate = AckGate(quiet=0.05, max_delay=1.0, clock=clock)
    assert gate.hold(queued_at=100.0) == 0.0  # nothing in flight: go
    gate.enter()
    assert gate.hold(queued_at=100.0) > 0  # an ack is being made: wait
    gate.leave()
    assert gate.hold(queued_at=100.0) > 0  # just finished: wait for quiet
    clock.now += 0.06
    assert gate.hold(queued_at=100.0) == 0.0


def test_ack_gate_never_holds_a_job_past_its_bound() -> None:
    clock = ManualClock(100.0)
    gate = AckGate(quiet=0.05, max_delay=1.0, clock=clock)
    gate.enter()  # acks never stop
    assert 0 < gate.hold(queued_at=100.0) <= 1.0
    clock.now = 101.0
    assert gate.hold(queued_at=100.0) == 0.0
