"""The typed reading of a question: what it asks for and everything it names."""

from enum import Enum
from typing import Literal

from pydantic import BaseModel, ConfigDict

from bot.core.answer import FrameworkId

Direction = Literal["higher", "lower"]


class Intent(Enum):
    """What a question asks for."""

    INJECTION = "injection"
    OUT_OF_SCOPE = "out_of_scope"
    GREETING = "greeting"
    HELP = "help"
    FACT = "fact"
    RANKING = "ranking"
    COMPARISON = "comparison"
    RECOMMENDATION = "recommendation"


class Role(Enum):
    """The part a named framework plays in a question."""

    SUBJECT = "subject"  # what a fact question is about
    ALTERNATIVE = "alternative"  # one of the options being weighed
    CURRENT = "current"  # what the team already uses or knows
    REJECTED = "rejected"  # named only to be ruled out ("we don't need Django's extras")
    REFERENCE = "reference"  # named for likeness ("an admin like Django's" in a question on FastAPI)


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


class NamedFramework(_Frozen):
    """A framework the question names, and its role."""

    id: FrameworkId
    role: Role


class StatedNeed(_Frozen):
    """A need the question states; negated ones ("no admin") are kept, marked, and not counted."""

    id: str
    negated: bool = False
    # Named by the same words as a topic ("FastAPI's validation library"): a feature asked about
    # rather than a requirement of the project.
    topical: bool = False


class RankingAsk(_Frozen):
    """A superlative: which framework comes out top (or bottom) on one criterion."""

    criterion: str
    direction: Direction
    # Named by the criterion's own phrase in a sentence that opens with "which" ("which one is the
    # heaviest if all I want is a tiny API?"): the project around it is context, not a need.
    pointed: bool = False


class Parse(_Frozen):
    """Everything the rules understood of a question."""

    intent: Intent
    words: tuple[str, ...] = ()
    frameworks: tuple[NamedFramework, ...] = ()
    topics: tuple[str, ...] = ()
    needs: tuple[StatedNeed, ...] = ()
    expertise: tuple[FrameworkId, ...] = ()
    constraints: frozenset[str] = frozenset()
    ranking: RankingAsk | None = None

    def named(self, *roles: Role) -> list[FrameworkId]:
        """Frameworks named in any of these roles (every role when none is given), in order."""
        return [f.id for f in self.frameworks if not roles or f.role in roles]

    @property
    def wanted(self) -> list[str]:
        """Ids of the needs stated and not negated."""
        return [n.id for n in self.needs if not n.negated]

    @property
    def requirements(self) -> list[str]:
        """Ids of the wanted needs that describe the project, not a feature asked about."""
        return [n.id for n in self.needs if not n.negated and not n.topical]
