"""Regenerate the ``english`` list of knowledge/intents.toml: real English words the analyzer would
otherwise "correct" into a vocabulary term ("deal" into "ideal", "logic" into "login").

Source: Debian's ``wamerican`` package (/usr/share/dict/american-english), built from SCOWL by Kevin
Atkinson; its copyright and permission notice ship as knowledge/english-words.NOTICE. Slurs and
obscenities are left out (tools/english_words_excluded.txt) even when they sit one letter away.

    python tools/english_words.py            # print the list, to paste into intents.toml
    python tools/english_words.py --check    # exit 1 when intents.toml's list differs
"""

import argparse
import sys
from collections.abc import Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.core.knowledge import Knowledge, load_knowledge  # noqa: E402 - after the path tweak
from bot.core.retrieval import build_analyzer  # noqa: E402
from bot.core.text_analysis import stem  # noqa: E402

DICTIONARY = Path("/usr/share/dict/american-english")
EXCLUDED = Path(__file__).with_name("english_words_excluded.txt")
PER_LINE = 14


def excluded() -> frozenset[str]:
    """Words never listed, whatever the analyzer does with them."""
    lines = EXCLUDED.read_text().splitlines()
    return frozenset(line.strip() for line in lines if line.strip() and not line.startswith("#"))


def without_english(knowledge: Knowledge) -> Knowledge:
    """The knowledge with an empty ``english`` list, to see what the analyzer would change."""
    language = knowledge.intents.language.model_copy(update={"english": ()})
    intents = knowledge.intents.model_copy(update={"language": language})
    return knowledge.model_copy(update={"intents": intents})


def protected(knowledge: Knowledge, words: Iterable[str]) -> list[str]:
    """The lower-case words the analyzer, without the list, would turn into something else: one
    word per stem (the shortest), since the analyzer keeps a listed word's stem."""
    analyzer = build_analyzer(without_english(knowledge))
    skip = {stem(word) for word in excluded()}
    shortest: dict[str, str] = {}
    for word in words:
        if not (word.isascii() and word.isalpha() and word == word.lower()):
            continue  # names, possessives and accented words the tokeniser would split
        base = stem(word)
        if base not in skip and analyzer.correct(base) != base:
            shortest[base] = min(shortest.get(base, word), word, key=lambda w: (len(w), w))
    return sorted(shortest.values())


def as_toml(words: list[str]) -> str:
    """The list as intents.toml holds it."""
    rows = [words[i : i + PER_LINE] for i in range(0, len(words), PER_LINE)]
    body = "".join("    " + ", ".join(f'"{w}"' for w in row) + ",\n" for row in rows)
    return f"english = [\n{body}]"


def main() -> int:
    """Print the list, or check intents.toml's against it."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dict", type=Path, default=DICTIONARY, help="word list, one word a line")
    parser.add_argument("--check", action="store_true", help="compare with knowledge/intents.toml")
    args = parser.parse_args()
    knowledge = load_knowledge(ROOT / "knowledge")
    words = protected(knowledge, args.dict.read_text().splitlines())
    if not args.check:
        print(as_toml(words))
        return 0
    listed = list(knowledge.intents.language.english)
    missing, stale = sorted(set(words) - set(listed)), sorted(set(listed) - set(words))
    print(f"{len(words)} words; missing from intents.toml: {missing}; no longer needed: {stale}")
    return 0 if words == listed else 1


if __name__ == "__main__":
    raise SystemExit(main())
