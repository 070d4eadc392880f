"""The whole validated knowledge base, as the advisors see it."""

from collections.abc import Iterable

from bot.core.answer import FrameworkId, Source
from bot.core.knowledge.schemas import (
    Combination,
    Criterion,
    Fact,
    Framework,
    Intents,
    Need,
    Section,
    Strict,
    Topic,
)
from bot.core.knowledge.wording import Responses


class Knowledge(Strict):
    """The whole validated knowledge base."""

    sections: dict[str, Section]
    frameworks: dict[FrameworkId, Framework]
    criteria: tuple[Criterion, ...]
    needs: tuple[Need, ...]
    combinations: tuple[Combination, ...]
    topics: tuple[Topic, ...]
    facts: tuple[Fact, ...]
    intents: Intents
    responses: Responses

    def section(self, section_id: str) -> Section:
        """The section with this id."""
        return self.sections[section_id]

    def sources(self, section_ids: Iterable[str]) -> list[Source]:
        """Sources for these section ids, each once, in the order given."""
        return [self.sections[i].source for i in dict.fromkeys(section_ids)]

    def summary(self) -> str:
        """A short human summary for ``knowledge check``."""
        files = sorted({s.file for s in self.sections.values()})
        return (
            f"{len(self.sections)} sections from {len(files)} files, "
            f"{len(self.frameworks)} frameworks, {len(self.criteria)} criteria, "
            f"{len(self.needs)} needs, {len(self.combinations)} combinations, "
            f"{len(self.topics)} topics, {len(self.facts)} facts"
        )
