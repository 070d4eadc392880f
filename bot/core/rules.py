"""The deterministic advisor: reads a question's needs and answers from the knowledge alone."""

from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import Enum
from itertools import pairwise

from bot.core.answer import Answer, FrameworkId, Turn
from bot.core.knowledge import Combination, Knowledge, Need
from bot.core.retrieval import Hit, Retriever, build_analyzer
from bot.core.text_analysis import Analyzer, Match, PhraseMatcher, phrase

# How far (in words) an expertise phrase looks for the framework it is about.
EXPERTISE_WINDOW = 4
# A second section joins a factual answer when it scores this close to the first.
SECOND_HIT_RATIO = 0.75
# Below this BM25 score a section is not really about the question.
MIN_FACT_SCORE = 2.0
# Earlier user turns whose needs a follow-up inherits.
HISTORY_TURNS = 5


class Kind(Enum):
    """What a question asks for."""

    INJECTION = "injection"
    OUT_OF_SCOPE = "out_of_scope"
    GREETING = "greeting"
    HELP = "help"
    COMPARISON = "comparison"
    RECOMMENDATION = "recommendation"
    FACT = "fact"


@dataclass
class Reading:
    """What the rules understood of a question."""

    words: list[str]
    frameworks: list[FrameworkId]
    needs: dict[str, Need]
    expertise: dict[FrameworkId, Need]
    kind: Kind = Kind.FACT
    either_or: bool = False
    hits: list[Hit] = field(default_factory=list)


class _Vocabulary:
    """Phrase matchers for every list in the knowledge, built once."""

    def __init__(self, knowledge: Knowledge) -> None:
        scope, ask, chat = knowledge.intents.scope, knowledge.intents.ask, knowledge.intents.chat
        self.frameworks = PhraseMatcher(
            (phrase(a), f.id) for f in knowledge.frameworks.values() for a in f.aliases
        )
        self.needs = PhraseMatcher((phrase(p), n) for n in knowledge.needs for p in n.patterns)
        self.in_scope = _flags(scope.in_scope)
        self.off_topic = _flags(scope.off_topic)
        self.injection = _flags(scope.injection)
        self.recommend = _flags(ask.recommend)
        self.compare = _flags(ask.compare)
        self.help = _flags(chat.help)
        self.greeting = _flags(chat.greeting)
        self.fact_openings = [phrase(p) for p in ask.fact]
        self.negation = frozenset(w for n in ask.negation for w in phrase(n))
        self.negation_window = ask.negation_window
        self.pings = tuple(p.lower() for p in scope.ping)
        self.stopwords = frozenset(w for s in knowledge.intents.language.stopwords for w in phrase(s))


def _flags(phrases: Sequence[str]) -> PhraseMatcher[bool]:
    """A matcher that only says whether any of the phrases occurs."""
    return PhraseMatcher((phrase(p), True) for p in phrases)


