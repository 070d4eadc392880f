"""Reads every knowledge file from a directory, validates it and cross-checks references."""

import tomllib
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from bot.core.answer import FRAMEWORK_IDS, FrameworkId
from bot.core.knowledge.base import Knowledge
from bot.core.knowledge.errors import KnowledgeError, ModelT, validated, validated_file
from bot.core.knowledge.markdown import parse_sections
from bot.core.knowledge.schemas import Combination, Criterion, Fact, Framework, Intents, Need, Section, Topic
from bot.core.knowledge.wording import Responses


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
    return [validated(model, file, name, entry) for name, entry in _entries(data, key, file)]


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
    needs = [validated(Need, "signals.toml", n, e) for n, e in _entries(signals, "need", "signals.toml")]
    combos = signals.get("combination", [])
    facts = _read_toml(directory, "facts.toml")
    knowledge = Knowledge(
        sections=_index_sections([*_load_prose(directory), *criteria_sections]),
        frameworks=_framework_map(frameworks),
        criteria=tuple(criteria),
        needs=tuple(needs),
        combinations=tuple(validated(Combination, "signals.toml", n, e) for n, e in _named(combos)),
        topics=tuple(validated(Topic, "facts.toml", n, e) for n, e in _entries(facts, "topic", "facts.toml")),
        facts=tuple(validated(Fact, "facts.toml", n, e) for n, e in _entries(facts, "fact", "facts.toml")),
        intents=validated_file(Intents, "intents.toml", _read_toml(directory, "intents.toml")),
        responses=validated_file(Responses, "responses.toml", _read_toml(directory, "responses.toml")),
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
    _check_facts(knowledge)
    _check_criteria(knowledge)
    summary = knowledge.responses.combination.summary_section
    _require(summary in sections, "responses.toml", "combination", "summary_section", summary)
    verdict = knowledge.responses.recommendation.verdict_section
    _require(verdict in sections, "responses.toml", "recommendation", "verdict_section", verdict)


def _require(ok: bool, file: str, section: str, field: str, ref: str) -> None:
    """Raise a KnowledgeError for a dangling reference."""
    if not ok:
        raise KnowledgeError(file, section, field, f"unknown id '{ref}'")


def _check_facts(knowledge: Knowledge) -> None:
    """Facts cite existing sections and name known topics; topic ids are unique."""
    topics = {t.id for t in knowledge.topics}
    if len(topics) != len(knowledge.topics):
        raise KnowledgeError("facts.toml", "topic", "id", "a topic id is listed twice")
    for topic in knowledge.topics:
        if topic.when_negated is not None:
            _require(topic.when_negated in topics, "facts.toml", topic.id, "when_negated", topic.when_negated)
    for fact in knowledge.facts:
        for ref in fact.sources:
            _require(ref in knowledge.sections, "facts.toml", fact.id, "sources", ref)
        for ref in fact.topics:
            _require(ref in topics, "facts.toml", fact.id, "topics", ref)


def _check_criteria(knowledge: Knowledge) -> None:
    """Criteria name known topics and needs."""
    topics, needs = {t.id for t in knowledge.topics}, {n.id for n in knowledge.needs}
    for criterion in knowledge.criteria:
        for ref in criterion.topics:
            _require(ref in topics, "criteria.toml", criterion.id, "topics", ref)
        for ref in criterion.needs:
            _require(ref in needs, "criteria.toml", criterion.id, "needs", ref)
