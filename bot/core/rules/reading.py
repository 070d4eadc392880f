"""Reads a question into a typed Parse: intent, frameworks and their roles, topics, needs, team."""

import re
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import pairwise
from typing import Any, TypeVar

from bot.core.answer import FrameworkId, Turn
from bot.core.knowledge import Knowledge, Need
from bot.core.retrieval import rule_phrases
from bot.core.rules.parse import Direction, Intent, NamedFramework, Parse, RankingAsk, Role, StatedNeed
from bot.core.rules.vocabulary import Cues, Vocabulary
from bot.core.text_analysis import Analyzer, Match, phrase

P = TypeVar("P")

# End punctuation before a space: a run is taken whole and only from its first mark, so a long run
# not followed by a space ("....x") is passed over once, not once per mark.
_STOPS = r"(?<![.!?;:])[.!?;:]++(?=\s|$)"
# Clause boundaries: a negation or a team phrase does not reach across them.
_CLAUSE = re.compile(_STOPS + r"|[,()\[\]\n]|\s[-\u2013\u2014]++\s|[\u2013\u2014]")
# Sentence boundaries: a list of negated needs runs on across commas ("no async, docs or ORM").
_SENTENCE = re.compile(_STOPS + r"|\n")
# Quoted text ("the 'web framework for ... with deadlines' thing") is mentioned, not stated: an
# apostrophe inside a word ("Django's") opens no quote. A quotation holds no opening mark of its
# kind, so a run of unclosed marks is passed over once, not once per mark.
_QUOTED = re.compile(
    r"\"[^\"]+\"|\u201c[^\u201c\u201d]+\u201d|\u2018[^\u2018\u2019]+\u2019(?!\w)|(?<!\w)'[^']+'(?!\w)"
)
# A need right after a negated one, this close and in the same clause, is negated too
# ("no admin, templates or ORM").
CHAIN_GAP = 3
# Words after a need that can still negate it ("admin-free", "async not needed").
AFTER_WINDOW = 2
# Stands in for the words of a "no decision" aside, which must not count as topics or needs.
NO_DECISION = "<no-decision>"
# A general "most"/"least" governs a topic named at most this many words after it.
SUPERLATIVE_REACH = 4
# Words after a superlative or criterion that may name the other thing it is about ("the most
# mature open source database").
OTHER_THING_REACH = 3
# Earlier user turns whose needs a follow-up inherits.
HISTORY_TURNS = 5
# Earlier turns' parses kept: a thread's follow-ups re-read the same turns each time.
PAST_TURNS_KEPT = 512


@dataclass
class Words:
    """A question's normalised words, the clause each belongs to, and the cues found in them."""

    words: list[str]
    clause: list[int]
    cues: Cues
    sentence: list[int] = field(default_factory=list)
    quoted: list[bool] = field(default_factory=list)

    def same_clause(self, a: int, b: int) -> bool:
        """True when word positions a and b are in one clause."""
        return 0 <= a < len(self.clause) and 0 <= b < len(self.clause) and self.clause[a] == self.clause[b]

    def same_sentence(self, a: int, b: int) -> bool:
        """True when word positions a and b are in one sentence."""
        n = len(self.sentence)
        return 0 <= a < n and 0 <= b < n and self.sentence[a] == self.sentence[b]


@dataclass
class _Needs:
    """Needs found in a question, with the team's current stack."""

    stated: dict[str, StatedNeed] = field(default_factory=dict)
    expertise: list[FrameworkId] = field(default_factory=list)


