"""Phrase matchers for every vocabulary list in the knowledge, built once per knowledge base."""

import re
from collections.abc import Iterable, Sequence

from bot.core.answer import FrameworkId
from bot.core.knowledge import Criterion, Knowledge, Need
from bot.core.text_analysis import Match, PhraseMatcher, phrase

FRAMEWORK_SLOT = "{framework}"


def _words(phrases: Iterable[str]) -> frozenset[str]:
    """Every normalised word of some phrases."""
    return frozenset(w for p in phrases for w in phrase(p))


class Vocabulary:
    """Every list the reader matches against, as phrase matchers."""

    def __init__(self, knowledge: Knowledge) -> None:
        intents = knowledge.intents
        scope, attacks, ask, team = intents.scope, intents.attacks, intents.ask, intents.team
        self.frameworks = PhraseMatcher(
            (phrase(a), f.id) for f in knowledge.frameworks.values() for a in f.aliases
        )
        self.longest_name = max(
            (len(phrase(a)) for f in knowledge.frameworks.values() for a in f.aliases), default=0
        )
        self.criterion_only = frozenset(phrase(p) for p in scope.criterion_only)
        self.other_things = PhraseMatcher((phrase(p), True) for p in scope.other_things)
        self.homonyms = PhraseMatcher((phrase(c), f) for f, cues in scope.homonyms.items() for c in cues)
        fillers = _words(ask.determiners)  # "edit every record" is "edit record"
        self.needs = PhraseMatcher(((phrase(p), n) for n in knowledge.needs for p in n.patterns), fillers)
        self.flipped = PhraseMatcher((phrase(p), n) for n in knowledge.needs for p in n.when_negated)
        self.topics = PhraseMatcher((phrase(p), t.id) for t in knowledge.topics for p in t.patterns)
        self.topic_order = {t.id: i for i, t in enumerate(knowledge.topics)}
        self.rankings = _ranking_matcher(knowledge.criteria)
        self.comparatives = _comparative_matcher(knowledge.criteria)
        self.feature_topics = frozenset(t.id for t in knowledge.topics if t.feature)
        self.current = PhraseMatcher(_framework_templates(knowledge, team.current))
        self.generic_topics = frozenset(t.id for t in knowledge.topics if t.generic)
        self.negated_topic = {t.id: t.when_negated for t in knowledge.topics if t.when_negated}
        self.inventory_topics = frozenset(t.id for t in knowledge.topics if t.inventory)
        self.joint_topics = frozenset(t.id for t in knowledge.topics if t.joint)
        self.markers = tuple(m.lower() for m in (*attacks.markers, *attacks.ping))
        self.line_markers = tuple(m.lower() for m in attacks.line_markers)
        self.fact_openings = PhraseMatcher((phrase(p), True) for p in ask.fact)
        self.how_to = PhraseMatcher((phrase(p), True) for p in ask.how_to)
        self.feature_verbs = PhraseMatcher((phrase(p), True) for p in ask.feature_verbs)
        self.explain = PhraseMatcher((phrase(p), True) for p in ask.explain)
        self.negation_window = ask.negation_window
        self.negation_words = _words(ask.negation)
        # the one-word negations only ("not", "doesnt"): "not interested in" makes "in" none
        self.negators = frozenset(p[0] for p in map(phrase, ask.negation) if len(p) == 1)
        self.which = _words(ask.which)
        self.question_words = _words(ask.question_words)
        self.tag_questions = PhraseMatcher((phrase(p), True) for p in ask.tag_questions)
        self.closing = [phrase(p) for p in ask.closing]
        self.drawbacks = _words(ask.drawbacks)
        self.wants = PhraseMatcher((phrase(p), True) for p in ask.wants)
        self.time_words = _words(ask.time_words)
        self.fillers = _words(ask.fillers)
        self.negation_stops = _words(ask.negation_stops)
        self.list_words = _words(ask.list_words)
        self.modals = _words(ask.modals)
        self.subjects = _words(ask.subjects)
        self.determiners = _words(ask.determiners)
        self.alternatives = _words(ask.alternatives)
        self.articles = _words(ask.articles)
        self.copulas = _words(ask.copulas)
        self.choice_nouns = _words(ask.choice_nouns)
        self.setting_words = _words(ask.setting_words)
        self.likeness = PhraseMatcher((phrase(p), True) for p in ask.likeness)
        self.auxiliary = frozenset(phrase(p) for p in ask.auxiliary)
        self.team_window = team.window
        self.stopwords = _words(intents.language.stopwords)
        self.lowercase = [
            (re.compile(r"\b" + r"\s+".join(map(re.escape, old.split())) + r"\b"), new)
            for old, new in intents.language.lowercase.items()
        ]
        self.rewrites = PhraseMatcher(
            (phrase(old), (phrase(old), list(phrase(new)))) for old, new in intents.language.rewrite.items()
        )
        # Every plain cue list in one matcher, so a question is scanned for all of them at once.
        self._cues = PhraseMatcher(
            (phrase(p), name)
            for name, phrases in {
                "in_scope": scope.in_scope,
                "project": scope.project,
                "off_topic": scope.off_topic,
                "other_stacks": scope.other_stacks,
                "frontend": scope.frontend,
                "injection": attacks.injection,
                "claims": attacks.claims,
                "directives": attacks.directives,
                "decide": ask.decide,
                "usage": ask.usage,
                "weak_decide": ask.weak_decide,
                "no_decision": ask.no_decision,
                "compare": ask.compare,
                "versus": ask.versus,
                "group": ask.group,
                "most": ask.most,
                "least": ask.least,
                "more": ask.more,
                "less": ask.less,
                "comparing": ask.comparing,
                "negation": ask.negation,
                "negation_after": ask.negation_after,
                "small_scope": team.small_scope,
                "switch": team.switch,
                "help": intents.chat.help,
                "greeting": intents.chat.greeting,
                "chatter": intents.chat.chatter,
            }.items()
            for p in phrases
        )

    def cues(self, words: Sequence[str]) -> "Cues":
        """Every cue phrase in the words, found in one pass."""
        return Cues(self._cues.find(words))


