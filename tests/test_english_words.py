"""The English word list in knowledge: made by tools/english_words.py, free of slurs, never corrected."""

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.core.knowledge import Knowledge
from bot.core.retrieval import build_analyzer
from bot.core.text_analysis import Analyzer, stem

TOOL = Path(__file__).resolve().parent.parent / "tools" / "english_words.py"


@pytest.fixture(scope="module")
def tool() -> ModuleType:
    """tools/english_words.py, loaded as a module (tools/ is not a package of the bot)."""
    spec = importlib.util.spec_from_file_location("english_words", TOOL)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_english_words_list_is_what_the_script_makes(tool: ModuleType, knowledge: Knowledge) -> None:
    if not tool.DICTIONARY.exists():
        pytest.skip(f"{tool.DICTIONARY} not installed (Debian/Ubuntu package wamerican)")
    made = tool.protected(knowledge, tool.DICTIONARY.read_text().splitlines())
    assert list(knowledge.intents.language.english) == made, "rerun tools/english_words.py"


def test_english_words_leave_out_slurs_and_obscenities(tool: ModuleType, knowledge: Knowledge) -> None:
    left_out = {stem(word) for word in tool.excluded()}
    assert left_out
    assert not left_out & {stem(word) for word in knowledge.intents.language.english}


def test_english_words_each_protects_a_word_the_analyzer_would_change(
    tool: ModuleType, knowledge: Knowledge
) -> None:
    bare = build_analyzer(tool.without_english(knowledge))
    assert all(bare.correct(stem(word)) != stem(word) for word in knowledge.intents.language.english)


@pytest.fixture(scope="module")
def english(knowledge: Knowledge) -> list[str]:
    """The listed words."""
    return list(knowledge.intents.language.english)


@pytest.fixture(scope="module")
def analyzer(knowledge: Knowledge) -> Analyzer:
    """The analyzer the rules use."""
    return build_analyzer(knowledge)


@given(data=st.data())
def test_english_words_are_never_corrected(
    analyzer: Analyzer, english: list[str], data: st.DataObject
) -> None:
    words = data.draw(st.lists(st.sampled_from(english), min_size=1, max_size=20))
    assert analyzer.words(" ".join(words)) == [stem(word) for word in words]
