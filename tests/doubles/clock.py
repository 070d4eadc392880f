"""Time under a test's control: a clock it moves by hand, a sleep that only records."""


class ManualClock:
    """A clock a test moves by hand (``clock.now += 10``)."""

    def __init__(self, now: float = 0.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


class Waits:
    """A sleep that records how long it was asked to wait, and returns at once."""

    def __init__(self) -> None:
        self.seconds: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.seconds.append(seconds)
