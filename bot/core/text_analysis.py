"""Word-level text analysis shared by retrieval and the rules: tokens, plurals, typos, phrases."""

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Generic, TypeVar

_TOKEN = re.compile(r"[a-z0-9#+]+(?:\.[a-z0-9#+]+)*")
_APOSTROPHES = str.maketrans("", "", "'\u2019")
# Shorter words are too easily another real word to correct them.
MIN_CORRECTABLE = 4
MIN_TARGET = 5
# The vocabulary is stemmed many times over while indexes are built; questions reuse words too.
STEM_CACHE = 16_384

Payload = TypeVar("Payload")


def split_words(text: str) -> list[str]:
    """Lower-case word tokens; apostrophes vanish ("don't" -> "dont"), hyphens split."""
    return _TOKEN.findall(text.lower().translate(_APOSTROPHES))


def fold_plural(word: str) -> str:
    """Fold common English plurals and possessives onto the singular."""
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if word.endswith("sses"):
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "sis", "this")):
        return word[:-1]
    return word


@lru_cache(maxsize=STEM_CACHE)
def stem(word: str) -> str:
    """A light stem: plural folded, then -ing/-ed and a final -e dropped ("included": "includ")."""
    word = fold_plural(word)
    for suffix in ("ing", "ed"):
        base = word[: -len(suffix)]
        if word.endswith(suffix) and len(base) >= 3 and any(c in "aeiouy" for c in base):
            # "running" -> "runn" -> "run", but "install" keeps its double l
            word = base[:-1] if base[-1] == base[-2] and base[-1] not in "lsz" else base
            break
    return word[:-1] if len(word) > 4 and word.endswith("e") else word


@lru_cache(maxsize=STEM_CACHE)
def phrase(text: str) -> tuple[str, ...]:
    """A phrase as normalised words, for vocabulary entries (never typo-corrected)."""
    return tuple(stem(word) for word in split_words(text))


def _deletes(word: str) -> Iterator[str]:
    """Every string one deletion away from the word."""
    return (word[:i] + word[i + 1 :] for i in range(len(word)))


def within_one_edit(a: str, b: str) -> bool:
    """True when a and b differ by at most one insert, delete, substitution or swap."""
    if a == b:
        return True
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diffs = [i for i in range(len(a)) if a[i] != b[i]]
        if len(diffs) == 1:
            return True
        i, j = diffs[0], diffs[-1]
        return len(diffs) == 2 and j == i + 1 and a[i] == b[j] and a[j] == b[i]
    short, long = (a, b) if len(a) < len(b) else (b, a)
    return any(long[:i] + long[i + 1 :] == short for i in range(len(long)))


def _slip(word: str, target: str) -> int:
    """How unlikely a one-edit typo is: two letters swapped, then one letter wrong, then one
    letter missing or extra."""
    if len(word) != len(target):
        return 2
    diffs = [i for i in range(len(word)) if word[i] != target[i]]
    return 0 if len(diffs) == 2 else 1


class Analyzer:
    """Turns text into normalised, typo-corrected words against a known vocabulary."""

    def __init__(
        self, vocabulary: Iterable[str], keep: Iterable[str] = (), shorthand: Mapping[str, str] = {}
    ) -> None:
        vocabulary = set(vocabulary)
        # Kept words are never corrected, and never a correction either: "fastpai" is FastAPI, not fastai.
        self._known = vocabulary | {stem(w) for w in keep}
        self._by_delete: dict[str, list[str]] = {}
        for target in sorted(w for w in vocabulary if len(w) >= MIN_TARGET and w.isalpha()):
            for key in (target, *_deletes(target)):
                self._by_delete.setdefault(key, []).append(target)
        self._cache: dict[str, str] = {}
        self._shorthand = {stem(short): phrase(full) for short, full in shorthand.items()}

    def words(self, text: str) -> list[str]:
        """Normalised words of a text, shorthand spelled out and small typos of known terms fixed."""
        found: list[str] = []
        for word in split_words(text):
            base = stem(word)
            full = self._shorthand.get(base)
            if full is None:
                found.append(self.correct(base))
            else:
                found += full
        return found

    def correct(self, word: str) -> str:
        """The known term one edit away from an unknown word, or the word itself."""
        cached = self._cache.get(word)
        if cached is None:
            cached = self._cache[word] = self._nearest(word)
        return cached

    def _nearest(self, word: str) -> str:
        """The known term within one edit, the likeliest slip first ("realted" is related, not react;
        "leanring" is learning, not leaner), then alphabetical, so the choice is stable."""
        if word in self._known or len(word) < MIN_CORRECTABLE or not word.isalpha():
            return word
        candidates: set[str] = set()
        for key in (word, *_deletes(word)):
            candidates.update(self._by_delete.get(key, ()))
        matches = [c for c in candidates if within_one_edit(word, c)]
        return min(matches, key=lambda c: (_slip(word, c), c)) if matches else word


@dataclass(frozen=True)
class Match(Generic[Payload]):
    """Where a phrase was found in a word list."""

    payload: Payload
    start: int
    end: int


class _Node(Generic[Payload]):
    """A trie node: the phrases ending here and the words that continue one."""

    __slots__ = ("ends", "next")

    def __init__(self) -> None:
        self.ends: list[Payload] = []
        self.next: dict[str, _Node[Payload]] = {}


class PhraseMatcher(Generic[Payload]):
    """Finds known phrases (word tuples) in a word list, longest first at each position."""

    def __init__(
        self, phrases: Iterable[tuple[tuple[str, ...], Payload]], skippable: Iterable[str] = ()
    ) -> None:
        # A trie, so each position costs one dict lookup per word of the longest phrase there.
        self._root: _Node[Payload] = _Node()
        # Words a phrase may have inside it without listing them: "edit record" is found in "edit
        # every record" and "edit the records" (never at a phrase's start or end).
        self._skippable = frozenset(skippable)
        for words, payload in phrases:
            if words:
                node = self._root
                for word in words:
                    node = node.next.setdefault(word, _Node())
                node.ends.append(payload)

    def find(self, words: Sequence[str]) -> list[Match[Payload]]:
        """Every phrase occurrence, in order of position."""
        found: list[Match[Payload]] = []
        first = self._root.next
        for start, word in enumerate(words):
            if word in first:  # most words start no phrase: skip them without a call
                found += self.at(words, start)
        return found

    def at(self, words: Sequence[str], start: int) -> list[Match[Payload]]:
        """The phrases that begin at one position, longest first."""
        ends: list[tuple[int, list[Payload]]] = []
        node = self._root.next.get(words[start]) if start < len(words) else None
        end = start + 1
        while node is not None:
            if node.ends:
                ends.append((end, node.ends))
            following = node.next.get(words[end]) if end < len(words) else None
            if following is None and node.next and end + 1 < len(words) and words[end] in self._skippable:
                end += 1  # one filler word inside the phrase
                following = node.next.get(words[end])
            node = following
            end += 1
        return [Match(payload, start, stop) for stop, payloads in reversed(ends) for payload in payloads]

    def any_in(self, words: Sequence[str]) -> bool:
        """True when at least one phrase occurs."""
        return bool(self.find(words))