class Cues:
    """Where each cue list matched in one question."""

    def __init__(self, matches: Iterable[Match[str]]) -> None:
        self._by_name: dict[str, list[Match[str]]] = {}
        # By name and edge too, so "a negation just before this need" costs the width of the window,
        # not a scan of every negation in a long question.
        self._by_start: dict[tuple[str, int], list[Match[str]]] = {}
        self._by_end: dict[tuple[str, int], list[Match[str]]] = {}
        for match in matches:
            self._by_name.setdefault(match.payload, []).append(match)
            self._by_start.setdefault((match.payload, match.start), []).append(match)
            self._by_end.setdefault((match.payload, match.end), []).append(match)

    def has(self, name: str) -> bool:
        """True when any phrase of the named list occurs."""
        return name in self._by_name

    def find(self, name: str) -> list[Match[str]]:
        """The occurrences of the named list's phrases, in order."""
        return self._by_name.get(name, [])

    def ending(self, name: str, first: int, last: int) -> list[Match[str]]:
        """The named list's occurrences that end at a position from first to last."""
        if name not in self._by_name:  # most questions hold no negation: one lookup, not a window
            return []
        return [m for end in range(first, last + 1) for m in self._by_end.get((name, end), ())]

    def starting(self, name: str, first: int, last: int) -> list[Match[str]]:
        """The named list's occurrences that start at a position from first to last."""
        if name not in self._by_name:
            return []
        return [m for start in range(first, last + 1) for m in self._by_start.get((name, start), ())]


def _ranking_matcher(criteria: Iterable[Criterion]) -> PhraseMatcher[tuple[str, str]]:
    """Superlative phrases of every criterion, each with its criterion and direction."""
    entries: list[tuple[tuple[str, ...], tuple[str, str]]] = []
    for criterion in criteria:
        entries += [(phrase(p), (criterion.id, "higher")) for p in criterion.higher]
        entries += [(phrase(p), (criterion.id, "lower")) for p in criterion.lower]
    return PhraseMatcher(entries)


def _comparative_matcher(criteria: Iterable[Criterion]) -> PhraseMatcher[tuple[str, str]]:
    """Comparatives of every criterion ("faster", "harder"), each with its criterion and direction."""
    entries: list[tuple[tuple[str, ...], tuple[str, str]]] = []
    for criterion in criteria:
        entries += [(phrase(p), (criterion.id, "higher")) for p in criterion.more]
        entries += [(phrase(p), (criterion.id, "lower")) for p in criterion.less]
    return PhraseMatcher(entries)


def _framework_templates(
    knowledge: Knowledge, templates: Iterable[str]
) -> list[tuple[tuple[str, ...], FrameworkId]]:
    """Expand "{framework} shop" into a phrase per alias of every framework."""
    expanded: list[tuple[tuple[str, ...], FrameworkId]] = []
    for template in templates:
        for framework in knowledge.frameworks.values():
            for alias in framework.aliases:
                expanded.append((phrase(template.replace(FRAMEWORK_SLOT, alias)), framework.id))
    return expanded


def need_by_id(knowledge: Knowledge) -> dict[str, Need]:
    """The knowledge's needs by id."""
    return {n.id: n for n in knowledge.needs}
