"""Schemas of the rule data: sections, frameworks, criteria, needs, combinations and intents."""

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from bot.core.answer import FRAMEWORK_IDS, FrameworkId, Source
from bot.core.text_analysis import phrase

ID_PATTERN = r"^[a-z0-9][a-z0-9-]*$"


class Strict(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Section(Strict):
    """A citable piece of prose with a stable id."""

    id: str = Field(pattern=ID_PATTERN)
    title: str = Field(min_length=1)
    body: str = Field(min_length=1)
    keywords: tuple[str, ...] = ()
    file: str

    @property
    def source(self) -> Source:
        """This section as an answer source."""
        return Source(id=self.id, title=self.title)


class Framework(Strict):
    """One of the frameworks the advisor chooses between."""

    id: FrameworkId
    name: str = Field(min_length=1)
    aliases: tuple[str, ...] = Field(min_length=1)
    overview: str
    rank: int = Field(ge=1)


class Criterion(Strict):
    """A row of the head-to-head table."""

    id: str = Field(pattern=ID_PATTERN)
    title: str = Field(min_length=1)
    keywords: tuple[str, ...] = ()
    ratings: dict[FrameworkId, str]
    scores: dict[FrameworkId, int]
    note: str = Field(min_length=1)
    # Rows from the guide's prose rather than its table are left out of side-by-side tables.
    in_table: bool = True
    # Topics (facts.toml) a question names when it asks about this row.
    topics: tuple[str, ...] = ()
    # Phrases that ask for the top scorer ("fastest") or the bottom one ("least out of the box").
    higher: tuple[str, ...] = ()
    lower: tuple[str, ...] = ()
    # Comparatives ("faster", "harder"): this row only when the question compares.
    more: tuple[str, ...] = ()
    less: tuple[str, ...] = ()
    # Needs that are this row in disguise, so "fastest" plus "throughput" is still a ranking.
    needs: tuple[str, ...] = ()

    @field_validator("ratings", "scores")
    @classmethod
    def _covers_every_framework(cls, value: dict[FrameworkId, Any]) -> dict[FrameworkId, Any]:
        missing = [f for f in FRAMEWORK_IDS if f not in value]
        if missing:
            raise ValueError(f"missing {', '.join(missing)}")
        return value

    @field_validator("scores")
    @classmethod
    def _scores_in_range(cls, value: dict[FrameworkId, int]) -> dict[FrameworkId, int]:
        if any(not 0 <= score <= 3 for score in value.values()):
            raise ValueError("scores must be between 0 and 3")
        return value

    @property
    def section_id(self) -> str:
        """The id of the citable section this row becomes."""
        return f"criterion-{self.id}"

    def as_section(self, names: Mapping[FrameworkId, str], file: str) -> Section:
        """The criterion as a citable section, ratings listed per framework."""
        lines = [f"- {names[f]}: {self.ratings[f]}" for f in FRAMEWORK_IDS]
        body = "\n".join([*lines, "", self.note])
        title = f"Comparison: {self.title}"
        return Section(id=self.section_id, title=title, body=body, keywords=self.keywords, file=file)


class Need(Strict):
    """A need a question can state, and which frameworks it points to."""

    id: str = Field(pattern=ID_PATTERN)
    label: str = Field(min_length=1)
    patterns: tuple[str, ...] = Field(min_length=1)
    weights: dict[FrameworkId, int] = Field(default_factory=dict)
    reasons: dict[FrameworkId, str]
    sources: tuple[str, ...] = Field(min_length=1)
    relative: bool = False
    relative_weight: int = Field(default=0, ge=0)
    # Phrases whose negation states this need ("we don't want to write validation by hand").
    when_negated: tuple[str, ...] = ()

    @model_validator(mode="after")
    def _reason_for_every_weight(self) -> "Need":
        wanted = FRAMEWORK_IDS if self.relative else [f for f, w in self.weights.items() if w > 0]
        missing = [f for f in wanted if f not in self.reasons]
        if missing:
            raise ValueError(f"reasons: missing a reason for {', '.join(missing)}")
        if not self.relative and not self.weights:
            raise ValueError("weights: a need that is not relative needs at least one weight")
        return self


class Combination(Strict):
    """Two groups of needs that together call for two frameworks side by side."""

    id: str = Field(pattern=ID_PATTERN)
    first: tuple[str, ...] = Field(min_length=1)
    second: tuple[str, ...] = Field(min_length=1)
    frameworks: tuple[FrameworkId, FrameworkId]
    recommendation: FrameworkId
    sources: tuple[str, ...] = Field(min_length=1)


class Scope(Strict):
    """Vocabulary that decides whether a question is ours to answer."""

    in_scope: tuple[str, ...]
    project: tuple[str, ...]
    off_topic: tuple[str, ...]
    other_stacks: tuple[str, ...]
    frontend: tuple[str, ...] = ()
    criterion_only: tuple[str, ...] = ()
    other_things: tuple[str, ...] = ()
    homonyms: dict[FrameworkId, tuple[str, ...]]


class Attacks(Strict):
    """Vocabulary for attempts to take over the advisor or ping everyone."""

    injection: tuple[str, ...]
    claims: tuple[str, ...]
    directives: tuple[str, ...]
    markers: tuple[str, ...]
    line_markers: tuple[str, ...]
    ping: tuple[str, ...]


class Ask(Strict):
    """Vocabulary for the kind of answer a question wants."""

    decide: tuple[str, ...]
    weak_decide: tuple[str, ...]
    usage: tuple[str, ...]
    no_decision: tuple[str, ...]
    compare: tuple[str, ...]
    group: tuple[str, ...]
    most: tuple[str, ...]
    least: tuple[str, ...]
    # Comparatives ("more", "worse"): a superlative only when something is being compared (a
    # "than", a "which", or two frameworks named).
    more: tuple[str, ...] = ()
    less: tuple[str, ...] = ()
    # What makes a comparative a comparison: "than", "which", "who".
    comparing: tuple[str, ...] = ()
    fact: tuple[str, ...]
    negation: tuple[str, ...]
    negation_after: tuple[str, ...]
    negation_window: int = Field(ge=1, le=10)
    # Negations that also open an inverted question ("doesn't Flask include ...?"): right before
    # a framework name they do not rule it out.
    auxiliary: tuple[str, ...] = ()
    # "How do I ..." anywhere makes a question practical, not a request for a decision.
    how_to: tuple[str, ...] = ()
    # Verbs that, right after a framework's name, ask about a feature ("Django got templates?").
    feature_verbs: tuple[str, ...] = ()
    # Openings that ask for the reasons behind something ("why do people call Django the go-to").
    explain: tuple[str, ...] = ()
    # A question ending on one of these words asks for a decision ("... new JSON API. pick?").
    closing: tuple[str, ...] = ()
    # Words that join options to choose between ("Django or Flask").
    alternatives: tuple[str, ...] = ()
    # Words that may sit between a choosing verb and the framework chosen ("go with the Flask").
    articles: tuple[str, ...] = ()
    copulas: tuple[str, ...] = ()
    # Nouns for what is being chosen: a decision cue next to one ("which framework?") chooses the
    # framework itself, not a tool for it.
    choice_nouns: tuple[str, ...] = ()
    time_words: tuple[str, ...] = ()
    # Words that open a question, question mark or not, and tails that make a statement one.
    question_words: tuple[str, ...] = ()
    tag_questions: tuple[str, ...] = ()
    # Openings that state what is wanted ("I want", "we need"): a question mark does not make them
    # a question about a feature.
    wants: tuple[str, ...] = ()
    # Words for a drawback: after "most" or "least" they turn the ranking round ("least annoying").
    drawbacks: tuple[str, ...] = ()
    # "X vs Y": set against each other, which for a described job asks for a pick.
    versus: tuple[str, ...] = ()
    # Words that ask to single one out, and filler words a question may open with before them.
    which: tuple[str, ...] = ()
    fillers: tuple[str, ...] = ()
    # Words before a framework's name that make it the setting of a tool ("on top of Django").
    setting_words: tuple[str, ...] = ()
    likeness: tuple[str, ...] = ()
    # Words that make a team phrase right after them hypothetical ("should we use FastAPI").
    modals: tuple[str, ...] = ()
    subjects: tuple[str, ...] = ()
    # Words that join the items of a list, along which a negation runs on.
    list_words: tuple[str, ...] = ()
    determiners: tuple[str, ...] = ()
    # Words a negation does not reach past ("no admin needed but we want async").
    negation_stops: tuple[str, ...] = ()


class Language(Strict):
    """Word lists for text analysis."""

    stopwords: tuple[str, ...]
    keep: tuple[str, ...] = ()
    # Real English words one edit from a vocabulary term: never corrected either.
    english: tuple[str, ...] = ()
    # Chat shorthand read as the words it stands for ("fw" is "framework", "authn" "authentication").
    shorthand: dict[str, str] = Field(default_factory=dict)
    # Phrases read another way when typed in lower case ("a fast api" is a quick one, not FastAPI).
    lowercase: dict[str, str] = Field(default_factory=dict)
    # Idioms put the usual way, word for word ("what one" is "which one").
    rewrite: dict[str, str] = Field(default_factory=dict)

    @field_validator("shorthand", "lowercase", "rewrite")
    @classmethod
    def _words_on_both_sides(cls, value: dict[str, str]) -> dict[str, str]:
        # an empty side would silently delete the word it stands for ("fw = ''")
        empty = [k for k, v in value.items() if not phrase(k) or not phrase(v)]
        if empty:
            raise ValueError(f"each side needs a word: {', '.join(repr(k) for k in empty)}")
        return value

    @field_validator("rewrite")
    @classmethod
    def _same_length(cls, value: dict[str, str]) -> dict[str, str]:
        uneven = [k for k, v in value.items() if len(phrase(k)) != len(phrase(v))]
        if uneven:
            raise ValueError(f"a rewrite keeps the number of words: {', '.join(uneven)}")
        return value


class Chat(Strict):
    """Vocabulary for help requests and greetings."""

    help: tuple[str, ...]
    greeting: tuple[str, ...]
    # Chat padding dropped before reading ("quick question:", "real talk"): its words state nothing.
    chatter: tuple[str, ...] = ()


class Limits(Strict):
    """Bounds on what a user may send."""

    max_question_chars: int = Field(ge=100, le=40_000)


class Team(Strict):
    """Vocabulary about the team: its current stack, and whether the job is small."""

    # "{framework}" stands for any alias of any framework ("flask shop", "our django site").
    current: tuple[str, ...]
    small_scope: tuple[str, ...]
    switch: tuple[str, ...]
    window: int = Field(ge=1, le=10)


class Intents(Strict):
    """Everything in ``intents.toml``."""

    scope: Scope
    attacks: Attacks
    ask: Ask
    team: Team
    chat: Chat
    language: Language
    limits: Limits


class Topic(Strict):
    """Something a question can be about ("the ORM", "async"), and the phrases that name it."""

    id: str = Field(pattern=ID_PATTERN)
    patterns: tuple[str, ...] = Field(min_length=1)
    generic: bool = False
    joint: bool = False
    # Something a framework ships or not (templates, WebSockets): asked about a framework with no
    # fact on it, the answer lists what that framework does include.
    feature: bool = False
    # Its facts list everything a framework ships ("what's included").
    inventory: bool = False
    # The topic it means after a negation: "what doesn't Flask come with" asks for its limits.
    when_negated: str | None = None


class Fact(Strict):
    """One specific fact, about one framework or none, that answers questions on its topics."""

    id: str = Field(pattern=ID_PATTERN)
    framework: FrameworkId | None = None
    topics: tuple[str, ...] = Field(min_length=1)
    text: str = Field(min_length=1)
    sources: tuple[str, ...] = Field(min_length=1)
