"""The knowledge base: prose sections and rule data loaded from ``knowledge/`` and validated."""

import re
import tomllib
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, ClassVar, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from bot.core.answer import FrameworkId, Source
from bot.core.failure import FailureReason
from bot.core.placeholders import Templates

FRAMEWORK_IDS: tuple[FrameworkId, ...] = ("django", "flask", "fastapi")
_HEADING = re.compile(r"^##\s+(?P<title>.+?)\s*\{#(?P<id>[a-z0-9][a-z0-9-]*)\}\s*$")
_ID = r"^[a-z0-9][a-z0-9-]*$"


class KnowledgeError(Exception):
    """A knowledge file is malformed; names the file, the section and the field."""

    def __init__(self, file: str, section: str, field: str, problem: str) -> None:
        self.file, self.section, self.field, self.problem = file, section, field, problem
        super().__init__(f"{file}: section '{section}', field '{field}': {problem}")


class _Strict(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Section(_Strict):
    """A citable piece of prose with a stable id."""

    id: str = Field(pattern=_ID)
    title: str = Field(min_length=1)
    body: str = Field(min_length=1)
    keywords: tuple[str, ...] = ()
    file: str

    @property
    def source(self) -> Source:
        """This section as an answer source."""
        return Source(id=self.id, title=self.title)


class Framework(_Strict):
    """One of the frameworks the advisor chooses between."""

    id: FrameworkId
    name: str = Field(min_length=1)
    aliases: tuple[str, ...] = Field(min_length=1)
    overview: str
    rank: int = Field(ge=1)


class Criterion(_Strict):
    """A row of the head-to-head table."""

    id: str = Field(pattern=_ID)
    title: str = Field(min_length=1)
    keywords: tuple[str, ...] = ()
    ratings: dict[FrameworkId, str]
    scores: dict[FrameworkId, int]
    note: str = Field(min_length=1)

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

    def as_section(self, names: Mapping[FrameworkId, str], file: str) -> Section:
        """The criterion as a citable section, ratings listed per framework."""
        lines = [f"- {names[f]}: {self.ratings[f]}" for f in FRAMEWORK_IDS]
        body = "\n".join([*lines, "", self.note])
        title = f"Comparison: {self.title}"
        return Section(id=f"criterion-{self.id}", title=title, body=body, keywords=self.keywords, file=file)


class Need(_Strict):
    """A need a question can state, and which frameworks it points to."""

    id: str = Field(pattern=_ID)
    label: str = Field(min_length=1)
    patterns: tuple[str, ...] = Field(min_length=1)
    weights: dict[FrameworkId, int] = Field(default_factory=dict)
    reasons: dict[FrameworkId, str]
    sources: tuple[str, ...] = Field(min_length=1)
    relative: bool = False
    relative_weight: int = Field(default=0, ge=0)

    @model_validator(mode="after")
    def _reason_for_every_weight(self) -> "Need":
        wanted = FRAMEWORK_IDS if self.relative else [f for f, w in self.weights.items() if w > 0]
        missing = [f for f in wanted if f not in self.reasons]
        if missing:
            raise ValueError(f"reasons: missing a reason for {', '.join(missing)}")
        if not self.relative and not self.weights:
            raise ValueError("weights: a need that is not relative needs at least one weight")
        return self


class Combination(_Strict):
    """Two groups of needs that together call for two frameworks side by side."""

    id: str = Field(pattern=_ID)
    first: tuple[str, ...] = Field(min_length=1)
    second: tuple[str, ...] = Field(min_length=1)
    frameworks: tuple[FrameworkId, FrameworkId]
    recommendation: FrameworkId
    sources: tuple[str, ...] = Field(min_length=1)


class Scope(_Strict):
    """Vocabulary that decides whether a question is ours to answer."""

    in_scope: tuple[str, ...]
    off_topic: tuple[str, ...]
    injection: tuple[str, ...]
    ping: tuple[str, ...]


class Ask(_Strict):
    """Vocabulary for the kind of answer a question wants."""

    recommend: tuple[str, ...]
    compare: tuple[str, ...]
    fact: tuple[str, ...]
    negation: tuple[str, ...]
    negation_window: int = Field(ge=1, le=10)


class Language(_Strict):
    """Word lists for text analysis."""

    stopwords: tuple[str, ...]
    keep: tuple[str, ...] = ()


class Chat(_Strict):
    """Vocabulary for help requests and greetings."""

    help: tuple[str, ...]
    greeting: tuple[str, ...]


class Limits(_Strict):
    """Bounds on what a user may send."""

    max_question_chars: int = Field(ge=100, le=40_000)


class Intents(_Strict):
    """Everything in ``intents.toml``."""

    scope: Scope
    ask: Ask
    chat: Chat
    language: Language
    limits: Limits


class RecommendationText(Templates):
    """Wording of a recommendation."""

    placeholders: ClassVar[dict[str, frozenset[str]]] = {
        "headline": frozenset({"name"}),
        "between": frozenset({"options"}),
        "reasons_heading": frozenset({"name"}),
        "reason_line": frozenset({"label", "reason"}),
        "tradeoffs_heading": frozenset(),
        "tradeoff_line": frozenset({"label", "other", "reason"}),
        "verdict_section": frozenset(),
        "general": frozenset({"verdict"}),
        "general_between": frozenset(),
        "runner_up": frozenset({"name"}),
        "invite": frozenset(),
    }
    headline: str
    between: str
    reasons_heading: str
    reason_line: str
    tradeoffs_heading: str
    tradeoff_line: str
    verdict_section: str
    general: str
    general_between: str
    runner_up: str
    invite: str


class CombinationText(Templates):
    """Wording of a combined two-framework recommendation."""

    placeholders: ClassVar[dict[str, frozenset[str]]] = {
        "headline": frozenset({"first", "second"}),
        "body": frozenset({"first_needs", "second_needs", "summary"}),
    }
    headline: str
    body: str
    summary_section: str


class ComparisonText(Templates):
    """Wording of a side-by-side comparison."""

    placeholders: ClassVar[dict[str, frozenset[str]]] = {
        "headline": frozenset({"names"}),
        "row": frozenset({"criterion", "ratings"}),
        "rating": frozenset({"name", "rating"}),
        "closing": frozenset(),
    }
    headline: str
    row: str
    rating: str
    closing: str


class FactText(Templates):
    """Wording of a factual answer."""

    placeholders: ClassVar[dict[str, frozenset[str]]] = {
        "section": frozenset({"title", "body"}),
        "not_covered": frozenset(),
    }
    section: str
    not_covered: str


class PlainText(_Strict):
    """A fixed message."""

    text: str = Field(min_length=1)


class Refusals(_Strict):
    """Polite refusals."""

    out_of_scope: str = Field(min_length=1)
    injection: str = Field(min_length=1)


class InputText(Templates):
    """Messages for questions that cannot be answered as typed."""

    placeholders: ClassVar[dict[str, frozenset[str]]] = {
        "empty": frozenset(),
        "too_long": frozenset({"length", "limit"}),
        "control": frozenset(),
    }
    empty: str
    too_long: str
    control: str


class Notes(Templates):
    """One-line notes on how an answer was made."""

    placeholders: ClassVar[dict[str, frozenset[str]]] = {
        "fallback": frozenset({"reason"}),
        "trimmed": frozenset({"limit"}),
        "uncited": frozenset(),
    }
    fallback: str
    trimmed: str
    uncited: str
    reasons: dict[str, str]

    @field_validator("reasons")
    @classmethod
    def _every_reason(cls, value: dict[str, str]) -> dict[str, str]:
        missing = [r.value for r in FailureReason if r.value not in value]
        if missing:
            raise ValueError(f"missing {', '.join(missing)}")
        return value


class SuggestedPrompt(_Strict):
    """A prompt Slack offers when a conversation opens."""

    title: str = Field(min_length=1, max_length=75)
    message: str = Field(min_length=1, max_length=1000)


class SlackText(Templates):
    """Wording of the Slack surfaces."""

    placeholders: ClassVar[dict[str, frozenset[str]]] = {
        "recommendation": frozenset({"name"}),
        "sources": frozenset({"titles"}),
        "shared_by": frozenset({"user", "question"}),
        "continued": frozenset({"part", "parts"}),
    }
    thinking: str
    status: str
    loading_messages: tuple[str, ...] = Field(max_length=10)
    recommendation: str
    sources: str
    no_sources: str
    engine_llm: str
    engine_rules: str
    share_button: str = Field(max_length=75)
    shared_by: str
    share_expired: str
    apology: str
    continued: str
    usage: str
    prompts_title: str
    feedback_positive: str = Field(max_length=75)
    feedback_negative: str = Field(max_length=75)
    suggested_prompts: tuple[SuggestedPrompt, ...] = Field(min_length=1, max_length=4)


class Responses(_Strict):
    """Everything in ``responses.toml``."""

    recommendation: RecommendationText
    combination: CombinationText
    comparison: ComparisonText
    fact: FactText
    help: PlainText
    greeting: PlainText
    refusal: Refusals
    input: InputText
    notes: Notes
    slack: SlackText


class Knowledge(_Strict):
    """The whole validated knowledge base."""

    sections: dict[str, Section]
    frameworks: dict[FrameworkId, Framework]
    criteria: tuple[Criterion, ...]
    needs: tuple[Need, ...]
    combinations: tuple[Combination, ...]
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
            f"{len(self.needs)} needs, {len(self.combinations)} combinations"
        )