class QuestionReader:
    """Turns question text into a Parse, using only the knowledge's vocabulary."""

    def __init__(self, knowledge: Knowledge, analyzer: Analyzer) -> None:
        self.knowledge = knowledge
        self.analyzer = analyzer
        self.v = Vocabulary(knowledge)
        self.criteria = {c.id: c for c in knowledge.criteria}
        self._row_of_topic: dict[str, str] = {}
        for criterion in knowledge.criteria:  # the first row naming a topic is its row
            for topic in criterion.topics:
                self._row_of_topic.setdefault(topic, criterion.id)
        # Every word the rules know: a word outside it, right after a criterion, names another thing.
        self._known = frozenset(word for text in rule_phrases(knowledge) for word in phrase(text))
        self._rankable_rows = frozenset(c.id for c in knowledge.criteria if len(set(c.scores.values())) > 1)
        # The last word list's names and topics: many steps of one reading ask for them again, and a
        # step per match (a comparative's row) would otherwise make reading quadratic. Keyed by the
        # list itself, which the slot keeps alive, so another reading (or thread) never hits it.
        self._names_of: tuple[list[str], list[Match[FrameworkId]]] | None = None
        self._topics_of: tuple[list[str], list[Match[str]]] | None = None
        self._read_past = lru_cache(maxsize=PAST_TURNS_KEPT)(self._read_one)

    def split(self, text: str) -> Words:
        """Normalised words, each tagged with its clause."""
        words: list[str] = []
        clause: list[int] = []
        sentence: list[int] = []
        quoted: list[bool] = []
        chunks: list[tuple[int, str, bool]] = []
        number = 0
        for piece, inside in _quotes(self._lowercase_senses(text)):
            for n, part in enumerate(_SENTENCE.split(piece)):
                if n:  # a quotation runs on in its sentence
                    number += 1
                chunks += [(number, chunk, inside) for chunk in _CLAUSE.split(part)]
        for index, (number, chunk, inside) in enumerate(chunks):
            found = self._rewritten(self.analyzer.words(chunk))
            words += found
            clause += [index] * len(found)
            sentence += [number] * len(found)
            quoted += [inside] * len(found)
        return Words(words, clause, self.v.cues(words), sentence, quoted)

    def _lowercase_senses(self, text: str) -> str:
        """Text with phrases typed in lower case read their other way ("a fast API in Go")."""
        # capitals in an acronym ("API") do not count; in a word ("Fast") they make it a name
        plain = re.sub(r"\b[A-Z]{2,}\b", lambda m: m.group().lower(), text)
        for pattern, other in self.v.lowercase:
            plain = pattern.sub(other, plain)
        return plain

    def _rewritten(self, words: list[str]) -> list[str]:
        """Words with idioms put the usual way ("what one" is "which one"), word for word."""
        for match in self.v.rewrites.find(words):
            if words[match.start : match.end] == list(match.payload[0]):
                words[match.start : match.end] = match.payload[1]
        return words

    def read(self, text: str, history: Sequence[Turn] = ()) -> Parse:
        """The typed parse of a question, follow-ups inheriting earlier turns' needs."""
        parse = self._read_one(text)
        if history and parse.intent in (Intent.RECOMMENDATION, Intent.FACT):
            parse = self._inherit(parse, history)
        return parse

    def _read_one(self, text: str) -> Parse:
        """The parse of one piece of text on its own."""
        w = self.split(text)
        if self._attack(text, w):
            return Parse(intent=Intent.INJECTION, words=tuple(w.words))
        w = self._without_asides(self._without_chatter(w))
        named = self._framework_matches(w.words)
        team = self._team(w, named, self._topic_words(w.words))
        frameworks = self._roles(w, named, team.expertise)
        topics = self._topics_with_joint(w.words, named)
        ranking = self._ranking(w)
        constraints = self._constraints(w, team)
        parse = Parse(
            intent=Intent.FACT,
            words=tuple(w.words),
            frameworks=tuple(frameworks),
            topics=tuple(topics),
            needs=tuple(team.stated.values()),
            expertise=tuple(team.expertise),
            constraints=frozenset(constraints),
            ranking=ranking,
        )
        return parse.model_copy(update={"intent": self._intent(parse, w, named, text)})

    # --- attacks and scope -------------------------------------------------------------------

    def _attack(self, text: str, w: Words) -> bool:
        """An injection attempt, a forged role marker or an authority claim with an order."""
        lowered = text.lower()
        if any(marker in lowered for marker in self.v.markers):
            return True
        lines = [line.strip() for line in lowered.splitlines()]
        if any(line.startswith(self.v.line_markers) for line in lines):
            return True
        if w.cues.has("injection"):
            return True
        return w.cues.has("claims") and w.cues.has("directives")

    def _without_chatter(self, w: Words) -> Words:
        """Drop chat padding ("quick question:", "real talk") whose words would read as needs."""
        drop = {i for m in w.cues.find("chatter") for i in range(m.start, m.end)}
        if not drop:
            return w
        keep = [i for i in range(len(w.words)) if i not in drop]
        words = [w.words[i] for i in keep]
        return Words(
            words,
            [w.clause[i] for i in keep],
            self.v.cues(words),
            [w.sentence[i] for i in keep],
            [w.quoted[i] for i in keep],
        )

    def _without_asides(self, w: Words) -> Words:
        """Blank out "no decision" asides ("for our architecture docs") so they name no topic."""
        # "not picking" is an aside, but "not pick Django" is about Django: stems cannot tell apart.
        names = {m.start for m in self._framework_matches(w.words)}
        asides = [m for m in w.cues.find("no_decision") if not names & {m.end, m.end + 1}]
        aside = {i for m in asides for i in range(m.start, m.end)}
        if not aside:
            return w
        words = [NO_DECISION if i in aside else word for i, word in enumerate(w.words)]
        return Words(words, w.clause, self.v.cues(words), w.sentence, w.quoted)

    def _framework_matches(self, words: list[str]) -> list[Match[FrameworkId]]:
        """Framework names, minus those that mean something else here (a vacuum flask)."""
        last = self._names_of
        if last is not None and last[0] is words:
            return last[1]
        other_senses = {m.payload for m in self.v.homonyms.find(words)}
        found = [m for m in self.v.frameworks.find(words) if m.payload not in other_senses]
        self._names_of = (words, found)
        return found

    def _in_scope(self, parse: Parse, w: Words) -> bool:
        """True when the question is about Python web frameworks or a project to build with one."""
        if not parse.frameworks and w.cues.has("other_stacks"):
            return False
        homonym = [m.start for m in self.v.frameworks.find(w.words)]
        if not parse.frameworks and any(not self._webby(w, i, "in_scope") for i in homonym):
            return False  # a name in its other sense ("an Erlenmeyer flask") and nothing of ours
        # a need alone ("publish a package") is not building on the web: it takes a project word too;
        # the question itself is judged on its own, so "I'm a backend dev. How do I read a CSV?" stays
        # off topic while "Right now it's all spreadsheets. [...] What do you suggest?" does not
        off = [m.start for m in [*w.cues.find("off_topic"), *w.cues.find("frontend")]]
        last = [i for i in off if w.sentence[i] == w.sentence[-1]]
        # a criterion word is a project's need when a pick is asked for ("async and an admin for our
        # CSV imports: which one?"), not in a how-to ("type hints with mypy")
        decided = self._decided(w) and not self._weakly(w)
        if not parse.frameworks and any(
            not self._webby(w, i, "in_scope", "project", weak=decided) for i in last
        ):
            return False
        if (
            not parse.frameworks
            and off
            and not (self._strong_scope(w, decided) or parse.requirements or w.cues.has("group"))
        ):
            return False
        compared = w.cues.has("compare") and bool(set(parse.topics) - self.v.generic_topics)
        grounded = parse.frameworks or parse.expertise or self._grounded_by_words(w)
        if not (grounded or w.cues.has("group")) and self._about_other_things(w, decided):
            return False  # "the fastest car", "the admin password for our router"
        return bool(
            grounded
            or compared  # "how do their ecosystems compare?"
            or parse.needs
            or parse.ranking
            or w.cues.has("in_scope")
            or w.cues.has("group")
        )

    def _strong_scope(self, w: Words, weak: bool = False) -> bool:
        """True when an in-scope word names more than a criterion ("API", not just "admin"), or any
        in-scope word does when ``weak`` allows it."""
        if weak and w.cues.has("in_scope"):
            return True
        return any(
            tuple(w.words[m.start : m.end]) not in self.v.criterion_only for m in w.cues.find("in_scope")
        )

    def _grounded_by_words(self, w: Words) -> bool:
        """True when an in-scope word (beyond a bare criterion) or a project word is named, and not
        as part of another thing ("a messaging app", "a JS framework")."""
        spans = [(m.start, m.end) for m in self.v.other_things.find(w.words)]
        cues = [m for name in ("in_scope", "project") for m in w.cues.find(name)]
        return any(
            not any(a <= m.start and m.end <= b for a, b in spans)
            and (m.payload == "project" or tuple(w.words[m.start : m.end]) not in self.v.criterion_only)
            for m in cues
        )

    def _about_other_things(self, w: Words, decided: bool) -> bool:
        """True when a superlative, criterion or "which" is about something other than a framework:
        another thing soon after it ("the most mature cheese", "learn guitar"), a word the rules do
        not know right after "which" ("which cloud provider"), or two such options ("reddit or discord")."""
        anchors = [m.end for m in self.v.rankings.find(w.words)]
        anchors += [m.end for m in self.v.comparatives.find(w.words)]
        # "which browser", "more mature than MySQL", "Postgres or MySQL": what is weighed
        anchors += [
            m.end for name in ("most", "least", "more", "less", "comparing") for m in w.cues.find(name)
        ]
        if not decided:  # "which one, for a deploy to a cloud provider?" names the setting, not the subject
            anchors += [m.end for m in w.cues.find("in_scope")]
            anchors += [m.end for m in self.v.needs.find(w.words)]
        near = {i for a in anchors for i in self._head_words(w, a)}
        if any(self.v.other_things.at(w.words, i) for i in sorted(near)):
            return True
        words = w.words
        if any(word in self.v.which and self._unknown(words[i + 1]) for i, word in enumerate(words[:-1])):
            return True
        return any(
            self._unknown(words[i - 1]) and self._unknown(words[i + 1])
            for i, word in enumerate(words[1:-1], start=1)
            if word in self.v.alternatives and w.same_clause(i - 1, i + 1)
        )

    def _head_words(self, w: Words, start: int) -> range:
        """The words right after a superlative or criterion that may name what it is about: up to
        the reach, in its clause, and before a word that sets a scene ("the best for a game" names no
        game)."""
        end = start
        while end < min(len(w.words), start + OTHER_THING_REACH) and w.same_clause(start - 1, end):
            if w.words[end] in self.v.setting_words:
                break
            end += 1
        return range(start, end)

    def _unknown(self, word: str) -> bool:
        """True for a content word outside every rule list."""
        return word not in self._known and word not in self.v.stopwords and word.isalpha()

    def _webby(self, w: Words, position: int, *cue_lists: str, weak: bool = False) -> bool:
        """True when the sentence holding a position has a cue of these lists (a bare criterion
        word such as "admin" only when ``weak`` allows it)."""
        return any(
            w.same_sentence(m.start, position)
            and (weak or tuple(w.words[m.start : m.end]) not in self.v.criterion_only)
            for name in cue_lists
            for m in w.cues.find(name)
        )

    # --- frameworks, team and needs ----------------------------------------------------------

    def _topic_matches(self, words: list[str]) -> list[Match[str]]:
        """Topic phrases, minus those inside a longer phrase of another topic ("battle-tested" is
        about the ecosystem, not about tests)."""
        last = self._topics_of
        if last is not None and last[0] is words:
            return last[1]
        found = self.v.topics.find(words)
        names = self._framework_matches(words)  # "Fast API" names a framework, not speed or an API
        kept = [m for m in _not_inside(found, found, other_payload=True) if not self._named_in(m, names)]
        self._topics_of = (words, kept)
        return kept

    def _named_in(self, match: Match[Any], names: Sequence[Match[FrameworkId]]) -> bool:
        """True when a match lies within a longer framework name ("fast" in "Fast API")."""
        # only names starting close enough to hold the match are looked at (names in start order)
        if not names:
            return False
        near = _starting(names, match.end - self.v.longest_name, match.start)
        return any(_inside(match, n) for n in near)

    def _topic_words(self, words: list[str]) -> set[int]:
        """Positions of words that name a specific (not generic) topic."""
        return {
            i
            for m in self._topic_matches(words)
            if m.payload not in self.v.generic_topics
            for i in range(m.start, m.end)
        }

    def _team(self, w: Words, named: list[Match[FrameworkId]], topical: set[int]) -> _Needs:
        """Needs (with negation) and the frameworks the team already knows or runs."""
        result = _Needs()
        # "how does Flask stack up against Django" compares: a word of a comparison is no team phrase
        compared = {i for m in w.cues.find("compare") for i in range(m.start, m.end)}
        named_ids = {m.payload for m in named}  # a name in another sense is no team's stack
        current = [
            m
            for m in self.v.current.find(w.words)
            if compared.isdisjoint(range(m.start, m.end))
            and not self._hypothetical(w, m)
            and m.payload in named_ids
        ]
        result.expertise = list(dict.fromkeys(m.payload for m in current))
        taken = {i for m in current for i in range(m.start, m.end)}
        previous: tuple[int, bool] | None = None
        names = self._framework_matches(w.words)
        for match in self.v.needs.find(w.words):
            if any(i in taken or w.quoted[i] for i in range(match.start, match.end)):
                continue
            if self._named_in(match, names):
                continue  # "Fast API" states no API need
            negated = self._negated(w, match, previous)
            previous = (match.end, negated)
            on_topic = any(i in topical for i in range(match.start, match.end))
            self._add_need(result, w, match, named, negated, on_topic)
        for match in self.v.flipped.find(w.words):
            quoted = any(w.quoted[i] for i in range(match.start, match.end))  # mentioned, not stated
            if not quoted and self._negated(w, match, None):
                result.stated[match.payload.id] = StatedNeed(id=match.payload.id)
        return result

    def _hypothetical(self, w: Words, match: Match[FrameworkId]) -> bool:
        """True when a team phrase is asked about or denied, not stated ("should we use FastAPI",
        "nobody here knows FastAPI")."""
        asked = match.start > 0 and w.words[match.start - 1] in self.v.modals
        if asked and w.words[match.start] in self.v.subjects:
            return True
        return any(
            self._governs(w, n, match.start) for n in w.cues.ending("negation", match.start - 2, match.start)
        )

    def _add_need(
        self,
        result: _Needs,
        w: Words,
        match: Match[Need],
        named: list[Match[FrameworkId]],
        negated: bool,
        topical: bool,
    ) -> None:
        """Record one need match: expertise goes to the nearest framework, the rest by id."""
        need = match.payload
        if need.relative:
            if not negated:
                for framework in self._nearest(w, match, named):
                    if framework not in result.expertise:
                        result.expertise.append(framework)
            return
        known = result.stated.get(need.id)
        if known is None or (known.negated and not negated) or (known.topical and not topical):
            result.stated[need.id] = StatedNeed(id=need.id, negated=negated, topical=topical)

    def _negated(self, w: Words, match: Match[Need], previous: tuple[int, bool] | None) -> bool:
        """True when a negation governs this need: just before, just after, or by a chain."""
        # only negations within reach are looked at, so a long list of them costs no more per need
        before = w.cues.ending("negation", match.start - self._negation_reach(), match.start)
        if any(self._governs(w, n, match.start) for n in before):
            return True
        after = w.cues.starting("negation_after", match.end, match.end + AFTER_WINDOW)
        if any(w.same_clause(a.start, match.start) for a in after):
            return True
        if previous is not None and previous[1] and 0 <= match.start - previous[0] <= CHAIN_GAP:
            end = previous[0]
            between = w.words[end : match.start]
            joins = self.v.list_words | self.v.determiners | self.v.negation_words
            content = [word for word in between if word not in joins]
            # a list ("no pages or a back office"): joining words and at most the head noun of the
            # item before; "not an API, it's a website" starts a new statement
            joined = bool(set(between) & self.v.list_words) or self._own_item(w, end, match.start)
            listed = not content or (len(content) == 1 and joined)
            return listed and w.same_sentence(end - 1, match.start)
        return False

    def _own_item(self, w: Words, end: int, start: int) -> bool:
        """True when the words between two needs are a list item of their own, set off by commas
        and naming a topic ("no admin, an ORM, async"); "not an API, it's a website" is no item."""
        inside = range(end, start)
        apart = all(not w.same_clause(i, end - 1) and not w.same_clause(i, start) for i in inside)
        topical = any(m.end <= start for m in _starting(self._topic_matches(w.words), end, start))
        return bool(inside) and apart and topical

    def _negation_reach(self) -> int:
        """The furthest a negation reaches: its window, plus two filler words."""
        return self.v.negation_window + 2

    def _governs(self, w: Words, negation: Match[str], start: int) -> bool:
        """True when a negation reaches a word: within the window (a little further over filler
        words, "no need for a built-in admin"), in its clause, with no "but" in between."""
        gap = start - negation.end
        # the distance first: the words in between are only looked at when they are few
        if not 0 <= gap <= self._negation_reach() or not w.same_clause(negation.start, start):
            return False
        between = w.words[negation.end : start]
        if any(word in self.v.negation_stops for word in between):
            return False
        content = [word for word in between if word not in self.v.stopwords]
        return gap <= self.v.negation_window or len(content) <= 1

    def _nearest(self, w: Words, match: Match[Need], named: list[Match[FrameworkId]]) -> list[FrameworkId]:
        """The framework named closest to an expertise phrase, within the window and clause."""
        window = self.v.team_window
        # names far off cannot be nearest: only those starting within the window (plus a name's
        # own length, for one just before) are measured
        longest = self.v.longest_name  # not measured over every name: that per phrase is quadratic
        near = [
            (min(abs(f.start - match.end), abs(match.start - f.end)), f.payload)
            for f in _starting(named, match.start - window - longest, match.end + window)
            if w.same_clause(f.start, match.start)
        ]
        near = [pair for pair in near if pair[0] <= self.v.team_window]
        return [min(near)[1]] if near else []

    def _roles(
        self, w: Words, named: list[Match[FrameworkId]], expertise: list[FrameworkId]
    ) -> list[NamedFramework]:
        """Each named framework once, with the part it plays."""
        rejected = {
            m.payload
            for m in named
            if any(self._rules_out(w, n, m) for n in w.cues.ending("negation", m.start - 2, m.start))
        }
        order = list(dict.fromkeys(m.payload for m in named))
        open_ = [f for f in order if f not in expertise and f not in rejected]
        referenced = self._references(w, named, open_)
        open_ = [f for f in open_ if f not in referenced]
        several = len(open_) >= 2 or bool(expertise)
        return [
            NamedFramework(
                id=f, role=Role.REFERENCE if f in referenced else _role(f, expertise, rejected, several)
            )
            for f in order
        ]

    def _references(
        self, w: Words, named: list[Match[FrameworkId]], open_: list[FrameworkId]
    ) -> set[FrameworkId]:
        """Frameworks named only after a likeness word ("like Django's"), when another is asked about."""
        liked = {m.payload for m in named if self._after_likeness(w, m)}
        liked = {f for f in liked if all(self._after_likeness(w, m) for m in named if m.payload == f)}
        return liked if any(f not in liked for f in open_) else set()

    def _after_likeness(self, w: Words, name: Match[FrameworkId]) -> bool:
        """True when a likeness word ends right before a name ("like Django", "such as Flask")."""
        starts = range(max(0, name.start - 3), name.start)
        return any(m.end == name.start for k in starts for m in self.v.likeness.at(w.words, k))

    def _rules_out(self, w: Words, negation: Match[str], name: Match[FrameworkId]) -> bool:
        """True when a negation rules a framework out ("not Django", "don't need Flask"), unless it
        opens an inverted question ("doesn't Flask include ...?")."""
        gap = name.start - negation.end
        if not (0 <= gap <= 2 and w.same_clause(negation.start, name.start)):
            return False
        return gap > 0 or tuple(w.words[negation.start : negation.end]) not in self.v.auxiliary

    # --- topics, rankings, constraints -------------------------------------------------------

    def _topics(self, words: list[str]) -> list[str]:
        """Topics named: by longest phrase, then most mentions, then order in the vocabulary."""
        longest: dict[str, int] = {}
        places: dict[str, set[int]] = {}
        for m in self._topic_matches(words):
            topic = self._unless_negated(words, m)
            longest[topic] = max(longest.get(topic, 0), m.end - m.start)
            places.setdefault(topic, set()).add(m.start)
        count = {t: len(starts) for t, starts in places.items()}
        # "how mature is Flask in production?" asks about the word after "how", whatever else is
        # named; "how easy is it to add a database?" asks about the database
        names = {m.start for m in self._framework_matches(words)}
        asked = {
            m.payload
            for m in self._topic_matches(words)
            if m.start > 0
            and words[m.start - 1] == "how"
            and m.end + 1 in names
            and words[m.end] in self.v.copulas
        }
        generic = self.v.generic_topics
        # A feature named next to "what's included" is the point: "does FastAPI come with an ORM?"
        demoted = self.v.inventory_topics if set(longest) & self.v.feature_topics else frozenset()
        return sorted(
            longest,
            key=lambda t: (
                t in generic,
                t in demoted,
                t not in asked,
                -longest[t],
                -count[t],
                self.v.topic_order[t],
            ),
        )

    def _unless_negated(self, words: list[str], match: Match[str]) -> str:
        """A topic, or the one it turns into after a negation ("what doesn't Flask ship with")."""
        other = self.v.negated_topic.get(match.payload)
        before = words[max(0, match.start - NEGATED_TOPIC_REACH) : match.start]
        return other if other and self.v.negators & set(before) else match.payload

    def _ranking(self, w: Words) -> RankingAsk | None:
        """A superlative over one criterion: a phrase of its own, or "most"/"least" by its topic."""
        words = w.words
        names = self._framework_matches(words)
        specific = [
            m
            for m in self.v.rankings.find(words)
            if self._rankable(m.payload[0]) and not self._named_in(m, names)
        ]
        if specific:
            best = max(specific, key=lambda m: (m.end - m.start, -m.start))
            criterion, direction = best.payload
            criterion = self._feature_row(criterion, words)
            if self._lacking(w, best.start):  # "which one lacks a built-in admin?"
                direction = "higher" if direction == "lower" else "lower"
            return RankingAsk(
                criterion=criterion,
                direction="lower" if direction == "lower" else "higher",
                pointed=self._pointed(w, best.start),
            )
        by_topic = self._ranking_by_topic(w)
        if by_topic is not None or not w.cues.has("comparing"):
            return by_topic  # "is FastAPI's ecosystem as mature as Django's?" is a yes-or-no
        # A plain comparative or adjective last ("which is lighter?", "which one is mature?")
        plain = [
            m
            for m in self.v.comparatives.find(words)
            if self._comparable(m.payload[0], words) and not self._named_in(m, names)
        ]
        if not plain:
            return None
        criterion, direction = max(plain, key=lambda m: (m.end - m.start, -m.start)).payload
        return RankingAsk(criterion=criterion, direction="lower" if direction == "lower" else "higher")

    def _ranking_by_topic(self, w: Words) -> RankingAsk | None:
        """A general "most"/"least" (or, when comparing, "more"/"less") next to a criterion's topic."""
        words = w.words
        markers: list[tuple[Match[str], Direction]] = [(m, "higher") for m in w.cues.find("most")]
        markers += [(m, "lower") for m in w.cues.find("least")]
        if self._compares(w):
            markers += [(m, "higher") for m in w.cues.find("more")]
            markers += [(m, "lower") for m in w.cues.find("less")]
        if not self._framework_matches(words):  # "orm built in?" asks which one has it
            markers += [
                (m, "higher") for m in self._topic_matches(words) if m.payload in self.v.inventory_topics
            ]
        # "most limited" is a bottom, not a top: a marker inside a longer one does not count.
        direction = dict(markers)
        found = _not_inside(sorted(direction, key=_start), sorted(direction, key=_start))
        # "least annoying to learn" is the easiest: a word for a drawback turns the marker round
        direction = {m: _flipped(d) if self._drawback_after(words, m) else d for m, d in direction.items()}
        if not found:
            return None  # no marker, so no topic has one near it
        longest = max(m.end - m.start for m in found)
        # a feature before "what's included": "which one comes with Jinja2?" is about templates
        inventory = self.v.inventory_topics
        for topic in sorted(self._topic_matches(words), key=lambda m: m.payload in inventory):
            about = self._criterion_for(topic.payload)
            if about is None or not self._rankable(about):
                continue
            reach = _starting(
                found, topic.start - SUPERLATIVE_REACH - longest, topic.start + SUPERLATIVE_REACH
            )
            near = [
                direction[m]
                for m in reach
                if -SUPERLATIVE_REACH <= topic.start - m.end <= SUPERLATIVE_REACH
                and (m.end <= topic.start or m.start >= topic.end)  # a marker is not its own topic
            ]
            if near:  # an explicit bottom word wins over a general "which has"
                return RankingAsk(criterion=about, direction="lower" if "lower" in near else "higher")
        return None

    def _feature_row(self, criterion: str, words: list[str]) -> str:
        """The row of a feature named with a "what's included" phrase: "which needs the fewest extra
        packages to get a Swagger page?" is about API docs, not batteries in general."""
        if not set(self.criteria[criterion].topics) <= self.v.inventory_topics:
            return criterion
        features = {m.payload for m in self._topic_matches(words)} & self.v.feature_topics
        rows = {self._criterion_for(t) for t in features}
        row = rows.pop() if len(rows) == 1 else None  # several features: the batteries as a whole
        return row if row is not None and self._rankable(row) else criterion

    def _drawback_after(self, words: list[str], marker: Match[str]) -> bool:
        """True when a word for a drawback follows a superlative ("most confusing", "least painful")."""
        return any(word in self.v.drawbacks for word in words[marker.end : marker.end + 2])

    def _lacking(self, w: Words, start: int) -> bool:
        """True when a "lacks"/"no"/"without" word comes just before a position."""
        cues = [*w.cues.find("negation"), *w.cues.find("least")]
        return any(0 <= start - m.end <= 2 and w.same_clause(m.start, start) for m in cues)

    def _pointed(self, w: Words, start: int) -> bool:
        """True when the sentence holding this position opens with "which" or "who"."""
        sentence = (word for i, word in enumerate(w.words) if w.same_sentence(i, start))
        return next((word for word in sentence if word not in self.v.fillers), None) in self.v.which

    def _compares(self, w: Words) -> bool:
        """True when a comparative has something to compare: "than", "which", or two frameworks."""
        return w.cues.has("comparing") or len({m.payload for m in self._framework_matches(w.words)}) >= 2

    def _comparable(self, criterion: str, words: list[str]) -> bool:
        """A comparative that is about this row: rankable, and no other row's feature is named
        ("is a database harder to set up in FastAPI?" asks about the ORM, not the learning curve)."""
        own = set(self.criteria[criterion].topics)
        named = {m.payload for m in self._topic_matches(words)} & self.v.feature_topics
        return self._rankable(criterion) and not (named - own)

    def _rankable(self, criterion: str) -> bool:
        """False for a row where every framework scores the same ("best suited to")."""
        return criterion in self._rankable_rows

    def _criterion_for(self, topic: str) -> str | None:
        """The criterion a topic is about, if any."""
        return self._row_of_topic.get(topic)

    def _constraints(self, w: Words, team: _Needs) -> set[str]:
        """Constraints on the choice: a small job, a question of switching, nothing legacy."""
        found: set[str] = set()
        if w.cues.has("small_scope"):
            found.add("small-scope")
        if w.cues.has("switch"):
            found.add("switch")
        if "new-project" in team.stated and not team.stated["new-project"].negated:
            found.add("no-legacy")
        return found

    # --- intent ------------------------------------------------------------------------------

    def _intent(self, parse: Parse, w: Words, named: list[Match[FrameworkId]], text: str) -> Intent:
        """What kind of answer the question wants."""
        words = w.words
        if not self._in_scope(parse, w) or self._only_small_talk(w):
            return self._small_talk(w)
        if NO_DECISION in words:
            return self._explain(parse, w)
        # "Django or Flask: what's the difference?" names two options but asks for a comparison.
        either_or = _either_or(words, named, self.v.list_words, self.v.alternatives) and not w.cues.has(
            "compare"
        )
        decided = (self._decided(w) or either_or) and not self._explaining(w, parse)
        if w.cues.has("compare") and self._weakly(w) and not parse.requirements and not parse.ranking:
            return self._explain(parse, w)  # "what is each framework best for?"
        if self._is_ranking(parse):
            return Intent.RANKING
        if decided and self._picks_tool(parse, w, named) and self._tool_question(parse, w, named, text):
            return Intent.FACT
        if decided:
            return Intent.RECOMMENDATION
        if self._about_one(parse, text, w) or self._joint(parse):
            return Intent.FACT
        if w.cues.has("usage"):
            return Intent.RECOMMENDATION
        if self._versus_for_project(parse, w):
            return Intent.RECOMMENDATION  # "Django vs Flask for a blog?" weighs two for a job
        if self._comparing(parse, w):
            return self._explain(parse, w)
        if (parse.wanted or parse.expertise) and not self._opens_as_fact(words):
            return Intent.RECOMMENDATION
        return Intent.FACT

    def _explaining(self, w: Words, parse: Parse) -> bool:
        """A "why ..." about one framework asks for reasons ("why is Django the go-to in fintech?")."""
        start = next((i for i, word in enumerate(w.words) if word not in self.v.fillers), 0)
        return len(parse.frameworks) <= 1 and bool(self.v.explain.at(w.words, start))

    def _decided(self, w: Words) -> bool:
        """A request for a decision: a cue phrase, or a bare "which?" or "pick?" at the very end."""
        # a courtesy after the question ("pick? thanks!") does not move its end
        polite = {i for m in w.cues.find("greeting") for i in range(m.start, m.end)}
        content = [word for i, word in enumerate(w.words) if word != NO_DECISION and i not in polite]
        while content and content[-1] in self.v.time_words:  # "pick in 2026?"
            content.pop()
        return w.cues.has("decide") or any(tuple(content[-len(c) :]) == c for c in self.v.closing)

    def _picks_tool(self, parse: Parse, w: Words, named: list[Match[FrameworkId]]) -> bool:
        """True when a choice may be about a tool: nothing is being built, or the framework is the
        setting of a feature ("what should I use on top of Django for complex permissions?")."""
        if not parse.requirements:
            return True
        setting = any(m.start > 0 and w.words[m.start - 1] in self.v.setting_words for m in named)
        return setting and bool(parse.topics) and parse.topics[0] in self.v.feature_topics

    def _tool_question(self, parse: Parse, w: Words, named: list[Match[FrameworkId]], text: str) -> bool:
        """A choice about one framework's feature ("which ORM should I use with FastAPI?").

        The framework is not what is being chosen unless a cue names it ("should I use FastAPI").
        """
        if not self._about_one(parse, text, w) or parse.named(Role.CURRENT):
            return False
        if any(self.v.choice_nouns & set(w.words[m.start : m.end + 1]) for m in w.cues.find("decide")):
            return False  # "which framework?" chooses the framework itself
        if self._weakly(w):
            return True
        cues = w.cues.find("decide")
        # "should I use Django REST Framework" chooses a tool whose name starts with the framework's
        tools = {m.start for m in self._topic_matches(w.words) if m.end - m.start > 1}
        names = [f for f in named if f.start not in tools]
        # only names just after a cue can be its object: each cue looks at those, not at every name
        return not any(
            _object_of(m, f, w.words, self.v.articles)
            for m in cues
            for f in _starting(names, m.end, m.end + 1)
        )

    def _weakly(self, w: Words) -> bool:
        """True when every decision cue is a weak one ("best", "good for")."""
        weak = {(m.start, m.end) for m in w.cues.find("weak_decide")}
        strong = [m for m in w.cues.find("decide") if not any(a <= m.start and m.end <= b for a, b in weak)]
        return bool(weak) and not strong

    def _about_one(self, parse: Parse, text: str, w: Words) -> bool:
        """A question about one framework's features ("fastapi validation library?")."""
        named = parse.named(Role.SUBJECT, Role.ALTERNATIVE) or parse.named(Role.CURRENT)
        if len(named) != 1 or not parse.topics:
            return False
        if parse.expertise and {"small-scope", "switch"} & parse.constraints:
            return False  # "we know Flask; stay for this small job?" asks for a decision
        if parse.topics[0] in self.v.generic_topics:
            return True  # "django drawbacks for simple API-only services" asks about Django
        words = list(parse.words)
        # "I want Django's admin but also an API for AI calls?" states wants, question mark or not
        stated = bool(
            self.v.wants.at(w.words, next((i for i, x in enumerate(w.words) if x not in self.v.fillers), 0))
        )
        asked = ("?" in text and not stated) or self._asks(w)
        return not parse.requirements or asked or self._opens_as_fact(words) or self._asks_feature(words)

    def _asks(self, w: Words) -> bool:
        """True when a sentence or clause opens like a question, question mark or not."""
        starts = [
            i
            for i in range(len(w.words))
            if (i == 0 or w.clause[i] != w.clause[i - 1] or w.sentence[i] != w.sentence[i - 1])
            and w.words[i] not in self.v.fillers  # "hey," opens nothing
        ]
        words = w.words
        opens = any(self.v.fact_openings.at(words, i) or words[i] in self.v.question_words for i in starts)
        return opens or self.v.tag_questions.any_in(words)

    def _asks_feature(self, words: list[str]) -> bool:
        """True when a feature verb follows a framework's name ("django got a template engine")."""
        return any(self.v.feature_verbs.at(words, m.end) for m in self._framework_matches(words))

    def _joint(self, parse: Parse) -> bool:
        """A question about using the named frameworks together."""
        return bool(set(parse.topics) & self.v.joint_topics) and len(parse.frameworks) >= 2

    def _topics_with_joint(self, words: list[str], named: list[Match[FrameworkId]]) -> list[str]:
        """Topics named, plus "together" when each framework gets its own job ("X for A, Y for B")."""
        topics = self._topics(words)
        jobs = {m.payload for m in named if m.end < len(words) and words[m.end] == "for"}
        if len(jobs) >= 2:
            topics += sorted(self.v.joint_topics - set(topics))
        if len({m.payload for m in named}) >= 2:  # two frameworks and "together": that is the topic
            topics.sort(key=lambda t: t not in self.v.joint_topics)
        return topics

    def _is_ranking(self, parse: Parse) -> bool:
        """A superlative with no project needs beyond the ranked criterion's own."""
        if parse.ranking is None:
            return False
        if len(parse.named(Role.SUBJECT, Role.ALTERNATIVE, Role.CURRENT)) == 1:
            return False
        own = set(self.criteria[parse.ranking.criterion].needs)
        others = [n for n in parse.wanted if n not in own]
        return (parse.ranking.pointed or not others) and not parse.expertise

    def _comparing(self, parse: Parse, w: Words) -> bool:
        """Two or more frameworks (or all of them) put side by side."""
        options = parse.named(Role.ALTERNATIVE, Role.SUBJECT)
        # a comparison naming no framework ("how do their ecosystems compare?") is of all three
        unnamed = w.cues.has("compare") and not parse.frameworks and not parse.requirements
        if w.cues.has("group") or unnamed:
            return True
        return len(options) >= 2 and (w.cues.has("compare") or self._bare(parse) or not parse.topics)

    def _versus_for_project(self, parse: Parse, w: Words) -> bool:
        """Two frameworks set against each other ("X vs Y") for a described job, and nothing else
        that asks how they differ."""
        versus = w.cues.find("versus")
        spans = {(m.start, m.end) for m in versus}
        other = [m for m in w.cues.find("compare") if (m.start, m.end) not in spans]
        options = parse.named(Role.ALTERNATIVE, Role.SUBJECT)
        return bool(versus) and not other and len(options) >= 2 and bool(parse.requirements)

    def _explain(self, parse: Parse, w: Words) -> Intent:
        """No decision wanted: a comparison when several frameworks are in play, else a fact."""
        several = len(parse.named(Role.ALTERNATIVE, Role.SUBJECT)) >= 2
        if several or w.cues.has("group") or not parse.frameworks:
            return Intent.COMPARISON
        return Intent.FACT

    def _bare(self, parse: Parse) -> bool:
        """True when a question is little more than framework names ("Django and Flask")."""
        content = [w for w in parse.words if w not in self.v.stopwords]
        return len(content) <= len(parse.frameworks)

    def _opens_as_fact(self, words: list[str]) -> bool:
        """True when the question starts like a factual one ("Does ...", "How ...")."""
        start = next((i for i, word in enumerate(words) if word not in self.v.fillers), 0)
        return bool(self.v.fact_openings.at(words, start)) or self.v.how_to.any_in(words)

    def _only_small_talk(self, w: Words) -> bool:
        """True when every content word belongs to a greeting or a help request."""
        return self._covered(w, "greeting", "help")

    def _covered(self, w: Words, *cue_lists: str) -> bool:
        """True when some cue of these lists occurs and covers every content word."""
        spans = [m for name in cue_lists for m in w.cues.find(name)]
        covered = {i for m in spans for i in range(m.start, m.end)}
        content = [i for i, word in enumerate(w.words) if word not in self.v.stopwords]
        return bool(spans) and all(i in covered for i in content)

    def _small_talk(self, w: Words) -> Intent:
        """Help, a greeting, a bare "which is best?", or something we do not cover."""
        if self._only_small_talk(w):
            return Intent.HELP if w.cues.has("help") else Intent.GREETING
        if self._covered(w, "decide"):
            return Intent.RECOMMENDATION
        return Intent.OUT_OF_SCOPE

    # --- follow-ups --------------------------------------------------------------------------

    def _earlier(self, history: Sequence[Turn]) -> list[str]:
        """The earlier user turns a follow-up reads, oldest first: the last few, newest first while
        they fit in one question's length, so a follow-up costs at most two readings' work."""
        budget = self.knowledge.intents.limits.max_question_chars
        texts = [t.text for t in history if t.role == "user"][-HISTORY_TURNS:]
        kept: list[str] = []
        for text in reversed(texts):
            if kept and len(text) > budget:
                break
            kept.append(text)
            budget -= len(text)
        return kept[::-1]

    def _inherit(self, parse: Parse, history: Sequence[Turn]) -> Parse:
        """Let a follow-up keep the needs, team and named pair of earlier user turns."""
        needs = {n.id: n for n in parse.needs}
        expertise = list(parse.expertise)
        frameworks = parse.frameworks
        for text in self._earlier(history):
            past = self._read_past(text)
            if past.intent in (Intent.INJECTION, Intent.OUT_OF_SCOPE):
                continue
            for need in past.needs:
                needs.setdefault(need.id, need)
            expertise += [f for f in past.expertise if f not in expertise]
            if not frameworks and len(past.named(Role.ALTERNATIVE)) >= 2:
                frameworks = past.frameworks
        intent = parse.intent
        wanted = any(not n.negated for n in needs.values())
        if intent is Intent.FACT and wanted and not self._opens_as_fact(list(parse.words)):
            intent = Intent.RECOMMENDATION
        return parse.model_copy(
            update={
                "needs": tuple(needs.values()),
                "expertise": tuple(expertise),
                "frameworks": frameworks,
                "intent": intent,
            }
        )


