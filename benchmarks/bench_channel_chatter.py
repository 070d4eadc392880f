"""What subscribing to channel messages costs: acknowledging chatter that is not for the advisor.

Thread follow-ups (issue 11) need ``message.channels``: the app now hears every message in every
channel it is in. Nearly all of it is not for the advisor and must cost only an acknowledgement,
with no Web API call. This sends signed requests through the Flask app against a loopback Slack
Web API and prints the acknowledgement time of:
- baseline: an edited DM (ignored by the DM listener),
- channel chatter: top-level channel messages,
- replies in threads the advisor was never asked in (one store read each, on the answer pool),
and the Web API calls all of that caused (target: none).
"""

import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.advisor import Advisor  # noqa: E402 - after the path tweak, so it runs from a checkout
from bot.core.knowledge import load_knowledge  # noqa: E402
from bot.core.rules import RulesAdvisor  # noqa: E402
from bot.settings import settings_from  # noqa: E402
from bot.slack.answer_pool import AnswerPool  # noqa: E402
from bot.slack.web import create_app  # noqa: E402
from tests.doubles.slack_api import SlackDouble  # noqa: E402
from tests.doubles.slack_requests import CHANNEL, SIGNING_SECRET, USER, dm, event, post  # noqa: E402

MESSAGES = 2000


def percentile(samples: list[float], share: float) -> float:
    """The sample at a given share of the sorted list."""
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def channel_message(index: int, thread: bool) -> dict[str, Any]:
    """A person's message in a channel: top level, or a reply in an uninvited thread."""
    message: dict[str, Any] = {
        "type": "message",
        "channel": CHANNEL,
        "channel_type": "channel",
        "user": USER,
    }
    message |= {"text": "lunch at noon?", "ts": f"17000{index:05d}.000100", "team": "T0000001"}
    return message | ({"thread_ts": "1600000000.000100"} if thread else {})


def main() -> None:
    knowledge = load_knowledge(ROOT / "knowledge")
    advisor = Advisor(knowledge, RulesAdvisor(knowledge))
    kinds: dict[str, Callable[[int], dict[str, Any]]] = {
        "baseline: edited DM": lambda i: dm("edited", ts=f"18000{i:05d}.000100", subtype="message_changed"),
        "top-level channel chatter": lambda i: channel_message(i, thread=False),
        "replies in uninvited threads": lambda i: channel_message(i, thread=True),
    }
    with SlackDouble() as slack, tempfile.TemporaryDirectory() as scratch:
        env = {
            "SLACK_BOT_TOKEN": "xoxb-bench",
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "SLACK_API_URL": slack.url,
            "ADVISOR_DB_PATH": str(Path(scratch) / "bench.sqlite3"),
        }
        pool = AnswerPool(threads=4)
        web = create_app(settings_from(env), advisor=advisor, pool=pool).test_client()
        post(web, event(dm("warm up", ts="1500000000.000100", subtype="message_changed")))
        results = {}
        for name, build in kinds.items():
            samples = []
            for index in range(MESSAGES):
                payload = event(build(index))
                started = time.perf_counter()
                status = post(web, payload).status_code
                samples.append(time.perf_counter() - started)
                assert status == 200
            results[name] = samples
        pool.drain()  # every store read the requests queued has finished before calls are counted
        calls = [c.method for c in slack.calls if c.method != "auth.test"]
    base = statistics.median(results["baseline: edited DM"])
    print(f"{MESSAGES} signed requests each, through Flask and Bolt (ms)")
    for name, samples in results.items():
        p50, p99 = statistics.median(samples), percentile(samples, 0.99)
        print(f"  {name:30} p50 {p50 * 1000:6.2f}  p99 {p99 * 1000:6.2f}  p50 x{p50 / base:.2f} baseline")
    print(f"Web API calls caused (besides auth.test): {len(calls)} (target 0)")


if __name__ == "__main__":
    main()