def parse_sections(text: str, file: str) -> list[Section]:
    """Split one Markdown file into sections at ``## Title {#id}`` headings."""
    sections: list[Section] = []
    for title, section_id, lines in _raw_sections(text, file):
        keywords, body = _split_keywords(lines)
        sections.append(
            _validated(
                Section,
                file,
                section_id,
                {
                    "id": section_id,
                    "title": title,
                    "body": body,
                    "keywords": keywords,
                    "file": file,
                },
            )
        )
    return sections


def _raw_sections(text: str, file: str) -> list[tuple[str, str, list[str]]]:
    """Headings with their lines; any other ``##`` heading is an error."""
    found: list[tuple[str, str, list[str]]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if line.startswith("## "):
            match = _HEADING.match(line)
            if match is None:
                raise KnowledgeError(file, f"line {number}", "id", "heading needs a {#id} suffix")
            found.append((match["title"], match["id"], []))
        elif found:
            found[-1][2].append(line)
    return found


def _split_keywords(lines: list[str]) -> tuple[list[str], str]:
    """Take an optional ``Keywords:`` line off the top of a section's lines."""
    keywords: list[str] = []
    if lines and lines[0].lower().startswith("keywords:"):
        keywords = [k.strip() for k in lines[0].split(":", 1)[1].split(",") if k.strip()]
        lines = lines[1:]
    return keywords, unwrap("\n".join(lines).strip())


_BLOCK_START = re.compile(r"^\s*(?:[-*+]\s|\d+[.)]\s|```|#|>|\|)")


def unwrap(text: str) -> str:
    """Join hard-wrapped lines into one line per paragraph or list item."""
    out: list[str] = []
    for line in text.splitlines():
        joinable = out and out[-1].strip() and line.strip() and not _BLOCK_START.match(line)
        if joinable and not out[-1].lstrip().startswith("```"):
            out[-1] = f"{out[-1].rstrip()} {line.strip()}"
        else:
            out.append(line.rstrip())
    return "\n".join(out)


ModelT = TypeVar("ModelT", bound=BaseModel)


def _validated(model: type[ModelT], file: str, section: str, data: Any) -> ModelT:
    """Validate data as a model, turning the first error into a KnowledgeError."""
    try:
        return model.model_validate(data)
    except ValidationError as error:
        first = error.errors()[0]
        field = ".".join(str(p) for p in first["loc"] if p != "[key]") or "(whole entry)"
        raise KnowledgeError(file, section, field, first["msg"]) from None


def _entries(data: dict[str, Any], key: str, file: str) -> list[tuple[str, Any]]:
    """The ``[[key]]`` tables of a TOML file, each named by its id for error messages."""
    entries = data.get(key)
    if not isinstance(entries, list) or not entries:
        raise KnowledgeError(file, key, key, f"expected one or more [[{key}]] tables")
    return [(_entry_name(entry, key, index), entry) for index, entry in enumerate(entries, 1)]


def _entry_name(entry: Any, key: str, index: int) -> str:
    """An entry's id, or its position when it has none."""
    if isinstance(entry, dict) and isinstance(entry.get("id"), str):
        return str(entry["id"])
    return f"{key} #{index}"


def _read_toml(directory: Path, name: str) -> dict[str, Any]:
    """Parse one TOML file of the knowledge directory."""
    path = directory / name
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise KnowledgeError(name, "(file)", "(file)", f"missing file {path}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise KnowledgeError(name, "(file)", "(syntax)", str(error)) from None


def _load_prose(directory: Path) -> list[Section]:
    """Every section of every Markdown file under ``sections/``, in file order."""
    files = sorted((directory / "sections").glob("*.md"))
    if not files:
        raise KnowledgeError("sections/", "(directory)", "(files)", "no Markdown files found")
    sections: list[Section] = []
    for path in files:
        name = f"sections/{path.name}"
        sections.extend(parse_sections(path.read_text(encoding="utf-8"), name))
    return sections


def _table_list(directory: Path, file: str, key: str, model: type[ModelT]) -> list[ModelT]:
    """Load and validate the ``[[key]]`` tables of one TOML file."""
    data = _read_toml(directory, file)
    return [_validated(model, file, name, entry) for name, entry in _entries(data, key, file)]


def _index_sections(sections: Iterable[Section]) -> dict[str, Section]:
    """Sections by id; a repeated id is an error naming both files."""
    by_id: dict[str, Section] = {}
    for section in sections:
        if section.id in by_id:
            first = by_id[section.id].file
            raise KnowledgeError(section.file, section.id, "id", f"duplicate id, also in {first}")
        by_id[section.id] = section
    return by_id


def load_knowledge(directory: Path) -> Knowledge:
    """Load, validate and cross-check every knowledge file in ``directory``."""
    frameworks = _table_list(directory, "frameworks.toml", "framework", Framework)
    criteria = _table_list(directory, "criteria.toml", "criterion", Criterion)
    names = {f.id: f.name for f in frameworks}
    criteria_sections = [c.as_section(names, "criteria.toml") for c in criteria]
    signals = _read_toml(directory, "signals.toml")
    needs = [_validated(Need, "signals.toml", n, e) for n, e in _entries(signals, "need", "signals.toml")]
    combos = signals.get("combination", [])
    knowledge = Knowledge(
        sections=_index_sections([*_load_prose(directory), *criteria_sections]),
        frameworks=_framework_map(frameworks),
        criteria=tuple(criteria),
        needs=tuple(needs),
        combinations=tuple(_validated(Combination, "signals.toml", n, e) for n, e in _named(combos)),
        intents=_validated(Intents, "intents.toml", "(file)", _read_toml(directory, "intents.toml")),
        responses=_validated(Responses, "responses.toml", "(file)", _read_toml(directory, "responses.toml")),
    )
    _check_references(knowledge)
    return knowledge


def _named(entries: Any) -> list[tuple[str, Any]]:
    """Optional ``[[combination]]`` tables, named like required ones."""
    if not isinstance(entries, list):
        raise KnowledgeError("signals.toml", "combination", "combination", "expected [[combination]] tables")
    return [(_entry_name(entry, "combination", i), entry) for i, entry in enumerate(entries, 1)]


def _framework_map(frameworks: list[Framework]) -> dict[FrameworkId, Framework]:
    """Frameworks by id; all three must be described exactly once."""
    by_id = {f.id: f for f in frameworks}
    missing = [f for f in FRAMEWORK_IDS if f not in by_id]
    if missing or len(by_id) != len(frameworks):
        problem = f"missing {', '.join(missing)}" if missing else "a framework is listed twice"
        raise KnowledgeError("frameworks.toml", "framework", "id", problem)
    return by_id


def _check_references(knowledge: Knowledge) -> None:
    """Every section id and need id that a file mentions must exist."""
    sections, needs = knowledge.sections, {n.id for n in knowledge.needs}
    for framework in knowledge.frameworks.values():
        _require(
            framework.overview in sections,
            "frameworks.toml",
            framework.id,
            "overview",
            framework.overview,
        )
    for need in knowledge.needs:
        for ref in need.sources:
            _require(ref in sections, "signals.toml", need.id, "sources", ref)
    for combo in knowledge.combinations:
        for ref in combo.sources:
            _require(ref in sections, "signals.toml", combo.id, "sources", ref)
        for ref in (*combo.first, *combo.second):
            _require(ref in needs, "signals.toml", combo.id, "first/second", ref)
    summary = knowledge.responses.combination.summary_section
    _require(summary in sections, "responses.toml", "combination", "summary_section", summary)
    verdict = knowledge.responses.recommendation.verdict_section
    _require(verdict in sections, "responses.toml", "recommendation", "verdict_section", verdict)


def _require(ok: bool, file: str, section: str, field: str, ref: str) -> None:
    """Raise a KnowledgeError for a dangling reference."""
    if not ok:
        raise KnowledgeError(file, section, field, f"unknown id '{ref}'")