class RulesAdvisor:
    """Answers from the knowledge base with fixed, explainable rules."""

    def __init__(self, knowledge: Knowledge) -> None:
        self.knowledge = knowledge
        self.analyzer: Analyzer = build_analyzer(knowledge)
        self.vocabulary = _Vocabulary(knowledge)
        self.retriever = Retriever(knowledge, self.vocabulary.stopwords)

    def answer(self, question: str, history: Sequence[Turn] = ()) -> Answer:
        """The rules' answer to a question, taking earlier user turns into account."""
        reading = self.read(question, history)
        return self._compose(reading)

    def read(self, question: str, history: Sequence[Turn] = ()) -> Reading:
        """Understand a question: its frameworks, needs and what it asks for."""
        reading = self._read_one(question)
        reading.kind = self._classify(question, reading)
        if reading.kind in (Kind.RECOMMENDATION, Kind.FACT) and history:
            self._inherit(reading, history)
        if reading.kind is Kind.FACT:
            reading.hits = self.retriever.search(reading.words)
        return reading

    def _read_one(self, text: str) -> Reading:
        """Frameworks and needs named in one piece of text."""
        words = self.analyzer.words(text)
        named = self.vocabulary.frameworks.find(words)
        frameworks = list(dict.fromkeys(m.payload for m in named))
        needs, expertise = self._needs(words, named)
        either_or = len(frameworks) >= 2 and _joined_by_or(words, named)
        return Reading(words, frameworks, needs, expertise, either_or=either_or)

    def _needs(
        self, words: list[str], named: list[Match[FrameworkId]]
    ) -> tuple[dict[str, Need], dict[FrameworkId, Need]]:
        """Needs stated (not negated) in the words, and frameworks the team already knows."""
        needs: dict[str, Need] = {}
        expertise: dict[FrameworkId, Need] = {}
        for match in self.vocabulary.needs.find(words):
            if self._negated(words, match.start):
                continue
            if match.payload.relative:
                for framework in _nearest_framework(match, named):
                    expertise.setdefault(framework, match.payload)
                continue
            needs.setdefault(match.payload.id, match.payload)
        return needs, expertise

    def _negated(self, words: list[str], start: int) -> bool:
        """True when a negation word comes shortly before position ``start``."""
        window = words[max(0, start - self.vocabulary.negation_window) : start]
        return any(w in self.vocabulary.negation for w in window)

    def _classify(self, question: str, reading: Reading) -> Kind:
        """Decide what kind of answer the question wants."""
        v, words = self.vocabulary, reading.words
        if v.injection.any_in(words) or any(p in question.lower() for p in v.pings):
            return Kind.INJECTION
        if not reading.frameworks and v.off_topic.any_in(words):
            return Kind.OUT_OF_SCOPE
        if not self._substantive(reading) or self._only_small_talk(words):
            return self._small_talk(reading)
        return self._question_kind(reading)

    def _substantive(self, reading: Reading) -> bool:
        """True when the question mentions anything the knowledge is about."""
        v = self.vocabulary
        return bool(
            reading.frameworks
            or reading.needs
            or reading.expertise
            or v.in_scope.any_in(reading.words)
            or self.retriever.topic_words(reading.words)
        )

    def _only_small_talk(self, words: list[str]) -> bool:
        """True when every content word belongs to a greeting or a help request."""
        v = self.vocabulary
        talk = {w for m in (*v.greeting.find(words), *v.help.find(words)) for w in words[m.start : m.end]}
        content = [w for w in words if w not in v.stopwords]
        return bool(talk) and all(w in talk for w in content)

    def _small_talk(self, reading: Reading) -> Kind:
        """Help, greetings, a bare "which is best?", or something we do not cover."""
        v, words = self.vocabulary, reading.words
        if v.help.any_in(words):
            return Kind.HELP
        if v.greeting.any_in(words):
            return Kind.GREETING
        content = [w for w in words if w not in v.stopwords]
        if v.recommend.any_in(words) and not self._other_words(content):
            return Kind.RECOMMENDATION
        return Kind.OUT_OF_SCOPE

    def _other_words(self, content: list[str]) -> list[str]:
        """Content words that are not part of a recommendation cue."""
        cue_words = {w for m in self.vocabulary.recommend.find(content) for w in range(m.start, m.end)}
        return [w for i, w in enumerate(content) if i not in cue_words]

    def _question_kind(self, reading: Reading) -> Kind:
        """Recommendation, comparison or fact, for an in-scope question."""
        v, words = self.vocabulary, reading.words
        asks = v.recommend.any_in(words) or reading.either_or
        if len(reading.frameworks) >= 2 and not reading.needs and not asks:
            return Kind.COMPARISON if v.compare.any_in(words) or self._bare(reading) else Kind.FACT
        if asks:
            return Kind.RECOMMENDATION
        if (reading.needs or reading.expertise) and not self._opens_as_fact(words):
            return Kind.RECOMMENDATION
        return Kind.FACT

    def _bare(self, reading: Reading) -> bool:
        """True when a question is little more than framework names ("Django and Flask")."""
        content = [w for w in reading.words if w not in self.vocabulary.stopwords]
        return len(content) <= len(reading.frameworks)

    def _opens_as_fact(self, words: list[str]) -> bool:
        """True when the question starts like a factual one ("Does ...", "How ...")."""
        return any(tuple(words[: len(p)]) == p for p in self.vocabulary.fact_openings)

    def _inherit(self, reading: Reading, history: Sequence[Turn]) -> None:
        """Let a follow-up keep the needs and choices of earlier user turns."""
        earlier = [t.text for t in history if t.role == "user"][-HISTORY_TURNS:]
        for text in earlier:
            past = self._read_one(text)
            if self._classify(text, past) in (Kind.INJECTION, Kind.OUT_OF_SCOPE):
                continue
            for need_id, need in past.needs.items():
                reading.needs.setdefault(need_id, need)
            for framework, need in past.expertise.items():
                reading.expertise.setdefault(framework, need)
            if not reading.frameworks and past.either_or:
                reading.frameworks, reading.either_or = past.frameworks, True
        if reading.kind is Kind.FACT and reading.needs and not self._opens_as_fact(reading.words):
            reading.kind = Kind.RECOMMENDATION

    def _compose(self, reading: Reading) -> Answer:
        """Write the answer for a reading."""
        composers = {
            Kind.COMPARISON: self._compare,
            Kind.RECOMMENDATION: self._recommend,
            Kind.FACT: self._fact,
        }
        compose = composers.get(reading.kind)
        return compose(reading) if compose else self._fixed(reading.kind)

    def _fixed(self, kind: Kind) -> Answer:
        """The fixed answers: refusals, greeting and help."""
        responses = self.knowledge.responses
        fixed = {
            Kind.INJECTION: Answer(text=responses.refusal.injection, in_scope=False),
            Kind.OUT_OF_SCOPE: Answer(text=responses.refusal.out_of_scope, in_scope=False),
            Kind.GREETING: Answer(text=responses.greeting.text),
            Kind.HELP: Answer(text=responses.help.text),
        }
        return fixed[kind]

    def _compare(self, reading: Reading) -> Answer:
        """A side-by-side table of the named frameworks over every criterion."""
        k, text = self.knowledge, self.knowledge.responses.comparison
        names = [k.frameworks[f].name for f in reading.frameworks]
        lines = [text.headline.format(names=" vs ".join(names)), ""]
        for criterion in k.criteria:
            ratings = " · ".join(
                text.rating.format(name=k.frameworks[f].name, rating=criterion.ratings[f])
                for f in reading.frameworks
            )
            lines.append(text.row.format(criterion=criterion.title, ratings=ratings))
        lines += ["", text.closing]
        sources = k.sources(c.section_id for c in k.criteria)
        return Answer(text="\n".join(lines), sources=sources)

    def _fact(self, reading: Reading) -> Answer:
        """The best-matching sections, quoted under their titles."""
        text = self.knowledge.responses.fact
        hits = [h for h in reading.hits if h.score >= MIN_FACT_SCORE]
        if not hits:
            return Answer(text=text.not_covered)
        chosen = [hits[0], *[h for h in hits[1:2] if h.score >= hits[0].score * SECOND_HIT_RATIO]]
        sections = [self.knowledge.section(h.section_id) for h in chosen]
        body = "\n\n".join(text.section.format(title=s.title, body=s.body) for s in sections)
        return Answer(text=body, sources=[s.source for s in sections])

    def _recommend(self, reading: Reading) -> Answer:
        """Score the candidates on the stated needs and explain the winner."""
        candidates = self._candidates(reading)
        combination = self._combination(reading, candidates)
        if combination is not None:
            return self._combined(reading, combination)
        scores = _scores(reading, candidates)
        ranking = sorted(candidates, key=lambda f: (-scores[f], self.knowledge.frameworks[f].rank))
        return _Recommendation(self.knowledge, reading, ranking, scores).answer()

    def _candidates(self, reading: Reading) -> list[FrameworkId]:
        """The frameworks to choose between: the named pair, or all of them."""
        if len(reading.frameworks) >= 2:
            return reading.frameworks
        return list(self.knowledge.frameworks)

    def _combination(self, reading: Reading, candidates: list[FrameworkId]) -> Combination | None:
        """A two-framework setup whose both halves the question needs."""
        for combo in self.knowledge.combinations:
            if not set(combo.frameworks) <= set(candidates):
                continue
            if set(combo.first) & reading.needs.keys() and set(combo.second) & reading.needs.keys():
                return combo
        return None

    def _combined(self, reading: Reading, combo: Combination) -> Answer:
        """Recommend running two frameworks side by side."""
        k, text = self.knowledge, self.knowledge.responses.combination
        first, second = (k.frameworks[f].name for f in combo.frameworks)
        first_needs = _labels(reading, combo.first)
        second_needs = _labels(reading, combo.second)
        summary = k.section(text.summary_section).body
        body = text.body.format(first_needs=first_needs, second_needs=second_needs, summary=summary)
        answer_text = f"{text.headline.format(first=first, second=second)}\n\n{body}"
        return Answer(text=answer_text, recommendation=combo.recommendation, sources=k.sources(combo.sources))


