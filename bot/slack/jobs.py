"""The shape of the answer pool as surfaces see it: a function that queues a job."""

from collections.abc import Callable

# Puts a job on the answer pool (``AnswerPool.submit`` with no arguments); returns at once.
Submit = Callable[[Callable[[], None]], object]
