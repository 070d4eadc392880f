"""Shared fixtures: the real knowledge base, an advisor over it, and a scratch copy to break."""

import shutil
from pathlib import Path

import pytest

from bot.advisor import Advisor
from bot.config import PROJECT_ROOT
from bot.knowledge import Knowledge, load_knowledge
from bot.rules import RulesAdvisor

KNOWLEDGE_DIR = PROJECT_ROOT / "knowledge"


@pytest.fixture(scope="session")
def knowledge() -> Knowledge:
    """The project's knowledge base, loaded once."""
    return load_knowledge(KNOWLEDGE_DIR)


@pytest.fixture(scope="session")
def rules(knowledge: Knowledge) -> RulesAdvisor:
    """The rules advisor over the real knowledge."""
    return RulesAdvisor(knowledge)


@pytest.fixture(scope="session")
def advisor(knowledge: Knowledge, rules: RulesAdvisor) -> Advisor:
    """The advisor front ends use, offline."""
    return Advisor(knowledge, rules)


@pytest.fixture
def knowledge_copy(tmp_path: Path) -> Path:
    """A writable copy of the knowledge directory."""
    target = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE_DIR, target)
    return target