def _labels(reading: Reading, need_ids: Sequence[str]) -> str:
    """The labels of the needs a question stated, from a group, joined for prose."""
    labels = [reading.needs[n].label for n in need_ids if n in reading.needs]
    return " and ".join(labels)


def _joined_by_or(words: list[str], named: list[Match[FrameworkId]]) -> bool:
    """True when two framework names are joined by "or" ("Django or Flask")."""
    return any(b.start - a.end <= 1 and "or" in words[a.end : b.start] for a, b in pairwise(named))


def _nearest_framework(match: Match[Need], named: list[Match[FrameworkId]]) -> list[FrameworkId]:
    """The framework named closest to an expertise phrase, if near enough."""
    near = [
        (min(abs(f.start - match.end), abs(match.start - f.end)), f.payload)
        for f in named
        if min(abs(f.start - match.end), abs(match.start - f.end)) <= EXPERTISE_WINDOW
    ]
    return [min(near)[1]] if near else []


def _weight(reading: Reading, need: Need, framework: FrameworkId) -> int:
    """How much one stated need counts for one framework."""
    if need.relative:
        return need.relative_weight if reading.expertise.get(framework) is need else 0
    return need.weights.get(framework, 0)


def _stated(reading: Reading) -> list[Need]:
    """Every need the question states, team expertise included, each once."""
    stated = {n.id: n for n in (*reading.needs.values(), *reading.expertise.values())}
    return list(stated.values())


