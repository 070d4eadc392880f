"""Schemas of ``responses.toml``: the wording of every rules answer and Slack surface."""

from typing import ClassVar

from pydantic import Field, field_validator

from bot.core.failure import FailureReason
from bot.core.knowledge.schemas import Strict
from bot.core.placeholders import Templates


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
        "fact_line": frozenset({"name", "fact"}),
        "closing": frozenset(),
    }
    headline: str
    row: str
    rating: str
    fact_line: str
    closing: str


class RankingText(Templates):
    """Wording of a superlative answer."""

    placeholders: ClassVar[dict[str, frozenset[str]]] = {
        "top": frozenset({"name", "criterion"}),
        "bottom": frozenset({"name", "criterion"}),
        "tie": frozenset({"names", "criterion"}),
    }
    top: str
    bottom: str
    tie: str


class FactText(Templates):
    """Wording of a factual answer."""

    placeholders: ClassVar[dict[str, frozenset[str]]] = {
        "section": frozenset({"title", "body"}),
        "not_covered": frozenset(),
        "not_listed": frozenset({"name"}),
        "rating": frozenset({"criterion", "name", "rating"}),
        "elsewhere": frozenset({"name", "fact"}),
    }
    section: str
    not_covered: str
    not_listed: str
    elsewhere: str
    rating: str


class PlainText(Strict):
    """A fixed message."""

    text: str = Field(min_length=1)


class Refusals(Strict):
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


class SuggestedPrompt(Strict):
    """A prompt Slack offers when a conversation opens."""

    title: str = Field(min_length=1, max_length=75)
    message: str = Field(min_length=1, max_length=1000)


class HomeText(Templates):
    """Wording of the App Home tab."""

    placeholders: ClassVar[dict[str, frozenset[str]]] = {
        "about": frozenset(),
        "how_llm": frozenset({"sections", "frameworks"}),
        "how_rules": frozenset({"sections", "frameworks"}),
        "feedback_line": frozenset({"mode", "helpful", "not_helpful"}),
        "asked": frozenset({"question"}),
        "list_pair": frozenset({"first", "last"}),
    }
    title: str = Field(min_length=1, max_length=150)
    about: str = Field(min_length=1, max_length=3000)
    examples_heading: str = Field(min_length=1)
    ask_button: str = Field(min_length=1, max_length=75)
    how_heading: str = Field(min_length=1)
    how_llm: str = Field(min_length=1)
    how_rules: str = Field(min_length=1)
    feedback_heading: str = Field(min_length=1)
    feedback_line: str = Field(min_length=1)
    feedback_none: str = Field(min_length=1)
    modes: dict[str, str]
    asked: str = Field(min_length=1)
    list_comma: str = Field(min_length=1)  # between names in a list, but the last two
    list_pair: str = Field(min_length=1)  # the last two names of a list

    @field_validator("modes")
    @classmethod
    def _every_mode(cls, value: dict[str, str]) -> dict[str, str]:
        missing = [mode for mode in ("llm", "rules") if mode not in value]
        if missing:
            raise ValueError(f"missing {', '.join(missing)}")
        return value


class ShortcutText(Templates):
    """Wording of the "Ask Framework Advisor" message shortcut."""

    placeholders: ClassVar[dict[str, frozenset[str]]] = {
        "asked": frozenset({"user"}),
        "no_text": frozenset(),
        "private": frozenset(),
        "invite_me": frozenset(),
        "repeated": frozenset(),
        "own_answer": frozenset(),
    }
    asked: str = Field(min_length=1)
    no_text: str = Field(min_length=1)
    private: str = Field(min_length=1)
    invite_me: str = Field(min_length=1)
    repeated: str = Field(min_length=1)
    own_answer: str = Field(min_length=1)


class SlackText(Templates):
    """Wording of the Slack surfaces."""

    placeholders: ClassVar[dict[str, frozenset[str]]] = {
        "recommendation": frozenset({"name"}),
        "sources": frozenset({"titles"}),
        "shared_by": frozenset({"user", "question"}),
        "continued": frozenset({"part", "parts"}),
        "share_failed": frozenset({"reason"}),
        "share_not_allowed": frozenset({"reason"}),
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
    share_already_shared: str
    share_not_in_channel: str
    share_not_allowed: str
    share_failed: str
    share_unavailable: str
    feedback_failed: str
    files_not_read: str
    apology: str
    continued: str
    usage: str
    prompts_title: str
    title_more: str = Field(min_length=1, max_length=3)  # ends a thread title that was cut short
    feedback_positive: str = Field(max_length=75)
    feedback_negative: str = Field(max_length=75)
    suggested_prompts: tuple[SuggestedPrompt, ...] = Field(min_length=1, max_length=4)
    home: HomeText
    shortcut: ShortcutText


class Responses(Strict):
    """Everything in ``responses.toml``."""

    recommendation: RecommendationText
    combination: CombinationText
    comparison: ComparisonText
    ranking: RankingText
    fact: FactText
    help: PlainText
    greeting: PlainText
    refusal: Refusals
    input: InputText
    notes: Notes
    slack: SlackText
