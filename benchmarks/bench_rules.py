"""Speed of the offline path: rules advisor per question, and a whole ``ask --offline`` process.

Targets (issue 2): p99 under 2 ms per question in process; under 0.6 s for the whole process.
Baselines measured in the same run: a bare ``python -c pass`` process, and tokenising only.
"""

import json
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.advisor import Advisor  # noqa: E402 - after the path tweak, so it runs from a checkout
from bot.core.knowledge import load_knowledge  # noqa: E402

ROUNDS = 30
PROCESS_RUNS = 10


def percentile(samples: list[float], share: float) -> float:
    """The sample at a given share of the sorted list."""
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def questions() -> list[str]:
    """The eval set's questions that pass input checks."""
    lines = (ROOT / "tests" / "eval" / "dev.jsonl").read_text().splitlines()
    return [json.loads(line)["question"] for line in lines if line.strip()]


def time_each(call: Callable[[str], object], items: list[str]) -> list[float]:
    """Seconds per call over items, ROUNDS times."""
    samples = []
    for _ in range(ROUNDS):
        for item in items:
            start = time.perf_counter()
            call(item)
            samples.append(time.perf_counter() - start)
    return samples


def time_process(argv: list[str]) -> list[float]:
    """Wall seconds for a whole process, PROCESS_RUNS times."""
    samples = []
    for _ in range(PROCESS_RUNS):
        start = time.perf_counter()
        subprocess.run(argv, cwd=ROOT, check=True, capture_output=True)
        samples.append(time.perf_counter() - start)
    return samples


def main() -> int:
    """Measure and print the figures; exit 1 if a target is missed."""
    start = time.perf_counter()
    knowledge = load_knowledge(ROOT / "knowledge")
    advisor = Advisor(knowledge)
    setup = time.perf_counter() - start
    items = questions()
    rules = time_each(advisor.ask, items)
    tokens = time_each(advisor.rules.analyzer.words, items)
    rules_p99, tokens_p99 = percentile(rules, 0.99), percentile(tokens, 0.99)
    print(f"knowledge load + index build: {setup * 1000:.1f} ms")
    print(
        f"rules advisor, {len(rules)} answers: p50 {percentile(rules, 0.5) * 1000:.3f} ms, "
        f"p99 {rules_p99 * 1000:.3f} ms, max {max(rules) * 1000:.3f} ms (target p99 < 2 ms)"
    )
    print(f"baseline tokenise only: p99 {tokens_p99 * 1000:.3f} ms; ratio {rules_p99 / tokens_p99:.1f}x")
    offline = time_process([sys.executable, "-m", "bot", "ask", "--offline", "Django or Flask for a blog?"])
    bare = time_process([sys.executable, "-c", "pass"])
    median, worst, base = statistics.median(offline), max(offline), statistics.median(bare)
    print(
        f"ask --offline process, {PROCESS_RUNS} runs: median {median:.3f} s, max {worst:.3f} s (target < 0.6 s)"
    )
    print(f"baseline python -c pass: median {base:.3f} s; ratio {median / base:.1f}x")
    met = rules_p99 < 0.002 and worst < 0.6
    print("targets met" if met else "TARGET MISSED")
    return 0 if met else 1


if __name__ == "__main__":
    raise SystemExit(main())
