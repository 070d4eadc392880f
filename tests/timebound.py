"""Calls that must return within a time bound: a hang fails the test instead of the whole run."""

import threading
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def within(seconds: float, call: Callable[[], T]) -> T:
    """The call's result, re-raising its exception; AssertionError if it runs past ``seconds``."""
    outcome: list[T] = []
    failure: list[BaseException] = []

    def run() -> None:
        try:
            outcome.append(call())
        except BaseException as error:  # handed to the caller below
            failure.append(error)

    worker = threading.Thread(target=run, daemon=True)  # a hung call must not keep pytest alive
    worker.start()
    worker.join(seconds)
    if worker.is_alive():
        raise AssertionError(f"call did not return within {seconds} s")
    if failure:
        raise failure[0]
    return outcome[0]
