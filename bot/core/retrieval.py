"""Ranks knowledge sections for a question: BM25 over titles, keywords and text."""

import math
from collections import Counter
from collections.abc import Sequence

from pydantic import BaseModel, ConfigDict

from bot.core.knowledge import Knowledge, Section
from bot.core.text_analysis import Analyzer, phrase

# A title or keyword word says more about a section than a word in its body.
TITLE_WEIGHT = 3
KEYWORD_WEIGHT = 3
K1 = 1.2
B = 0.75


class Hit(BaseModel):
    """A section and how well it matches."""

    model_config = ConfigDict(frozen=True)

    section_id: str
    score: float


def section_terms(section: Section) -> list[str]:
    """The weighted bag of words a section is indexed under."""
    title = list(phrase(section.title)) * TITLE_WEIGHT
    keywords = [w for k in section.keywords for w in phrase(k)] * KEYWORD_WEIGHT
    return [*title, *keywords, *phrase(section.body)]


class Retriever:
    """A small in-memory BM25 index over every knowledge section."""

    def __init__(self, knowledge: Knowledge, stopwords: frozenset[str]) -> None:
        self._stopwords = stopwords
        self._docs = {sid: Counter(section_terms(s)) for sid, s in knowledge.sections.items()}
        self._lengths = {sid: sum(c.values()) for sid, c in self._docs.items()}
        self._average = sum(self._lengths.values()) / max(len(self._docs), 1)
        self._idf = self._inverse_frequencies()
        self._topic_words = (
            frozenset(
                w for s in knowledge.sections.values() for k in (s.title, *s.keywords) for w in phrase(k)
            )
            - stopwords
        )

    def _inverse_frequencies(self) -> dict[str, float]:
        """BM25 idf for every indexed word."""
        frequency: Counter[str] = Counter()
        for counts in self._docs.values():
            frequency.update(counts.keys())
        n = len(self._docs)
        return {w: math.log(1 + (n - f + 0.5) / (f + 0.5)) for w, f in frequency.items()}

    def topic_words(self, words: Sequence[str]) -> list[str]:
        """The words of a question that name a topic some section is about."""
        return [w for w in words if w in self._topic_words]

    def search(self, words: Sequence[str], limit: int = 5) -> list[Hit]:
        """The best sections for these (already analysed) words, best first."""
        query = [w for w in dict.fromkeys(words) if w not in self._stopwords and w in self._idf]
        scores = {sid: self._score(sid, query) for sid in self._docs}
        ranked = sorted((s, sid) for sid, s in scores.items() if s > 0)
        ranked.sort(key=lambda pair: -pair[0])
        return [Hit(section_id=sid, score=round(s, 4)) for s, sid in ranked[:limit]]

    def _score(self, section_id: str, query: Sequence[str]) -> float:
        """BM25 score of one section for the query words."""
        counts, length = self._docs[section_id], self._lengths[section_id]
        norm = K1 * (1 - B + B * length / self._average)
        return sum(self._idf[w] * counts[w] * (K1 + 1) / (counts[w] + norm) for w in query if w in counts)


def build_analyzer(knowledge: Knowledge) -> Analyzer:
    """An analyzer that knows every word the knowledge base uses."""
    words: set[str] = set()
    for section in knowledge.sections.values():
        for text in (section.title, section.body, *section.keywords):
            words.update(phrase(text))
    for text in rule_phrases(knowledge):
        words.update(phrase(text))
    language = knowledge.intents.language
    return Analyzer(words, keep=(*language.keep, *language.english), shorthand=language.shorthand)


def rule_phrases(knowledge: Knowledge) -> list[str]:
    """Every phrase of the rule data (needs, aliases, intents)."""
    intents = knowledge.intents
    texts = [p for need in knowledge.needs for p in need.patterns]
    texts += [a for f in knowledge.frameworks.values() for a in f.aliases]
    texts += [*intents.scope.in_scope, *intents.scope.project, *intents.scope.off_topic]
    texts += [*intents.scope.other_stacks, *intents.scope.frontend]
    texts += [c for cues in intents.scope.homonyms.values() for c in cues]
    texts += [*intents.attacks.injection, *intents.attacks.claims, *intents.attacks.directives]
    texts += [
        *intents.ask.usage,
        *intents.ask.weak_decide,
        *intents.ask.decide,
        *intents.ask.no_decision,
        *intents.ask.compare,
        *intents.ask.group,
    ]
    texts += [*intents.ask.most, *intents.ask.least, *intents.ask.negation, *intents.ask.negation_after]
    texts += [*intents.ask.fact, *intents.team.small_scope, *intents.team.switch]
    texts += [p for t in knowledge.topics for p in t.patterns]
    texts += [p for c in knowledge.criteria for p in (*c.higher, *c.lower, *c.more, *c.less)]
    texts += [*intents.ask.more, *intents.ask.less, *intents.ask.comparing, *intents.ask.auxiliary]
    texts += [*intents.ask.how_to, *intents.ask.feature_verbs, *intents.ask.explain]
    texts += [*intents.ask.time_words, *intents.ask.versus, *intents.ask.drawbacks, *intents.ask.wants]
    texts += [*intents.ask.closing, *intents.ask.which, *intents.ask.fillers, *intents.ask.negation_stops]
    texts += [
        *intents.ask.setting_words,
        *intents.ask.list_words,
        *intents.ask.determiners,
        *intents.ask.modals,
    ]
    texts += [*intents.ask.subjects, *intents.ask.question_words, *intents.ask.tag_questions]
    texts += [p for n in knowledge.needs for p in n.when_negated]
    texts += [*intents.chat.help, *intents.chat.greeting, *intents.chat.chatter, *intents.language.stopwords]
    return texts
