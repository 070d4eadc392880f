"""Loading and validating the knowledge files."""

import re
from pathlib import Path

import pytest

from bot.core.knowledge import (
    FRAMEWORK_IDS,
    Knowledge,
    KnowledgeError,
    load_knowledge,
    parse_sections,
    unwrap,
)


def test_knowledge_loads_every_part(knowledge: Knowledge) -> None:
    assert set(knowledge.frameworks) == set(FRAMEWORK_IDS)
    assert sum(c.in_table for c in knowledge.criteria) == 11
    assert {"admin", "concurrency", "ai-calls", "learning", "prototype"} <= {n.id for n in knowledge.needs}
    assert "criterion-async" in knowledge.sections
    assert knowledge.summary().startswith(f"{len(knowledge.sections)} sections")


@pytest.mark.parametrize(
    "section_id",
    [
        "django-includes",
        "django-strengths",
        "django-limits",
        "django-2026",
        "flask-includes",
        "flask-strengths",
        "flask-limits",
        "flask-2026",
        "fastapi-includes",
        "fastapi-strengths",
        "fastapi-limits",
        "fastapi-2026",
        "choose-django",
        "choose-flask",
        "choose-fastapi",
        "django-plus-fastapi",
        "fastapi-production",
        "fastapi-docs",
        "faq-fastapi-faster",
        "faq-django-relevant",
        "faq-fastapi-database",
        "faq-easiest",
        "faq-together",
        "faq-ai-apis",
        "eco-drf",
        "eco-quart",
        "eco-sqlalchemy",
        "eco-tortoise",
        "eco-jinja2",
        "eco-starlette",
        "eco-pydantic",
        "landscape-2026",
        "verdict",
    ],
)
def test_knowledge_covers_guide_topic(knowledge: Knowledge, section_id: str) -> None:
    section = knowledge.section(section_id)
    assert section.title
    assert len(section.body) > 40


def test_knowledge_criterion_becomes_section(knowledge: Knowledge) -> None:
    section = knowledge.section("criterion-async")
    assert "- FastAPI: Native" in section.body
    assert section.file == "criteria.toml"


def test_knowledge_sources_keep_order_and_drop_repeats(knowledge: Knowledge) -> None:
    sources = knowledge.sources(["verdict", "eco-quart", "verdict"])
    assert [s.id for s in sources] == ["verdict", "eco-quart"]


def test_knowledge_unwrap_joins_paragraph_lines_but_keeps_lists() -> None:
    text = "one\ntwo\n\n- a\n- b\n  c"
    assert unwrap(text) == "one two\n\n- a\n- b c"


def test_knowledge_parse_sections_reads_keywords() -> None:
    sections = parse_sections("# File\n\n## A title {#a-id}\nKeywords: x, y\n\nBody.\n", "f.md")
    assert sections[0].keywords == ("x", "y")
    assert sections[0].body == "Body."


def _edit(directory: Path, name: str, old: str, new: str) -> None:
    """Replace text in one knowledge file, failing loudly if the text is not there."""
    path = directory / name
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


