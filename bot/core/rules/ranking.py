"""Superlative answers: who comes out top (or bottom) on one criterion, and why."""

from bot.core.answer import FRAMEWORK_IDS, Answer, FrameworkId
from bot.core.knowledge import Criterion, Knowledge
from bot.core.rules.facts import FactFinder
from bot.core.rules.parse import Parse, Role


def candidates(parse: Parse) -> list[FrameworkId]:
    """The frameworks in play: the two or more named as options, otherwise all of them."""
    named = parse.named(Role.ALTERNATIVE, Role.SUBJECT, Role.CURRENT)
    if len(named) >= 2:
        return named
    # "I don't want Django's magic": a framework ruled out leaves the other two
    rejected = parse.named(Role.REJECTED)
    return [f for f in FRAMEWORK_IDS if f not in rejected] or list(FRAMEWORK_IDS)


class RankingWriter:
    """Answers "which is fastest / easiest / least batteries-included" from the criteria table."""

    def __init__(self, knowledge: Knowledge, finder: FactFinder) -> None:
        self.knowledge, self.finder = knowledge, finder
        self.criteria = {c.id: c for c in knowledge.criteria}

    def answer(self, parse: Parse) -> Answer:
        """Name the leader (or the tie) with the criterion's ratings and a supporting fact."""
        assert parse.ranking is not None
        criterion = self.criteria[parse.ranking.criterion]
        pool = candidates(parse)
        pick = max if parse.ranking.direction == "higher" else min
        best = pick(criterion.scores[f] for f in pool)
        leaders = [f for f in pool if criterion.scores[f] == best]
        lines = [
            self._headline(criterion, leaders, parse.ranking.direction),
            "",
            self._ratings(criterion, pool),
        ]
        lines += ["", criterion.note]
        sources = [criterion.section_id]
        if len(leaders) == 1:
            # "is Django really slower?" names no topic: the row's own topics find the fact
            about = parse if parse.topics else parse.model_copy(update={"topics": criterion.topics})
            fact = self.finder.for_framework(about, leaders[0])
            if fact is not None and fact.text not in lines:
                lines += ["", fact.text]
                sources += fact.sources
        winner = leaders[0] if len(leaders) == 1 else None
        return Answer(text="\n".join(lines), recommendation=winner, sources=self.knowledge.sources(sources))

    def _headline(self, criterion: Criterion, leaders: list[FrameworkId], direction: str) -> str:
        """The one-line verdict."""
        text = self.knowledge.responses.ranking
        names = [self.knowledge.frameworks[f].name for f in leaders]
        title = criterion.title.lower()
        if len(names) > 1:
            return text.tie.format(names=" and ".join(names), criterion=title)
        template = text.top if direction == "higher" else text.bottom
        return template.format(name=names[0], criterion=title)

    def _ratings(self, criterion: Criterion, pool: list[FrameworkId]) -> str:
        """The criterion's ratings for the frameworks in play, on one line."""
        text = self.knowledge.responses.comparison
        ratings = " · ".join(
            text.rating.format(name=self.knowledge.frameworks[f].name, rating=criterion.ratings[f])
            for f in pool
        )
        return text.row.format(criterion=criterion.title, ratings=ratings)