def _scores(reading: Reading, candidates: list[FrameworkId]) -> dict[FrameworkId, int]:
    """Total weight of the stated needs for each candidate."""
    needs = _stated(reading)
    return {f: sum(_weight(reading, n, f) for n in needs) for f in candidates}


class _Recommendation:
    """Writes a recommendation from a ranking of candidates."""

    def __init__(
        self,
        knowledge: Knowledge,
        reading: Reading,
        ranking: list[FrameworkId],
        scores: dict[FrameworkId, int],
    ) -> None:
        self.k, self.reading, self.ranking, self.scores = knowledge, reading, ranking, scores
        self.text = knowledge.responses.recommendation
        self.winner = ranking[0]
        self.name = knowledge.frameworks[self.winner].name

    def answer(self) -> Answer:
        """The finished recommendation."""
        lines = [self.text.headline.format(name=self.name)]
        if len(self.reading.frameworks) >= 2:
            options = " and ".join(self.k.frameworks[f].name for f in self.ranking)
            lines += ["", self.text.between.format(options=options)]
        if self.scores[self.winner] == 0:
            lines += self._general()
            sources = [
                self.k.responses.recommendation.verdict_section,
                self.k.frameworks[self.winner].overview,
            ]
            return self._finish(lines, sources)
        reasons, tradeoffs = self._reasons(), self._tradeoffs()
        lines += ["", self.text.reasons_heading.format(name=self.name), *reasons.lines]
        if tradeoffs.lines:
            lines += ["", self.text.tradeoffs_heading, *tradeoffs.lines]
        lines += self._runner_up()
        return self._finish(lines, [*reasons.sources, *tradeoffs.sources])

    def _finish(self, lines: list[str], section_ids: list[str]) -> Answer:
        """Wrap lines and sources into an Answer."""
        text = "\n".join(lines).strip()
        return Answer(text=text, recommendation=self.winner, sources=self.k.sources(section_ids))

    def _general(self) -> list[str]:
        """What to say when no stated need favours any candidate."""
        if len(self.reading.frameworks) >= 2:
            return ["", self.text.general_between, "", self.text.invite]
        verdict = self.k.section(self.text.verdict_section).body
        return ["", self.text.general.format(verdict=verdict), "", self.text.invite]

    def _others(self, need: Need) -> int:
        """The strongest pull of a need towards any candidate but the winner."""
        return max((_weight(self.reading, need, f) for f in self.ranking[1:]), default=0)

    def _reasons(self) -> "_Lines":
        """Needs that favour the winner, strongest margin first."""
        needs = [n for n in _stated(self.reading) if _weight(self.reading, n, self.winner) > 0]
        needs.sort(key=lambda n: self._others(n) - _weight(self.reading, n, self.winner))
        lines = [self.text.reason_line.format(label=n.label, reason=n.reasons[self.winner]) for n in needs]
        return _Lines(lines, [s for n in needs for s in n.sources])

    def _tradeoffs(self) -> "_Lines":
        """Needs that pull towards another candidate more than towards the winner."""
        result = _Lines([], [])
        for need in _stated(self.reading):
            other = max(self.ranking[1:], key=lambda f: _weight(self.reading, need, f), default=None)
            if other is None or _weight(self.reading, need, other) <= _weight(
                self.reading, need, self.winner
            ):
                continue
            other_name = self.k.frameworks[other].name
            reason = need.reasons[other]
            result.lines.append(
                self.text.tradeoff_line.format(label=need.label, other=other_name, reason=reason)
            )
            result.sources.extend(need.sources)
        return result

    def _runner_up(self) -> list[str]:
        """Name the second framework when it was close."""
        if len(self.ranking) < 2:
            return []
        second = self.ranking[1]
        if self.scores[second] == 0 or self.scores[second] < self.scores[self.winner] - 1:
            return []
        return ["", self.text.runner_up.format(name=self.k.frameworks[second].name)]


@dataclass
class _Lines:
    """Lines of an answer and the sections they came from."""

    lines: list[str]
    sources: list[str]