BROKEN = [
    # (file, old text, new text, expected file, section, field)
    ("sections/django.md", "{#django-overview}", "", "sections/django.md", "line 6", "id"),
    (
        "sections/flask.md",
        "## What Flask ships with {#flask-includes}",
        "## Flask dup {#flask-overview}",
        "sections/flask.md",
        "flask-overview",
        "id",
    ),
    ("sections/faq.md", "{#faq-easiest}", "{#Bad_Id}", "sections/faq.md", "line 24", "id"),
    (
        "criteria.toml",
        'ratings = { django = "Good", flask = "Good", fastapi = "Excellent (async)" }',
        'ratings = { django = "Good", flask = "Good" }',
        "criteria.toml",
        "performance",
        "ratings",
    ),
    (
        "criteria.toml",
        'scores = { django = 2, flask = 2, fastapi = 3 }\nnote = "FastAPI leads',
        'scores = { django = 2, flask = 2, fastapi = 9 }\nnote = "FastAPI leads',
        "criteria.toml",
        "performance",
        "scores",
    ),
    (
        "signals.toml",
        "weights = { django = 4 }",
        "weights = { djnago = 4 }",
        "signals.toml",
        "admin",
        "weights.djnago",
    ),
    (
        "signals.toml",
        'sources = ["django-includes", "criterion-admin"]',
        'sources = ["nowhere"]',
        "signals.toml",
        "admin",
        "sources",
    ),
    ("signals.toml", 'label = "admin interface"\n', "", "signals.toml", "admin", "label"),
    (
        "signals.toml",
        'reasons = { django = "Django builds',
        'reasons = { flask = "Django builds',
        "signals.toml",
        "admin",
        "(whole entry)",
    ),
    (
        "signals.toml",
        'first = ["admin"]',
        'first = ["adminn"]',
        "signals.toml",
        "django-plus-fastapi",
        "first/second",
    ),
    (
        "frameworks.toml",
        'overview = "flask-overview"',
        'overview = "flask-intro"',
        "frameworks.toml",
        "flask",
        "overview",
    ),
    ("frameworks.toml", 'id = "flask"', 'id = "bottle"', "frameworks.toml", "bottle", "id"),
    (
        "intents.toml",
        "negation_window = 4",
        "negation_window = 0",
        "intents.toml",
        "ask",
        "negation_window",
    ),
    ("intents.toml", 'fw = "framework"', 'fw = ""', "intents.toml", "language", "shorthand"),
    ("intents.toml", 'negation = ["', 'negation = [3, "', "intents.toml", "ask", "negation[0]"),
    (
        "responses.toml",
        'headline = "**Recommendation: {name}**"',
        'headline = "**Recommendation: {nmae}**"',
        "responses.toml",
        "recommendation",
        "(whole entry)",
    ),
    (
        "responses.toml",
        'verdict_section = "verdict"',
        'verdict_section = "verdikt"',
        "responses.toml",
        "recommendation",
        "verdict_section",
    ),
    ("intents.toml", "[limits]", "[limits", "intents.toml", "(file)", "(syntax)"),
    (
        "facts.toml",
        'when_negated = "limits"',
        'when_negated = "limitz"',
        "facts.toml",
        "includes",
        "when_negated",
    ),
]


@pytest.mark.parametrize(("name", "old", "new", "file", "section", "field"), BROKEN)
def test_knowledge_malformed_file_names_file_section_and_field(
    knowledge_copy: Path, name: str, old: str, new: str, file: str, section: str, field: str
) -> None:
    _edit(knowledge_copy, name, old, new)
    with pytest.raises(KnowledgeError) as raised:
        load_knowledge(knowledge_copy)
    error = raised.value
    assert (error.file, error.section, error.field) == (file, section, field)
    assert re.search(re.escape(file), str(error))


def test_knowledge_missing_file_is_named(knowledge_copy: Path) -> None:
    (knowledge_copy / "signals.toml").unlink()
    with pytest.raises(KnowledgeError, match=r"signals\.toml: .*missing file"):
        load_knowledge(knowledge_copy)


def test_knowledge_without_prose_is_an_error(knowledge_copy: Path) -> None:
    for path in (knowledge_copy / "sections").glob("*.md"):
        path.unlink()
    with pytest.raises(KnowledgeError, match="no Markdown files"):
        load_knowledge(knowledge_copy)


def test_knowledge_edit_changes_advice_without_python(knowledge_copy: Path) -> None:
    from bot.core.rules import RulesAdvisor

    _edit(knowledge_copy, "signals.toml", "weights = { django = 4 }", "weights = { flask = 9 }")
    _edit(
        knowledge_copy,
        "signals.toml",
        'reasons = { django = "Django builds',
        'reasons = { flask = "Flask builds',
    )
    answer = RulesAdvisor(load_knowledge(knowledge_copy)).answer("Which framework for an admin panel?")
    assert answer.recommendation == "flask"
