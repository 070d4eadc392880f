"""Speed of the offline path: rules advisor per question, and a whole ``ask --offline`` process.

Targets (issue 2): p99 under 2 ms per question in process; under 0.6 s for the whole process.
Adversarial inputs (repetitive text up to the question limit, alone and as five earlier turns of a
follow-up) each under 20 ms: the reader must stay linear in the text whatever it repeats.
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
from bot.core.answer import Turn  # noqa: E402
from bot.core.knowledge import load_knowledge  # noqa: E402
from tests.doubles.adversarial_text import REPEATED_UNITS  # noqa: E402

ROUNDS = 30
PROCESS_RUNS = 10
ADVERSARIAL_RUNS = 5
ADVERSARIAL_TARGET = 0.020
# Then runs of marks with no end.
RUNS = [".", "\u2018", "\u201c", "'a ", ",", "a"]
FOLLOW_UP = "So which framework should we pick?"


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


def adversarial(limit: int) -> dict[str, str]:
    """Repetitive questions filling the question limit, by name."""
    cases = {
        f"{unit.strip()!r} x{limit // len(unit)}": unit * (limit // len(unit)) for unit in REPEATED_UNITS
    }
    cases.update(
        {f"{mark!r} x{limit // len(mark)}": mark * ((limit - 1) // len(mark)) + "x" for mark in RUNS}
    )
    return {name: text[:limit] for name, text in cases.items()}


def worst_adversarial(advisor: Advisor) -> tuple[float, float, str]:
    """The slowest adversarial answers (median of runs): alone, and as a follow-up to five earlier
    turns of it, each turn new to the reader (its kept parses of earlier turns do not help)."""
    alone, follow_up, which = 0.0, 0.0, ""
    for name, text in adversarial(advisor.knowledge.intents.limits.max_question_chars).items():
        single = median_answer(advisor, text, earlier=False)
        fresh = median_answer(advisor, text, earlier=True)
        alone = max(alone, single)
        if fresh > follow_up:
            follow_up, which = fresh, name
    return alone, follow_up, which


def turns(text: str, run: int, limit: int) -> list[Turn]:
    """Five earlier user turns of a text, each different from any turn read before."""
    return [Turn(role="user", text=f"{run}.{n} {text}"[:limit]) for n in range(5)]


def median_answer(advisor: Advisor, text: str, earlier: bool) -> float:
    """Median seconds to answer a text offline, or a follow-up after five fresh turns of it."""
    limit = advisor.knowledge.intents.limits.max_question_chars
    samples = []
    for run in range(ADVERSARIAL_RUNS):
        question, history = (FOLLOW_UP, turns(text, run, limit)) if earlier else (text, [])
        start = time.perf_counter()
        advisor.ask(question, history, offline=True)
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


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
    alone, follow_up, which = worst_adversarial(advisor)
    print(
        f"worst adversarial input: {alone * 1000:.1f} ms alone, {follow_up * 1000:.1f} ms as five earlier turns "
        f"({which}), next to p99 {rules_p99 * 1000:.3f} ms (target < {ADVERSARIAL_TARGET * 1000:.0f} ms)"
    )
    offline = time_process([sys.executable, "-m", "bot", "ask", "--offline", "Django or Flask for a blog?"])
    bare = time_process([sys.executable, "-c", "pass"])
    median, worst, base = statistics.median(offline), max(offline), statistics.median(bare)
    print(
        f"ask --offline process, {PROCESS_RUNS} runs: median {median:.3f} s, max {worst:.3f} s (target < 0.6 s)"
    )
    print(f"baseline python -c pass: median {base:.3f} s; ratio {median / base:.1f}x")
    met = rules_p99 < 0.002 and worst < 0.6 and max(alone, follow_up) < ADVERSARIAL_TARGET
    print("targets met" if met else "TARGET MISSED")
    return 0 if met else 1


if __name__ == "__main__":
    raise SystemExit(main())