def _role(
    framework: FrameworkId, expertise: list[FrameworkId], rejected: set[FrameworkId], several: bool
) -> Role:
    """The role of one named framework."""
    if framework in expertise:
        return Role.CURRENT
    if framework in rejected:
        return Role.REJECTED
    return Role.ALTERNATIVE if several else Role.SUBJECT


# A negation this many words before a topic turns it round ("doesn't Flask ship with").
NEGATED_TOPIC_REACH = 3


def _object_of(
    cue: Match[str], framework: Match[FrameworkId], words: list[str], articles: frozenset[str]
) -> bool:
    """True when the framework is what a decision cue chooses ("use FastAPI", "pick the Flask")."""
    if not 0 <= framework.start - cue.end <= 1:
        return False
    return all(word in articles for word in words[cue.end : framework.start])


def _quotes(text: str) -> list[tuple[str, bool]]:
    """The text cut into pieces outside and inside quotation marks."""
    pieces: list[tuple[str, bool]] = []
    end = 0
    for match in _QUOTED.finditer(text):
        pieces += [(text[end : match.start()], False), (match.group()[1:-1], True)]
        end = match.end()
    return [*pieces, (text[end:], False)]


def _apart(
    name: Match[FrameworkId],
    first: Match[FrameworkId],
    second: Match[FrameworkId],
    words: list[str],
    joins: frozenset[str],
) -> bool:
    """True when a name is not in the list of an "X or Y" pair ("FastAPI, as in Django or Flask")."""
    between = words[name.end : first.start] if name.end <= first.start else words[second.end : name.start]
    return not set(between) <= joins  # commas leave no word: "Django, Flask or FastAPI" is one list


