"""An in-process Model double: each call plays a script of events, errors, pauses and gates."""

import threading
import time
from collections import deque
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from bot.claude.model_interface import Cited, Finished, ModelError, ModelEvent, ModelRequest, TextDelta
from bot.core.failure import FailureReason


@dataclass(frozen=True)
class Pause:
    """Wait this long before the next step (a slow model)."""

    seconds: float


@dataclass(frozen=True)
class Gate:
    """Block until the test opens the event (a model that has not answered yet)."""

    event: threading.Event
    timeout: float = 10.0


Step = ModelEvent | ModelError | Pause | Gate
Script = Sequence[Step]


def reply(text: str, *cited: str, recommendation: str = "none", scope: str = "in") -> Script:
    """A well-formed reply: the metadata line, the text in small pieces, citations, then Finished."""
    whole = f"ANSWER-META recommendation={recommendation} scope={scope}\n{text}"
    pieces: list[Step] = [TextDelta(whole[i : i + 12]) for i in range(0, len(whole), 12)]
    return [*pieces, *(Cited(source) for source in cited), Finished(model=ScriptedModel.name)]


def failure(reason: FailureReason) -> Script:
    """A call that fails at once for this reason."""
    return [ModelError(reason, "scripted")]


class ScriptedModel:
    """Plays queued scripts in order (then the default), recording every request."""

    name = "scripted-model"

    def __init__(self, default: Script | None = None) -> None:
        self.default: Script = default if default is not None else reply("**Recommendation: FastAPI**")
        self.requests: list[ModelRequest] = []
        self.streamed: list[bool] = []
        self._queue: deque[Script] = deque()
        self._lock = threading.Lock()

    def push(self, *scripts: Script) -> None:
        """Queue scripts for the next calls, in order."""
        with self._lock:
            self._queue.extend(scripts)

    def respond(self, request: ModelRequest, stream: bool) -> Iterator[ModelEvent]:
        """Play the next script (the default when none is queued)."""
        with self._lock:
            self.requests.append(request)
            self.streamed.append(stream)
            script = self._queue.popleft() if self._queue else self.default
        return self._play(script)

    def _play(self, script: Script) -> Iterator[ModelEvent]:
        for step in script:
            if isinstance(step, ModelError):
                raise step
            if isinstance(step, Pause):
                time.sleep(step.seconds)  # a slow model, not a test waiting for nothing
            elif isinstance(step, Gate):
                step.event.wait(step.timeout)
            else:
                yield step

    def close(self) -> None:
        """Nothing to release."""
