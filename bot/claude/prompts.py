"""Prompt text from ``prompts/`` and the model request built from it: pure, no network."""

import re
import tomllib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from pydantic import Field, ValidationError

from bot.claude.model_interface import ModelRequest
from bot.core.answer import Turn
from bot.core.knowledge import Knowledge, Section
from bot.core.placeholders import Templates

PROMPTS_FILE = "prompts.toml"
# Rough but stable: about four characters per token for English prose.
CHARS_PER_TOKEN = 4
_DELIMITER = re.compile(r"<(/?)(question)>", re.IGNORECASE)


class PromptError(ValueError):
    """The prompts file is missing or malformed; names the file and field."""


class Prompts(Templates):
    """Everything in ``prompts/prompts.toml``."""

    placeholders: ClassVar[dict[str, frozenset[str]]] = {
        "system": frozenset(),
        "knowledge_intro": frozenset(),
        "question": frozenset({"question"}),
    }
    version: str = Field(min_length=1)
    system: str = Field(min_length=1)
    knowledge_intro: str = Field(min_length=1)
    question: str = Field(min_length=1)


def load_prompts(directory: Path) -> Prompts:
    """Load and validate the prompts file."""
    path = directory / PROMPTS_FILE
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        return Prompts.model_validate(data)
    except FileNotFoundError:
        raise PromptError(f"{PROMPTS_FILE}: missing file {path}") from None
    except tomllib.TOMLDecodeError as error:
        raise PromptError(f"{PROMPTS_FILE}: {error}") from None
    except ValidationError as error:
        first = error.errors()[0]
        field = ".".join(str(p) for p in first["loc"]) or "(whole file)"
        raise PromptError(f"{PROMPTS_FILE}: field '{field}': {first['msg']}") from None


def estimate_tokens(text: str) -> int:
    """A cheap token estimate used for budgets."""
    return len(text) // CHARS_PER_TOKEN + 1


@dataclass(frozen=True)
class Budgets:
    """Limits on what one request may carry."""

    max_tokens: int = 1024
    history_tokens: int = 2000
    knowledge_tokens: int = 30000


def delimit(prompts: Prompts, question: str) -> str:
    """The user's text wrapped as data, with look-alike delimiters inside it defused."""
    return prompts.question.format(question=_DELIMITER.sub(r"[\1\2]", question))


def search_result(section: Section, cache: bool = False) -> dict[str, Any]:
    """One knowledge section as a citable search result block."""
    block: dict[str, Any] = {
        "type": "search_result",
        "source": section.id,
        "title": section.title,
        "content": [{"type": "text", "text": section.body}],
        "citations": {"enabled": True},
    }
    if cache:
        block["cache_control"] = {"type": "ephemeral"}
    return block


def select_sections(knowledge: Knowledge, rank: Callable[[], Sequence[str]], budget: int) -> list[Section]:
    """All sections in a stable order if they fit the budget, else the best-ranked that fit.

    ``rank`` is only called in the second case: ranking costs a retrieval per question.
    """
    every = list(knowledge.sections.values())
    if sum(estimate_tokens(s.body) for s in every) <= budget:
        return every
    chosen: set[str] = set()
    used = 0
    for section_id in rank():
        cost = estimate_tokens(knowledge.section(section_id).body)
        if used + cost > budget:
            break
        chosen.add(section_id)
        used += cost
    # Keep knowledge-file order so the same selection always makes the same prefix.
    return [s for s in every if s.id in chosen]


def bounded_history(history: Sequence[Turn], budget: int) -> list[Turn]:
    """The newest turns that fit the budget, starting with a user turn, roles alternating."""
    kept: list[Turn] = []
    used = 0
    for turn in reversed(history):
        used += estimate_tokens(turn.text)
        if used > budget:
            break
        kept.insert(0, turn)
    while kept and kept[0].role != "user":
        kept.pop(0)
    return _alternating(kept)


def _alternating(turns: list[Turn]) -> list[Turn]:
    """Merge neighbouring turns of the same role, as the Messages API requires."""
    merged: list[Turn] = []
    for turn in turns:
        if merged and merged[-1].role == turn.role:
            merged[-1] = Turn(role=turn.role, text=f"{merged[-1].text}\n\n{turn.text}")
        else:
            merged.append(turn)
    return merged


def build_request(
    knowledge: Knowledge,
    prompts: Prompts,
    question: str,
    history: Sequence[Turn],
    rank: Callable[[], Sequence[str]],
    budgets: Budgets,
) -> ModelRequest:
    """The full request: system prompt, knowledge as cached search results, turns, question."""
    sections = select_sections(knowledge, rank, budgets.knowledge_tokens)
    turns = bounded_history(history, budgets.history_tokens)
    if turns and turns[-1].role == "user":
        # A question left unanswered earlier is folded into this one.
        question = f"{turns.pop().text}\n\n{question}"
    messages = [_message(t, prompts) for t in [*turns, Turn(role="user", text=question)]]
    messages[0]["content"] = [*_knowledge_blocks(prompts, sections), *messages[0]["content"]]
    system = [{"type": "text", "text": prompts.system}]
    ids = tuple(s.id for s in sections)
    return ModelRequest(system=system, messages=messages, max_tokens=budgets.max_tokens, section_ids=ids)


def _knowledge_blocks(prompts: Prompts, sections: list[Section]) -> list[dict[str, Any]]:
    """The intro line and one search result per section; the cache breakpoint ends them."""
    last = len(sections) - 1
    results = [search_result(s, cache=i == last) for i, s in enumerate(sections)]
    return [{"type": "text", "text": prompts.knowledge_intro}, *results]


def _message(turn: Turn, prompts: Prompts) -> dict[str, Any]:
    """One turn in wire format; user text is always delimited as data."""
    text = delimit(prompts, turn.text) if turn.role == "user" else turn.text
    return {"role": turn.role, "content": [{"type": "text", "text": text}]}
