"""A clock a test moves by hand."""


class ManualClock:
    """A clock a test moves by hand (``clock.now += 10``)."""

    def __init__(self, now: float = 0.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now