def _flipped(direction: Direction) -> Direction:
    """The other end of a ranking."""
    return "lower" if direction == "higher" else "higher"


def _starting(matches: Sequence[Match[P]], first: int, last: int) -> Sequence[Match[P]]:
    """The matches (in order of start, as found) that start at a position from first to last."""
    low = bisect_left(matches, first, key=_start)
    return matches[low : bisect_right(matches, last, lo=low, key=_start)]


def _start(match: Match[P]) -> int:
    """Where a match starts."""
    return match.start


def _not_inside(
    matches: Sequence[Match[P]], outers: Sequence[Match[P]], other_payload: bool = False
) -> list[Match[P]]:
    """The matches that lie within no strictly longer outer one (of another payload, if asked).

    Both lists are in order of start; only outers starting close enough to hold a match are
    looked at, so a long question of repeated phrases costs no more per match.
    """
    longest = max((o.end - o.start for o in outers), default=0)
    if longest <= 1:
        return list(matches)  # one-word outers hold nothing strictly shorter
    starts = [o.start for o in outers]
    kept = []
    for m in matches:
        low, high = bisect_left(starts, m.end - longest), bisect_right(starts, m.start)
        if not any(
            _inside(m, o) and not (other_payload and o.payload == m.payload) for o in outers[low:high]
        ):
            kept.append(m)
    return kept


def _inside(inner: Match[Any], outer: Match[Any]) -> bool:
    """True when one match lies within a strictly longer one."""
    longer = outer.end - outer.start > inner.end - inner.start
    return longer and outer.start <= inner.start and inner.end <= outer.end


def _either_or(
    words: list[str], named: list[Match[FrameworkId]], joins: frozenset[str], alternatives: frozenset[str]
) -> bool:
    """True when two different framework names are joined by "or" ("Django or Flask")."""
    for a, b in pairwise(named):
        if (
            a.payload != b.payload
            and b.start - a.end <= 2
            and not alternatives.isdisjoint(words[a.end : b.start])
        ):
            # "OpenAPI docs in FastAPI, as in Django or Flask?" weighs a third against the pair;
            # "Django, Flask or FastAPI?" is one list of options.
            return not any(
                m.payload not in (a.payload, b.payload) and _apart(m, a, b, words, joins) for m in named
            )
    return False
