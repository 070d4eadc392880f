"""Time to make a streamed list answer safe for Slack, one line per model chunk (attack round 1 (d)).

A list answer used to be held back whole and its growing text parsed again on every chunk:
quadratic, 56 s for 1,500 lines in a DM. Figures, in the same run: the current stream, the old
hold-and-reparse baseline (the held text parsed per chunk), and paragraphs of the same length.
"""

import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from markdown_it import MarkdownIt  # noqa: E402 - after the path tweak, so it runs from a checkout

from bot.slack.rendering import SafeMarkdownStream  # noqa: E402

SIZES = (600, 1500)
LIST_LINE = "- item with some words\n"
PARAGRAPH_LINE = "item with some words\n\n"


def stream(lines: list[str]) -> str:
    """The answer through SafeMarkdownStream, one feed per line, as delivery feeds it."""
    safe = SafeMarkdownStream()
    return "".join(safe.feed(line) for line in lines) + safe.finish()


def reparse_baseline(lines: list[str]) -> str:
    """The old cost: the held, growing list parsed again per line (the release itself left out)."""
    parser = MarkdownIt("commonmark", {"html": False}).enable(["table", "strikethrough"])
    held = ""
    for line in lines:
        held += line
        parser.parse(held)
    return held


def seconds(run: Callable[[list[str]], str], lines: list[str]) -> float:
    """Wall time of one run."""
    started = time.perf_counter()
    run(lines)
    return time.perf_counter() - started


def main() -> int:
    """Print the figures; exit 1 if lists are not within 4x of paragraphs of the same length."""
    ok = True
    for size in SIZES:
        now = seconds(stream, [LIST_LINE] * size)
        before = seconds(reparse_baseline, [LIST_LINE] * size)
        prose = seconds(stream, [PARAGRAPH_LINE] * size)
        print(
            f"{size:5} list lines: {now * 1000:7.1f} ms now, {before * 1000:8.1f} ms re-parsing per line "
            f"(x{before / now:5.1f} slower), paragraphs {prose * 1000:6.1f} ms (list/paragraphs {now / prose:.2f})"
        )
        ok = ok and now <= 4 * prose
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
