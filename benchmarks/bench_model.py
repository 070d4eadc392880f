"""The advisor's own overhead per model answer, and time to first streamed chunk.

Runs against the loopback Anthropic double with a set server delay. The baseline, measured in
the same run, is the bare SDK call with the same request against the same server: the advisor's
overhead is its latency minus that. Target (issue 3): under 5 ms beyond the server's time.
"""

import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.advisor import Advisor, ModelOptions  # noqa: E402
from bot.claude.client import ClaudeModel  # noqa: E402
from bot.claude.prompts import Budgets, build_request, load_prompts  # noqa: E402
from bot.core.knowledge import load_knowledge  # noqa: E402
from tests.doubles.anthropic_api import AnthropicDouble, Block, Reply  # noqa: E402

SERVER_DELAY = 0.05
CHUNK_DELAY = 0.01
RUNS = 40
QUESTION = "Which framework for a REST API that calls an LLM under heavy traffic?"
TEXT = (
    "ANSWER-META recommendation=fastapi scope=in\n**Recommendation: FastAPI**\n"
    + "Async suits model calls. " * 8
)


def timed(call: Callable[[], object]) -> float:
    """Seconds one call takes."""
    start = time.perf_counter()
    call()
    return time.perf_counter() - start


def main() -> int:
    """Measure and print; exit 1 if the overhead target is missed."""
    knowledge, prompts = load_knowledge(ROOT / "knowledge"), load_prompts(ROOT / "prompts")
    reply = Reply(blocks=(Block(TEXT, ("choose-fastapi",)),), delay=SERVER_DELAY, chunk_delay=CHUNK_DELAY)
    with AnthropicDouble(default=reply) as server:
        model = ClaudeModel(
            api_key="bench", name="claude-haiku-5-5", base_url=server.url, max_retries=0, timeout=10
        )
        advisor = Advisor(knowledge, model=model, prompts=prompts, options=ModelOptions(deadline_seconds=10))
        request = build_request(knowledge, prompts, QUESTION, [], list, Budgets())

        def bare() -> object:  # the baseline: the SDK call alone
            return list(model.respond(request, stream=False))

        def whole() -> object:
            return advisor.ask(QUESTION)

        for _ in range(3):  # warm connections and caches
            bare(), whole()
        baseline, measured = [], []
        for _ in range(RUNS):  # interleaved so drift hits both equally
            baseline.append(timed(bare))
            measured.append(timed(whole))
        first_chunk, streamed = [], []
        for _ in range(RUNS):
            start = time.perf_counter()
            stream = advisor.stream(QUESTION)
            chunks = iter(stream)
            next(chunks)
            first_chunk.append(time.perf_counter() - start)
            stream.answer  # noqa: B018 - reading it drains the stream
            streamed.append(time.perf_counter() - start)
        model.close()
    base, total = statistics.median(baseline), statistics.median(measured)
    overhead = (total - base) * 1000
    print(f"server delay {SERVER_DELAY * 1000:.0f} ms, {RUNS} answers each, medians:")
    print(f"baseline bare SDK call: {base * 1000:.1f} ms")
    print(
        f"advisor.ask (request build, deadline thread, parsing, sources): {total * 1000:.1f} ms; ratio {total / base:.3f}x"
    )
    print(f"advisor overhead beyond the server's time: {overhead:.2f} ms (target < 5 ms)")
    print(
        f"streamed: first chunk after {statistics.median(first_chunk) * 1000:.1f} ms, whole answer {statistics.median(streamed) * 1000:.1f} ms "
        f"(server sends its first event after {SERVER_DELAY * 1000:.0f} ms, one chunk per {CHUNK_DELAY * 1000:.0f} ms)"
    )
    met = overhead < 5
    print("targets met" if met else "TARGET MISSED")
    return 0 if met else 1


if __name__ == "__main__":
    raise SystemExit(main())
