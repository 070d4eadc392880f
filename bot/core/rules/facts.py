"""Fact answers: the specific facts for the named framework and topic, else the best sections."""

from bot.core.answer import FRAMEWORK_IDS, Answer, FrameworkId
from bot.core.knowledge import Fact, Knowledge
from bot.core.retrieval import Retriever
from bot.core.rules.parse import Parse, Role
from bot.core.text_analysis import phrase

# A second fact joins the answer when it scores this close to the best one.
SECOND_FACT_RATIO = 0.75
# A second section joins a section answer when it scores this close to the first.
SECOND_HIT_RATIO = 0.75
# Below this BM25 score a section is not really about the question.
MIN_FACT_SCORE = 2.0
# How much the most specific topic a question names counts; later topics count for less.
TOPIC_WEIGHT = 100
# Each content word a fact shares with the question.
WORD_WEIGHT = 3


class FactFinder:
    """Picks the facts that answer a parse, by topic, framework and shared words."""

    def __init__(self, knowledge: Knowledge, stopwords: frozenset[str]) -> None:
        self.facts = knowledge.facts
        self._words = {f.id: frozenset(phrase(f.text)) - stopwords for f in knowledge.facts}
        self.features = frozenset(t.id for t in knowledge.topics if t.feature)
        self.generic = frozenset(t.id for t in knowledge.topics if t.generic)
        inventory = {t.id for t in knowledge.topics if t.inventory}
        self._inventory = {
            f.framework: f for f in knowledge.facts if f.framework and inventory & set(f.topics)
        }

    def inventory(self, framework: FrameworkId) -> Fact | None:
        """The fact that lists everything a framework ships."""
        return self._inventory.get(framework)

    def on_topic(self, topic: str, framework: FrameworkId | None) -> list[Fact]:
        """The facts about exactly this framework (or about none) on one topic."""
        return [f for f in self.facts if f.framework == framework and topic in f.topics]

    def best(self, parse: Parse, frameworks: list[FrameworkId], limit: int = 2) -> list[Fact]:
        """The best facts about these frameworks (or about none) for the parse's topics."""
        scored = [(self._score(f, parse, frameworks), f) for f in self.facts]
        scored = sorted((pair for pair in scored if pair[0] > 0), key=lambda pair: -pair[0])
        if not scored:
            return []
        top = scored[0][0]
        return [f for s, f in scored[:limit] if s >= top * SECOND_FACT_RATIO]

    def for_framework(self, parse: Parse, framework: FrameworkId) -> Fact | None:
        """The best fact about exactly this framework for the parse's topics."""
        scored = [(self._score(f, parse, [framework]), f) for f in self.facts if f.framework == framework]
        scored = [pair for pair in scored if pair[0] > 0]
        return max(scored, key=lambda pair: pair[0])[1] if scored else None

    def _score(self, fact: Fact, parse: Parse, frameworks: list[FrameworkId]) -> float:
        """How well a fact answers: its topics first, then shared words and the framework."""
        if frameworks and fact.framework is not None and fact.framework not in frameworks:
            return 0.0
        topic = sum(TOPIC_WEIGHT / (i + 1) for i, t in enumerate(parse.topics) if t in fact.topics)
        if topic == 0:
            return 0.0
        shared = len(self._words[fact.id] & set(parse.words))
        return topic + WORD_WEIGHT * shared + (1 if fact.framework in frameworks else 0)


class FactWriter:
    """Writes fact answers."""

    def __init__(self, knowledge: Knowledge, finder: FactFinder, retriever: Retriever) -> None:
        self.knowledge, self.finder, self.retriever = knowledge, finder, retriever

    def answer(self, parse: Parse) -> Answer:
        """The facts that answer the question, or the best sections when no fact does."""
        subjects = parse.named(Role.SUBJECT, Role.ALTERNATIVE) or parse.named(Role.CURRENT)
        missing = self._not_listed(parse, subjects)
        if missing is not None:
            return missing
        facts = self.finder.best(parse, subjects)
        other = self._other_side(parse, subjects, facts)
        facts = [*facts[:1], *other] if other else facts
        if facts:
            text = "\n\n".join(f.text for f in facts)
            rating = self._rating(parse, subjects, text)
            sources = [*(rating[1:] if rating else ()), *(s for f in facts for s in f.sources)]
            text = f"{rating[0]}\n\n{text}" if rating else text
            return Answer(text=text, sources=self.knowledge.sources(sources))
        return self._sections(parse)

    def _rating(self, parse: Parse, subjects: list[FrameworkId], text: str) -> tuple[str, str] | None:
        """The table's rating of the one framework asked about on the topic asked about ("Async
        support for Flask: Limited."), unless the facts already give it."""
        if len(subjects) != 1 or not parse.topics:
            return None
        row = next((c for c in self.knowledge.criteria if c.in_table and parse.topics[0] in c.topics), None)
        if row is None or row.ratings[subjects[0]] in text:
            return None
        name = self.knowledge.frameworks[subjects[0]].name
        line = self.knowledge.responses.fact.rating.format(
            criterion=row.title, name=name, rating=row.ratings[subjects[0]]
        )
        return line, row.section_id

    def _other_side(self, parse: Parse, subjects: list[FrameworkId], facts: list[Fact]) -> list[Fact]:
        """For "pros and cons": the best fact on the second of two broad topics, when the first
        answer leaves it out."""
        broad = [t for t in parse.topics if t in self.finder.generic]
        if not facts or len(broad) < 2 or any(broad[1] in f.topics for f in facts):
            return []
        second = parse.model_copy(update={"topics": (broad[1],)})
        return [f for f in self.finder.best(second, subjects, limit=1) if f not in facts]

    def _not_listed(self, parse: Parse, subjects: list[FrameworkId]) -> Answer | None:
        """A feature one framework has no fact on ("does Django have WebSockets?"): what it does
        include, and the frameworks that have the feature."""
        if len(subjects) != 1 or not parse.topics or parse.topics[0] not in self.finder.features:
            return None
        topic, subject = parse.topics[0], subjects[0]
        inventory = self.finder.inventory(subject)
        if inventory is None or self.finder.on_topic(topic, subject) or self.finder.on_topic(topic, None):
            return None
        others = [fact for f in FRAMEWORK_IDS if f != subject for fact in self.finder.on_topic(topic, f)[:1]]
        if not others:
            return None
        text, frameworks = self.knowledge.responses.fact, self.knowledge.frameworks
        lines = [text.not_listed.format(name=frameworks[subject].name), "", inventory.text]
        lines += [
            "\n" + text.elsewhere.format(name=frameworks[o.framework].name, fact=o.text)
            for o in others
            if o.framework
        ]
        sources = [*inventory.sources, *(s for o in others for s in o.sources)]
        return Answer(text="\n".join(lines), sources=self.knowledge.sources(sources))

    def _sections(self, parse: Parse) -> Answer:
        """The best-matching sections, quoted under their titles."""
        text = self.knowledge.responses.fact
        hits = [h for h in self.retriever.search(parse.words) if h.score >= MIN_FACT_SCORE]
        if not hits:
            return Answer(text=text.not_covered)
        chosen = [hits[0], *[h for h in hits[1:2] if h.score >= hits[0].score * SECOND_HIT_RATIO]]
        sections = [self.knowledge.section(h.section_id) for h in chosen]
        body = "\n\n".join(text.section.format(title=s.title, body=s.body) for s in sections)
        return Answer(text=body, sources=[s.source for s in sections])
