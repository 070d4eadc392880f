"""Per-user limits on model use."""

from bot.claude.limits import WINDOW_SECONDS, UserLimiter
from tests.doubles.clock import ManualClock


def test_limits_rate_over_a_sliding_window() -> None:
    clock = ManualClock()
    limiter = UserLimiter(per_minute=2, concurrent=5, clock=clock)
    grants = []
    for _ in range(3):
        with limiter.lease("U1") as granted:
            grants.append(granted)
    assert grants == [True, True, False]
    with limiter.lease("U2") as other:
        assert other  # another user is unaffected
    clock.now = WINDOW_SECONDS + 0.1
    with limiter.lease("U1") as later:
        assert later


def test_limits_concurrency_cap_and_release() -> None:
    limiter = UserLimiter(per_minute=100, concurrent=1)
    with limiter.lease("U1") as first:
        assert first
        with limiter.lease("U1") as second:
            assert not second
    with limiter.lease("U1") as after:
        assert after


def test_limits_refused_lease_does_not_count() -> None:
    limiter = UserLimiter(per_minute=1, concurrent=1)
    with limiter.lease("U1") as first, limiter.lease("U1") as refused:
        assert first
        assert not refused
    with limiter.lease("U1") as third:
        assert not third  # the one granted lease used the minute's allowance
