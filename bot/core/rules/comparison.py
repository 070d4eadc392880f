"""Side-by-side answers: the named frameworks on the topics asked about, with no verdict."""

from bot.core.answer import Answer, FrameworkId
from bot.core.knowledge import Criterion, Knowledge
from bot.core.rules.facts import FactFinder
from bot.core.rules.parse import Parse
from bot.core.rules.ranking import candidates


class ComparisonWriter:
    """Compares frameworks: per-topic facts and table rows, or the whole table."""

    def __init__(self, knowledge: Knowledge, finder: FactFinder) -> None:
        self.knowledge, self.finder = knowledge, finder

    def answer(self, parse: Parse) -> Answer:
        """The comparison, never a recommendation."""
        pool = candidates(parse)
        names = [self.knowledge.frameworks[f].name for f in pool]
        text = self.knowledge.responses.comparison
        rows = self._rows(parse)
        facts = self._facts(parse, pool)
        lines = [text.headline.format(names=" vs ".join(names)), ""]
        # a fact about all of them on the topic ("what does the decision come down to?") leads
        shared = [f for t in parse.topics[:1] for f in self.finder.on_topic(t, None)][:1]
        lines += [*(f.text for f in shared), *([""] if shared else [])]
        if not rows and set(parse.topics) <= self.finder.generic:
            rows = [c for c in self.knowledge.criteria if c.in_table]  # "Django vs FastAPI in 2026?"
        if rows or facts[0]:
            lines += [*facts[0], *([""] if facts[0] and rows else []), *self._lines(rows, pool)]
        else:
            rows = [c for c in self.knowledge.criteria if c.in_table]
            lines += self._lines(rows, pool)
        lines += ["", text.closing]
        sources = [*(s for f in shared for s in f.sources), *facts[1], *(c.section_id for c in rows)]
        return Answer(text="\n".join(lines), sources=self.knowledge.sources(sources))

    def _rows(self, parse: Parse) -> list[Criterion]:
        """Rows about the topics the question names, from the table or the guide's prose."""
        return [c for c in self.knowledge.criteria if set(c.topics) & set(parse.topics)]

    def _facts(self, parse: Parse, pool: list[FrameworkId]) -> tuple[list[str], list[str]]:
        """One fact per framework on the question's topics, for the frameworks that have one."""
        text = self.knowledge.responses.comparison
        found = {f: self.finder.for_framework(parse, f) for f in pool}
        if not parse.topics or not any(found.values()):
            return [], []
        lines = [
            text.fact_line.format(name=self.knowledge.frameworks[f].name, fact=fact.text)
            for f, fact in found.items()
            if fact is not None
        ]
        return lines, [s for fact in found.values() if fact is not None for s in fact.sources]

    def _lines(self, rows: list[Criterion], pool: list[FrameworkId]) -> list[str]:
        """One line per criterion with each framework's rating."""
        text = self.knowledge.responses.comparison
        return [
            text.row.format(
                criterion=c.title,
                ratings=" · ".join(
                    text.rating.format(name=self.knowledge.frameworks[f].name, rating=c.ratings[f])
                    for f in pool
                ),
            )
            for c in rows
        ]
