"""Recommendations: score the candidates on the stated needs, team and constraints; explain."""

from collections.abc import Sequence
from dataclasses import dataclass

from bot.core.answer import Answer, FrameworkId
from bot.core.knowledge import Combination, Knowledge, Need
from bot.core.rules.parse import Parse
from bot.core.rules.ranking import candidates

# When the job is small, knowing a framework counts this much more: the guide says a scope that
# does not justify switching means staying. Asking whether to switch is not enough on its own: a
# big or async-heavy project can justify the move.
STAY_BONUS = 3


@dataclass
class Scoring:
    """The needs that count for a question and how much each pulls towards each framework."""

    needs: list[Need]
    expertise: list[FrameworkId]
    stay_bonus: int

    def weight(self, need: Need, framework: FrameworkId) -> int:
        """How much one stated need counts for one framework."""
        if need.relative:
            return need.relative_weight + self.stay_bonus if framework in self.expertise[:1] else 0
        return need.weights.get(framework, 0)

    def total(self, framework: FrameworkId) -> int:
        """All stated needs' weight for one framework."""
        return sum(self.weight(n, framework) for n in self.needs)


class RecommendationWriter:
    """Picks a framework (or the combined setup) and writes why."""

    def __init__(self, knowledge: Knowledge) -> None:
        self.knowledge = knowledge
        self.by_id = {n.id: n for n in knowledge.needs}
        self.expertise_need = next((n for n in knowledge.needs if n.relative), None)

    def answer(self, parse: Parse) -> Answer:
        """The recommendation for a parse."""
        pool = candidates(parse)
        scoring = self._scoring(parse)
        combination = self._combination(parse, pool)
        if combination is not None:
            return self._combined(parse, combination)
        ranking = sorted(pool, key=lambda f: (-scoring.total(f), self.knowledge.frameworks[f].rank))
        return _Recommendation(self.knowledge, parse, ranking, scoring).answer()

    def _scoring(self, parse: Parse) -> Scoring:
        """The needs the question states (team expertise included) and the stay bonus."""
        needs = [self.by_id[i] for i in parse.wanted if i in self.by_id]
        if parse.expertise and self.expertise_need is not None:
            needs.append(self.expertise_need)
        stays = "small-scope" in parse.constraints
        return Scoring(needs, list(parse.expertise), STAY_BONUS if stays else 0)

    def _combination(self, parse: Parse, pool: list[FrameworkId]) -> Combination | None:
        """A two-framework setup whose both halves the question needs."""
        wanted = set(parse.wanted)
        for combo in self.knowledge.combinations:
            if (
                set(combo.frameworks) <= set(pool)
                and set(combo.first) & wanted
                and set(combo.second) & wanted
            ):
                return combo
        return None

    def _combined(self, parse: Parse, combo: Combination) -> Answer:
        """Recommend running two frameworks side by side."""
        k, text = self.knowledge, self.knowledge.responses.combination
        first, second = (k.frameworks[f].name for f in combo.frameworks)
        summary = k.section(text.summary_section).body
        body = text.body.format(
            first_needs=self._labels(parse, combo.first),
            second_needs=self._labels(parse, combo.second),
            summary=summary,
        )
        answer_text = f"{text.headline.format(first=first, second=second)}\n\n{body}"
        return Answer(text=answer_text, recommendation=combo.recommendation, sources=k.sources(combo.sources))

    def _labels(self, parse: Parse, need_ids: Sequence[str]) -> str:
        """The labels of the needs a question stated, from a group, joined for prose."""
        return " and ".join(self.by_id[n].label for n in need_ids if n in parse.wanted)


@dataclass
class _Lines:
    """Lines of an answer and the sections they came from."""

    lines: list[str]
    sources: list[str]


class _Recommendation:
    """Writes a recommendation from a ranking of candidates."""

    def __init__(
        self, knowledge: Knowledge, parse: Parse, ranking: list[FrameworkId], scoring: Scoring
    ) -> None:
        self.k, self.parse, self.ranking, self.scoring = knowledge, parse, ranking, scoring
        self.text = knowledge.responses.recommendation
        self.winner = ranking[0]
        self.name = knowledge.frameworks[self.winner].name

    def answer(self) -> Answer:
        """The finished recommendation."""
        lines = [self.text.headline.format(name=self.name)]
        if len(self.ranking) == 2:
            options = " and ".join(self.k.frameworks[f].name for f in self.ranking)
            lines += ["", self.text.between.format(options=options)]
        if self.scoring.total(self.winner) == 0:
            lines += self._general()
            sources = [self.text.verdict_section, self.k.frameworks[self.winner].overview]
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
        if len(self.ranking) == 2:
            return ["", self.text.general_between, "", self.text.invite]
        verdict = self.k.section(self.text.verdict_section).body
        return ["", self.text.general.format(verdict=verdict), "", self.text.invite]

    def _others(self, need: Need) -> int:
        """The strongest pull of a need towards any candidate but the winner."""
        return max((self.scoring.weight(need, f) for f in self.ranking[1:]), default=0)

    def _reasons(self) -> _Lines:
        """Needs that favour the winner, strongest margin first."""
        needs = [n for n in self.scoring.needs if self.scoring.weight(n, self.winner) > 0]
        needs.sort(key=lambda n: self._others(n) - self.scoring.weight(n, self.winner))
        lines = [self.text.reason_line.format(label=n.label, reason=n.reasons[self.winner]) for n in needs]
        return _Lines(lines, [s for n in needs for s in n.sources])

    def _tradeoffs(self) -> _Lines:
        """Needs that pull towards another candidate more than towards the winner."""
        result = _Lines([], [])
        for need in self.scoring.needs:
            other = max(self.ranking[1:], key=lambda f: self.scoring.weight(need, f), default=None)
            if other is None or self.scoring.weight(need, other) <= self.scoring.weight(need, self.winner):
                continue
            line = self.text.tradeoff_line.format(
                label=need.label, other=self.k.frameworks[other].name, reason=need.reasons[other]
            )
            result.lines.append(line)
            result.sources.extend(need.sources)
        return result

    def _runner_up(self) -> list[str]:
        """Name the second framework when it was close."""
        if len(self.ranking) < 2:
            return []
        second = self.ranking[1]
        first_score, second_score = self.scoring.total(self.winner), self.scoring.total(second)
        if second_score == 0 or second_score < first_score - 1:
            return []
        return ["", self.text.runner_up.format(name=self.k.frameworks[second].name)]
